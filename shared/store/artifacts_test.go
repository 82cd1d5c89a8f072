package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/store"
)

// cv authorizes a CV upload for an application and registers its arrival.
func cv(t *testing.T, s *store.Store, c consent.Candidate, applicationID string, at time.Time) consent.Artifact {
	t.Helper()
	ctx := context.Background()
	id := consent.NewID()
	a, err := s.AuthorizeCV(ctx, consent.Artifact{
		ID: id, CandidateID: c.ID, Kind: consent.KindCV, Status: consent.ArtifactAuthorized, Bucket: "cvs",
		Key: store.ArtifactKey(consent.KindCV, c.ID, id), ApplicationID: applicationID, ContentType: "application/pdf",
		DeclaredSize: 1000, AuthorizedBy: "recruiter-1", AuthorizedAt: at, UploadExpires: at.Add(15 * time.Minute),
	})
	if err != nil {
		t.Fatal(err)
	}
	arr, err := s.RegisterUpload(ctx, store.Object{Bucket: "cvs", Key: a.Key, Size: 900, VersionID: "v1", ContentType: "application/pdf", At: at.Add(time.Minute)},
		map[string]consent.ArtifactKind{"cvs": consent.KindCV})
	if err != nil || !arr.Accepted {
		t.Fatalf("register: %+v %v", arr, err)
	}
	return arr.Artifact
}

// due lists every artifact of every shard due by until, through the index.
func due(t *testing.T, s *store.Store, until time.Time) map[string]time.Time {
	t.Helper()
	out := map[string]time.Time{}
	for shard := range store.DueShards {
		items, next, err := s.Due(context.Background(), shard, until, 100, nil)
		if err != nil {
			t.Fatal(err)
		}
		for next != nil {
			var more []store.DueArtifact
			more, next, err = s.Due(context.Background(), shard, until, 100, next)
			if err != nil {
				t.Fatal(err)
			}
			items = append(items, more...)
		}
		for _, it := range items {
			out[it.ArtifactID] = it.DeleteBy
		}
	}
	return out
}

