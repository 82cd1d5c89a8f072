package local_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/consentflow/consentflow/infra/local"
	"github.com/consentflow/consentflow/infra/local/ses"
	"github.com/consentflow/consentflow/infra/topology"
	"github.com/consentflow/consentflow/shared/consent"
)

// erasureWait is how long an erasure may take locally before a test gives up.
const erasureWait = 90 * time.Second

// uploadedRecording gives the interview-recording consent as the candidate
// and uploads a recording, returning its id and key.
func uploadedRecording(t *testing.T, to, candidateID string) (recordingID, key string) {
	t.Helper()
	gate(t, candidateID, "interview")
	answer(t, to, "interview_recording", true)
	st, _, rec := gate(t, candidateID, "interview")
	if st != http.StatusCreated {
		t.Fatalf("recording gate after the grant: %d", st)
	}
	if st := postForm(t, rec.Upload, "video/mp4", []byte("an interview recording")); st/100 != 2 {
		t.Fatalf("upload: %d", st)
	}
	key = rec.Upload.Fields["key"]
	if n := versions(t, recordingBucket(), key); n == 0 {
		t.Fatal("the recording was not stored")
	}
	return rec.RecordingID, key
}

// candidateWithRecording registers a candidate who gives the recording
// consent, and uploads a recording.
func candidateWithRecording(t *testing.T) (to, candidateID, recordingID, key string) {
	t.Helper()
	to = uniqueEmail(t)
	candidateID = register(t, to, "en")
	recordingID, key = uploadedRecording(t, to, candidateID)
	return to, candidateID, recordingID, key
}

// erasedOnce checks that the candidate's trail has one erased event.
func erasedOnce(t *testing.T, candidateID string) consent.Event {
	t.Helper()
	erased := events(t, candidateID, consent.EventErased)
	if len(erased) != 1 {
		t.Fatalf("%d erased events, want 1", len(erased))
	}
	return erased[0]
}

func recordingBucket() string { return local.BucketName(topology.RecordingBucket) }

type withdrawal struct {
	Consent         struct{ State string }
	Recorded        bool
	ErasuresStarted int
	ErasuresPending int
}

// withdraw records, as a recruiter, a withdrawal that came by email.
func withdraw(t *testing.T, candidateID, purpose string) withdrawal {
	t.Helper()
	return withdrawNoting(t, candidateID, purpose, "asked by email to stop")
}

// withdrawNoting records a withdrawal with the recruiter's note.
func withdrawNoting(t *testing.T, candidateID, purpose, note string) withdrawal {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"channel": "phone", "note": note})
	res := do(t, "POST", "/api/candidates/"+candidateID+"/consents/"+purpose+"/withdraw", string(b), recruiter())
	if res.Status != http.StatusOK {
		t.Fatalf("withdraw %s: %d %s", purpose, res.Status, res.Body)
	}
	var w withdrawal
	res.json(t, &w)
	return w
}

// artifactStatus is an artifact's status as the store holds it.
func artifactStatus(t *testing.T, candidateID, artifactID string) consent.ArtifactStatus {
	t.Helper()
	a, err := auditStore().Artifact(context.Background(), candidateID, artifactID)
	if err != nil {
		t.Fatal(err)
	}
	return a.Status
}

// recordingStatus is a recording's status as the recruiter's list shows it.
func recordingStatus(t *testing.T, candidateID, recordingID string) string {
	t.Helper()
	var list struct {
		Recordings []struct{ RecordingID, Status string }
	}
	res := do(t, "GET", "/api/candidates/"+candidateID+"/recordings", "", recruiter())
	if res.Status != http.StatusOK {
		t.Fatalf("recordings: %d %s", res.Status, res.Body)
	}
	res.json(t, &list)
	for _, r := range list.Recordings {
		if r.RecordingID == recordingID {
			return r.Status
		}
	}
	t.Fatalf("recording %s not listed: %s", recordingID, res.Body)
	return ""
}

