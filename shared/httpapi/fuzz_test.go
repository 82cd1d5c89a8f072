package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/consentflow/consentflow/shared/consent"
)

// FuzzDecodeJSON: any body is either decoded or refused with a 4xx problem
// (never a panic or a 500), and what is decoded never holds U+FFFD that the
// body did not spell out.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{"name":"Ada","email":"ada@example.com","locale":"en"}`,
		`{"name":"First","NAME":"Second"}`,
		`{"purposes":["talent_pool","interview_recording"]}`,
		`{"decisions":[{"purpose":"talent_pool","grant":true}]}`,
		`{"name":"\ud800"}`, "{\"name\":\"\xff\"}", `{"name":"\ufffd"}`, `[]`, `{}{}`, `{"a":{"b":[1,{"c":2}]}}`,
	} {
		f.Add(s, "application/json")
	}
	f.Add(`name=Ada`, "application/x-www-form-urlencoded")
	f.Add(`{}`, "")
	f.Fuzz(func(t *testing.T, body, contentType string) {
		var v struct {
			Name      string   `json:"name"`
			Email     string   `json:"email"`
			Locale    string   `json:"locale"`
			Purposes  []string `json:"purposes"`
			Decisions []struct {
				Purpose string `json:"purpose"`
				Grant   *bool  `json:"grant"`
			} `json:"decisions"`
		}
		req := Request{Headers: map[string]string{"content-type": contentType}, Body: body}
		err := DecodeJSON(req, &v)
		if err != nil {
			var bad *BadRequestError
			var invalid *consent.ValidationError
			if !errors.As(err, &bad) && !errors.As(err, &invalid) {
				t.Fatalf("error %T %v is neither a bad request nor invalid input", err, err)
			}
			if res := Error(context.Background(), slog.New(slog.DiscardHandler), err); res.StatusCode < 400 || res.StatusCode > 499 {
				t.Fatalf("answered %d", res.StatusCode)
			}
			return
		}
		spelled := strings.Contains(body, "\uFFFD") || strings.Contains(strings.ToLower(body), `\ufffd`)
		for _, s := range append([]string{v.Name, v.Email, v.Locale}, v.Purposes...) {
			if !utf8.ValidString(s) || strings.ContainsRune(s, utf8.RuneError) && !spelled {
				t.Fatalf("decoded %q from %q: broken text slipped through", s, body)
			}
		}
	})
}
