package local

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/johannesboyne/gofakes3"

	"github.com/consentflow/consentflow/infra/topology"
)

// objectEvents wraps the local S3 so that every successful upload (PUT,
// POST form, copy, completed multipart upload) sends the "Object Created"
// event S3 sends to EventBridge in AWS, to the functions of the topology's
// rules on that bucket, asynchronously and retried as EventBridge does.
type objectEvents struct {
	s3      http.Handler
	backend gofakes3.Backend
	rules   []topology.Rule
	invoke  func(ctx context.Context, function string, payload []byte) error
	log     *slog.Logger
	pending sync.WaitGroup
	seq     int64
	mu      sync.Mutex
}

// eventAttempts is how often a failed delivery is tried (EventBridge retries
// for up to 24 hours; locally a few quick tries show the same behaviour).
const eventAttempts = 3

// ObjectCreatedEvent is the EventBridge event of an object created in S3.
type ObjectCreatedEvent struct {
	Version    string              `json:"version"`
	ID         string              `json:"id"`
	DetailType string              `json:"detail-type"`
	Source     string              `json:"source"`
	Account    string              `json:"account"`
	Time       string              `json:"time"`
	Region     string              `json:"region"`
	Resources  []string            `json:"resources"`
	Detail     ObjectCreatedDetail `json:"detail"`
}

// ObjectCreatedDetail is the event's detail, as S3 writes it.
type ObjectCreatedDetail struct {
	Version string `json:"version"`
	Bucket  struct {
		Name string `json:"name"`
	} `json:"bucket"`
	Object struct {
		Key       string `json:"key"`
		Size      int64  `json:"size"`
		ETag      string `json:"etag"`
		VersionID string `json:"version-id,omitempty"`
		Sequencer string `json:"sequencer"`
	} `json:"object"`
	RequestID       string `json:"request-id"`
	Requester       string `json:"requester"`
	SourceIPAddress string `json:"source-ip-address"`
	Reason          string `json:"reason"`
}

type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(p []byte) (int, error) { return r.ResponseWriter.Write(p) }

func (e *objectEvents) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	bucket, key, reason := created(r)
	if reason == "PostObject" {
		e.servePost(w, r, bucket)
		return
	}
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	e.s3.ServeHTTP(rec, r)
	if rec.status < 200 || rec.status > 299 {
		return
	}
	if reason == "" {
		return
	}
	if key == "" && r.MultipartForm != nil && len(r.MultipartForm.Value["key"]) == 1 {
		key = r.MultipartForm.Value["key"][0]
	}
	if key == "" {
		return
	}
	e.emit(bucket, key, w.Header().Get("x-amz-version-id"), reason, r.RemoteAddr)
}

// servePost serves a browser-based upload (POST Object) as S3 does,
// success_action_redirect included (which the S3 stand-in ignores): after
// a successful upload the browser is sent, 303, to that URL with the
// bucket, key and ETag in its query.
//
// Unlike the S3 stand-in, it also holds the upload to its signed policy
// (checkPostPolicy) and answers a refusal with S3's own XML error, which is
// what a browser then shows.
func (e *objectEvents) servePost(w http.ResponseWriter, r *http.Request, bucket string) {
	const inMemory = 24 << 20 // as the S3 stand-in parses it
	if err := r.ParseMultipartForm(inMemory); err != nil {
		r.MultipartForm = nil
	}
	if refused := checkPostPolicy(r.MultipartForm, bucket, time.Now()); refused != nil {
		refused.RequestID = rand.Text()
		refused.write(w)
		return
	}
	buf := httptest.NewRecorder()
	e.s3.ServeHTTP(buf, r)
	res := buf.Result()
	var redirect, key string
	if r.MultipartForm != nil {
		if v := r.MultipartForm.Value["success_action_redirect"]; len(v) == 1 {
			redirect = v[0]
		}
		if v := r.MultipartForm.Value["key"]; len(v) == 1 {
			key = v[0]
		}
	}
	ok := res.StatusCode >= 200 && res.StatusCode <= 299
	target, err := url.Parse(redirect)
	if ok && redirect != "" && err == nil && (target.Scheme == "http" || target.Scheme == "https") {
		q := target.Query()
		q.Set("bucket", bucket)
		q.Set("key", key)
		q.Set("etag", res.Header.Get("ETag"))
		target.RawQuery = q.Encode()
		for k, v := range res.Header {
			if k != "Content-Length" && k != "Content-Type" {
				w.Header()[k] = v
			}
		}
		http.Redirect(w, r, target.String(), http.StatusSeeOther)
	} else {
		for k, v := range res.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(res.StatusCode)
		_, _ = w.Write(buf.Body.Bytes())
	}
	if ok && key != "" {
		e.emit(bucket, key, res.Header.Get("x-amz-version-id"), "PostObject", r.RemoteAddr)
	}
}

