package main

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/store"
)

func (h *Handler) list(ctx context.Context, r recruiter, req httpapi.Request) httpapi.Response {
	q := req.QueryStringParameters
	state := consent.State(q["state"])
	if state != "" && !slices.Contains(store.ListStates, state) {
		state = ""
	}
	page, err := h.Store.ListCandidates(ctx, store.ListQuery{State: state, Cursor: q["cursor"]})
	if err != nil {
		var invalid *consent.ValidationError
		if errors.As(err, &invalid) {
			return h.render(http.StatusBadRequest, messagePage{Recruiter: r, Title: "This list link is out of date", Detail: "Start again from the first page."})
		}
		return h.failed(ctx, r, err)
	}
	v := listPage{Recruiter: r, State: state, States: store.ListStates, Register: newRegisterForm()}
	now := h.Now()
	for _, c := range page.Candidates {
		arts, err := h.Store.Artifacts(ctx, c.ID, "")
		if err != nil {
			return h.failed(ctx, r, err)
		}
		apps, err := h.Store.Applications(ctx, c.ID)
		if err != nil {
			return h.failed(ctx, r, err)
		}
		row := listRow{ID: c.ID, Name: c.Name, CreatedAt: c.CreatedAt, Purposes: purposeStates(c.Consents, now)}
		_, row.EraseOn = h.pendingErasures(arts, now)
		for _, a := range arts {
			if a.Status != consent.ArtifactErased && a.DeleteBy != nil && (row.NextDeletion == nil || a.DeleteBy.Before(*row.NextDeletion)) {
				row.NextDeletion = a.DeleteBy
			}
		}
		for _, a := range apps {
			if a.Status == consent.ApplicationOpen {
				row.Open = append(row.Open, a.Position)
			}
		}
		v.Rows = append(v.Rows, row)
	}
	if page.Next != "" {
		next := url.Values{"cursor": {page.Next}}
		if state != "" {
			next.Set("state", string(state))
		}
		v.Next = "/console?" + next.Encode()
	}
	return h.render(http.StatusOK, v)
}

func (h *Handler) candidate(ctx context.Context, r recruiter, id, done string, problem *httpapi.Problem) httpapi.Response {
	if !consent.ValidID(id) {
		return h.render(http.StatusNotFound, messagePage{Recruiter: r, Title: "No such candidate"})
	}
	c, err := h.Store.Candidate(ctx, id)
	if err != nil {
		var nf *consent.NotFoundError
		if errors.As(err, &nf) {
			return h.render(http.StatusNotFound, messagePage{Recruiter: r, Title: "No such candidate", Detail: "There is no candidate at this address."})
		}
		if errors.As(err, new(*consent.GoneError)) {
			return h.render(http.StatusGone, messagePage{Recruiter: r, Title: "This candidate was erased",
				Detail: "Everything held about this candidate was erased at their request. Only the pseudonymous audit trail is kept (GET /api/candidates/" + id + "/audit)."})
		}
		return h.failed(ctx, r, err)
	}
	consents, err := h.Store.Consents(ctx, id)
	if err != nil {
		return h.failed(ctx, r, err)
	}
	trail, err := h.Store.AuditTrail(ctx, id)
	if err != nil {
		return h.failed(ctx, r, err)
	}
	apps, err := h.Store.Applications(ctx, id)
	if err != nil {
		return h.failed(ctx, r, err)
	}
	arts, err := h.Store.Artifacts(ctx, id, "")
	if err != nil {
		return h.failed(ctx, r, err)
	}
	rights, err := h.Store.RightsRequests(ctx, id)
	if err != nil {
		return h.failed(ctx, r, err)
	}
	now := h.Now()
	files, eraseOn := h.pendingErasures(arts, now)
	v := candidatePage{Recruiter: r, Candidate: c, Purposes: purposeStates(consents, now), Events: trail.Events, Chain: trail.Verification, Applications: apps,
		Files: files, EraseOn: eraseOn, Recording: recordingGate(consents, now), Done: doneMessages[done], Problem: problem,
		IdempotencyKey: consent.NewID(), Channels: []string{"email", "phone", "letter"}, Grounds: erasureGrounds,
		Rights: rights, Positions: positions(apps)}
	status := http.StatusOK
	if problem != nil {
		status = problem.Status
	}
	return h.render(status, v)
}

// fileRow is a CV or recording on the candidate's page; EraseOn is set when
// its deadline falls within the erasure window.
type fileRow struct {
	ID       string
	Kind     consent.ArtifactKind
	Status   consent.ArtifactStatus
	DeleteBy *time.Time
	EraseOn  *time.Time
}

