package ses_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/consentflow/consentflow/infra/local/ses"
)

// nodeModules is the repo root's node_modules, where `npm ci` installs
// aws-ses-v2-local.
var nodeModules = filepath.Join("..", "..", "..", "node_modules")

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestSendAndReadBack(t *testing.T) {
	logs := &syncBuffer{}
	srv, err := ses.Start(context.Background(), ses.Config{NodeModules: nodeModules, Logs: logs})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { srv.Close() })

	client := sesv2.New(sesv2.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL()),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	ctx := context.Background()
	tests := []struct {
		name string
		dest types.Destination
		body types.Body
		want ses.Email
	}{
		{
			name: "text only",
			dest: types.Destination{ToAddresses: []string{"candidate@example.org"}},
			body: types.Body{Text: &types.Content{Data: aws.String("Please open your consent link.")}},
			want: ses.Email{
				Destination: ses.Destination{To: []string{"candidate@example.org"}},
				Body:        ses.Body{Text: "Please open your consent link."},
			},
		},
		{
			name: "html and text with cc",
			dest: types.Destination{ToAddresses: []string{"a@example.org"}, CcAddresses: []string{"b@example.org"}},
			body: types.Body{
				Text: &types.Content{Data: aws.String("Your receipt")},
				Html: &types.Content{Data: aws.String("<p>Your receipt</p>")},
			},
			want: ses.Email{
				Destination: ses.Destination{To: []string{"a@example.org"}, CC: []string{"b@example.org"}},
				Body:        ses.Body{Text: "Your receipt", HTML: "<p>Your receipt</p>"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := srv.Clear(ctx); err != nil {
				t.Fatalf("Clear: %v", err)
			}
			sentAt := time.Now()
			subject := "Consent request: " + tt.name
			out, err := client.SendEmail(ctx, &sesv2.SendEmailInput{
				FromEmailAddress: aws.String("consent@example.com"),
				Destination:      &tt.dest,
				Content: &types.EmailContent{Simple: &types.Message{
					Subject: &types.Content{Data: aws.String(subject)},
					Body:    &tt.body,
				}},
			})
			if err != nil {
				t.Fatalf("SendEmail: %v", err)
			}
			emails, err := srv.Emails(ctx, sentAt)
			if err != nil {
				t.Fatalf("Emails: %v", err)
			}
			if len(emails) != 1 {
				t.Fatalf("outbox holds %d emails, want 1: %+v", len(emails), emails)
			}
			got := emails[0]
			if got.MessageID != aws.ToString(out.MessageId) {
				t.Errorf("messageId %q, SendEmail said %q", got.MessageID, aws.ToString(out.MessageId))
			}
			if got.From != "consent@example.com" || got.Subject != subject {
				t.Errorf("from %q subject %q", got.From, got.Subject)
			}
			if strings.Join(got.Destination.To, ",") != strings.Join(tt.want.Destination.To, ",") ||
				strings.Join(got.Destination.CC, ",") != strings.Join(tt.want.Destination.CC, ",") {
				t.Errorf("destination %+v, want %+v", got.Destination, tt.want.Destination)
			}
			if got.Body != tt.want.Body {
				t.Errorf("body %+v, want %+v", got.Body, tt.want.Body)
			}
			if got.At.Before(sentAt.Truncate(time.Second)) || got.At.After(time.Now()) {
				t.Errorf("sent at %v, want between %v and now", got.At, sentAt)
			}
		})
	}

	// Emails since a later time leaves the earlier ones out; Clear empties.
	later, err := srv.Emails(ctx, time.Now().Add(time.Hour))
	if err != nil || len(later) != 0 {
		t.Errorf("Emails since an hour from now: %d emails, %v; want none", len(later), err)
	}
	if err := srv.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	if all, err := srv.Emails(ctx, time.Time{}); err != nil || len(all) != 0 {
		t.Errorf("after Clear: %d emails, %v; want none", len(all), err)
	}
	if !strings.Contains(logs.String(), "[ses] aws-ses-v2-local: server running") {
		t.Errorf("logs lack the server's start line:\n%s", logs.String())
	}
}

func TestCloseLeavesNoProcess(t *testing.T) {
	srv, err := ses.Start(context.Background(), ses.Config{Addr: "127.0.0.1:0", NodeModules: nodeModules})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	pid := srv.PID()
	if err := srv.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if syscall.Kill(pid, 0) == nil {
		t.Errorf("process %d still runs after Close", pid)
	}
	if _, err := srv.Emails(context.Background(), time.Time{}); err == nil {
		t.Errorf("the outbox still answers after Close")
	}
}

func TestStartFails(t *testing.T) {
	tests := []struct {
		name string
		cfg  ses.Config
	}{
		{name: "no node_modules given", cfg: ses.Config{}},
		{name: "package missing", cfg: ses.Config{NodeModules: t.TempDir()}},
		{name: "no node", cfg: ses.Config{NodeModules: nodeModules, Node: filepath.Join(t.TempDir(), "node")}},
		{name: "bad address", cfg: ses.Config{NodeModules: nodeModules, Addr: "nowhere"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			srv, err := ses.Start(ctx, tt.cfg)
			if err == nil {
				srv.Close()
				t.Fatal("Start succeeded")
			}
		})
	}
}
