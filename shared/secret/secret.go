// Package secret reads deployment secrets from AWS Secrets Manager and keeps
// each one for the life of the container, so a warm function asks once.
package secret

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// SecretsManager is the part of the Secrets Manager API this package calls;
// *secretsmanager.Client satisfies it.
type SecretsManager interface {
	GetSecretValue(context.Context, *secretsmanager.GetSecretValueInput, ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// Cached is one secret, fetched on first use and then kept. A failed fetch
// is not kept: the next call asks again.
type Cached struct {
	client SecretsManager
	id     string

	mu    sync.Mutex
	value []byte
}

// New returns the secret id (a name or ARN) read through client.
func New(client SecretsManager, id string) *Cached {
	return &Cached{client: client, id: id}
}

// Value returns the secret's current string value as bytes.
func (c *Cached) Value(ctx context.Context) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.value != nil {
		return c.value, nil
	}
	out, err := c.client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(c.id)})
	if err != nil {
		return nil, fmt.Errorf("get secret value: %w", err)
	}
	v := []byte(aws.ToString(out.SecretString))
	if len(v) == 0 {
		v = out.SecretBinary
	}
	if len(v) < 16 {
		return nil, errors.New("get secret value: the secret is empty or shorter than 16 bytes")
	}
	c.value = v
	return v, nil
}
