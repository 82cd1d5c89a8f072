package local_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/consentflow/consentflow/infra/local"
	"github.com/consentflow/consentflow/infra/topology"
	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/store"
)

type uploadForm struct {
	Method string
	URL    string
	Fields map[string]string
}

// postForm sends a file with a presigned POST form, as a browser or curl -F
// would: every field, then the file last.
func postForm(t *testing.T, f uploadForm, contentType string, body []byte) int {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range f.Fields {
		if k == "Content-Type" && contentType != "" {
			v = contentType
		}
		_ = w.WriteField(k, v)
	}
	part, _ := w.CreateFormFile("file", "ignored-name.bin")
	part.Write(body)
	w.Close()
	res, err := http.Post(f.URL, w.FormDataContentType(), &b)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	cloud.ObjectEventsDelivered()
	return res.StatusCode
}

func s3Client() *s3.Client {
	return s3.New(s3.Options{Region: local.Region, BaseEndpoint: aws.String(cloud.Endpoints["S3"]), UsePathStyle: true,
		Credentials: aws.AnonymousCredentials{}})
}

func auditStore() *store.Store {
	db := dynamodb.New(dynamodb.Options{Region: local.Region, BaseEndpoint: aws.String(cloud.Endpoints["DYNAMODB"]), Credentials: aws.AnonymousCredentials{}})
	return store.New(db, local.TableName(topology.App.Table), local.TableName(topology.App.Audit))
}

// versions lists every version and delete marker of a key, through the S3 API.
func versions(t *testing.T, bucket, key string) int {
	t.Helper()
	out, err := s3Client().ListObjectVersions(context.Background(), &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), Prefix: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	return len(out.Versions) + len(out.DeleteMarkers)
}