// pendingErasures lists a candidate's files not yet erased, marking those
// whose deadline falls within the erasure window from now, and returns the
// nearest such deadline (nil when none does). Only shown, never acted on:
// what is erased, and when, is the sweep's to decide from its schedule.
func (h *Handler) pendingErasures(arts []consent.Artifact, now time.Time) (files []fileRow, nearest *time.Time) {
	for _, a := range arts {
		if a.Status == consent.ArtifactErased {
			continue
		}
		row := fileRow{ID: a.ID, Kind: a.Kind, Status: a.Status, DeleteBy: a.DeleteBy}
		if a.DeleteBy != nil && !a.DeleteBy.After(now.Add(h.ErasureWindow)) {
			row.EraseOn = a.DeleteBy
			if nearest == nil || a.DeleteBy.Before(*nearest) {
				nearest = a.DeleteBy
			}
		}
		files = append(files, row)
	}
	return files, nearest
}

var doneMessages = map[string]string{
	"requested":  "Consent requested. The candidate gets an email with a personal link.",
	"uploaded":   "CV uploaded. It is registered from the storage's own event within seconds: reload to see it below.",
	"opened":     "Application opened: it keeps the candidate's CVs while it is open.",
	"closed":     "Application closed: its CVs are kept for the retention period after today, then erased.",
	"withdrawn":  "Withdrawal recorded. What the consent alone covered is being erased; the candidate and your team get an email when it is.",
	"unchanged":  "That consent was withdrawn already; nothing changed.",
	"registered": "Candidate registered.",
	"restricted": "Processing restricted: the data is kept but not used, and nothing is erased while it holds. The candidate gets an email.",
	"lifted":     "Restriction lifted: deadlines are recomputed, and what is past its deadline is erased by the next sweep. The candidate gets an email.",
	"rectified":  "Rectification decided. The candidate gets an email with your reason.",
	"grounds":    "Compelling grounds recorded: the application stays open. The candidate gets an email with the grounds.",
}

func (h *Handler) failed(ctx context.Context, r recruiter, err error) httpapi.Response {
	h.Log.ErrorContext(ctx, "console request failed", "error", err.Error())
	return h.render(http.StatusServiceUnavailable, messagePage{Recruiter: r, Title: "Something went wrong",
		Detail: "Nothing was changed that the page does not show. Try again in a moment."})
}

// purposeState is one purpose's consent as the console shows it.
type purposeState struct {
	Purpose consent.Purpose
	Name    string
	Consent *consent.Consent
	State   consent.State // empty: never asked
}

func purposeStates(cs []consent.Consent, now time.Time) []purposeState {
	out := make([]purposeState, 0, len(consent.Purposes()))
	for _, p := range consent.Purposes() {
		ps := purposeState{Purpose: p, Name: purposeName(p)}
		for i := range cs {
			if cs[i].Purpose == p {
				ps.Consent = &cs[i]
				ps.State = cs[i].StateAt(now)
			}
		}
		out = append(out, ps)
	}
	return out
}

var purposeNames = map[consent.Purpose]string{
	consent.TalentPool:         "Talent pool",
	consent.InterviewRecording: "Interview recording",
}

// purposeName names a purpose for recruiters; a purpose added to the domain
// later shows as its id in words until it gets a name here.
func purposeName(p consent.Purpose) string {
	if n, ok := purposeNames[p]; ok {
		return n
	}
	s := strings.ReplaceAll(string(p), "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Gate says whether an interview may be recorded.
type Gate struct {
	// Status is "allowed", "awaiting" or "blocked".
	Status string
	Reason string
	// Since is when the consent took its state (the request was sent, for
	// "awaiting").
	Since *time.Time
	// CanRequest says a consent request is the way forward.
	CanRequest bool
}

// Title is the gate's state in a few words.
func (g Gate) Title() string {
	switch g.Status {
	case "allowed":
		return "Recording allowed"
	case "awaiting":
		return "Awaiting consent"
	}
	return "Recording blocked"
}

func recordingGate(cs []consent.Consent, now time.Time) Gate {
	for _, c := range cs {
		if c.Purpose != consent.InterviewRecording {
			continue
		}
		at := c.UpdatedAt
		switch c.StateAt(now) {
		case consent.Given:
			return Gate{Status: "allowed", Reason: "The candidate consented to the recording (notice version " + c.NoticeVersion + ").", Since: &at}
		case consent.Requested:
			return Gate{Status: "awaiting", Reason: "Consent was requested and the candidate has not answered yet.", Since: &at, CanRequest: true}
		case consent.Refused:
			return Gate{Status: "blocked", Reason: "The candidate declined the recording.", Since: &at}
		case consent.Withdrawn:
			return Gate{Status: "blocked", Reason: "The candidate withdrew their consent to the recording.", Since: &at, CanRequest: true}
		case consent.Expired:
			return Gate{Status: "blocked", Reason: "The consent request or the consent expired.", Since: &at, CanRequest: true}
		}
	}
	return Gate{Status: "blocked", Reason: "The candidate was never asked to consent to a recording.", CanRequest: true}
}
