// Package kms is the local stand-in for the part of AWS KMS Consentflow uses:
// asymmetric ECC_NIST_P256 signing keys, generated at start and held in
// memory, served over KMS's JSON 1.1 protocol (Sign, Verify, GetPublicKey,
// DescribeKey), so that product code reaches it through
// AWS_ENDPOINT_URL_KMS exactly as it reaches KMS.
package kms

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
)

// Key is one signing key.
type Key struct {
	ARN  string
	priv *ecdsa.PrivateKey
}

// Public is the key's public half.
func (k *Key) Public() *ecdsa.PublicKey { return &k.priv.PublicKey }

// Server serves the KMS API for its keys.
type Server struct {
	region, account string
	mu              sync.Mutex
	keys            map[string]*Key // by key ID
}

// New returns a server with no keys.
func New(region, account string) *Server {
	return &Server{region: region, account: account, keys: map[string]*Key{}}
}

// CreateKey generates a P-256 signing key and returns it.
func (s *Server) CreateKey() (*Key, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("kms: generate key: %w", err)
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	id := fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
	k := &Key{ARN: fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", s.region, s.account, id), priv: priv}
	s.mu.Lock()
	s.keys[id] = k
	s.mu.Unlock()
	return k, nil
}

// key finds a key by ID or ARN of this region and account.
func (s *Server) key(ref string) (*Key, bool) {
	id := ref
	if strings.HasPrefix(ref, "arn:") {
		prefix := fmt.Sprintf("arn:aws:kms:%s:%s:key/", s.region, s.account)
		if !strings.HasPrefix(ref, prefix) {
			return nil, false
		}
		id = strings.TrimPrefix(ref, prefix)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.keys[id]
	return k, ok
}

const (
	keySpec   = "ECC_NIST_P256"
	algorithm = "ECDSA_SHA_256"
	usage     = "SIGN_VERIFY"
	// maxRawMessage is the largest RAW message KMS signs.
	maxRawMessage = 4096
)

type apiError struct {
	status int
	typ    string
	msg    string
}

func validation(format string, a ...any) *apiError {
	return &apiError{http.StatusBadRequest, "ValidationException", fmt.Sprintf(format, a...)}
}

// ServeHTTP answers KMS JSON 1.1 requests (POST /, X-Amz-Target TrentService.<Action>).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	action, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "TrentService.")
	if r.Method != http.MethodPost || !ok {
		writeError(w, &apiError{http.StatusBadRequest, "UnknownOperationException", "expected POST with X-Amz-Target TrentService.<Action>"})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeError(w, validation("cannot read the request"))
		return
	}
	var in struct {
		KeyId            string
		Message          []byte
		MessageType      string
		SigningAlgorithm string
		Signature        []byte
	}
	if err := json.Unmarshal(body, &in); err != nil {
		writeError(w, &apiError{http.StatusBadRequest, "SerializationException", "the request is not valid JSON"})
		return
	}
	var (
		out  any
		aerr *apiError
	)
	switch action {
	case "Sign", "Verify", "GetPublicKey", "DescribeKey":
		k, found := s.key(in.KeyId)
		if in.KeyId == "" {
			aerr = validation("KeyId is required")
			break
		}
		if !found {
			aerr = &apiError{http.StatusBadRequest, "NotFoundException", fmt.Sprintf("Key '%s' does not exist", in.KeyId)}
			break
		}
		switch action {
		case "Sign":
			out, aerr = sign(k, in.Message, in.MessageType, in.SigningAlgorithm)
		case "Verify":
			out, aerr = verify(k, in.Message, in.MessageType, in.SigningAlgorithm, in.Signature)
		case "GetPublicKey":
			out, aerr = publicKey(k)
		case "DescribeKey":
			out = map[string]any{"KeyMetadata": map[string]any{
				"Arn": k.ARN, "KeyId": KeyID(k), "KeySpec": keySpec, "CustomerMasterKeySpec": keySpec, "KeyUsage": usage,
				"KeyState": "Enabled", "Enabled": true, "SigningAlgorithms": []string{algorithm}, "KeyManager": "CUSTOMER",
				"Origin": "AWS_KMS", "AWSAccountId": s.account,
			}}
		}
	default:
		aerr = &apiError{http.StatusBadRequest, "UnknownOperationException", "the local KMS does not serve " + action}
	}
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}

// KeyID is the key's ID, the last part of its ARN.
func KeyID(k *Key) string { return k.ARN[strings.LastIndex(k.ARN, "/")+1:] }

func digest(msg []byte, msgType, alg string) ([]byte, *apiError) {
	if alg != algorithm {
		return nil, validation("SigningAlgorithm %q is not valid for a %s key; use %s", alg, keySpec, algorithm)
	}
	switch msgType {
	case "", "RAW":
		if len(msg) == 0 || len(msg) > maxRawMessage {
			return nil, validation("Message must be 1 to %d bytes", maxRawMessage)
		}
		d := sha256.Sum256(msg)
		return d[:], nil
	case "DIGEST":
		if len(msg) != sha256.Size {
			return nil, validation("Digest is invalid length for algorithm %s", algorithm)
		}
		return msg, nil
	}
	return nil, validation("MessageType %q must be RAW or DIGEST", msgType)
}

func sign(k *Key, msg []byte, msgType, alg string) (any, *apiError) {
	d, aerr := digest(msg, msgType, alg)
	if aerr != nil {
		return nil, aerr
	}
	sig, err := ecdsa.SignASN1(rand.Reader, k.priv, d)
	if err != nil {
		return nil, &apiError{http.StatusInternalServerError, "KMSInternalException", "signing failed"}
	}
	return map[string]any{"KeyId": k.ARN, "Signature": sig, "SigningAlgorithm": algorithm}, nil
}

func verify(k *Key, msg []byte, msgType, alg string, sig []byte) (any, *apiError) {
	d, aerr := digest(msg, msgType, alg)
	if aerr != nil {
		return nil, aerr
	}
	if !ecdsa.VerifyASN1(&k.priv.PublicKey, d, sig) {
		return nil, &apiError{http.StatusBadRequest, "KMSInvalidSignatureException", ""}
	}
	return map[string]any{"KeyId": k.ARN, "SignatureValid": true, "SigningAlgorithm": algorithm}, nil
}

func publicKey(k *Key) (any, *apiError) {
	der, err := x509.MarshalPKIXPublicKey(&k.priv.PublicKey)
	if err != nil {
		return nil, &apiError{http.StatusInternalServerError, "KMSInternalException", "cannot encode the public key"}
	}
	return map[string]any{
		"KeyId": k.ARN, "PublicKey": der, "KeySpec": keySpec, "CustomerMasterKeySpec": keySpec,
		"KeyUsage": usage, "SigningAlgorithms": []string{algorithm},
	}, nil
}

func writeError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": e.typ, "message": e.msg})
}
