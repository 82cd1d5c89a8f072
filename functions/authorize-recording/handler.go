package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/qr"
	"github.com/consentflow/consentflow/shared/store"
	"github.com/consentflow/consentflow/shared/upload"
	"github.com/consentflow/consentflow/shared/workflow"
)

// Recordings runs the recording gate.
type Recordings interface {
	AuthorizeRecording(ctx context.Context, a consent.Artifact, noticeVersion string) (store.GateOutcome, error)
	Request(ctx context.Context, id string) (consent.Request, error)
}

// Workflows starts the consent-request workflow; *sfn.Client satisfies it.
type Workflows interface {
	StartExecution(context.Context, *sfn.StartExecutionInput, ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
}

// JoinLinks mints join-time links; *store.Store satisfies it.
type JoinLinks interface {
	MintJoinLink(ctx context.Context, hash string, l store.JoinLink) error
}

// UploadValidity is how long a recording upload form may be used.
const UploadValidity = time.Hour

// Handler is the recording gate.
type Handler struct {
	Store           Recordings
	Workflows       Workflows
	StateMachineArn string
	Presigner       upload.PostPresigner
	Bucket          string
	NoticeVersion   string
	// Links stores the join-time links a 409 carries, valid for
	// JoinLinkValidity (the interview's length and a margin), under
	// Policy's public base URL.
	Links            JoinLinks
	JoinLinkValidity time.Duration
	Policy           consent.Policy
	Log              *slog.Logger
	Now              func() time.Time
}

type input struct {
	Kind      string `json:"kind"`
	Reference string `json:"reference"`
}

// WorkflowInput is the consent-request workflow's input.
type WorkflowInput = workflow.ConsentRequest

type output struct {
	RecordingID string      `json:"recordingId"`
	Upload      upload.Form `json:"upload"`
	ExpiresAt   time.Time   `json:"expiresAt"`
	DeleteBy    *time.Time  `json:"deleteBy"`
}

// Handle answers 201 with an upload when the candidate consented under the
// current notice; 409 awaiting-consent (starting, once, the consent request
// and its email) when never asked or not yet answered; 403 with the reason
// when refused, withdrawn, expired or given under an older notice. When the
// consent cannot be read the store's error is a 503: it never fails open.
func (h *Handler) Handle(ctx context.Context, req httpapi.Request) (httpapi.Response, error) {
	recruiter, candidateID, err := httpapi.RecruiterOnCandidate(req)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	var in input
	if err := httpapi.DecodeJSON(req, &in); err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	purpose, err := consent.RecordingPurpose(in.Kind)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	if err := consent.ValidReference(in.Reference); err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	now := h.Now().UTC()
	id := consent.NewID()
	out, err := h.Store.AuthorizeRecording(ctx, consent.Artifact{
		ID: id, CandidateID: candidateID, Kind: consent.KindRecording, Status: consent.ArtifactAuthorized, Bucket: h.Bucket,
		Key: store.ArtifactKey(consent.KindRecording, candidateID, id), RecordingKind: in.Kind, Purpose: purpose,
		Reference: in.Reference, AuthorizedBy: recruiter, AuthorizedAt: now, UploadExpires: now.Add(UploadValidity),
	}, h.NoticeVersion)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	switch out.Gate {
	case consent.GateRefused:
		h.Log.InfoContext(ctx, "recording refused", "candidateId", candidateID, "purpose", purpose, "reason", out.Reason)
		return httpapi.ProblemWith(httpapi.Problem{Type: httpapi.ProblemType("consent-" + strings.ReplaceAll(out.Reason, "_", "-")),
			Title: "No consent to record", Status: http.StatusForbidden, Detail: refusal(out.Reason)},
			map[string]string{"reason": out.Reason, "purpose": string(purpose)}), nil
	case consent.GateAwaiting:
		requestID, err := h.awaitConsent(ctx, candidateID, purpose, recruiter, out.Consent)
		if err != nil {
			return httpapi.Error(ctx, h.Log, err), nil
		}
		ext, err := h.joinLink(ctx, candidateID, requestID, purpose, now)
		if err != nil {
			return httpapi.Error(ctx, h.Log, err), nil
		}
		h.Log.InfoContext(ctx, "recording awaits consent", "candidateId", candidateID, "purpose", purpose, "requestId", requestID)
		res := httpapi.ProblemWith(httpapi.Problem{Type: httpapi.ProblemType("awaiting-consent"), Title: "Awaiting consent", Status: http.StatusConflict,
			Detail: "The candidate has been asked for consent by email. To ask them now, share joinUrl in the meeting chat or show the QR code (qrSvg, or qrUrl); " +
				"then wait for the answer at authorizationUrl, or try again."},
			ext)
		res.Headers["Location"] = "/api/candidates/" + candidateID + "/consents"
		return res, nil
	}
	form, err := upload.Post(ctx, h.Presigner, h.Bucket, out.Artifact.Key, upload.Limits{MaxSize: consent.MaxRecordingSize, Valid: UploadValidity})
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	h.Log.InfoContext(ctx, "recording authorized", "candidateId", candidateID, "recordingId", id, "purpose", purpose)
	return httpapi.JSON(http.StatusCreated, output{RecordingID: id, Upload: form, ExpiresAt: out.Artifact.UploadExpires, DeleteBy: out.Artifact.DeleteBy}), nil
}

// awaitConsent returns the pending request for the purpose, starting it
// if the candidate was never asked. The request id, and so the workflow
// execution's name, derives from the candidate and the purpose: concurrent
// calls start one execution (Step Functions refuses a second of the same
// name), so the candidate gets one email.
//
// A pending request that asked about other purposes too cannot be answered
// for this one alone, as the join-time page does: the gate then asks for
// this purpose on its own, once per such request.
func (h *Handler) awaitConsent(ctx context.Context, candidateID string, p consent.Purpose, recruiter string, c *consent.Consent) (string, error) {
	requestID := consent.IDFromKey("recording-gate", candidateID, string(p))
	if c != nil && c.State == consent.Requested {
		pending, err := h.Store.Request(ctx, c.RequestID)
		if err != nil {
			return "", fmt.Errorf("read the pending request: %w", err)
		}
		if len(pending.Purposes) == 1 {
			return c.RequestID, nil
		}
		requestID = consent.IDFromKey("recording-gate", candidateID, string(p), c.RequestID)
	}
	wf, _ := json.Marshal(WorkflowInput{RequestID: requestID, CandidateID: candidateID, Purposes: []consent.Purpose{p}, RequestedBy: recruiter})
	_, err := h.Workflows.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(h.StateMachineArn), Name: aws.String(requestID), Input: aws.String(string(wf)),
	})
	if err != nil && !errors.As(err, new(*types.ExecutionAlreadyExists)) {
		return "", fmt.Errorf("start consent request: %w", err)
	}
	return requestID, nil
}

