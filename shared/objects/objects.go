// Package objects deletes every version of an S3 object, delete markers
// included, and checks by listing again that none is left.
package objects

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// S3 is the part of the S3 API this package calls; *s3.Client satisfies it.
type S3 interface {
	ListObjectVersions(context.Context, *s3.ListObjectVersionsInput, ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error)
	DeleteObject(context.Context, *s3.DeleteObjectInput, ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
}

// UnavailableError says S3 failed a call; a retry may succeed.
type UnavailableError struct{ Err error }

func (e *UnavailableError) Error() string   { return "object store unavailable: " + e.Err.Error() }
func (e *UnavailableError) Unwrap() error   { return e.Err }
func (e *UnavailableError) Temporary() bool { return true }

// RemainError says versions of the object were still listed after they
// were deleted: nothing may be reported erased.
type RemainError struct {
	Key  string
	Left int
}

func (e *RemainError) Error() string {
	return fmt.Sprintf("%d versions of %s remain after deletion", e.Left, e.Key)
}

// rounds is how often DeleteVersions deletes what it lists before it gives
// up with a *RemainError.
const rounds = 5

// DeleteVersions deletes every version and delete marker of bucket/key
// except those in keep, each by its version id (never by writing a delete
// marker), and lists again until none is left. It returns the version ids
// it deleted.
func DeleteVersions(ctx context.Context, client S3, bucket, key string, keep map[string]bool) ([]string, error) {
	var deleted []string
	left := 0
	for range rounds {
		versions, err := Versions(ctx, client, bucket, key)
		if err != nil {
			return deleted, err
		}
		var remove []string
		for _, v := range versions {
			if !keep[v] {
				remove = append(remove, v)
			}
		}
		if len(remove) == 0 {
			return deleted, nil
		}
		left = len(remove)
		for _, v := range remove {
			in := &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: aws.String(v)}
			if _, err := client.DeleteObject(ctx, in); err != nil {
				return deleted, &UnavailableError{Err: fmt.Errorf("delete object version: %w", err)}
			}
			deleted = append(deleted, v)
		}
	}
	return deleted, &RemainError{Key: key, Left: left}
}

// Versions lists the version ids of every version and delete marker of
// exactly bucket/key ("null" for one written before versioning).
func Versions(ctx context.Context, client S3, bucket, key string) ([]string, error) {
	var out []string
	in := &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), Prefix: aws.String(key)}
	for {
		res, err := client.ListObjectVersions(ctx, in)
		if err != nil {
			return nil, &UnavailableError{Err: fmt.Errorf("list object versions: %w", err)}
		}
		for _, v := range res.Versions {
			if aws.ToString(v.Key) == key {
				out = append(out, orNull(aws.ToString(v.VersionId)))
			}
		}
		for _, m := range res.DeleteMarkers {
			if aws.ToString(m.Key) == key {
				out = append(out, orNull(aws.ToString(m.VersionId)))
			}
		}
		if !aws.ToBool(res.IsTruncated) {
			return out, nil
		}
		in.KeyMarker, in.VersionIdMarker = res.NextKeyMarker, res.NextVersionIdMarker
	}
}

func orNull(v string) string {
	if v == "" {
		return "null"
	}
	return v
}
