package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/consentflow/consentflow/shared/workflow"
)

// fakeS3 is one versioned bucket. reappear adds a new version after every
// delete (a writer racing the erasure, or a replica catching up).
type fakeS3 struct {
	versions map[string][]string // key → version ids
	markers  map[string][]string // key → delete marker ids
	reappear bool
	failures int // DeleteObject calls that fail before the rest succeed
	deletes  int
	n        int
}

func (f *fakeS3) ListObjectVersions(_ context.Context, in *s3.ListObjectVersionsInput, _ ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error) {
	out := &s3.ListObjectVersionsOutput{IsTruncated: aws.Bool(false)}
	for key, ids := range f.versions {
		if len(key) >= len(aws.ToString(in.Prefix)) && key[:len(aws.ToString(in.Prefix))] == aws.ToString(in.Prefix) {
			for _, id := range ids {
				out.Versions = append(out.Versions, types.ObjectVersion{Key: aws.String(key), VersionId: aws.String(id)})
			}
			for _, id := range f.markers[key] {
				out.DeleteMarkers = append(out.DeleteMarkers, types.DeleteMarkerEntry{Key: aws.String(key), VersionId: aws.String(id)})
			}
		}
	}
	return out, nil
}

func (f *fakeS3) DeleteObject(_ context.Context, in *s3.DeleteObjectInput, _ ...func(*s3.Options)) (*s3.DeleteObjectOutput, error) {
	if f.failures > 0 {
		f.failures--
		return nil, errors.New("api error ServiceUnavailable")
	}
	if in.VersionId == nil {
		return nil, errors.New("a delete without a version id writes a delete marker")
	}
	key, id := aws.ToString(in.Key), aws.ToString(in.VersionId)
	f.deletes++
	f.versions[key] = slices.DeleteFunc(f.versions[key], func(v string) bool { return v == id })
	f.markers[key] = slices.DeleteFunc(f.markers[key], func(v string) bool { return v == id })
	if f.reappear {
		f.n++
		f.versions[key] = append(f.versions[key], fmt.Sprintf("new-%d", f.n))
	}
	return &s3.DeleteObjectOutput{}, nil
}

const key = "recording/c1/a1"

func bucket() *fakeS3 {
	return &fakeS3{
		versions: map[string][]string{key: {"v1", "v2"}, key + "-other": {"o1"}},
		markers:  map[string][]string{key: {"m1"}},
	}
}

func TestEveryVersionAndDeleteMarkerOfTheKeyIsDeleted(t *testing.T) {
	s := bucket()
	h := &Handler{S3: s, Log: slog.New(slog.DiscardHandler)}
	out, err := h.Handle(context.Background(), Input{Bucket: "recordings", Key: key})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out.VersionIDs)
	if !slices.Equal(out.VersionIDs, []string{"m1", "v1", "v2"}) {
		t.Fatalf("deleted %v, want both versions and the delete marker", out.VersionIDs)
	}
	if len(s.versions[key])+len(s.markers[key]) != 0 || len(s.versions[key+"-other"]) != 1 {
		t.Fatalf("left %v %v; another key sharing the prefix must stay", s.versions, s.markers)
	}
	again, err := h.Handle(context.Background(), Input{Bucket: "recordings", Key: key})
	if err != nil || len(again.VersionIDs) != 0 || again.VersionIDs == nil {
		t.Fatalf("a repeated step: %+v %v, want an empty list", again, err)
	}
}

func TestAVersionThatKeepsReappearingIsVersionsRemainNeverDone(t *testing.T) {
	s := bucket()
	s.reappear = true
	h := &Handler{S3: s, Log: slog.New(slog.DiscardHandler)}
	out, err := h.Handle(context.Background(), Input{Bucket: "recordings", Key: key})
	if workflow.ErrorName(err) != workflow.VersionsRemain {
		t.Fatalf("%+v %v, want %s", out, err, workflow.VersionsRemain)
	}
	if len(out.VersionIDs) != 0 {
		t.Fatalf("a failed step answered versions %v", out.VersionIDs)
	}
}

func TestAFailedDeleteIsObjectStoreUnavailable(t *testing.T) {
	s := bucket()
	s.failures = 1
	h := &Handler{S3: s, Log: slog.New(slog.DiscardHandler)}
	if _, err := h.Handle(context.Background(), Input{Bucket: "recordings", Key: key}); workflow.ErrorName(err) != workflow.ObjectStoreUnavailable {
		t.Fatalf("%v, want %s", err, workflow.ObjectStoreUnavailable)
	}
	if out, err := h.Handle(context.Background(), Input{Bucket: "recordings", Key: key}); err != nil || len(out.VersionIDs) != 3 {
		t.Fatalf("the retry: %+v %v", out, err)
	}
	if _, err := h.Handle(context.Background(), Input{Bucket: "recordings"}); workflow.ErrorName(err) != workflow.InvalidInput {
		t.Fatalf("no key: %v", err)
	}
}
