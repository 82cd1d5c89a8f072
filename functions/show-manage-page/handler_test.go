package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/store"
)

type fakeLinks struct {
	hash string
	link store.ManageLink
	err  error
	held store.Holdings
}

func (f *fakeLinks) ManageByLink(_ context.Context, hash string) (store.ManageLink, error) {
	if f.err != nil {
		return store.ManageLink{}, f.err
	}
	if hash != f.hash {
		return store.ManageLink{}, &consent.NotFoundError{What: "link"}
	}
	return f.link, nil
}

func (f *fakeLinks) ErasureConfirmationByLink(ctx context.Context, manageHash, _ string, _ time.Time) (store.ManageLink, error) {
	return f.ManageByLink(ctx, manageHash)
}

func (f *fakeLinks) Holdings(context.Context, string) (store.Holdings, error) { return f.held, nil }

var now = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)

func handler(f *fakeLinks) *Handler {
	return &Handler{Store: f, Policy: consent.Policy{Controller: "Example Recruiting Ltd", ControllerContact: "privacy@example.com"},
		Log: slog.New(slog.NewJSONHandler(io.Discard, nil)), Now: func() time.Time { return now }}
}

func get(token string, q map[string]string) httpapi.Request {
	return httpapi.Request{PathParameters: map[string]string{"token": token}, QueryStringParameters: q,
		Headers: map[string]string{"accept": "text/html"}}
}

func TestThePageShowsStatesDeadlinesAndWhy(t *testing.T) {
	token := consent.NewLinkToken()
	closed := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	deleteBy := time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)
	until := now.AddDate(2, 0, 0)
	uploaded := now.AddDate(0, -1, 0)
	f := &fakeLinks{hash: consent.HashLinkToken(token),
		link: store.ManageLink{Candidate: consent.Candidate{ID: "C1", Name: "Ada", Email: "ada@example.com", Locale: "en"}},
		held: store.Holdings{
			Applications: []consent.Application{{ID: "A1", Position: "Backend engineer", Status: consent.ApplicationClosed, ClosedAt: &closed}},
			Consents: []consent.Consent{
				{Purpose: consent.TalentPool, State: consent.Withdrawn},
				{Purpose: consent.InterviewRecording, State: consent.Given, ExpiresAt: &until},
			},
			Artifacts: []consent.Artifact{{ID: "D1", Kind: consent.KindCV, Status: consent.ArtifactUploaded, ApplicationID: "A1",
				UploadedAt: &uploaded, DeleteBy: &deleteBy}},
		}}
	res, err := handler(f).Handle(context.Background(), get(token, map[string]string{"done": "withdrawn", "purpose": "talent_pool"}))
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("page: %d %v", res.StatusCode, err)
	}
	for _, want := range []string{
		"Your data at Example Recruiting Ltd", "Your consent to “Talent pool” is withdrawn.", "withdrawn",
		"given until 2 December 2028", `name="purpose" value="interview_recording"`, "Withdraw consent: Interview recording",
		"Your CV stays until 1 June 2027, 00:00 UTC because your application for Backend engineer closed on 1 December 2026, 00:00 UTC.",
		"Deleted by 1 June 2027", "Download my data", "Erase my data", "privacy@example.com", `hreflang="de"`,
	} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(res.Body, `value="talent_pool"`) {
		t.Error("a withdrawn consent offers to withdraw it again")
	}
}

func TestAReplacedOrErasedLinkIsGoneWithAClearPage(t *testing.T) {
	token := consent.NewLinkToken()
	for _, c := range []struct {
		err  error
		want string
	}{
		{&consent.LinkReplacedError{}, "replaced by a newer one"},
		{&consent.GoneError{ID: "C1"}, "Your data was erased"},
	} {
		res, _ := handler(&fakeLinks{err: c.err}).Handle(context.Background(), get(token, nil))
		if res.StatusCode != http.StatusGone || !strings.Contains(res.Body, c.want) {
			t.Errorf("%T: %d, want 410 saying %q", c.err, res.StatusCode, c.want)
		}
	}
	if res, _ := handler(&fakeLinks{}).Handle(context.Background(), get("not-a-token", nil)); res.StatusCode != http.StatusNotFound {
		t.Errorf("a malformed token: %d, want 404", res.StatusCode)
	}
}

// The other rights have their forms, labelled and grouped, and each post's
// 303 back to the page confirms it in the candidate's language.
func TestThePageOffersTheOtherRightsAndConfirmsEachRequest(t *testing.T) {
	token := consent.NewLinkToken()
	f := &fakeLinks{hash: consent.HashLinkToken(token),
		link: store.ManageLink{Candidate: consent.Candidate{ID: "CAND1", Locale: "de"}},
		held: store.Holdings{Applications: []consent.Application{
			{ID: "APPOPEN", Position: "Engineer", Status: consent.ApplicationOpen},
			{ID: "APPCLOSED", Position: "Designer", Status: consent.ApplicationClosed},
		}}}
	res, _ := handler(f).Handle(context.Background(), get(token, nil))
	for _, want := range []string{
		"<legend>Verarbeitung einschränken</legend>", `name="action" value="restrict"`,
		`name="action" value="rectify"`, `<label for="rectify-field">`, `<select id="rectify-field" name="field" required>`,
		`<option value="email">E-Mail-Adresse</option>`, `<label for="rectify-value">`, `id="rectify-value" name="value" required`,
		`name="action" value="object"`, `name="application" value="APPOPEN"`, "Engineer",
	} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(res.Body, "APPCLOSED") {
		t.Error("a closed application can be objected to")
	}
	for done, want := range map[string]string{
		DoneRestrict: "Die Verarbeitung Ihrer Daten ist jetzt eingeschränkt", DoneLift: "Die Einschränkung ist aufgehoben",
		DoneRectify: "Ihr Antrag auf Berichtigung ist erfasst", DoneObject: "Ihr Widerspruch ist erfasst",
	} {
		res, _ := handler(f).Handle(context.Background(), get(token, map[string]string{"done": done}))
		if !strings.Contains(res.Body, `role="status">`+want) {
			t.Errorf("done=%s: the page does not confirm %q", done, want)
		}
	}
	restricted := now.Add(-time.Hour)
	f.link.Candidate.RestrictedAt = &restricted
	res, _ = handler(f).Handle(context.Background(), get(token, nil))
	if !strings.Contains(res.Body, `name="action" value="lift"`) || strings.Contains(res.Body, `name="action" value="restrict"`) {
		t.Error("a restricted candidate is not offered to lift the restriction")
	}
}
