package main

import (
	"fmt"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/agnivade/levenshtein"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"

	"github.com/consentflow/consentflow/infra/topology"
	"github.com/consentflow/consentflow/shared/consent"
)

// Context keys the AWS deployment reads on top of the topology's Settings
// (which are context keys too, see topology.App.Settings).
const (
	// ContextLambdaAssetRoot is the folder holding <function>/bootstrap.
	ContextLambdaAssetRoot = "lambdaAssetRoot"
	// ContextAlarmEmail receives every alarm; empty: alarms only go to the topic.
	ContextAlarmEmail = "alarmEmail"
	// ContextSenderDomain, when set, makes the SES identity a whole domain
	// (with Easy DKIM) instead of the single senderEmail address.
	ContextSenderDomain = "senderDomain"
	// ContextRecruiterUserPoolID and ContextRecruiterUserPoolClientID select an
	// existing Cognito user pool (and app client) for recruiter sign-in instead
	// of the one the stateful stack creates. Both or neither.
	ContextRecruiterUserPoolID       = "recruiterUserPoolId"
	ContextRecruiterUserPoolClientID = "recruiterUserPoolClientId"
	// ContextLogRetentionDays is how long function, workflow and API logs stay.
	ContextLogRetentionDays = "logRetentionDays"
	// ContextSignInDomainPrefix is the Cognito domain prefix of the managed
	// login (https://<prefix>.auth.<region>.amazoncognito.com); empty:
	// consentflow-<account id>.
	ContextSignInDomainPrefix = "signInDomainPrefix"
	// ContextUseExistingSenderIdentity ("true") says the sender address, or
	// senderDomain, is already an SES identity in the region: the stack then
	// uses it instead of creating one (which would fail).
	ContextUseExistingSenderIdentity = "useExistingSenderIdentity"
	// ContextAllowExampleSettings ("true") lets the example controller,
	// sender and notice of cdk.json through: for tests and trials only.
	ContextAllowExampleSettings = "allowExampleSettings"
	// ContextPublicRateLimitPerIP, when above zero, puts CloudFront and a WAF
	// web ACL in front of the candidate routes, blocking a client IP above
	// that many requests per five minutes.
	ContextPublicRateLimitPerIP = "publicRateLimitPerIp"
)

// contextKeys lists every context key the app reads (besides the topology's
// settings); any other key without a colon is a typo, refused.
var contextKeys = []string{
	ContextLambdaAssetRoot, ContextAlarmEmail, ContextSenderDomain, ContextRecruiterUserPoolID,
	ContextRecruiterUserPoolClientID, ContextLogRetentionDays, ContextUseExistingSenderIdentity,
	ContextAllowExampleSettings, ContextPublicRateLimitPerIP, ContextSignInDomainPrefix,
}

// cdkContextKeys are the CDK's own context keys without a colon (its
// feature flags and lookups all have one, e.g. "@aws-cdk/core:...").
var cdkContextKeys = []string{"acknowledged-issue-numbers"}

// Defaults of the AWS-only context keys.
const (
	DefaultLambdaAssetRoot  = "bin/lambda"
	DefaultLogRetentionDays = 365
)

// Config is everything the stacks need that varies between deployments.
type Config struct {
	// Settings holds the value of every topology setting, by name.
	Settings map[string]string
	// LambdaAssetRoot is the folder with one <function>/bootstrap per function.
	LambdaAssetRoot string
	// RepoRoot is the folder holding statemachines/.
	RepoRoot string
	// AlarmEmail is subscribed to the alarm topic when not empty.
	AlarmEmail string
	// SenderDomain, when not empty, is verified as a whole SES domain identity.
	SenderDomain string
	// RecruiterUserPoolID and RecruiterUserPoolClientID name an existing pool.
	RecruiterUserPoolID       string
	RecruiterUserPoolClientID string
	// LogRetention applies to every log group the app creates.
	LogRetention awslogs.RetentionDays
	// SignInDomainPrefix is the managed login's Cognito domain prefix.
	SignInDomainPrefix string
	// UseExistingSenderIdentity: the sender identity exists; do not create it.
	UseExistingSenderIdentity bool
	// AllowExampleSettings lets example values through Validate.
	AllowExampleSettings bool
	// PublicRateLimitPerIP, above zero, adds CloudFront and a WAF rate-based
	// rule (requests per IP per five minutes) in front of the candidate routes.
	PublicRateLimitPerIP int
}

// ConfigError reports an invalid context value.
type ConfigError struct {
	Key    string
	Value  string
	Reason string
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("context %s=%q: %s", e.Key, e.Value, e.Reason)
}

