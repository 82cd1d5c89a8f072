package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"

	"github.com/consentflow/consentflow/infra/topology"
)

func TestConfigFromContext(t *testing.T) {
	for _, c := range []struct {
		name    string
		context map[string]any
		badKey  string // the key a *ConfigError names; empty: valid
		check   func(t *testing.T, c Config)
		// strict leaves out allowExampleSettings=true, which the other
		// cases add so that they can start from cdk.json's examples.
		strict bool
		reason string // a part of the error's text
	}{
		{name: "defaults", context: map[string]any{}, check: func(t *testing.T, c Config) {
			for _, s := range topology.App.Settings {
				if c.Settings[s.Name] != s.Default {
					t.Errorf("%s = %q, want the default %q", s.Name, c.Settings[s.Name], s.Default)
				}
			}
			if c.LambdaAssetRoot != DefaultLambdaAssetRoot || c.LogRetention != awslogs.RetentionDays_ONE_YEAR {
				t.Errorf("asset root %q, retention %v", c.LambdaAssetRoot, c.LogRetention)
			}
		}},
		{name: "numbers from cdk.json", context: map[string]any{ContextLogRetentionDays: 30, topology.SettingLinkValidityDays: 14}, check: func(t *testing.T, c Config) {
			if c.LogRetention != awslogs.RetentionDays_ONE_MONTH || c.Settings[topology.SettingLinkValidityDays] != "14" {
				t.Errorf("retention %v, link validity %q", c.LogRetention, c.Settings[topology.SettingLinkValidityDays])
			}
		}},
		{name: "sender not an address", context: map[string]any{topology.SettingSenderEmail: "Consent Team"}, badKey: topology.SettingSenderEmail},
		{name: "sender with display name", context: map[string]any{topology.SettingSenderEmail: "Consent <consent@example.com>"}, badKey: topology.SettingSenderEmail},
		{name: "sender outside the domain", context: map[string]any{ContextSenderDomain: "acme.example"}, badKey: ContextSenderDomain},
		{name: "alarm email not an address", context: map[string]any{ContextAlarmEmail: "ops"}, badKey: ContextAlarmEmail},
		{name: "pool without client", context: map[string]any{ContextRecruiterUserPoolID: "eu-west-1_X"}, badKey: ContextRecruiterUserPoolClientID},
		{name: "plain http base URL", context: map[string]any{topology.SettingPublicBaseURL: "http://consent.example.com"}, badKey: topology.SettingPublicBaseURL},
		{name: "link validity zero", context: map[string]any{topology.SettingLinkValidityDays: "0"}, badKey: topology.SettingLinkValidityDays},
		{name: "retention not pairs", context: map[string]any{topology.SettingRetentionDays: "730"}, badKey: topology.SettingRetentionDays},
		{name: "link validity longer than a workflow can wait", context: map[string]any{topology.SettingLinkValidityDays: "365"}, badKey: topology.SettingLinkValidityDays},
		{name: "retention of an unknown purpose", context: map[string]any{topology.SettingRetentionDays: "talent_pool=730,interview_recording=180,marketing=30"}, badKey: topology.SettingRetentionDays},
		{name: "retention missing a purpose", context: map[string]any{topology.SettingRetentionDays: "talent_pool=730"}, badKey: topology.SettingRetentionDays},
		{name: "notice URL not a URL", context: map[string]any{topology.SettingNoticeURL: ""}, badKey: "settings"},
		{name: "retention days not a number", context: map[string]any{topology.SettingRetentionDays: "talent_pool=two years"}, badKey: topology.SettingRetentionDays},
		{name: "sign-in domain prefix with capitals", context: map[string]any{ContextSignInDomainPrefix: "Acme-Recruiting"}, badKey: ContextSignInDomainPrefix},
		{name: "sign-in domain prefix Cognito reserves", context: map[string]any{ContextSignInDomainPrefix: "acme-cognito"}, badKey: ContextSignInDomainPrefix},
		{name: "sign-in domain prefix", context: map[string]any{ContextSignInDomainPrefix: "acme-recruiting"}, check: func(t *testing.T, c Config) {
			if c.SignInDomainPrefix != "acme-recruiting" {
				t.Errorf("prefix %q", c.SignInDomainPrefix)
			}
		}},
		{name: "log retention CloudWatch does not offer", context: map[string]any{ContextLogRetentionDays: "100"}, badKey: ContextLogRetentionDays},
		{name: "misspelt key", context: map[string]any{"contollerName": "Acme Ltd"}, badKey: "contollerName", reason: "did you mean controllerName?"},
		{name: "misspelt AWS-only key", context: map[string]any{"alarmMail": "ops@acme.test"}, badKey: "alarmMail", reason: "did you mean alarmEmail?"},
		{name: "CDK's own keys", context: map[string]any{"@aws-cdk/core:newStyleStackSynthesis": true, "aws:cdk:version-reporting": false, "acknowledged-issue-numbers": []any{}}, check: func(t *testing.T, c Config) {}},
		{name: "example values", strict: true, context: map[string]any{}, badKey: topology.SettingControllerName, reason: "allowExampleSettings=true"},
		{name: "own values", strict: true, context: ownSettings(nil), check: func(t *testing.T, c Config) {
			if c.AllowExampleSettings || c.Settings[topology.SettingSenderEmail] != "consent@acme.test" {
				t.Errorf("allow examples %v, sender %q", c.AllowExampleSettings, c.Settings[topology.SettingSenderEmail])
			}
		}},
		{name: "example sender", strict: true, context: ownSettings(map[string]any{topology.SettingSenderEmail: "consent@example.com"}), badKey: topology.SettingSenderEmail},
		{name: "sender on a domain reserved for examples", strict: true, context: ownSettings(map[string]any{topology.SettingSenderEmail: "privacy@acme.example"}), badKey: topology.SettingSenderEmail},
		{name: "example notice URL", strict: true, context: ownSettings(map[string]any{topology.SettingNoticeURL: "https://www.example.org/privacy"}), badKey: topology.SettingNoticeURL},
		{name: "example controller contact", strict: true, context: ownSettings(map[string]any{topology.SettingControllerContact: "privacy@example.com"}), badKey: topology.SettingControllerContact},
		{name: "existing sender identity", context: map[string]any{ContextUseExistingSenderIdentity: "true"}, check: func(t *testing.T, c Config) {
			if !c.UseExistingSenderIdentity {
				t.Error("the existing identity is not used")
			}
		}},
		{name: "existing sender identity not a boolean", context: map[string]any{ContextUseExistingSenderIdentity: "yes please"}, badKey: ContextUseExistingSenderIdentity},
		{name: "per-IP rate limit below WAF's minimum", context: map[string]any{ContextPublicRateLimitPerIP: "5"}, badKey: ContextPublicRateLimitPerIP},
		{name: "per-IP rate limit", context: map[string]any{ContextPublicRateLimitPerIP: 300}, check: func(t *testing.T, c Config) {
			if c.PublicRateLimitPerIP != 300 {
				t.Errorf("rate limit %d", c.PublicRateLimitPerIP)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := map[string]any{}
			for k, v := range c.context {
				ctx[k] = v
			}
			if !c.strict {
				ctx[ContextAllowExampleSettings] = "true"
			}
			app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx})
			cfg, err := ConfigFromContext(app.Node(), repoRoot)
			if c.badKey == "" {
				if err != nil {
					t.Fatal(err)
				}
				c.check(t, cfg)
				return
			}
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Key != c.badKey {
				t.Errorf("error %v, want a *ConfigError about %s", err, c.badKey)
			}
			if err != nil && !strings.Contains(err.Error(), c.reason) {
				t.Errorf("error %q does not say %q", err, c.reason)
			}
		})
	}
}

