package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/go-jose/go-jose/v4"

	localkms "github.com/consentflow/consentflow/infra/local/kms"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/signature"
)

func TestTheJWKSHoldsThePublicKeyOnly(t *testing.T) {
	srv := localkms.New("us-east-1", "000000000000")
	key, err := srv.CreateKey()
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	client := kms.New(kms.Options{Region: "us-east-1", BaseEndpoint: aws.String(hs.URL), Credentials: aws.AnonymousCredentials{}})
	h := &Handler{Keys: signature.NewKeySet(client, key.ARN), Log: slog.New(slog.DiscardHandler)}
	res, err := h.Handle(context.Background(), httpapi.Request{})
	if err != nil || res.StatusCode != http.StatusOK || res.Headers["Content-Type"] != "application/jwk-set+json" {
		t.Fatalf("%v %d %v %s", err, res.StatusCode, res.Headers, res.Body)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(res.Body), &set); err != nil {
		t.Fatal(err)
	}
	keys := set.Key(localkms.KeyID(key))
	if len(keys) != 1 || !keys[0].IsPublic() || !keys[0].Valid() || keys[0].Algorithm != "ES256" {
		t.Fatalf("jwks %s", res.Body)
	}

	// Once read, the key is served without asking KMS again.
	hs.Close()
	if res, _ := h.Handle(context.Background(), httpapi.Request{}); res.StatusCode != http.StatusOK {
		t.Fatalf("after KMS went away: %d %s", res.StatusCode, res.Body)
	}
}
