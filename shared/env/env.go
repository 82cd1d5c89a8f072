// Package env is what every function's main does first: read its
// environment once and fail fast, build one logger and one AWS config.
package env

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/store"
)

// Logger is the JSON logger of a function. Log records never carry personal
// data: pass IDs, never names, emails or addresses.
func Logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(os.Stdout, nil)).With("function", os.Getenv("AWS_LAMBDA_FUNCTION_NAME"))
}

// Require returns the value of each named variable, or exits naming the
// first that is missing: a function that cannot work must not start.
func Require(log *slog.Logger, names ...string) []string {
	values := make([]string, len(names))
	for i, n := range names {
		v := os.Getenv(n)
		if v == "" {
			Fatal(log, fmt.Errorf("environment variable %s is not set", n))
		}
		values[i] = v
	}
	return values
}

// AWS loads the AWS SDK configuration the standard way: region, credentials
// and endpoints (AWS_ENDPOINT_URL_<SERVICE>) from the environment.
func AWS(log *slog.Logger) aws.Config {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		Fatal(log, fmt.Errorf("load AWS config: %w", err))
	}
	return cfg
}

// Fatal logs err and exits; for start-up only.
func Fatal(log *slog.Logger, err error) {
	log.Error("cannot start", "error", err.Error())
	os.Exit(1)
}

// Policy reads the deployment's consent policy, or exits naming what is
// wrong with it.
func Policy(log *slog.Logger) consent.Policy {
	p, err := consent.PolicyFromEnv(os.Getenv)
	if err != nil {
		Fatal(log, err)
	}
	return p
}

// Retention reads how long artifacts are kept (APPLICATION_RETENTION and
// RECORDING_RETENTION, ISO 8601 periods), or exits naming what is wrong.
func Retention(log *slog.Logger) consent.Retention {
	r, err := consent.RetentionFromEnv(os.Getenv)
	if err != nil {
		Fatal(log, err)
	}
	return r
}

// Days reads a whole number of days, 1 or more, from the environment
// variable name, or exits naming what is wrong with it.
func Days(log *slog.Logger, name string) time.Duration {
	v := Require(log, name)[0]
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		Fatal(log, fmt.Errorf("%s %q must be a whole number of days, 1 or more", name, v))
	}
	return time.Duration(n) * 24 * time.Hour
}

// Store is the store on the tables TABLE_NAME and AUDIT_TABLE_NAME name.
func Store(log *slog.Logger, cfg aws.Config) *store.Store {
	names := Require(log, "TABLE_NAME", "AUDIT_TABLE_NAME")
	return store.New(dynamodb.NewFromConfig(cfg), names[0], names[1])
}

// Hours reads a whole number of hours, 1 to 48, from the environment
// variable name, or exits naming what is wrong with it.
func Hours(log *slog.Logger, name string) time.Duration {
	v := Require(log, name)[0]
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 48 {
		Fatal(log, fmt.Errorf("%s %q must be a whole number of hours, 1 to 48", name, v))
	}
	return time.Duration(n) * time.Hour
}