// waitGone polls until no version of bucket/key is left, checking on every
// round that the artifact never reads erased while a version exists. It
// returns when the last version was gone.
func waitGone(t *testing.T, candidateID, artifactID, bucket, key string) time.Time {
	t.Helper()
	deadline := time.Now().Add(erasureWait)
	for {
		status := artifactStatus(t, candidateID, artifactID)
		n := versions(t, bucket, key)
		if n == 0 {
			return time.Now()
		}
		if status == consent.ArtifactErased {
			t.Fatalf("the artifact reads erased while %d versions of it exist", n)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d versions of %s left after %s (artifact %s)", n, key, erasureWait, status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitStatus polls until the artifact has the status.
func waitStatus(t *testing.T, candidateID, artifactID string, want consent.ArtifactStatus) {
	t.Helper()
	deadline := time.Now().Add(erasureWait)
	for {
		got := artifactStatus(t, candidateID, artifactID)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("artifact %s is %s, want %s", artifactID, got, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// emailWithSubject waits for an email, to anyone, whose subject contains s.
func emailWithSubject(t *testing.T, s string) ses.Email {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		emails, err := cloud.Outbox.Emails(context.Background(), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range emails {
			if strings.Contains(e.Subject, s) {
				return e
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no email with subject %q", s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func erasureExecution(t *testing.T, name string) *sfn.DescribeExecutionOutput {
	t.Helper()
	c := sfn.New(sfn.Options{Region: local.Region, BaseEndpoint: aws.String(cloud.Endpoints["SFN"]), Credentials: aws.AnonymousCredentials{}})
	arn := fmt.Sprintf("arn:aws:states:%s:%s:execution:%s:%s", local.Region, local.AccountID, topology.ErasureWorkflow, name)
	out, err := c.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		t.Fatalf("execution %s: %v", name, err)
	}
	return out
}

func waitErasureExecution(t *testing.T, name, status string) {
	t.Helper()
	deadline := time.Now().Add(erasureWait)
	for {
		out := erasureExecution(t, name)
		if string(out.Status) == status {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("execution %s is %s, want %s (%s: %s)", name, out.Status, status, aws.ToString(out.Error), aws.ToString(out.Cause))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// sweepPast moves the clock a sweep interval past t, so that the schedule
// fires with a scheduled time after it. A test that moves it months runs
// in a cloud of its own (ownCloud), so the other tests' clock stays.
func sweepPast(t time.Time) {
	if d := t.Sub(cloud.Clock.Now()); d > 0 {
		cloud.Clock.Advance(d)
	}
	cloud.Clock.Advance(16 * time.Minute)
}

func TestWithdrawingTheRecordingConsentErasesTheRecording(t *testing.T) {
	to, id, recID, key := candidateWithRecording(t)

	w := withdraw(t, id, "interview_recording")
	answered := time.Now()
	if !w.Recorded || w.Consent.State != "withdrawn" || w.ErasuresStarted != 1 || w.ErasuresPending != 0 {
		t.Fatalf("withdrawal: %+v", w)
	}
	gone := waitGone(t, id, recID, recordingBucket(), key)
	t.Logf("withdrawal answered to last version gone: %s", gone.Sub(answered).Round(time.Millisecond))
	waitStatus(t, id, recID, consent.ArtifactErased)
	if got := recordingStatus(t, id, recID); got != "erased" {
		t.Fatalf("the recruiter's list shows the recording %s, want erased", got)
	}

	trail := chained(t, id).Events
	var started, erased []consent.Event
	for _, e := range trail {
		switch e.Type {
		case consent.EventErasureStarted:
			started = append(started, e)
		case consent.EventErased:
			erased = append(erased, e)
		}
	}
	if len(started) != 1 || len(erased) != 1 {
		t.Fatalf("%d erasure_started and %d erased events, want 1 each", len(started), len(erased))
	}
	if e := erased[0]; e.ArtifactID != recID || e.ObjectKey != key || len(e.VersionIDs) == 0 || len(e.Fields) == 0 ||
		e.Reason != consent.ErasureWithdrawn || e.NoticeVersion == "" {
		t.Fatalf("tombstone: %+v", e)
	}

	confirmation := email(t, to, "has erased your data")
	if strings.Contains(confirmation.Body.Text, key) {
		t.Fatalf("the candidate's email names the object key:\n%s", confirmation.Body.Text)
	}
	notice := emailWithSubject(t, "Erased: data of candidate "+id)
	if len(notice.Destination.To) == 0 || notice.Destination.To[0] == to {
		t.Fatalf("the team's notice went to %v", notice.Destination.To)
	}

	if st, problem, _ := gate(t, id, "interview"); st != http.StatusForbidden {
		t.Fatalf("recording gate after the withdrawal: %d %v, want 403", st, problem)
	}

	again := withdraw(t, id, "interview_recording")
	if again.Recorded || again.Consent.State != "withdrawn" || again.ErasuresStarted != 0 {
		t.Fatalf("replayed withdrawal: %+v, want recorded:false and no erasure", again)
	}
	erasedOnce(t, id)
}

func TestWithdrawingByDecliningANewRequestErasesTheRecording(t *testing.T) {
	to, id, recID, key := candidateWithRecording(t)

	requestConsent(t, id, "interview_recording")
	latestEmail(t, to, "asks for your consent", 2)
	answer(t, to, "interview_recording", false)
	waitGone(t, id, recID, recordingBucket(), key)
	waitStatus(t, id, recID, consent.ArtifactErased)
	if got := consents(t, id)["interview_recording"].State; got != "withdrawn" {
		t.Fatalf("consent %s after declining, want withdrawn", got)
	}
	erasedOnce(t, id)
	chained(t, id)
}

func TestWithdrawingTalentPoolKeepsTheCVOfAnOpenApplicationUntilItsRetentionEnds(t *testing.T) {
	ownCloud(t, nil) // its clock moves six months
	to := uniqueEmail(t)
	id := register(t, to, "en")
	app := openApplication(t, id)
	docID := uploadCV(t, id, app, []byte("%PDF-1.4 a CV"))
	requestConsent(t, id, "talent_pool")
	answer(t, to, "talent_pool", true)

	w := withdraw(t, id, "talent_pool")
	if !w.Recorded || w.ErasuresStarted != 0 || w.ErasuresPending != 0 {
		t.Fatalf("withdrawal: %+v, want recorded and nothing to erase", w)
	}
	st, doc := document(t, id, docID)
	if st != http.StatusOK || doc.Status != "uploaded" {
		t.Fatalf("the CV of an open application after the withdrawal: %d %+v", st, doc)
	}
	if n := len(events(t, id, consent.EventErasureStarted)); n != 0 {
		t.Fatalf("%d erasures started for a CV of an open application", n)
	}
	key := cvKey(t, id, docID)

	res := do(t, "POST", "/api/candidates/"+id+"/applications/"+app+"/close", `{"outcome":"rejected"}`, recruiter())
	var closed struct{ ClosedAt time.Time }
	res.json(t, &closed)
	if res.Status != http.StatusOK {
		t.Fatalf("close: %d %s", res.Status, res.Body)
	}
	_, doc = document(t, id, docID)
	if want := closed.ClosedAt.AddDate(0, 6, 0); doc.DeleteBy == nil || !doc.DeleteBy.Equal(want) {
		t.Fatalf("deleteBy %v, want %v", doc.DeleteBy, want)
	}
	if n := versions(t, cvBucket(), key); n == 0 {
		t.Fatal("the CV is gone before its retention ended")
	}

	sweepPast(*doc.DeleteBy)
	waitGone(t, id, docID, cvBucket(), key)
	waitStatus(t, id, docID, consent.ArtifactErased)
	if st, _ := document(t, id, docID); st != http.StatusGone {
		t.Fatalf("download after the erasure: %d, want 410", st)
	}
	erased := events(t, id, consent.EventErased)
	if len(erased) != 1 || erased[0].Reason != consent.ErasureRetentionEnded {
		t.Fatalf("erased events: %+v", erased)
	}
	chained(t, id)
}

func cvBucket() string { return local.BucketName(topology.CVBucket) }

func cvKey(t *testing.T, candidateID, artifactID string) string {
	t.Helper()
	a, err := auditStore().Artifact(context.Background(), candidateID, artifactID)
	if err != nil {
		t.Fatal(err)
	}
	return a.Key
}

func TestAnErasureOutlastsS3FailingItsFirstDeletes(t *testing.T) {
	_, id, recID, key := candidateWithRecording(t)

	before := cloud.Faults.Failed(local.S3)
	clear := cloud.Faults.Fail(local.Fault{Service: local.S3, Action: "DeleteObject", Times: 5})
	defer clear()
	withdraw(t, id, "interview_recording")
	waitGone(t, id, recID, recordingBucket(), key)
	waitStatus(t, id, recID, consent.ArtifactErased)
	if got := cloud.Faults.Failed(local.S3) - before; got < 5 {
		t.Fatalf("S3 failed %d deletes, want 5", got)
	}
	if n := len(events(t, id, consent.EventErasureFailed)); n != 0 {
		t.Fatalf("%d erasure_failed events for an erasure that succeeded on retry", n)
	}
	erasedOnce(t, id)
}

func TestAnErasureThatS3FailsForGoodIsRetriedByTheNextSweep(t *testing.T) {
	_, id, recID, key := candidateWithRecording(t)

	clear := cloud.Faults.Fail(local.Fault{Service: local.S3, Action: "DeleteObject"})
	defer clear()
	withdraw(t, id, "interview_recording")
	a, err := auditStore().Artifact(context.Background(), id, recID)
	if err != nil || a.DeleteBy == nil {
		t.Fatalf("artifact after the withdrawal: %+v %v", a, err)
	}
	first := fmt.Sprintf("erase-%s-%d", recID, a.DeleteBy.Unix())
	waitErasureExecution(t, first, "FAILED")
	if got := artifactStatus(t, id, recID); got != consent.ArtifactErasureFailed {
		t.Fatalf("artifact %s after a failed erasure, want erasure_failed", got)
	}
	if n := versions(t, recordingBucket(), key); n == 0 {
		t.Fatal("the fault did not keep the recording")
	}
	if n := len(events(t, id, consent.EventErasureFailed)); n != 1 {
		t.Fatalf("%d erasure_failed events, want 1", n)
	}

	clear()
	sweepPast(time.Time{})
	waitGone(t, id, recID, recordingBucket(), key)
	waitStatus(t, id, recID, consent.ArtifactErased)
	waitErasureExecution(t, first+"-r1", "SUCCEEDED")
	erasedOnce(t, id)
	chained(t, id)
}

// sweep invokes the sweep as its schedule would, for a scheduled time.
func sweep(t *testing.T, scheduled time.Time) {
	t.Helper()
	fns := awslambda.New(awslambda.Options{Region: local.Region, BaseEndpoint: aws.String(cloud.Endpoints["LAMBDA"]), Credentials: aws.AnonymousCredentials{}})
	in, _ := json.Marshal(map[string]string{"scheduledTime": scheduled.UTC().Format(time.RFC3339)})
	out, err := fns.Invoke(context.Background(), &awslambda.InvokeInput{FunctionName: aws.String("sweep-due-artifacts"), Payload: in})
	if err != nil || out.FunctionError != nil {
		t.Fatalf("sweep: %v %s", err, out.Payload)
	}
}

func TestTwoSweepsOverOneDeadlineEraseOnce(t *testing.T) {
	_, id, recID, key := candidateWithRecording(t)

	// The erasure is not started at once: the sweeps start it.
	clearSFN := cloud.Faults.Fail(local.Fault{Service: local.SFN, Action: "StartExecution"})
	w := withdraw(t, id, "interview_recording")
	clearSFN()
	if w.ErasuresStarted != 0 || w.ErasuresPending != 1 {
		t.Fatalf("withdrawal while Step Functions is down: %+v", w)
	}
	at := cloud.Clock.Now().Add(time.Minute)
	sweep(t, at)
	sweep(t, at)
	waitGone(t, id, recID, recordingBucket(), key)
	waitStatus(t, id, recID, consent.ArtifactErased)
	sweep(t, at.Add(15*time.Minute))
	if n := len(events(t, id, consent.EventErasureStarted)); n != 1 {
		t.Fatalf("%d erasure_started events after two sweeps, want 1", n)
	}
	erasedOnce(t, id)
}

func TestErasingACandidateLeavesOnlyThePseudonymousTrail(t *testing.T) {
	to := uniqueEmail(t)
	id := register(t, to, "en")
	app := openApplication(t, id)
	cvID := uploadCV(t, id, app, []byte("%PDF-1.4 a CV"))
	cv := cvKey(t, id, cvID)
	recID, rec := uploadedRecording(t, to, id)
	requestConsent(t, id, "talent_pool")
	latestEmail(t, to, "asks for your consent", 2)
	answer(t, to, "talent_pool", true)
	withdrawNoting(t, id, "talent_pool", "Ada Lovelace called from "+to)
	requestConsent(t, id, "call_recording")
	pending := link(t, latestEmail(t, to, "asks for your consent", 3))

	res := do(t, "DELETE", "/api/candidates/"+id, `{"reason":"candidate_request"}`, recruiter())
	if res.Status != http.StatusAccepted {
		t.Fatalf("erase: %d %s", res.Status, res.Body)
	}
	waitGone(t, id, cvID, cvBucket(), cv)
	waitGone(t, id, recID, recordingBucket(), rec)
	deadline := time.Now().Add(erasureWait)
	for {
		evs := chained(t, id).Events
		if evs[len(evs)-1].Type == consent.EventProfileErased {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the trail ends with %s, want profile_erased", evs[len(evs)-1].Type)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if res := do(t, "GET", "/api/candidates/"+id+"/consents", "", recruiter()); res.Status != http.StatusGone {
		t.Fatalf("consents after the erasure: %d %s, want 410", res.Status, res.Body)
	}
	email(t, to, "has erased your data")

	for _, item := range snapshot(t) {
		if strings.Contains(item, to) || (strings.Contains(item, id) && strings.Contains(item, "Ada Lovelace")) {
			t.Fatalf("a table still holds the candidate: %s", item)
		}
	}
	for _, bucket := range []string{cvBucket(), recordingBucket()} {
		out, err := s3Client().ListObjectVersions(context.Background(), &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range out.Versions {
			if strings.Contains(aws.ToString(v.Key), id) {
				t.Fatalf("bucket %s still holds %s", bucket, aws.ToString(v.Key))
			}
		}
		for _, m := range out.DeleteMarkers {
			if strings.Contains(aws.ToString(m.Key), id) {
				t.Fatalf("bucket %s still holds a delete marker of %s", bucket, aws.ToString(m.Key))
			}
		}
	}

	answerLink := do(t, "POST", pending, `{"decisions":[{"purpose":"call_recording","grant":true}]}`, map[string]string{"Content-Type": "application/json"})
	if answerLink.Status != http.StatusGone {
		t.Fatalf("a consent link answered after the erasure: %d %s, want 410", answerLink.Status, answerLink.Body)
	}
}
