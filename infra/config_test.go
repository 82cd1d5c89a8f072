package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
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
	} {
		t.Run(c.name, func(t *testing.T) {
			app := awscdk.NewApp(&awscdk.AppProps{Context: &c.context})
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
		})
	}
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
	for _, key := range []string{ContextLambdaAssetRoot, ContextAlarmEmail, ContextSenderDomain, ContextRecruiterUserPoolID, ContextRecruiterUserPoolClientID, ContextLogRetentionDays, ContextSignInDomainPrefix} {
		if _, ok := doc.Context[key]; !ok {
			t.Errorf("cdk.json context lacks %s", key)
		}
	}
	if doc.Context["@aws-cdk/core:annotationsInValidationReport"] != false {
		t.Error("@aws-cdk/core:annotationsInValidationReport must stay false: with true, cdk-nag errors panic inside go test instead of being listed")
	}
}