func TestACVsDeadlineFollowsItsBasesAndTheDueIndex(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	c := candidate(t, s)
	app := consent.Application{ID: consent.NewID(), CandidateID: c.ID, Position: "Engineer", Status: consent.ApplicationOpen, OpenedAt: t0}
	if err := s.OpenApplication(ctx, app, "recruiter-1"); err != nil {
		t.Fatal(err)
	}
	doc := cv(t, s, c, app.ID, t0.Add(time.Hour))
	if doc.Status != consent.ArtifactUploaded || doc.DeleteBy != nil || doc.Size != 900 {
		t.Fatalf("a CV of an open application: %+v", doc)
	}
	far := t0.AddDate(10, 0, 0)
	if d := due(t, s, far); len(d) != 0 {
		t.Fatalf("an open application's CV is in the due index: %v", d)
	}

	closedAt := t0.AddDate(0, 0, 7)
	closed, err := s.CloseApplication(ctx, c.ID, app.ID, "rejected", "recruiter-1", closedAt)
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.CloseApplication(ctx, c.ID, app.ID, "hired", "recruiter-1", closedAt.Add(time.Hour))
	if err != nil || !again.ClosedAt.Equal(*closed.ClosedAt) || again.Outcome != "rejected" {
		t.Fatalf("second close: %+v %v, want the first close", again, err)
	}
	sixMonths := closedAt.AddDate(0, 6, 0)
	got, err := s.Artifact(ctx, c.ID, doc.ID)
	if err != nil || got.DeleteBy == nil || !got.DeleteBy.Equal(sixMonths) {
		t.Fatalf("after close: deleteBy %v (%v), want %v", got.DeleteBy, err, sixMonths)
	}
	if d := due(t, s, sixMonths.Add(-time.Second)); len(d) != 0 {
		t.Fatalf("due before its deadline: %v", d)
	}
	if d := due(t, s, sixMonths); !d[doc.ID].Equal(sixMonths) || len(d) != 1 {
		t.Fatalf("due index at the deadline: %v", d)
	}

	// A talent-pool grant keeps the CV until the consent expires.
	req, token := linked(t, s, c, consent.TalentPool)
	grantAt := closedAt.Add(24 * time.Hour)
	_ = token
	if _, err := s.RecordDecision(ctx, req, []consent.Decision{{Purpose: consent.TalentPool, Grant: true}}, consent.Evidence{}, grantAt); err != nil {
		t.Fatal(err)
	}
	poolEnd := grantAt.AddDate(0, 0, 730)
	got, _ = s.Artifact(ctx, c.ID, doc.ID)
	if got.DeleteBy == nil || !got.DeleteBy.Equal(poolEnd) {
		t.Fatalf("after a talent-pool grant: deleteBy %v, want %v", got.DeleteBy, poolEnd)
	}
	if d := due(t, s, sixMonths); len(d) != 0 {
		t.Fatalf("still due at the application's deadline: %v", d)
	}
	if d := due(t, s, poolEnd); !d[doc.ID].Equal(poolEnd) {
		t.Fatalf("due index at the pool's end: %v", d)
	}

	// Withdrawing it falls back to the application's deadline.
	req2, _ := linked(t, s, c, consent.TalentPool)
	if _, err := s.RecordDecision(ctx, req2, []consent.Decision{{Purpose: consent.TalentPool, Grant: false}}, consent.Evidence{}, grantAt.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Artifact(ctx, c.ID, doc.ID)
	if got.DeleteBy == nil || !got.DeleteBy.Equal(sixMonths) {
		t.Fatalf("after withdrawal: deleteBy %v, want %v", got.DeleteBy, sixMonths)
	}
}

func TestAnArrivalThatDoesNotMatchIsRefused(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	c := candidate(t, s)
	app := consent.Application{ID: consent.NewID(), CandidateID: c.ID, Position: "Engineer", Status: consent.ApplicationOpen, OpenedAt: t0}
	if err := s.OpenApplication(ctx, app, "recruiter-1"); err != nil {
		t.Fatal(err)
	}
	id := consent.NewID()
	key := store.ArtifactKey(consent.KindCV, c.ID, id)
	if _, err := s.AuthorizeCV(ctx, consent.Artifact{ID: id, CandidateID: c.ID, Kind: consent.KindCV, Status: consent.ArtifactAuthorized, Bucket: "cvs",
		Key: key, ApplicationID: app.ID, ContentType: "application/pdf", DeclaredSize: 100, AuthorizedAt: t0, UploadExpires: t0.Add(15 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]consent.ArtifactKind{"cvs": consent.KindCV, "recordings": consent.KindRecording}
	for name, tc := range map[string]struct {
		obj  store.Object
		want string
	}{
		"too large":     {store.Object{Bucket: "cvs", Key: key, Size: 101, ContentType: "application/pdf", At: t0}, store.RemoveTooLarge},
		"other type":    {store.Object{Bucket: "cvs", Key: key, Size: 10, ContentType: "image/png", At: t0}, store.RemoveContentType},
		"too late":      {store.Object{Bucket: "cvs", Key: key, Size: 10, ContentType: "application/pdf", At: t0.Add(time.Hour)}, store.RemoveExpired},
		"other bucket":  {store.Object{Bucket: "recordings", Key: key, Size: 10, ContentType: "application/pdf", At: t0}, store.RemoveWrongBucket},
		"unknown id":    {store.Object{Bucket: "cvs", Key: store.ArtifactKey(consent.KindCV, c.ID, consent.NewID()), Size: 10, At: t0}, store.RemoveUnknownKey},
		"not our key":   {store.Object{Bucket: "cvs", Key: "cvs/ada-lovelace.pdf", Size: 10, At: t0}, store.RemoveUnknownKey},
		"no such cand.": {store.Object{Bucket: "cvs", Key: store.ArtifactKey(consent.KindCV, consent.NewID(), id), Size: 10, At: t0}, store.RemoveUnknownKey},
	} {
		arr, err := s.RegisterUpload(ctx, tc.obj, kinds)
		if err != nil || arr.Accepted || arr.Reason != tc.want {
			t.Errorf("%s: %+v %v, want refused for %s", name, arr, err, tc.want)
		}
	}
	got, _ := s.Artifact(ctx, c.ID, id)
	if got.Status != consent.ArtifactAuthorized {
		t.Fatalf("a refused arrival changed the artifact: %+v", got)
	}
}
