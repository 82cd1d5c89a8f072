// Package signature signs consent receipts so that a candidate can prove what
// they were given and the company can prove it did not change it later: a
// detached JWS (RFC 7515 appendix F) over the receipt's canonical JSON
// (RFC 8785), ES256 with an asymmetric KMS key (ECC_NIST_P256) used through
// the KMS Sign API. The private key never leaves KMS; the public key is
// published as a JWKS and verifies receipts.
package signature

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
	"github.com/go-jose/go-jose/v4"
	"github.com/gowebpki/jcs"
)

// Algorithm is the JWS algorithm of every receipt signature.
const Algorithm = jose.ES256

// Canonical is the RFC 8785 canonical form of a JSON document.
func Canonical(doc []byte) ([]byte, error) {
	out, err := jcs.Transform(doc)
	if err != nil {
		return nil, &InvalidError{Reason: "the receipt is not valid JSON: " + err.Error()}
	}
	return out, nil
}

// CanonicalOf is the canonical JSON of a value.
func CanonicalOf(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return Canonical(b)
}

// KeyID is the "kid" of a KMS key: its key ID, the last part of its ARN.
func KeyID(keyARN string) string {
	if i := strings.LastIndex(keyARN, "/"); i >= 0 {
		return keyARN[i+1:]
	}
	return keyARN
}

// KMSSigner is the part of the KMS API a signer uses; *kms.Client satisfies it.
type KMSSigner interface {
	Sign(context.Context, *kms.SignInput, ...func(*kms.Options)) (*kms.SignOutput, error)
}

// Signer signs receipts with one KMS key.
type Signer struct {
	kms KMSSigner
	key string
}

// NewSigner returns a Signer using the KMS key keyARN.
func NewSigner(k KMSSigner, keyARN string) *Signer {
	return &Signer{kms: k, key: keyARN}
}

// Signed is a signed document: its canonical JSON, which is what was signed,
// and the detached JWS ("header..signature").
type Signed struct {
	Canonical []byte
	JWS       string
}

// Sign signs the canonical JSON of v.
func (s *Signer) Sign(ctx context.Context, v any) (Signed, error) {
	payload, err := CanonicalOf(v)
	if err != nil {
		return Signed{}, err
	}
	js, err := jose.NewSigner(jose.SigningKey{Algorithm: Algorithm, Key: &kmsKey{ctx: ctx, s: s}},
		(&jose.SignerOptions{}).WithType("JOSE"))
	if err != nil {
		return Signed{}, fmt.Errorf("signer: %w", err)
	}
	obj, err := js.Sign(payload)
	if err != nil {
		var u *UnavailableError
		if errors.As(err, &u) {
			return Signed{}, u
		}
		return Signed{}, fmt.Errorf("sign: %w", err)
	}
	detached, err := obj.DetachedCompactSerialize()
	if err != nil {
		return Signed{}, fmt.Errorf("serialize: %w", err)
	}
	return Signed{Canonical: payload, JWS: detached}, nil
}

// kmsKey is a go-jose opaque signer whose private key stays in KMS.
type kmsKey struct {
	ctx context.Context
	s   *Signer
}

func (k *kmsKey) Public() *jose.JSONWebKey {
	// Only the key ID: the signer may not read the public key (kms:Sign only).
	return &jose.JSONWebKey{KeyID: KeyID(k.s.key), Algorithm: string(Algorithm), Use: "sig"}
}

func (k *kmsKey) Algs() []jose.SignatureAlgorithm { return []jose.SignatureAlgorithm{Algorithm} }

// SignPayload signs the JWS signing input: KMS signs its SHA-256 digest and
// answers an ASN.1 DER ECDSA signature, which JWS writes as R||S (RFC 7518
// section 3.4).
func (k *kmsKey) SignPayload(input []byte, alg jose.SignatureAlgorithm) ([]byte, error) {
	if alg != Algorithm {
		return nil, fmt.Errorf("algorithm %s is not %s", alg, Algorithm)
	}
	digest := sha256.Sum256(input)
	out, err := k.s.kms.Sign(k.ctx, &kms.SignInput{
		KeyId:            &k.s.key,
		Message:          digest[:],
		MessageType:      types.MessageTypeDigest,
		SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256,
	})
	if err != nil {
		return nil, &UnavailableError{Err: err}
	}
	return RawSignature(out.Signature, 32)
}

// RawSignature turns an ASN.1 DER ECDSA signature into the fixed-width R||S
// form of JWS, each integer left-padded to size bytes.
func RawSignature(der []byte, size int) ([]byte, error) {
	var sig struct{ R, S *big.Int }
	rest, err := asn1.Unmarshal(der, &sig)
	if err != nil || len(rest) > 0 || sig.R == nil || sig.S == nil || sig.R.Sign() <= 0 || sig.S.Sign() <= 0 {
		return nil, errors.New("KMS answered a malformed ECDSA signature")
	}
	if len(sig.R.Bytes()) > size || len(sig.S.Bytes()) > size {
		return nil, errors.New("KMS answered an ECDSA signature too large for the curve")
	}
	raw := make([]byte, 2*size)
	sig.R.FillBytes(raw[:size])
	sig.S.FillBytes(raw[size:])
	return raw, nil
}

