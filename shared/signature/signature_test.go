package signature_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/go-jose/go-jose/v4"

	localkms "github.com/consentflow/consentflow/infra/local/kms"
	"github.com/consentflow/consentflow/shared/signature"
)

// newKMS starts the local KMS with one key and returns a client and the key.
func newKMS(t *testing.T) (*kms.Client, *localkms.Key) {
	t.Helper()
	srv := localkms.New("us-east-1", "000000000000")
	key, err := srv.CreateKey()
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return kms.New(kms.Options{Region: "us-east-1", BaseEndpoint: aws.String(hs.URL),
		Credentials: aws.AnonymousCredentials{}}), key
}

func jwks(t *testing.T, c *kms.Client, arn string) jose.JSONWebKeySet {
	t.Helper()
	k, err := signature.PublicKey(context.Background(), c, arn)
	if err != nil {
		t.Fatal(err)
	}
	return jose.JSONWebKeySet{Keys: []jose.JSONWebKey{k}}
}

var receipt = map[string]any{
	"version": "KI-CR-v1.1.0", "consentReceiptID": "RCPT", "consentTimestamp": 1796288400,
	"services": []any{map[string]any{"service": "Recruitment", "purposes": []any{map[string]any{"purpose": "Talent pool", "termination": "on withdrawal"}}}},
	"language": "de",
}

func TestASignedReceiptVerifiesInAnyJSONFormAndFailsOnceChanged(t *testing.T) {
	c, key := newKMS(t)
	signed, err := signature.NewSigner(c, key.ARN).Sign(context.Background(), receipt)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(signed.JWS, ".")
	if len(parts) != 3 || parts[1] != "" {
		t.Fatalf("not a detached JWS: %s", signed.JWS)
	}
	header, _ := base64.RawURLEncoding.DecodeString(parts[0])
	var h map[string]string
	_ = json.Unmarshal(header, &h)
	if h["alg"] != "ES256" || h["kid"] != localkms.KeyID(key) {
		t.Fatalf("header %s", header)
	}
	if sig, _ := base64.RawURLEncoding.DecodeString(parts[2]); len(sig) != 64 {
		t.Fatalf("an ES256 signature is 64 bytes R||S, got %d", len(sig))
	}
	keys := jwks(t, c, key.ARN)

	// The candidate's copy, pretty-printed, keys in another order: still genuine.
	var doc map[string]any
	_ = json.Unmarshal(signed.Canonical, &doc)
	pretty, _ := json.MarshalIndent(doc, "", "    ")
	for _, form := range [][]byte{signed.Canonical, pretty} {
		if err := signature.Verify(form, signed.JWS, keys); err != nil {
			t.Fatalf("genuine receipt: %v\n%s", err, form)
		}
	}

	for name, tampered := range map[string][]byte{
		"timestamp":      bytes.Replace(signed.Canonical, []byte("1796288400"), []byte("1796288401"), 1),
		"termination":    bytes.Replace(signed.Canonical, []byte("on withdrawal"), []byte("never"), 1),
		"added field":    bytes.Replace(signed.Canonical, []byte(`{"consentReceiptID"`), []byte(`{"extra":1,"consentReceiptID"`), 1),
		"removed member": bytes.Replace(signed.Canonical, []byte(`"language":"de",`), nil, 1),
	} {
		if bytes.Equal(tampered, signed.Canonical) {
			t.Fatalf("%s: the test did not change the receipt", name)
		}
		if err := signature.Verify(tampered, signed.JWS, keys); !errors.Is(err, signature.ErrNotGenuine) {
			t.Errorf("%s changed: %v, want ErrNotGenuine", name, err)
		}
	}

	// Another controller's key does not vouch for it.
	other, otherKey := newKMS(t)
	if err := signature.Verify(signed.Canonical, signed.JWS, jwks(t, other, otherKey.ARN)); !errors.Is(err, signature.ErrNotGenuine) {
		t.Errorf("verified with another key: %v", err)
	}
}

func TestMalformedInputIsInvalidNotAVerdict(t *testing.T) {
	c, key := newKMS(t)
	signed, err := signature.NewSigner(c, key.ARN).Sign(context.Background(), receipt)
	if err != nil {
		t.Fatal(err)
	}
	keys := jwks(t, c, key.ARN)
	parts := strings.Split(signed.JWS, ".")
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`))
	hs := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","kid":"` + localkms.KeyID(key) + `"}`))
	for name, in := range map[string][2]string{
		"receipt not JSON":   {"{not json", signed.JWS},
		"attached payload":   {string(signed.Canonical), parts[0] + "." + base64.RawURLEncoding.EncodeToString(signed.Canonical) + "." + parts[2]},
		"two parts":          {string(signed.Canonical), parts[0] + "." + parts[2]},
		"alg none":           {string(signed.Canonical), none + ".." + parts[2]},
		"alg HS256":          {string(signed.Canonical), hs + ".." + parts[2]},
		"signature not b64":  {string(signed.Canonical), parts[0] + "..!!!"},
		"empty":              {string(signed.Canonical), ""},
		"header not b64json": {string(signed.Canonical), "abc.." + parts[2]},
	} {
		var invalid *signature.InvalidError
		if err := signature.Verify([]byte(in[0]), in[1], keys); !errors.As(err, &invalid) {
			t.Errorf("%s: %v, want *InvalidError", name, err)
		}
	}
}

