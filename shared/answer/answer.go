// Package answer records a candidate's answer to a consent request, from
// whichever page they gave it on (the emailed link's /c/{token}, the
// join-time link's /j/{token}): the decision and its events in one
// transaction, the hand-over to the waiting workflow, which sends the
// receipt, and the erasure of what a withdrawal left without a basis.
package answer

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/store"
)

// Store records decisions; *store.Store satisfies it.
type Store interface {
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

// Recorder records answers.
type Recorder struct {
	Store     Store
	Workflows Workflows
	// Erasure starts the erasure of what a withdrawal left without a
	// basis, at once.
	Erasure Erasures
	// NetworkKey keys the hash of the client's network: a deployment
	// secret, so the hash cannot be reversed from stored data alone.
	NetworkKey Secret
	Log        *slog.Logger
	Now        func() time.Time
}

// HandOverAttempts is how often the hand-over is tried (each try with the
// SDK's own retries) before it counts as lost.
const HandOverAttempts = 3

// Record records the candidate's decisions on r, given in req (whose
// client network and user agent are the evidence) in the language lang,
// at now; then hands the answer to the workflow and starts the erasure of
// what became due. Errors are the store's (a second answer is a
// *consent.ConflictError, one too late a *consent.LinkExpiredError).
func (rc *Recorder) Record(ctx context.Context, req httpapi.Request, r consent.Request, decisions []consent.Decision, lang string, now time.Time) (store.Answer, error) {
	key, err := rc.NetworkKey.Value(ctx)
	if err != nil {
		return store.Answer{}, fmt.Errorf("network hash key: %w", err)
	}
	ev := consent.Evidence{
		// Only the client's network is kept, never its address, and only as
		// a hash keyed with a deployment secret: it shows that two answers
		// came from one network without saying which (there are only 2^24
		// IPv4 /24s, so an unkeyed or stored-key hash is reversible).
		IPHash:    consent.Pseudonym(key, consent.NetworkOf(req.RequestContext.HTTP.SourceIP)),
		UserAgent: truncate(req.RequestContext.HTTP.UserAgent, 512),
		Language:  lang, // the language the candidate read the request in
	}
	ans, err := rc.Store.RecordDecision(ctx, r, decisions, ev, now)
	if err != nil {
		return store.Answer{}, err
	}
	rc.Log.InfoContext(ctx, "decision recorded", "requestId", r.ID, "candidateId", r.CandidateID, "receiptId", ans.ReceiptID)
	rc.handOver(ctx, r, ans)
	if len(ans.Due) > 0 {
		// Due and recorded: what does not start now, the sweep starts.
		if _, err := rc.Erasure.Artifacts(ctx, ans.Due, consent.ErasureWithdrawn); err != nil {
			rc.Log.WarnContext(ctx, "erasure not started; the sweep will", "candidateId", r.CandidateID, "error", err.Error())
		}
	}
	return ans, nil
}

// handOver gives the recorded answer to the workflow waiting on the request,
// retrying a failed hand-over. The decision is already recorded and binding;
// if the hand-over is lost the candidate still sees it recorded, the
// receipt stays owed (see store.ReceiptsOwed), and a LostHandOvers metric is
// logged in CloudWatch's embedded metric format, which an alarm watches.
func (rc *Recorder) handOver(ctx context.Context, r consent.Request, ans store.Answer) {
	out, _ := json.Marshal(ans)
	var err error
	for attempt := range HandOverAttempts {
		if attempt > 0 {
			select {
			case <-time.After(time.Duration(attempt) * 100 * time.Millisecond):
			case <-ctx.Done():
			}
		}
		_, err = rc.Workflows.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{
			TaskToken: aws.String(r.TaskToken),
			Output:    aws.String(string(out)),
		})
		if err == nil {
			return
		}
	}
	rc.Log.ErrorContext(ctx, "decision not handed to the workflow", "requestId", r.ID, "error", err.Error(),
		slog.Any("_aws", map[string]any{
			"Timestamp": rc.Now().UnixMilli(),
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
