// Package upload issues the presigned S3 requests that move candidate files:
// a POST form for exactly one key, with its size range and content type in
// the signed policy, and a short-lived GET to download.
package upload

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// PostPresigner signs POST uploads; *s3.PresignClient satisfies it.
type PostPresigner interface {
	PresignPostObject(ctx context.Context, params *s3.PutObjectInput, optFns ...func(*s3.PresignPostOptions)) (*s3.PresignedPostRequest, error)
}

// GetPresigner signs downloads; *s3.PresignClient satisfies it.
type GetPresigner interface {
	PresignGetObject(ctx context.Context, params *s3.GetObjectInput, optFns ...func(*s3.PresignOptions)) (*v4.PresignedHTTPRequest, error)
}

// Get presigns a download of one version of an object.
func Get(ctx context.Context, p GetPresigner, bucket, key, versionID string, valid time.Duration) (string, error) {
	in := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if versionID != "" {
		in.VersionId = aws.String(versionID)
	}
	req, err := p.PresignGetObject(ctx, in, s3.WithPresignExpires(valid))
	if err != nil {
		return "", fmt.Errorf("presign download: %w", err)
	}
	return req.URL, nil
}

// Form is a presigned POST upload: send every field, then the file as the
// last field, named "file", as multipart/form-data to URL.
type Form struct {
	Method string            `json:"method"`
	URL    string            `json:"url"`
	Fields map[string]string `json:"fields"`
}

// Limits are what the signed policy allows.
type Limits struct {
	// ContentType, when set, is the only Content-Type the form accepts.
	ContentType string
	// MaxSize is the largest body, in bytes.
	MaxSize int64
	// Valid is how long the form may be used.
	Valid time.Duration
	// Redirect, when set, is where S3 sends the browser after a successful
	// upload (success_action_redirect, signed into the policy), with the
	// bucket, key and ETag in its query.
	Redirect string
}

// Post presigns a POST upload of exactly one key. The policy's
// content-length-range and Content-Type condition make S3 refuse another
// size or type; the registrar checks them again on arrival.
func Post(ctx context.Context, p PostPresigner, bucket, key string, l Limits) (Form, error) {
	conds := []any{[]any{"content-length-range", 1, l.MaxSize}}
	in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if l.ContentType != "" {
		conds = append(conds, map[string]string{"Content-Type": l.ContentType})
	}
	if l.Redirect != "" {
		conds = append(conds, map[string]string{"success_action_redirect": l.Redirect})
	}
	req, err := p.PresignPostObject(ctx, in, func(o *s3.PresignPostOptions) {
		o.Expires = l.Valid
		o.Conditions = conds
	})
	if err != nil {
		return Form{}, fmt.Errorf("presign upload: %w", err)
	}
	fields := map[string]string{}
	for k, v := range req.Values {
		fields[k] = v
	}
	if l.ContentType != "" {
		fields["Content-Type"] = l.ContentType
	}
	if l.Redirect != "" {
		fields["success_action_redirect"] = l.Redirect
	}
	return Form{Method: "POST", URL: req.URL, Fields: fields}, nil
}