// RFC 8785 section 3.2.2's example: numbers, string escapes, member order.
func TestCanonicalJSONFollowsRFC8785(t *testing.T) {
	in := `{
  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}`
	want := `{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`
	got, err := signature.Canonical([]byte(in))
	if err != nil || string(got) != want {
		t.Fatalf("Canonical = %s, %v\nwant %s", got, err, want)
	}
	// RFC 8785 section 3.2.3: members sorted by UTF-16 code units.
	got, err = signature.Canonical([]byte(`{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"}`))
	wantOrder := []string{`"\r"`, `"1"`, "\"\u0080\"", `"ö"`, `"€"`, `"😀"`, "\"\ufb33\""}
	last := -1
	for _, k := range wantOrder {
		i := strings.Index(string(got), k+":")
		if err != nil || i <= last {
			t.Fatalf("member %s out of RFC 8785 order in %s (%v)", k, got, err)
		}
		last = i
	}
}

func TestRawSignaturePadsRAndS(t *testing.T) {
	der, _ := asn1.Marshal(struct{ R, S *big.Int }{big.NewInt(1), new(big.Int).Lsh(big.NewInt(1), 255)})
	raw, err := signature.RawSignature(der, 32)
	if err != nil || len(raw) != 64 || raw[31] != 1 || raw[32] != 0x80 {
		t.Fatalf("raw = %x, %v", raw, err)
	}
	tooBig, _ := asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1)})
	for _, bad := range [][]byte{nil, []byte("junk"), append(der, 0), tooBig} {
		if _, err := signature.RawSignature(bad, 32); err == nil {
			t.Errorf("RawSignature(%x) accepted", bad)
		}
	}
}

// The local KMS refuses what KMS refuses, and its signatures verify with
// the public key it publishes.
func TestLocalKMSBehavesAsKMS(t *testing.T) {
	c, key := newKMS(t)
	ctx := context.Background()
	d := sha256.Sum256([]byte("receipt"))
	out, err := c.Sign(ctx, &kms.SignInput{KeyId: aws.String(key.ARN), Message: d[:], MessageType: "DIGEST", SigningAlgorithm: "ECDSA_SHA_256"})
	if err != nil {
		t.Fatal(err)
	}
	if !ecdsa.VerifyASN1(key.Public(), d[:], out.Signature) {
		t.Fatal("the signature does not verify with the key")
	}
	if _, err := c.Verify(ctx, &kms.VerifyInput{KeyId: aws.String(localkms.KeyID(key)), Message: []byte("receipt"), MessageType: "RAW", SigningAlgorithm: "ECDSA_SHA_256", Signature: out.Signature}); err != nil {
		t.Fatalf("Verify of a RAW message with the same digest: %v", err)
	}
	for name, in := range map[string]*kms.SignInput{
		"short digest":  {KeyId: aws.String(key.ARN), Message: d[:31], MessageType: "DIGEST", SigningAlgorithm: "ECDSA_SHA_256"},
		"rsa algorithm": {KeyId: aws.String(key.ARN), Message: d[:], MessageType: "DIGEST", SigningAlgorithm: "RSASSA_PSS_SHA_256"},
		"unknown key":   {KeyId: aws.String("arn:aws:kms:us-east-1:000000000000:key/nope"), Message: d[:], MessageType: "DIGEST", SigningAlgorithm: "ECDSA_SHA_256"},
		"raw too long":  {KeyId: aws.String(key.ARN), Message: make([]byte, 4097), MessageType: "RAW", SigningAlgorithm: "ECDSA_SHA_256"},
	} {
		if _, err := c.Sign(ctx, in); err == nil {
			t.Errorf("%s: signed", name)
		}
	}
}

func FuzzVerify(f *testing.F) {
	f.Add([]byte(`{"a":1}`), "eyJhbGciOiJFUzI1NiJ9..AAAA")
	f.Add([]byte(`[]`), "..")
	f.Add([]byte(`{"a":1e400}`), "a.b.c")
	keys := jose.JSONWebKeySet{}
	f.Fuzz(func(t *testing.T, receipt []byte, jws string) {
		err := signature.Verify(receipt, jws, keys)
		var invalid *signature.InvalidError
		if err == nil || !(errors.As(err, &invalid) || errors.Is(err, signature.ErrNotGenuine)) {
			t.Fatalf("Verify = %v", err)
		}
	})
}

// Signing goes through KMS (here the local stand-in over HTTP); verifying
// is local once the key set is read.
func BenchmarkSignThroughKMS(b *testing.B) {
	srv := localkms.New("us-east-1", "000000000000")
	key, _ := srv.CreateKey()
	hs := httptest.NewServer(srv)
	defer hs.Close()
	s := signature.NewSigner(kms.New(kms.Options{Region: "us-east-1", BaseEndpoint: aws.String(hs.URL), Credentials: aws.AnonymousCredentials{}}), key.ARN)
	for b.Loop() {
		if _, err := s.Sign(context.Background(), receipt); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	srv := localkms.New("us-east-1", "000000000000")
	key, _ := srv.CreateKey()
	hs := httptest.NewServer(srv)
	defer hs.Close()
	c := kms.New(kms.Options{Region: "us-east-1", BaseEndpoint: aws.String(hs.URL), Credentials: aws.AnonymousCredentials{}})
	signed, err := signature.NewSigner(c, key.ARN).Sign(context.Background(), receipt)
	if err != nil {
		b.Fatal(err)
	}
	pub, err := signature.PublicKey(context.Background(), c, key.ARN)
	if err != nil {
		b.Fatal(err)
	}
	keys := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{pub}}
	for b.Loop() {
		if err := signature.Verify(signed.Canonical, signed.JWS, keys); err != nil {
			b.Fatal(err)
		}
	}
}