// UnavailableError is KMS failing to sign or to give the public key: a retry
// may succeed. Its message holds KMS's error code only.
type UnavailableError struct{ Err error }

func (e *UnavailableError) Error() string {
	var api smithy.APIError
	if errors.As(e.Err, &api) {
		return "signing key unavailable: " + api.ErrorCode()
	}
	return "signing key unavailable: request failed before KMS answered"
}
func (e *UnavailableError) Unwrap() error { return e.Err }

// InvalidError is a receipt or signature that cannot even be checked:
// malformed JSON, a malformed JWS, an unexpected algorithm.
type InvalidError struct{ Reason string }

func (e *InvalidError) Error() string { return "invalid: " + e.Reason }

// ErrNotGenuine is a well-formed signature that does not match the receipt
// or any published key.
var ErrNotGenuine = errors.New("the signature does not match the receipt: it was changed after signing, or not signed by this controller")

// KMSPublicKeys is the part of the KMS API that reads public keys;
// *kms.Client satisfies it.
type KMSPublicKeys interface {
	GetPublicKey(context.Context, *kms.GetPublicKeyInput, ...func(*kms.Options)) (*kms.GetPublicKeyOutput, error)
}

// PublicKey reads the public key of a KMS signing key as a JWK whose kid is
// the one its signatures carry.
func PublicKey(ctx context.Context, k KMSPublicKeys, keyARN string) (jose.JSONWebKey, error) {
	out, err := k.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: &keyARN})
	if err != nil {
		return jose.JSONWebKey{}, &UnavailableError{Err: err}
	}
	if out.KeySpec != types.KeySpecEccNistP256 || out.KeyUsage != types.KeyUsageTypeSignVerify {
		return jose.JSONWebKey{}, fmt.Errorf("KMS key %s is %s for %s, want %s for %s", KeyID(keyARN), out.KeySpec, out.KeyUsage, types.KeySpecEccNistP256, types.KeyUsageTypeSignVerify)
	}
	pub, err := x509.ParsePKIXPublicKey(out.PublicKey)
	if err != nil {
		return jose.JSONWebKey{}, fmt.Errorf("KMS public key: %w", err)
	}
	ec, ok := pub.(*ecdsa.PublicKey)
	if !ok || ec.Curve != elliptic.P256() {
		return jose.JSONWebKey{}, errors.New("KMS public key is not a P-256 ECDSA key")
	}
	return jose.JSONWebKey{Key: ec, KeyID: KeyID(keyARN), Algorithm: string(Algorithm), Use: "sig"}, nil
}

// Verify checks a detached JWS against a receipt (any JSON form of it: it is
// canonicalized first) and the published keys. It returns nil for a genuine
// receipt, ErrNotGenuine for a changed one, *InvalidError for input that is
// not a receipt and a signature.
func Verify(receipt []byte, detachedJWS string, keys jose.JSONWebKeySet) error {
	payload, err := Canonical(receipt)
	if err != nil {
		return err
	}
	detachedJWS = strings.TrimSpace(detachedJWS)
	if parts := strings.Split(detachedJWS, "."); len(parts) != 3 || parts[1] != "" {
		return &InvalidError{Reason: "the signature is not a detached JWS (header..signature)"}
	}
	obj, err := jose.ParseDetached(detachedJWS, payload, []jose.SignatureAlgorithm{Algorithm})
	if err != nil {
		return &InvalidError{Reason: "the signature cannot be read: " + err.Error()}
	}
	kid := obj.Signatures[0].Header.KeyID
	if len(keys.Key(kid)) == 0 {
		return ErrNotGenuine
	}
	if err := obj.DetachedVerify(payload, &keys); err != nil {
		return ErrNotGenuine
	}
	return nil
}

// KeySet is the published keys of receipt signatures, read from KMS once and
// kept: a key's public half never changes.
type KeySet struct {
	kms  KMSPublicKeys
	arns []string
	mu   sync.Mutex
	set  *jose.JSONWebKeySet
}

// NewKeySet returns the key set of the KMS keys keyARNs.
func NewKeySet(k KMSPublicKeys, keyARNs ...string) *KeySet {
	return &KeySet{kms: k, arns: keyARNs}
}

// Keys returns the public keys as a JWKS.
func (s *KeySet) Keys(ctx context.Context) (jose.JSONWebKeySet, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.set != nil {
		return *s.set, nil
	}
	set := jose.JSONWebKeySet{}
	for _, arn := range s.arns {
		k, err := PublicKey(ctx, s.kms, arn)
		if err != nil {
			return jose.JSONWebKeySet{}, err
		}
		set.Keys = append(set.Keys, k)
	}
	s.set = &set
	return set, nil
}
