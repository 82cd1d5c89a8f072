package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	localkms "github.com/consentflow/consentflow/infra/local/kms"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/signature"
)

// handler verifies with the key of a local KMS and returns a receipt that
// key signed, with its signature.
func handler(t *testing.T) (*Handler, []byte, string, *httptest.Server) {
	t.Helper()
	srv := localkms.New("us-east-1", "000000000000")
	key, err := srv.CreateKey()
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	client := kms.New(kms.Options{Region: "us-east-1", BaseEndpoint: aws.String(hs.URL), Credentials: aws.AnonymousCredentials{}})
	signed, err := signature.NewSigner(client, key.ARN).Sign(context.Background(), map[string]any{
		"consentReceiptID": "RCPT", "consentTimestamp": 1796288400, "language": "en",
	})
	if err != nil {
		t.Fatal(err)
	}
	return &Handler{Keys: signature.NewKeySet(client, key.ARN), Log: slog.New(slog.DiscardHandler)}, signed.Canonical, signed.JWS, hs
}

func post(t *testing.T, h *Handler, body string) (httpapi.Response, Output) {
	t.Helper()
	res, err := h.Handle(context.Background(), httpapi.Request{Body: body, Headers: map[string]string{"content-type": "application/json"}})
	if err != nil {
		t.Fatal(err)
	}
	var out Output
	if res.StatusCode == http.StatusOK {
		if err := json.Unmarshal([]byte(res.Body), &out); err != nil {
			t.Fatal(err)
		}
	}
	return res, out
}

func TestGenuineAndChangedReceipts(t *testing.T) {
	h, doc, jws, _ := handler(t)
	res, out := post(t, h, `{"receipt":`+string(doc)+`,"signature":"`+jws+`"}`)
	if res.StatusCode != http.StatusOK || !out.Genuine || out.ReceiptID != "RCPT" || out.ConsentTimestamp != 1796288400 || out.KeyID == "" {
		t.Fatalf("genuine: %d %s", res.StatusCode, res.Body)
	}
	changed := strings.Replace(string(doc), `"en"`, `"de"`, 1)
	res, out = post(t, h, `{"receipt":`+changed+`,"signature":"`+jws+`"}`)
	if res.StatusCode != http.StatusOK || out.Genuine || out.Reason == "" {
		t.Fatalf("changed: %d %s", res.StatusCode, res.Body)
	}
}

func TestBadInputIsAProblem(t *testing.T) {
	h, doc, jws, _ := handler(t)
	for name, tc := range map[string]struct {
		body   string
		status int
	}{
		"empty":              {"", http.StatusBadRequest},
		"array receipt":      {`{"receipt":[],"signature":"` + jws + `"}`, http.StatusUnprocessableEntity},
		"null receipt":       {`{"receipt":null,"signature":"` + jws + `"}`, http.StatusUnprocessableEntity},
		"no signature":       {`{"receipt":` + string(doc) + `}`, http.StatusUnprocessableEntity},
		"compact JWS":        {`{"receipt":` + string(doc) + `,"signature":"a.b.c"}`, http.StatusUnprocessableEntity},
		"signature a number": {`{"receipt":` + string(doc) + `,"signature":1}`, http.StatusBadRequest},
	} {
		res, _ := post(t, h, tc.body)
		if res.StatusCode != tc.status || res.Headers["Content-Type"] != "application/problem+json" {
			t.Errorf("%s: %d %s, want %d problem", name, res.StatusCode, res.Body, tc.status)
		}
	}
}

// While KMS cannot be reached, the answer is a 503 problem, never a verdict.
func TestKMSDownIsUnavailableNotAVerdict(t *testing.T) {
	h, doc, jws, hs := handler(t)
	hs.Close()
	res, _ := post(t, h, `{"receipt":`+string(doc)+`,"signature":"`+jws+`"}`)
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(res.Body, "signing-key-unavailable") {
		t.Fatalf("%d %s", res.StatusCode, res.Body)
	}
}
