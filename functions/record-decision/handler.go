package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/locale"
	"github.com/consentflow/consentflow/shared/page"
	"github.com/consentflow/consentflow/shared/store"
)

// DecisionStore finds requests by link and records decisions.
type DecisionStore interface {
	RequestByLink(ctx context.Context, linkHash string, now time.Time) (consent.Request, consent.Candidate, error)
	RecordDecision(ctx context.Context, req consent.Request, decisions []consent.Decision, ev consent.Evidence, now time.Time) (store.Answer, error)
}

// Workflows answers waiting workflow tasks; *sfn.Client satisfies it.
type Workflows interface {
	SendTaskSuccess(context.Context, *sfn.SendTaskSuccessInput, ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error)
}

// Secret is a deployment secret's value; *secret.Cached is one.
type Secret interface {
	Value(ctx context.Context) ([]byte, error)
}

// Erasures starts erasures; *erasure.Starter satisfies it.
type Erasures interface {
	Artifacts(ctx context.Context, due []store.DueArtifact, reason string) (int, error)
}

// Handler records candidates' decisions.
type Handler struct {
	Store     DecisionStore
	Workflows Workflows
	// Erasure starts the erasure of what a withdrawal left without a
	// basis, at once.
	Erasure Erasures
	// NetworkKey keys the hash of the client's network: a deployment
	// secret, so the hash cannot be reversed from stored data alone.
	NetworkKey Secret
	Policy     consent.Policy
	Log        *slog.Logger
	Now        func() time.Time
}

type jsonInput struct {
	Decisions []struct {
		Purpose consent.Purpose `json:"purpose"`
		// Grant is a pointer so that a missing answer is an error, never a
		// silent refusal.
		Grant *bool `json:"grant"`
	} `json:"decisions"`
}

// Handle records the decision in the body: a form post from the consent
// page (answered with 303 See Other back to the page) or JSON.
func (h *Handler) Handle(ctx context.Context, req httpapi.Request) (httpapi.Response, error) {
	v := page.Visit{M: locale.For(page.LanguageFor(req, "")), Controller: h.Policy.Controller, Contact: h.Policy.ControllerContact}
	token, err := page.Token(req)
	if err != nil {
		return page.Error(ctx, h.Log, req, v, err), nil
	}
	v.Path = "/c/" + token
	now := h.Now()
	r, c, err := h.Store.RequestByLink(ctx, consent.HashLinkToken(token), now)
	if err != nil {
		return page.Error(ctx, h.Log, req, v, err), nil
	}
	// The language the form was shown in (it posts it back), else the
	// candidate's own; and the request's controller.
	v.M, v.Controller = locale.For(page.LanguageFor(req, c.Locale)), r.Controller
	m := v.M
	if r.Status != consent.Pending {
		return page.Error(ctx, h.Log, req, v, &consent.ConflictError{Reason: "this consent request has already been answered"}), nil
	}
	decisions, err := h.decisions(req, r)
	if err != nil {
		var bad *httpapi.BadRequestError
		if page.WantsHTML(req) && !errors.As(err, &bad) {
			form := page.NewForm(h.Policy, m, r, v.Path)
			form.Error = m.ChooseEach
			return page.Render(http.StatusUnprocessableEntity, form), nil
		}
		return page.Error(ctx, h.Log, req, v, err), nil
	}
	key, err := h.NetworkKey.Value(ctx)
	if err != nil {
		return page.Error(ctx, h.Log, req, v, fmt.Errorf("network hash key: %w", err)), nil
	}
	ev := consent.Evidence{
		// Only the client's network is kept, never its address, and only as
		// a hash keyed with a deployment secret: it shows that two answers
		// came from one network without saying which (there are only 2^24
		// IPv4 /24s, so an unkeyed or stored-key hash is reversible).
		IPHash:    consent.Pseudonym(key, consent.NetworkOf(req.RequestContext.HTTP.SourceIP)),
		UserAgent: truncate(req.RequestContext.HTTP.UserAgent, 512),
		Language:  m.Lang, // the language the candidate read the request in
	}
	ans, err := h.Store.RecordDecision(ctx, r, decisions, ev, now)
	if err != nil {
		return page.Error(ctx, h.Log, req, v, err), nil
	}
	h.Log.InfoContext(ctx, "decision recorded", "requestId", r.ID, "candidateId", r.CandidateID, "receiptId", ans.ReceiptID)
	h.handOver(ctx, r, ans)
	if len(ans.Due) > 0 {
		// Due and recorded: what does not start now, the sweep starts.
		if _, err := h.Erasure.Artifacts(ctx, ans.Due, consent.ErasureWithdrawn); err != nil {
			h.Log.WarnContext(ctx, "erasure not started; the sweep will", "candidateId", r.CandidateID, "error", err.Error())
		}
	}
	if page.WantsHTML(req) {
		return httpapi.Response{StatusCode: http.StatusSeeOther, Headers: map[string]string{
			"Location": v.Path + "?lang=" + m.Lang, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
		}}, nil
	}
	return httpapi.JSON(http.StatusOK, ans), nil
}

func (h *Handler) decisions(req httpapi.Request, r consent.Request) ([]consent.Decision, error) {
	switch mt := httpapi.MediaType(req); {
	case httpapi.IsJSON(mt):
		var in jsonInput
		if err := httpapi.DecodeJSON(req, &in); err != nil {
			return nil, err
		}
		decisions := make([]consent.Decision, len(in.Decisions))
		for i, d := range in.Decisions {
			if d.Grant == nil {
				return nil, &consent.ValidationError{Field: "decisions", Reason: fmt.Sprintf("say grant true or false for purpose %q", d.Purpose)}
			}
			decisions[i] = consent.Decision{Purpose: d.Purpose, Grant: *d.Grant}
		}
		return decisions, r.Answer(decisions)
	case mt == "application/x-www-form-urlencoded":
		body, err := httpapi.FormBody(req)
		if err != nil {
			return nil, err
		}
		return page.ParseDecisions(body, r)
	}
	return nil, httpapi.UnsupportedMediaType("application/x-www-form-urlencoded or application/json")
}

// handOverAttempts is how often the hand-over is tried (each try with the
// SDK's own retries) before it counts as lost.
const handOverAttempts = 3

// handOver gives the recorded answer to the workflow waiting on the request,
// retrying a failed hand-over. The decision is already recorded and binding;
// if the hand-over is lost the candidate still sees it recorded, the
// receipt stays owed (see store.ReceiptsOwed), and a LostHandOvers metric is
// logged in CloudWatch's embedded metric format, which an alarm watches.
func (h *Handler) handOver(ctx context.Context, r consent.Request, ans store.Answer) {
	out, _ := json.Marshal(ans)
	var err error
	for attempt := range handOverAttempts {
		if attempt > 0 {
			select {
			case <-time.After(time.Duration(attempt) * 100 * time.Millisecond):
			case <-ctx.Done():
			}
		}
		_, err = h.Workflows.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{
			TaskToken: aws.String(r.TaskToken),
			Output:    aws.String(string(out)),
		})
		if err == nil {
			return
		}
	}
	h.Log.ErrorContext(ctx, "decision not handed to the workflow", "requestId", r.ID, "error", err.Error(),
		slog.Any("_aws", map[string]any{
			"Timestamp": h.Now().UnixMilli(),
			"CloudWatchMetrics": []map[string]any{{
				"Namespace": "Consentflow", "Dimensions": [][]string{{}},
				"Metrics": []map[string]string{{"Name": "LostHandOvers", "Unit": "Count"}},
			}},
		}), slog.Int("LostHandOvers", 1))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