// ConfigFromContext reads the configuration from CDK context (cdk.json or
// `-c key=value`), falling back to each setting's default.
func ConfigFromContext(node constructs.Node, repoRoot string) (Config, error) {
	get := func(key, def string) string {
		v := node.TryGetContext(&key)
		if v == nil {
			return def
		}
		switch v := v.(type) {
		case string:
			return v
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64)
		default:
			return fmt.Sprint(v)
		}
	}
	c := Config{
		Settings:                  map[string]string{},
		LambdaAssetRoot:           get(ContextLambdaAssetRoot, DefaultLambdaAssetRoot),
		RepoRoot:                  repoRoot,
		AlarmEmail:                strings.TrimSpace(get(ContextAlarmEmail, "")),
		SenderDomain:              strings.TrimSpace(get(ContextSenderDomain, "")),
		RecruiterUserPoolID:       strings.TrimSpace(get(ContextRecruiterUserPoolID, "")),
		RecruiterUserPoolClientID: strings.TrimSpace(get(ContextRecruiterUserPoolClientID, "")),
		SignInDomainPrefix:        strings.TrimSpace(get(ContextSignInDomainPrefix, "")),
	}
	if err := unknownKeys(node); err != nil {
		return Config{}, err
	}
	for _, s := range topology.App.Settings {
		c.Settings[s.Name] = get(s.Name, s.Default)
	}
	for key, dst := range map[string]*bool{
		ContextUseExistingSenderIdentity: &c.UseExistingSenderIdentity,
		ContextAllowExampleSettings:      &c.AllowExampleSettings,
	} {
		v := strings.TrimSpace(get(key, "false"))
		b, err := strconv.ParseBool(v)
		if err != nil {
			return Config{}, &ConfigError{Key: key, Value: v, Reason: "want true or false"}
		}
		*dst = b
	}
	if v := strings.TrimSpace(get(ContextPublicRateLimitPerIP, "0")); v != "" {
		n, err := strconv.Atoi(v)
		// WAF's rate-based rules accept 10 to 2,000,000,000 per window.
		if err != nil || (n != 0 && (n < 10 || n > 2_000_000_000)) {
			return Config{}, &ConfigError{Key: ContextPublicRateLimitPerIP, Value: v, Reason: "want 0 (off) or a whole number of requests per IP per 5 minutes from 10 to 2000000000"}
		}
		c.PublicRateLimitPerIP = n
	}
	days := get(ContextLogRetentionDays, strconv.Itoa(DefaultLogRetentionDays))
	n, err := strconv.Atoi(days)
	if err != nil {
		return Config{}, &ConfigError{Key: ContextLogRetentionDays, Value: days, Reason: "not a whole number of days"}
	}
	r, ok := retentionDays[n]
	if !ok {
		return Config{}, &ConfigError{Key: ContextLogRetentionDays, Value: days, Reason: "CloudWatch Logs accepts 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653"}
	}
	c.LogRetention = r
	return c, c.Validate()
}

// unknownKeys refuses a context key the app does not read, naming the
// known key nearest to it: a misspelt key would otherwise be ignored and its
// default deployed.
func unknownKeys(node constructs.Node) error {
	all, _ := node.GetAllContext(nil).(map[string]any)
	known := append(append([]string{}, contextKeys...), cdkContextKeys...)
	for _, s := range topology.App.Settings {
		known = append(known, s.Name)
	}
	for _, key := range sortedKeys(all) {
		if strings.Contains(key, ":") || slices.Contains(known, key) {
			continue
		}
		nearest, best := "", -1
		for _, k := range known {
			if d := levenshtein.ComputeDistance(strings.ToLower(key), strings.ToLower(k)); best < 0 || d < best {
				nearest, best = k, d
			}
		}
		return &ConfigError{Key: key, Value: fmt.Sprint(all[key]), Reason: fmt.Sprintf("unknown context key; did you mean %s?", nearest)}
	}
	return nil
}

// exampleSettings are the settings whose cdk.json values are examples that
// must not reach candidates.
var exampleSettings = []string{
	topology.SettingControllerName, topology.SettingControllerContact, topology.SettingSenderEmail, topology.SettingNoticeURL,
}