func events(t *testing.T, candidateID string, typ consent.EventType) []consent.Event {
	t.Helper()
	all, err := auditStore().Events(context.Background(), candidateID)
	if err != nil {
		t.Fatal(err)
	}
	var out []consent.Event
	for _, e := range all {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

func openApplication(t *testing.T, candidateID string) string {
	t.Helper()
	res := do(t, "POST", "/api/candidates/"+candidateID+"/applications", `{"position":"Backend engineer"}`, recruiter())
	var out struct {
		ApplicationID, Status string
	}
	res.json(t, &out)
	if res.Status != http.StatusCreated || out.Status != "open" || out.ApplicationID == "" {
		t.Fatalf("open application: %d %s", res.Status, res.Body)
	}
	return out.ApplicationID
}

type authorized struct {
	DocumentID, RecordingID string
	Upload                  uploadForm
	ExpiresAt               time.Time
	DeleteBy                *time.Time
}

func document(t *testing.T, candidateID, path string) (int, struct {
	Status   string
	Size     int64
	URL      string
	DeleteBy *time.Time
}) {
	t.Helper()
	var out struct {
		Status   string
		Size     int64
		URL      string
		DeleteBy *time.Time
	}
	res := do(t, "GET", "/api/candidates/"+candidateID+"/documents/"+path, "", recruiter())
	if res.Status == http.StatusOK {
		res.json(t, &out)
	}
	return res.Status, out
}

// answer answers the newest consent link emailed to `to`.
func answer(t *testing.T, to, purpose string, grant bool) {
	t.Helper()
	var path string
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for path == "" {
		emails, err := cloud.Outbox.Emails(ctx, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range emails {
			if m := linkRE.FindStringSubmatch(e.Body.Text); m != nil && len(e.Destination.To) > 0 && e.Destination.To[0] == to {
				path = "/c/" + m[1]
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no consent link emailed to %s", to)
		case <-time.After(50 * time.Millisecond):
		}
	}
	res := do(t, "POST", path, fmt.Sprintf(`{"decisions":[{"purpose":%q,"grant":%t}]}`, purpose, grant), map[string]string{"Content-Type": "application/json"})
	if res.Status != http.StatusOK {
		t.Fatalf("answer: %d %s", res.Status, res.Body)
	}
}

func TestACVIsRegisteredByItsEventAndItsDeadlineFollowsItsBases(t *testing.T) {
	to := uniqueEmail(t)
	id := register(t, to, "en")
	app := openApplication(t, id)
	pdf := []byte("%PDF-1.4 a CV")

	res := do(t, "POST", "/api/candidates/"+id+"/documents",
		fmt.Sprintf(`{"kind":"cv","contentType":"application/pdf","size":%d,"applicationId":%q}`, len(pdf), app), recruiter())
	var doc authorized
	res.json(t, &doc)
	if res.Status != http.StatusCreated || doc.DocumentID == "" || doc.Upload.Method != "POST" || doc.DeleteBy != nil {
		t.Fatalf("authorize CV: %d %s", res.Status, res.Body)
	}
	if strings.Contains(doc.Upload.Fields["key"], "Ada") || strings.Contains(doc.Upload.Fields["key"], "example.com") {
		t.Fatalf("the key names the candidate: %s", doc.Upload.Fields["key"])
	}
	if st, _ := document(t, id, doc.DocumentID); st != http.StatusConflict {
		t.Fatalf("download before the upload: %d, want 409", st)
	}
	if st := postForm(t, doc.Upload, "", pdf); st/100 != 2 {
		t.Fatalf("upload with the presigned POST: %d", st)
	}
	st, got := document(t, id, doc.DocumentID)
	if st != http.StatusOK || got.Status != "uploaded" || got.Size != int64(len(pdf)) || got.DeleteBy != nil {
		t.Fatalf("after the upload: %d %+v", st, got)
	}
	dl, err := http.Get(got.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(dl.Body)
	dl.Body.Close()
	if !bytes.Equal(body, pdf) {
		t.Fatalf("download: %d %q", dl.StatusCode, body)
	}
	if len(events(t, id, consent.EventUploadRegistered)) != 1 {
		t.Fatal("no upload_registered event")
	}

	// Closing the application: closedAt + 6 months (the default setting).
	res = do(t, "POST", "/api/candidates/"+id+"/applications/"+app+"/close", `{"outcome":"rejected"}`, recruiter())
	var closed struct {
		Status   string
		ClosedAt time.Time
	}
	res.json(t, &closed)
	if res.Status != http.StatusOK || closed.Status != "closed" {
		t.Fatalf("close: %d %s", res.Status, res.Body)
	}
	again := do(t, "POST", "/api/candidates/"+id+"/applications/"+app+"/close", `{"outcome":"rejected"}`, recruiter())
	if again.Status != http.StatusOK || again.Body != res.Body {
		t.Fatalf("second close: %d %s, want the first answer %s", again.Status, again.Body, res.Body)
	}
	_, got = document(t, id, doc.DocumentID)
	if want := closed.ClosedAt.AddDate(0, 6, 0); got.DeleteBy == nil || !got.DeleteBy.Equal(want) {
		t.Fatalf("after close: deleteBy %v, want %v", got.DeleteBy, want)
	}

	// A talent-pool grant keeps it until the consent expires.
	requestConsent(t, id, "talent_pool")
	answer(t, to, "talent_pool", true)
	pool := consents(t, id)["talent_pool"]
	if pool.State != "given" {
		t.Fatalf("talent pool: %+v", pool)
	}
	var list struct {
		Consents []struct {
			Purpose   string
			ExpiresAt time.Time
		}
	}
	do(t, "GET", "/api/candidates/"+id+"/consents", "", recruiter()).json(t, &list)
	_, got = document(t, id, doc.DocumentID)
	for _, c := range list.Consents {
		if c.Purpose == "talent_pool" && (got.DeleteBy == nil || !got.DeleteBy.Equal(c.ExpiresAt)) {
			t.Fatalf("after the grant: deleteBy %v, want the consent's expiry %v", got.DeleteBy, c.ExpiresAt)
		}
	}
}

func TestAnUploadOfAnotherSizeOrTypeIsRemoved(t *testing.T) {
	id := register(t, uniqueEmail(t), "en")
	app := openApplication(t, id)
	for name, tc := range map[string]struct {
		contentType string
		body        []byte
	}{
		"larger than declared": {"", bytes.Repeat([]byte("x"), 200)},
		"another type":         {"image/png", []byte("tiny")},
	} {
		res := do(t, "POST", "/api/candidates/"+id+"/documents",
			fmt.Sprintf(`{"kind":"cv","contentType":"text/plain","size":100,"applicationId":%q}`, app), recruiter())
		var doc authorized
		res.json(t, &doc)
		if res.Status != http.StatusCreated {
			t.Fatalf("%s: authorize: %d %s", name, res.Status, res.Body)
		}
		// S3 refuses the form that breaks its policy (size range, type)...
		if st := postForm(t, doc.Upload, tc.contentType, tc.body); st != http.StatusBadRequest && st != http.StatusForbidden {
			t.Errorf("%s: the POST form answered %d, want S3's refusal of its policy", name, st)
		}
		// ...and the registrar removes such an object that arrived another
		// way (a plain PUT by anyone holding write access to the bucket).
		ct := tc.contentType
		if ct == "" {
			ct = doc.Upload.Fields["Content-Type"]
		}
		if _, err := s3Client().PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(local.BucketName(topology.CVBucket)),
			Key: aws.String(doc.Upload.Fields["key"]), ContentType: aws.String(ct), Body: bytes.NewReader(tc.body)}); err != nil {
			t.Fatalf("%s: put: %v", name, err)
		}
		cloud.ObjectEventsDelivered()
		if n := versions(t, local.BucketName(topology.CVBucket), doc.Upload.Fields["key"]); n != 0 {
			t.Errorf("%s: %d versions left, want none", name, n)
		}
		if st, _ := document(t, id, doc.DocumentID); st != http.StatusConflict {
			t.Errorf("%s: download: %d, want 409 (nothing uploaded)", name, st)
		}
	}
	if n := len(events(t, id, consent.EventUploadRemoved)); n != 2 {
		t.Fatalf("%d upload_removed events, want 2", n)
	}
	for _, body := range []string{
		fmt.Sprintf(`{"kind":"cv","contentType":"image/png","size":100,"applicationId":%q}`, app),
		fmt.Sprintf(`{"kind":"cv","contentType":"application/pdf","size":%d,"applicationId":%q}`, 20<<20+1, app),
		fmt.Sprintf(`{"kind":"photo","contentType":"application/pdf","size":100,"applicationId":%q}`, app),
		fmt.Sprintf(`{"kind":"cv","contentType":"application/pdf","size":100,"applicationId":%q}`, consent.NewID()),
	} {
		if res := do(t, "POST", "/api/candidates/"+id+"/documents", body, recruiter()); res.Status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %s, want 422", body, res.Status, res.Body)
		}
	}
}

func gate(t *testing.T, id, kind string) (int, map[string]any, authorized) {
	t.Helper()
	res := do(t, "POST", "/api/candidates/"+id+"/recordings", fmt.Sprintf(`{"kind":%q,"reference":"meet-4711"}`, kind), recruiter())
	var problem map[string]any
	var ok authorized
	if res.Status == http.StatusCreated {
		res.json(t, &ok)
	} else {
		res.json(t, &problem)
	}
	return res.Status, problem, ok
}

func TestTheRecordingGate(t *testing.T) {
	to := uniqueEmail(t)
	id := register(t, to, "de")

	st, problem, _ := gate(t, id, "interview")
	if st != http.StatusConflict || problem["type"] != "/problems/awaiting-consent" || problem["requestId"] == "" {
		t.Fatalf("never asked: %d %v", st, problem)
	}
	st2, problem2, _ := gate(t, id, "interview")
	if st2 != http.StatusConflict || problem2["requestId"] != problem["requestId"] {
		t.Fatalf("asked again: %d %v, want the same pending request %v", st2, problem2, problem["requestId"])
	}
	answer(t, to, "interview_recording", true)

	st, _, rec := gate(t, id, "interview")
	if st != http.StatusCreated || rec.RecordingID == "" || rec.DeleteBy == nil {
		t.Fatalf("consent given: %d %+v", st, rec)
	}
	if n := len(events(t, id, consent.EventUploadAuthorized)); n != 1 {
		t.Fatalf("%d upload_authorized events", n)
	}
	video := []byte("a recording")
	if st := postForm(t, rec.Upload, "video/mp4", video); st/100 != 2 {
		t.Fatalf("upload: %d", st)
	}
	var list struct {
		Recordings []struct {
			RecordingID, Reference, Kind, Status string
			Size                                 int64
			DeleteBy                             *time.Time
			UploadedAt                           *time.Time
		}
	}
	do(t, "GET", "/api/candidates/"+id+"/recordings", "", recruiter()).json(t, &list)
	if len(list.Recordings) != 1 {
		t.Fatalf("recordings: %+v", list)
	}
	r := list.Recordings[0]
	if r.RecordingID != rec.RecordingID || r.Status != "uploaded" || r.Size != int64(len(video)) || r.Reference != "meet-4711" || r.Kind != "interview" ||
		r.UploadedAt == nil || r.DeleteBy == nil || !r.DeleteBy.Equal(r.UploadedAt.AddDate(0, 0, 90)) {
		t.Fatalf("listed: %+v, want uploaded, deleteBy 90 days after upload", r)
	}
	notice := email(t, to, "Aufzeichnung von Ihnen gespeichert")
	if !strings.Contains(notice.Body.Text, r.DeleteBy.Format("2006-01-02")) || !strings.Contains(notice.Body.Text, "widerrufen") {
		t.Fatalf("the candidate's notice does not say until when or how to withdraw:\n%s", notice.Body.Text)
	}

	// A call needs its own consent.
	if st, problem, _ := gate(t, id, "call"); st != http.StatusConflict || problem["purpose"] != "call_recording" {
		t.Fatalf("call without call consent: %d %v", st, problem)
	}
}

func TestARefusedRecordingIs403WithTheReason(t *testing.T) {
	to := uniqueEmail(t)
	id := register(t, to, "en")
	gate(t, id, "interview")
	answer(t, to, "interview_recording", false)
	st, problem, _ := gate(t, id, "interview")
	if st != http.StatusForbidden || problem["reason"] != "refused" {
		t.Fatalf("refused: %d %v", st, problem)
	}
	refusals := events(t, id, consent.EventUploadRefused)
	if len(refusals) != 1 || refusals[0].Reason != "refused" || refusals[0].Reference != "meet-4711" || refusals[0].Actor == "" {
		t.Fatalf("refusal events: %+v", refusals)
	}
	if len(events(t, id, consent.EventUploadAuthorized)) != 0 {
		t.Fatal("a refused gate authorized something")
	}
}

func TestTwentyConcurrentGateCallsAskOnce(t *testing.T) {
	to := uniqueEmail(t)
	id := register(t, to, "en")
	var wg sync.WaitGroup
	statuses := make([]int, 20)
	ids := make([]any, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, problem, _ := gate(t, id, "interview")
			statuses[i], ids[i] = st, problem["requestId"]
		}()
	}
	wg.Wait()
	for i := range 20 {
		if statuses[i] != http.StatusConflict || ids[i] != ids[0] {
			t.Fatalf("call %d: %d %v, want 409 with request %v", i, statuses[i], ids[i], ids[0])
		}
	}
	email(t, to, "asks for your consent")
	waitForExecution(t, ids[0].(string), "RUNNING")
	emails, err := cloud.Outbox.Emails(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range emails {
		if len(e.Destination.To) > 0 && e.Destination.To[0] == to {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d emails to the candidate, want 1", n)
	}
	if got := len(events(t, id, consent.EventRequested)); got != 1 {
		t.Fatalf("%d requested events, want 1", got)
	}
}

func TestAnObjectPutStraightIntoTheBucketIsRemovedAndAudited(t *testing.T) {
	id := register(t, uniqueEmail(t), "en")
	bucket := local.BucketName(topology.RecordingBucket)
	key := store.ArtifactKey(consent.KindRecording, id, consent.NewID())
	file := filepath.Join(t.TempDir(), "rec.mp4")
	os.WriteFile(file, []byte("not authorized"), 0o600)
	cmd := exec.Command("aws", "s3api", "put-object", "--endpoint-url", cloud.Endpoints["S3"], "--bucket", bucket, "--key", key, "--body", file)
	cmd.Env = append(os.Environ(), cloud.Env()...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("aws s3api put-object: %v\n%s", err, out)
	}
	cloud.ObjectEventsDelivered()
	if n := versions(t, bucket, key); n != 0 {
		t.Fatalf("%d versions left of an unauthorized object", n)
	}
	_, err := s3Client().HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if !errors.As(err, new(*s3types.NotFound)) {
		t.Fatalf("head after removal: %v", err)
	}
	removed := events(t, id, consent.EventUploadRemoved)
	if len(removed) != 1 || removed[0].ObjectKey != key || removed[0].Reason != store.RemoveUnknownKey || len(removed[0].VersionIDs) == 0 {
		t.Fatalf("removal events: %+v", removed)
	}
}
