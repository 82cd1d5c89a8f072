package store

// The candidate's manage page (/m/{token}): a long-lived personal link,
// rotated each time one is mailed, and the short-lived link that confirms a
// request to erase everything. Tokens are stored only as their SHA-256.
//
// Keys (pk, sk):
//
//	LINK#<sha256>   LINK   kind "manage": a manage link of candidateId (the
//	                       profile's manageHash says which one is current);
//	                       kind "erase": an erasure confirmation, until
//	                       expiresAt
//
// The profile keeps manageHash, the hash of the current manage link. Older
// manage links stay, so that they answer "replaced" rather than "unknown".

import (
	"context"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/consentflow/consentflow/shared/consent"
)

// Kinds of candidate link other than a consent request's.
const (
	linkManage = "manage"
	linkErase  = "erase"
)

// ErasureConfirmationValidity is how long a link that confirms a request
// to erase everything works.
const ErasureConfirmationValidity = 24 * time.Hour

type candidateLinkItem struct {
	PK          string     `dynamodbav:"pk"`
	SK          string     `dynamodbav:"sk"`
	Kind        string     `dynamodbav:"kind"`
	CandidateID string     `dynamodbav:"candidateId"`
	IssuedAt    time.Time  `dynamodbav:"issuedAt"`
	ExpiresAt   *time.Time `dynamodbav:"expiresAt,omitempty"`
}

// MintManageLink makes hash the candidate's current manage link, in one
// transaction with its link item: the link mailed before answers
// "replaced" from then on. A candidate whose profile was erased is a
// *consent.GoneError; one whose erasure is under way still gets a link (the
// erasure's own notice carries one).
func (s *Store) MintManageLink(ctx context.Context, candidateID, hash string, at time.Time) error {
	_, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Update: &types.Update{
			TableName:                 aws.String(s.table),
			Key:                       key(candidatePK(candidateID), profileSK),
			UpdateExpression:          aws.String("SET manageHash = :hash"),
			ConditionExpression:       aws.String("attribute_exists(pk) AND attribute_not_exists(erasedAt)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":hash": &types.AttributeValueMemberS{Value: hash}},
		}},
		{Put: &types.Put{
			TableName: aws.String(s.table),
			Item: marshal(candidateLinkItem{PK: linkPK(hash), SK: linkSK, Kind: linkManage, CandidateID: candidateID,
				IssuedAt: at.UTC()}),
			ConditionExpression: aws.String("attribute_not_exists(pk)"),
		}},
	}})
	if err == nil {
		return nil
	}
	if failed, items := conditionFailed(err); failed {
		if slices.Contains(items, 1) {
			return &consent.ConflictError{Reason: "this link token is taken"}
		}
		if _, err := s.Candidate(ctx, candidateID); err != nil {
			return err // unknown, or erased
		}
		return &consent.ConflictError{Reason: "the candidate changed while the link was made; try again", Contended: true}
	}
	return unavailable("mint manage link", err)
}

// ManageLink is a resolved manage link.
type ManageLink struct {
	Candidate consent.Candidate
	// ErasureRequestedAt is set once the candidate asked to erase
	// everything: nothing changes any more but the erasure.
	ErasureRequestedAt *time.Time
}

// ManageByLink resolves a manage link by its hash. An unknown hash (or one
// of another kind of link) is a *consent.NotFoundError; a manage link that a
// newer one replaced is a *consent.LinkReplacedError; a candidate whose
// profile was erased is a *consent.GoneError. It only reads.
func (s *Store) ManageByLink(ctx context.Context, hash string) (ManageLink, error) {
	var link candidateLinkItem
	ok, err := s.get(ctx, linkPK(hash), linkSK, &link)
	if err != nil {
		return ManageLink{}, err
	}
	if !ok || link.Kind != linkManage {
		return ManageLink{}, &consent.NotFoundError{What: "link"}
	}
	c, err := s.profile(ctx, link.CandidateID)
	if err != nil {
		return ManageLink{}, err
	}
	if c.ErasedAt != nil {
		return ManageLink{}, &consent.GoneError{ID: c.ID}
	}
	if c.ManageHash != hash {
		return ManageLink{}, &consent.LinkReplacedError{}
	}
	return ManageLink{Candidate: c.candidate(), ErasureRequestedAt: c.ErasureRequestedAt}, nil
}