// isExample reports whether v is a setting's example default, or names a
// domain reserved for examples (RFC 2606: example.com, .net, .org, *.example).
func isExample(setting, v string) bool {
	if def, ok := topology.App.Setting(setting); ok && v == def.Default {
		return true
	}
	host := v
	if _, domain, ok := strings.Cut(v, "@"); ok {
		host = domain
	} else if u, err := url.Parse(v); err == nil && u.Host != "" {
		host = u.Hostname()
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, d := range []string{"example.com", "example.net", "example.org", "example"} {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// Validate checks the values a deployment would otherwise fail on late.
func (c Config) Validate() error {
	if !c.AllowExampleSettings {
		for _, key := range exampleSettings {
			if v := c.Settings[key]; isExample(key, v) {
				return &ConfigError{Key: key, Value: v, Reason: "an example value: set your own (-c " + key + "=...), or -c " + ContextAllowExampleSettings + "=true to synthesize with examples"}
			}
		}
	}
	sender := c.Settings[topology.SettingSenderEmail]
	if a, err := mail.ParseAddress(sender); err != nil || a.Address != sender {
		return &ConfigError{Key: topology.SettingSenderEmail, Value: sender, Reason: "not a plain email address"}
	}
	if c.SenderDomain != "" && !strings.HasSuffix(sender, "@"+c.SenderDomain) {
		return &ConfigError{Key: ContextSenderDomain, Value: c.SenderDomain, Reason: "the sender email must be an address of this domain"}
	}
	if c.AlarmEmail != "" {
		if a, err := mail.ParseAddress(c.AlarmEmail); err != nil || a.Address != c.AlarmEmail {
			return &ConfigError{Key: ContextAlarmEmail, Value: c.AlarmEmail, Reason: "not a plain email address"}
		}
	}
	if (c.RecruiterUserPoolID == "") != (c.RecruiterUserPoolClientID == "") {
		return &ConfigError{Key: ContextRecruiterUserPoolClientID, Value: c.RecruiterUserPoolClientID, Reason: "set both recruiterUserPoolId and recruiterUserPoolClientId, or neither"}
	}
	if p := c.SignInDomainPrefix; p != "" {
		if reason := domainPrefixError(p); reason != "" {
			return &ConfigError{Key: ContextSignInDomainPrefix, Value: p, Reason: reason}
		}
	}
	if base := c.Settings[topology.SettingPublicBaseURL]; base != "" && !strings.HasPrefix(base, "https://") {
		return &ConfigError{Key: topology.SettingPublicBaseURL, Value: base, Reason: "candidate links must use https://"}
	}
	// Refuse at synth what the functions would refuse at start: read the
	// settings exactly as they will (consent.PolicyFromEnv).
	if v := c.Settings[topology.SettingLinkValidityDays]; !validDays(v, consent.MaxLinkValidityDays) {
		return &ConfigError{Key: topology.SettingLinkValidityDays, Value: v, Reason: fmt.Sprintf("not a whole number of days from 1 to %d", consent.MaxLinkValidityDays)}
	}
	if v := c.Settings[topology.SettingRetentionDays]; v == "" || retentionError(v) != nil {
		reason := "want purpose=days pairs separated by commas, e.g. talent_pool=730"
		if v != "" {
			reason = retentionError(v).Error()
		}
		return &ConfigError{Key: topology.SettingRetentionDays, Value: v, Reason: reason}
	}
	if err := policyError(c.Settings); err != nil {
		return &ConfigError{Key: "settings", Reason: err.Error()}
	}
	return nil
}

func validDays(s string, most int) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n > 0 && n <= most
}

func retentionError(s string) error {
	_, err := consent.ParseRetention(s)
	return err
}

// policyError reads the settings through the functions' own environment
// variables and parser.
func policyError(settings map[string]string) error {
	env := map[string]string{}
	for _, f := range topology.App.Functions {
		for name, ref := range f.Env {
			if ref.Kind == topology.Setting {
				env[name] = settings[ref.Name]
			}
		}
	}
	if env["PUBLIC_BASE_URL"] == "" {
		env["PUBLIC_BASE_URL"] = "https://api.example" // the HTTP API's own URL, known at deploy time
	}
	_, err := consent.PolicyFromEnv(func(k string) string { return env[k] })
	return err
}

// retentionDays maps the day counts CloudWatch Logs accepts to CDK's enum.
var retentionDays = map[int]awslogs.RetentionDays{
	1: awslogs.RetentionDays_ONE_DAY, 3: awslogs.RetentionDays_THREE_DAYS, 5: awslogs.RetentionDays_FIVE_DAYS,
	7: awslogs.RetentionDays_ONE_WEEK, 14: awslogs.RetentionDays_TWO_WEEKS, 30: awslogs.RetentionDays_ONE_MONTH,
	60: awslogs.RetentionDays_TWO_MONTHS, 90: awslogs.RetentionDays_THREE_MONTHS, 120: awslogs.RetentionDays_FOUR_MONTHS,
	150: awslogs.RetentionDays_FIVE_MONTHS, 180: awslogs.RetentionDays_SIX_MONTHS, 365: awslogs.RetentionDays_ONE_YEAR,
	400: awslogs.RetentionDays_THIRTEEN_MONTHS, 545: awslogs.RetentionDays_EIGHTEEN_MONTHS, 731: awslogs.RetentionDays_TWO_YEARS,
	1096: awslogs.RetentionDays_THREE_YEARS, 1827: awslogs.RetentionDays_FIVE_YEARS, 2192: awslogs.RetentionDays_SIX_YEARS,
	2557: awslogs.RetentionDays_SEVEN_YEARS, 2922: awslogs.RetentionDays_EIGHT_YEARS, 3288: awslogs.RetentionDays_NINE_YEARS,
	3653: awslogs.RetentionDays_TEN_YEARS,
}

// FindRepoRoot walks up from dir to the folder that holds go.mod and
// statemachines/, so synth works from the repo root and tests from infra/.
func FindRepoRoot(dir string) (string, error) {
	d, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("find repo root: %w", err)
	}
	for {
		_, errMod := os.Stat(filepath.Join(d, "go.mod"))
		_, errSM := os.Stat(filepath.Join(d, "statemachines"))
		if errMod == nil && errSM == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("find repo root: no go.mod with statemachines/ above %s", dir)
		}
		d = parent
	}
}
