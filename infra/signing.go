package main

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/consentflow/consentflow/infra/topology"
)

// newSigningKeys defines the topology's signing keys: asymmetric KMS keys
// (ECC_NIST_P256, SIGN_VERIFY) whose private half never leaves KMS. They are
// retained: receipts they signed must verify for as long as they are kept.
// Asymmetric keys cannot rotate automatically; a new key is added beside
// the old one, and the JWKS lists both.
func newSigningKeys(stack awscdk.Stack, app topology.Application) map[string]awskms.Key {
	keys := map[string]awskms.Key{}
	for _, k := range app.SigningKeys {
		key := awskms.NewKey(stack, jsii.String(topology.Pascal(k.Name)+"SigningKey"), &awskms.KeyProps{
			Description:   jsii.String(app.Name + ": " + k.Description),
			KeySpec:       awskms.KeySpec_ECC_NIST_P256,
			KeyUsage:      awskms.KeyUsage_SIGN_VERIFY,
			PendingWindow: awscdk.Duration_Days(jsii.Number(30)),
			RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
		})
		limitGrantsToAWSServices(key)
		keys[k.Name] = key
	}
	return keys
}

// grantSigning lets a function sign with the keys its topology entry names
// (kms:Sign) or read their public halves (kms:GetPublicKey), and nothing
// else of them.
func (s *StatelessStack) grantSigning(f topology.Function, fn awslambda.Function) error {
	for _, grant := range []struct {
		keys   []string
		action string
	}{{f.Signs, "kms:Sign"}, {f.ReadsPublicKeys, "kms:GetPublicKey"}} {
		for _, name := range grant.keys {
			k, ok := s.stateful.SigningKeys[name]
			if !ok {
				return fmt.Errorf("function %s: unknown signing key %q", f.Name, name)
			}
			k.Grant(fn, jsii.String(grant.action))
		}
	}
	return nil
}
