package ses

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Email is one email the outbox received.
type Email struct {
	MessageID   string       `json:"messageId"`
	From        string       `json:"from"`
	ReplyTo     []string     `json:"replyTo"`
	Destination Destination  `json:"destination"`
	Subject     string       `json:"subject"`
	Body        Body         `json:"body"`
	Attachments []Attachment `json:"attachments"`
	// At is when it was sent, to the second.
	At time.Time `json:"-"`
}

// Attachment is a file sent with an email.
type Attachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"contentType"`
	Content     []byte `json:"content"` // the outbox stores it base64-encoded
}

// Destination lists an email's recipients.
type Destination struct {
	To  []string `json:"to"`
	CC  []string `json:"cc"`
	BCC []string `json:"bcc"`
}

// Body is an email's text and HTML parts.
type Body struct {
	Text string `json:"text"`
	HTML string `json:"html"`
}

// Outbox reads and clears the store of a running aws-ses-v2-local.
type Outbox struct {
	url  string
	http *http.Client
}

// NewOutbox returns a client of the outbox at url.
func NewOutbox(url string) *Outbox {
	return &Outbox{url: url, http: &http.Client{Timeout: 10 * time.Second}}
}

// Emails returns the emails sent at or after since (to the second: the
// outbox stamps emails in whole seconds), oldest first. A zero since
// returns every email.
func (o *Outbox) Emails(ctx context.Context, since time.Time) ([]Email, error) {
	u := o.url + "/store"
	if !since.IsZero() {
		u += "?since=" + url.QueryEscape(strconv.FormatInt(since.Unix(), 10))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("ses outbox: %w", err)
	}
	resp, err := o.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("ses outbox: read the store: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		return nil, fmt.Errorf("ses outbox: read the store: %s: %s", resp.Status, b)
	}
	var store struct {
		Emails []struct {
			Email
			At int64 `json:"at"`
		} `json:"emails"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&store); err != nil {
		return nil, fmt.Errorf("ses outbox: decode the store: %w", err)
	}
	emails := make([]Email, 0, len(store.Emails))
	for _, e := range store.Emails {
		email := e.Email
		email.At = time.Unix(e.At, 0).UTC()
		emails = append(emails, email)
	}
	return emails, nil
}

// Clear empties the outbox.
func (o *Outbox) Clear(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.url+"/clear-store", nil)
	if err != nil {
		return fmt.Errorf("ses outbox: %w", err)
	}
	resp, err := o.http.Do(req)
	if err != nil {
		return fmt.Errorf("ses outbox: clear the store: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("ses outbox: clear the store: %s", resp.Status)
	}
	return nil
}
