package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
)

func TestAManageLinkIsMintedRotatedAndResolved(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	c := candidate(t, s)

	first := consent.HashLinkToken(consent.NewLinkToken())
	if err := s.MintManageLink(ctx, c.ID, first, t0); err != nil {
		t.Fatal(err)
	}
	m, err := s.ManageByLink(ctx, first)
	if err != nil || m.Candidate.ID != c.ID || m.Candidate.Email != c.Email || m.ErasureRequestedAt != nil {
		t.Fatalf("first link: %+v, %v", m, err)
	}

	// A new link is mailed: the first one is replaced, the new one works.
	second := consent.HashLinkToken(consent.NewLinkToken())
	if err := s.MintManageLink(ctx, c.ID, second, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ManageByLink(ctx, first); !errors.As(err, new(*consent.LinkReplacedError)) {
		t.Errorf("the replaced link: %v, want LinkReplacedError", err)
	}
	if m, err := s.ManageByLink(ctx, second); err != nil || m.Candidate.ID != c.ID {
		t.Errorf("the new link: %+v, %v", m, err)
	}

	// A hash taken already, an unknown hash and a consent link's hash.
	if err := s.MintManageLink(ctx, c.ID, second, t0.Add(2*time.Hour)); !errors.As(err, new(*consent.ConflictError)) {
		t.Errorf("minting a taken hash: %v, want ConflictError", err)
	}
	if _, err := s.ManageByLink(ctx, consent.HashLinkToken(consent.NewLinkToken())); !errors.As(err, new(*consent.NotFoundError)) {
		t.Errorf("an unknown link: %v, want NotFoundError", err)
	}
	_, consentLink := linked(t, s, c, consent.TalentPool)
	if _, err := s.ManageByLink(ctx, consentLink); !errors.As(err, new(*consent.NotFoundError)) {
		t.Errorf("a consent link as a manage link: %v, want NotFoundError", err)
	}
	if err := s.MintManageLink(ctx, "NOSUCHCANDIDATE", consent.HashLinkToken(consent.NewLinkToken()), t0); !errors.As(err, new(*consent.NotFoundError)) {
		t.Errorf("minting for an unknown candidate: %v, want NotFoundError", err)
	}
}

func TestAnErasureConfirmationIsTheCandidatesAndExpires(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	c := candidate(t, s)
	manage := consent.HashLinkToken(consent.NewLinkToken())
	if err := s.MintManageLink(ctx, c.ID, manage, t0); err != nil {
		t.Fatal(err)
	}
	confirm := consent.HashLinkToken(consent.NewLinkToken())
	if err := s.MintErasureConfirmation(ctx, c.ID, confirm, t0, t0.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if m, err := s.ErasureConfirmationByLink(ctx, manage, confirm, t0.Add(23*time.Hour)); err != nil || m.Candidate.ID != c.ID {
		t.Errorf("within 24 h: %+v, %v", m, err)
	}
	if _, err := s.ErasureConfirmationByLink(ctx, manage, confirm, t0.Add(24*time.Hour)); !errors.As(err, new(*consent.LinkExpiredError)) {
		t.Errorf("after 24 h: %v, want LinkExpiredError", err)
	}
	// The confirmation is not a manage link, nor another candidate's.
	if _, err := s.ManageByLink(ctx, confirm); !errors.As(err, new(*consent.NotFoundError)) {
		t.Errorf("a confirmation as a manage link: %v, want NotFoundError", err)
	}
	other, err := consent.NewCandidate("Grace Hopper", "grace@example.com", "de", t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateCandidate(ctx, other, ""); err != nil {
		t.Fatal(err)
	}
	otherManage := consent.HashLinkToken(consent.NewLinkToken())
	if err := s.MintManageLink(ctx, other.ID, otherManage, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ErasureConfirmationByLink(ctx, otherManage, confirm, t0); !errors.As(err, new(*consent.NotFoundError)) {
		t.Errorf("another candidate's confirmation: %v, want NotFoundError", err)
	}

	// Once erasure is asked for, the link says so; once the profile is
	// erased, it is gone and no new link is made.
	if _, err := s.RequestErasure(ctx, c.ID, "candidate_request", consent.ActorCandidate, consent.CollectedByWebForm, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if m, err := s.ManageByLink(ctx, manage); err != nil || m.ErasureRequestedAt == nil {
		t.Errorf("while erasing: %+v, %v", m, err)
	}
	if err := s.MintManageLink(ctx, c.ID, consent.HashLinkToken(consent.NewLinkToken()), t0.Add(time.Hour)); err != nil {
		t.Errorf("a link in the erasure's notice: %v", err)
	}
	if _, err := s.EraseProfile(ctx, c.ID, t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ManageByLink(ctx, manage); !errors.As(err, new(*consent.GoneError)) {
		t.Errorf("after the erasure: %v, want GoneError", err)
	}
	if err := s.MintManageLink(ctx, c.ID, consent.HashLinkToken(consent.NewLinkToken()), t0.Add(3*time.Hour)); !errors.As(err, new(*consent.GoneError)) {
		t.Errorf("minting after the erasure: %v, want GoneError", err)
	}
}