// created says whether the request created an object, and why, in the words
// of S3's event detail "reason".
func created(r *http.Request) (bucket, key, reason string) {
	path := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ = strings.Cut(path, "/")
	// The SDKs name the operation in x-id, and a presigned URL carries its
	// signature in X-Amz-* parameters: neither makes it another operation.
	q := r.URL.Query()
	for k := range q {
		if k == "x-id" || strings.HasPrefix(k, "X-Amz-") {
			q.Del(k)
		}
	}
	switch {
	case r.Method == http.MethodPut && key != "" && len(q) == 0 && r.Header.Get("X-Amz-Copy-Source") != "":
		return bucket, key, "CopyObject"
	case r.Method == http.MethodPut && key != "" && len(q) == 0:
		return bucket, key, "PutObject"
	case r.Method == http.MethodPost && key == "" && !q.Has("delete") && len(q) == 0:
		return bucket, "", "PostObject"
	case r.Method == http.MethodPost && key != "" && q.Has("uploadId"):
		return bucket, key, "CompleteMultipartUpload"
	}
	return "", "", ""
}

func (e *objectEvents) emit(bucket, key, versionID, reason, remote string) {
	var obj *gofakes3.Object
	var err error
	if versionID != "" {
		if vb, ok := e.backend.(gofakes3.VersionedBackend); ok {
			obj, err = vb.HeadObjectVersion(bucket, key, gofakes3.VersionID(versionID))
		}
	}
	if obj == nil && err == nil {
		obj, err = e.backend.HeadObject(bucket, key)
	}
	if err != nil {
		e.log.Warn("object event: object not found after upload", "bucket", bucket, "error", err)
		return
	}
	if obj.Contents != nil {
		obj.Contents.Close()
	}
	e.mu.Lock()
	e.seq++
	seq := e.seq
	e.mu.Unlock()
	var ev ObjectCreatedEvent
	ev.Version, ev.ID, ev.DetailType, ev.Source = "0", rand.Text(), "Object Created", "aws.s3"
	ev.Account, ev.Region, ev.Time = AccountID, Region, time.Now().UTC().Format(time.RFC3339)
	ev.Resources = []string{"arn:aws:s3:::" + bucket}
	ev.Detail.Version = "0"
	ev.Detail.Bucket.Name = bucket
	ev.Detail.Object.Key, ev.Detail.Object.Size, ev.Detail.Object.ETag = key, obj.Size, hex.EncodeToString(obj.Hash)
	ev.Detail.Object.VersionID = versionID
	ev.Detail.Object.Sequencer = fmt.Sprintf("%016X", seq)
	ev.Detail.RequestID, ev.Detail.Requester, ev.Detail.Reason = rand.Text(), AccountID, reason
	ev.Detail.SourceIPAddress, _, _ = strings.Cut(remote, ":")
	payload, _ := json.Marshal(ev)
	for _, rule := range e.rules {
		if rule.DetailType != ev.DetailType || !slices.ContainsFunc(rule.Buckets, func(b string) bool { return BucketName(b) == bucket }) {
			continue
		}
		e.pending.Add(1)
		go e.deliver(rule, payload)
	}
}

func (e *objectEvents) deliver(rule topology.Rule, payload []byte) {
	defer e.pending.Done()
	var err error
	for attempt := 1; attempt <= eventAttempts; attempt++ {
		if err = e.invoke(context.Background(), rule.Function, payload); err == nil {
			return
		}
		time.Sleep(time.Duration(attempt) * 100 * time.Millisecond)
	}
	e.log.Warn("object event not delivered", "rule", rule.Name, "function", rule.Function, "error", err)
}
