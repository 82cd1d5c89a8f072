// Package managelink makes a candidate's personal manage link (/m/{token}),
// which every email to the candidate carries: a new token each time, whose
// hash replaces the one mailed before.
package managelink

import (
	"context"
	"net/url"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
)

// Store keeps the hash of the candidate's current link; *store.Store
// satisfies it.
type Store interface {
	MintManageLink(ctx context.Context, candidateID, hash string, at time.Time) error
}

// New makes candidate c a new manage link and returns its URL, which
// carries the candidate's language (so that even a page shown without the
// stored locale speaks it).
func New(ctx context.Context, s Store, p consent.Policy, c consent.Candidate, at time.Time) (string, error) {
	token := consent.NewLinkToken()
	if err := s.MintManageLink(ctx, c.ID, consent.HashLinkToken(token), at); err != nil {
		return "", err
	}
	return p.ManageURL(token) + "?lang=" + url.QueryEscape(c.Locale), nil
}