// joinLink mints a join-time link to the pending request for the
// purpose, and describes it for the 409: the link, its QR code inline (SVG)
// and at a URL, until when it works, and where to wait for the answer.
func (h *Handler) joinLink(ctx context.Context, candidateID, requestID string, p consent.Purpose, now time.Time) (map[string]string, error) {
	token := consent.NewLinkToken()
	expires := now.Add(h.JoinLinkValidity)
	if err := h.Links.MintJoinLink(ctx, consent.HashLinkToken(token), store.JoinLink{
		CandidateID: candidateID, RequestID: requestID, Purpose: p, IssuedAt: now, ExpiresAt: expires,
	}); err != nil {
		return nil, fmt.Errorf("mint join link: %w", err)
	}
	svg, err := qr.SVG(h.Policy.JoinURL(token), "QR code of the link to answer whether this interview may be recorded")
	if err != nil {
		return nil, err
	}
	return map[string]string{
		"requestId": requestID, "authorizationId": requestID, "purpose": string(p),
		"authorizationUrl": "/api/candidates/" + candidateID + "/recordings/authorizations/" + requestID + "?wait=20s",
		"joinUrl":          h.Policy.JoinURL(token), "qrUrl": h.Policy.JoinQRURL(token), "qrSvg": svg,
		"joinExpiresAt": expires.UTC().Format(time.RFC3339),
	}, nil
}

func refusal(reason string) string {
	switch reason {
	case consent.GateReasonRefused:
		return "The candidate declined to be recorded. This says nothing against the application; do not record."
	case consent.GateReasonWithdrawn:
		return "The candidate withdrew their consent to be recorded. Do not record."
	case consent.GateReasonOutdatedNotice:
		return "The candidate consented under an older privacy notice. Ask for consent again under the current one."
	case consent.GateReasonRestricted:
		return "Processing of the candidate's data is restricted (GDPR Art. 18): their data is kept but not used. Do not record."
	}
	return "The candidate's consent to be recorded has expired. Ask for consent again."
}