// ownSettings is a deployment's own controller, sender and notice, with
// overrides.
func ownSettings(overrides map[string]any) map[string]any {
	m := map[string]any{
		topology.SettingControllerName:    "Acme Recruiting GmbH",
		topology.SettingControllerContact: "privacy@acme.test",
		topology.SettingSenderEmail:       "consent@acme.test",
		topology.SettingNoticeURL:         "https://acme.test/privacy",
	}
	for k, v := range overrides {
		m[k] = v
	}
	return m
}

// cdk.json gives every topology setting and AWS-only key its default, so the
// cloud team sees every parameter in one place.
func TestCDKJSONListsEveryParameter(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot, "cdk.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		App     string         `json:"app"`
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.App != "go run ./infra" {
		t.Errorf("app %q, want go run ./infra", doc.App)
	}
	for _, s := range topology.App.Settings {
		if v, ok := doc.Context[s.Name]; !ok || v != s.Default {
			t.Errorf("cdk.json context %s = %v, want the topology default %q", s.Name, v, s.Default)
		}
	}
	for _, key := range contextKeys {
		if _, ok := doc.Context[key]; !ok {
			t.Errorf("cdk.json context lacks %s", key)
		}
	}
	if doc.Context["@aws-cdk/core:annotationsInValidationReport"] != false {
		t.Error("@aws-cdk/core:annotationsInValidationReport must stay false: with true, cdk-nag errors panic inside go test instead of being listed")
	}
}