// MintErasureConfirmation stores the hash of a link that confirms the
// candidate's request to erase everything, valid until expiresAt.
func (s *Store) MintErasureConfirmation(ctx context.Context, candidateID, hash string, at, expiresAt time.Time) error {
	exp := expiresAt.UTC()
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table),
		Item: marshal(candidateLinkItem{PK: linkPK(hash), SK: linkSK, Kind: linkErase, CandidateID: candidateID,
			IssuedAt: at.UTC(), ExpiresAt: &exp}),
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	if err == nil {
		return nil
	}
	if failed, _ := conditionFailed(err); failed {
		return &consent.ConflictError{Reason: "this link token is taken"}
	}
	return unavailable("mint erasure confirmation", err)
}

// ErasureConfirmationByLink resolves the manage link manageHash and the
// confirmation confirmHash together: the confirmation must be the same
// candidate's and unexpired at now (else a *consent.LinkExpiredError; an
// unknown one is a *consent.NotFoundError). It only reads.
func (s *Store) ErasureConfirmationByLink(ctx context.Context, manageHash, confirmHash string, now time.Time) (ManageLink, error) {
	m, err := s.ManageByLink(ctx, manageHash)
	if err != nil {
		return ManageLink{}, err
	}
	var link candidateLinkItem
	ok, err := s.get(ctx, linkPK(confirmHash), linkSK, &link)
	if err != nil {
		return ManageLink{}, err
	}
	if !ok || link.Kind != linkErase || link.CandidateID != m.Candidate.ID {
		return ManageLink{}, &consent.NotFoundError{What: "link"}
	}
	if link.ExpiresAt == nil || !now.Before(*link.ExpiresAt) {
		return ManageLink{}, &consent.LinkExpiredError{}
	}
	return m, nil
}

// Holdings is what the manage page shows of a candidate: their
// applications (oldest first), consents (in purpose order) and artifacts
// (oldest first).
type Holdings struct {
	Applications []consent.Application
	Consents     []consent.Consent
	Artifacts    []consent.Artifact
}

// Applications returns a candidate's applications, oldest first.
func (s *Store) Applications(ctx context.Context, candidateID string) ([]consent.Application, error) {
	var items []applicationItem
	if err := s.queryInto(ctx, candidatePK(candidateID), "APPLICATION#", &items); err != nil {
		return nil, err
	}
	apps := make([]consent.Application, 0, len(items))
	for _, it := range items {
		apps = append(apps, it.application())
	}
	slices.SortStableFunc(apps, func(a, b consent.Application) int { return a.OpenedAt.Compare(b.OpenedAt) })
	return apps, nil
}

// Holdings reads what is held about a candidate (for their manage page
// and their export); the lists are empty, never nil, when there is none.
func (s *Store) Holdings(ctx context.Context, candidateID string) (Holdings, error) {
	h := Holdings{Applications: []consent.Application{}, Consents: []consent.Consent{}, Artifacts: []consent.Artifact{}}
	apps, err := s.Applications(ctx, candidateID)
	if err != nil {
		return Holdings{}, err
	}
	h.Applications = append(h.Applications, apps...)
	consents, err := s.consentItems(ctx, candidateID)
	if err != nil {
		return Holdings{}, err
	}
	for _, it := range consents {
		h.Consents = append(h.Consents, it.consent(candidateID))
	}
	var arts []artifactItem
	if err := s.queryInto(ctx, candidatePK(candidateID), "ARTIFACT#", &arts); err != nil {
		return Holdings{}, err
	}
	for _, it := range arts {
		h.Artifacts = append(h.Artifacts, it.artifact())
	}
	sortArtifacts(h.Artifacts)
	return h, nil
}
