package store

// The data-subject export (GDPR Art. 15 access, Art. 20 portability):
// everything the store holds about one candidate, read only from that
// candidate's partition, its audit trail and the consent requests its trail
// names; never a Scan.

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
)

// ExportFormat names the layout of an Export. It changes when a field is
// renamed, removed or changes its meaning, so that a reader of an export
// knows which layout it holds.
const ExportFormat = "consentflow.export/1"

// Export is everything held about one candidate.
type Export struct {
	Format     string            `json:"format"`
	ExportedAt time.Time         `json:"exportedAt"`
	Candidate  consent.Candidate `json:"candidate"`
	// Applications are oldest first.
	Applications []consent.Application `json:"applications"`
	// Consents are the current state of each purpose, in purpose order.
	Consents []consent.Consent `json:"consents"`
	// Requests are the consent requests the candidate was sent, oldest
	// first.
	Requests []ExportedRequest `json:"consentRequests"`
	// Receipts are the receipts of the answered requests, oldest first.
	Receipts []ExportedReceipt `json:"receipts"`
	// Artifacts are the candidate's CVs and recordings (their metadata),
	// oldest first.
	Artifacts []consent.Artifact `json:"artifacts"`
	// Events is the audit trail in seq order, with the result of verifying
	// its hash chain, this export's own data_exported event included (the
	// last one, unless another change committed right after it).
	Events       []consent.Event      `json:"auditEvents"`
	Verification consent.Verification `json:"verification"`
}

// ExportedRequest is a consent request with its answer. The link's token
// hash and the workflow's task token are credentials of the system, not
// data about the candidate, and are left out.
type ExportedRequest struct {
	consent.Request
	AnsweredAt *time.Time        `json:"answeredAt,omitempty"`
	ReceiptID  string            `json:"receiptId,omitempty"`
	Outcomes   []consent.Outcome `json:"outcomes,omitempty"`
}

// ExportedReceipt is what the store keeps of a receipt: the signed receipt
// itself is made and emailed when it is sent and not stored, so this is its
// id, the answer it confirms, and when and as which email it was sent
// (Owed while it has not been).
type ExportedReceipt struct {
	ReceiptID  string            `json:"receiptId"`
	RequestID  string            `json:"requestId"`
	AnsweredAt time.Time         `json:"answeredAt"`
	Outcomes   []consent.Outcome `json:"outcomes"`
	SentAt     *time.Time        `json:"sentAt,omitempty"`
	MessageID  string            `json:"messageId,omitempty"`
	Owed       bool              `json:"owed"`
}

// exportAttempts is how often Export reads the candidate again when a
// change committed while it was reading.
const exportAttempts = 5

// Export records that actor exports the candidate's data (a data_exported
// event, through the one change path) and returns everything held about the
// candidate. The parts are read while the candidate's version stays the
// same, so they describe one committed state. An unknown candidate is a
// *consent.NotFoundError.
func (s *Store) Export(ctx context.Context, candidateID, actor string, at time.Time) (Export, error) {
	at = at.UTC()
	err := s.change(ctx, candidateID, func(ctx context.Context, tx *Tx) error {
		tx.Event(consent.Event{ID: consent.NewID(), Type: consent.EventDataExported, At: at, Actor: actor})
		return nil
	})
	if err != nil {
		return Export{}, err
	}
	for attempt := 0; attempt < exportAttempts; attempt++ {
		if attempt > 0 {
			if err := sleep(ctx, backoff(attempt)); err != nil {
				return Export{}, unavailable("export candidate", err)
			}
		}
		x, version, err := s.readExport(ctx, candidateID)
		if err != nil {
			return Export{}, err
		}
		c, err := s.profile(ctx, candidateID)
		if err != nil {
			return Export{}, err
		}
		if c.Version == version {
			x.Format, x.ExportedAt = ExportFormat, at
			return x, nil
		}
	}
	return Export{}, &consent.ConflictError{Reason: "the candidate's records kept changing during the export; try again", Contended: true}
}

// readExport reads every part of an export, and the candidate's version
// read before the parts.
func (s *Store) readExport(ctx context.Context, candidateID string) (Export, int64, error) {
	c, err := s.profile(ctx, candidateID)
	if err != nil {
		return Export{}, 0, err
	}
	x := Export{Candidate: c.candidate()}

	h, err := s.Holdings(ctx, candidateID)
	if err != nil {
		return Export{}, 0, err
	}
	x.Applications, x.Consents, x.Artifacts = h.Applications, h.Consents, h.Artifacts

	if x.Events, err = s.Events(ctx, candidateID); err != nil {
		return Export{}, 0, err
	}
	x.Verification = verify(x.Events, c)

	if x.Requests, x.Receipts, err = s.exportRequests(ctx, candidateID, x.Events, x.Consents); err != nil {
		return Export{}, 0, err
	}
	return x, c.Version, nil
}

// exportRequests reads the consent requests of a candidate. Requests are
// kept in their own partitions (REQUEST#<id>), not the candidate's; every
// request is recorded with a "requested" event per purpose in the
// candidate's trail, and each consent names its latest request, so the
// trail and the consents name them all, and each is read by its key.
func (s *Store) exportRequests(ctx context.Context, candidateID string, events []consent.Event, consents []consent.Consent) ([]ExportedRequest, []ExportedReceipt, error) {
	var ids []string
	for _, e := range events {
		ids = append(ids, e.RequestID, e.ConsentRequestID)
	}
	for _, c := range consents {
		ids = append(ids, c.RequestID)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)

	requests := []ExportedRequest{}
	receipts := []ExportedReceipt{}
	for _, id := range ids {
		if id == "" {
			continue
		}
		var it requestItem
		ok, err := s.get(ctx, requestPK(id), requestSK, &it)
		if err != nil {
			return nil, nil, fmt.Errorf("export request %s: %w", id, err)
		}
		// A request of another candidate is never exported, whatever
		// names it.
		if !ok || it.CandidateID != candidateID {
			continue
		}
		requests = append(requests, ExportedRequest{Request: it.request(), AnsweredAt: it.AnsweredAt, ReceiptID: it.ReceiptID, Outcomes: it.Outcomes})
		if it.ReceiptID != "" && it.AnsweredAt != nil {
			receipts = append(receipts, ExportedReceipt{
				ReceiptID: it.ReceiptID, RequestID: it.ID, AnsweredAt: *it.AnsweredAt, Outcomes: it.Outcomes,
				SentAt: it.ReceiptSentAt, MessageID: it.ReceiptMessageID, Owed: it.ReceiptSentAt == nil,
			})
		}
	}
	slices.SortStableFunc(requests, func(a, b ExportedRequest) int { return a.CreatedAt.Compare(b.CreatedAt) })
	slices.SortStableFunc(receipts, func(a, b ExportedReceipt) int { return a.AnsweredAt.Compare(b.AnsweredAt) })
	return requests, receipts, nil
}
