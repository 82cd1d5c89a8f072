package signin_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/consentflow/consentflow/shared/signin"
)

type staticKeys []jose.JSONWebKey

func (k staticKeys) Keys(context.Context, string) ([]jose.JSONWebKey, error) { return k, nil }

// FuzzVerify feeds the verifier what an attacker controls (the token): it
// never panics, and accepts nothing but the issuer's own valid tokens.
func FuzzVerify(f *testing.F) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		f.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, nil)
	if err != nil {
		f.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	good, err := jwt.Signed(signer).Claims(map[string]any{
		"iss": "https://issuer.example", "client_id": "console", "sub": "r-1", "exp": now.Add(time.Hour).Unix(),
	}).Serialize()
	if err != nil {
		f.Fatal(err)
	}
	v := &signin.Verifier{Issuer: "https://issuer.example", Audiences: []string{"console"},
		Keys: staticKeys{{Key: &key.PublicKey}}, Now: func() time.Time { return now }}
	if c, err := v.Verify(context.Background(), good); err != nil || c["sub"] != "r-1" {
		f.Fatalf("a good token: %v %v", c, err)
	}
	f.Add(good)
	f.Add(good[:len(good)-2])
	f.Add("eyJhbGciOiJub25lIn0.eyJzdWIiOiJyLTEifQ.")
	f.Add("")
	f.Fuzz(func(t *testing.T, raw string) {
		claims, err := v.Verify(context.Background(), raw)
		if err == nil && raw != good {
			// Another serialization of the same signed token is fine only
			// if it says the same.
			if claims["sub"] != "r-1" || claims["iss"] != "https://issuer.example" {
				t.Fatalf("accepted %q with claims %v", raw, claims)
			}
		}
	})
}
