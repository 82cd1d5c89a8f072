package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/consentflow/consentflow/shared/httpapi"
)

// APIClient calls the recruiter API over HTTP, as any client would.
type APIClient struct {
	BaseURL string
	Client  *http.Client // nil: a client with a 20 s timeout
}

// APIResult is the API's answer: its status, the id of what it created or
// touched, and its problem detail when it refused.
type APIResult struct {
	Status  int
	ID      string
	Problem httpapi.Problem
	// RouteMissing: API Gateway itself answered 404 {"message":"Not Found"},
	// so this deployment has no such route (yet).
	RouteMissing bool
}

// Post sends body as JSON to path with the recruiter's token.
func (c *APIClient) Post(ctx context.Context, token, path, idempotencyKey string, body any) (APIResult, error) {
	res, _, err := c.Send(ctx, token, http.MethodPost, path, idempotencyKey, body)
	return res, err
}

// Send calls path with method, body (nil: none) as JSON and the
// recruiter's token, and returns the answer and its raw body.
func (c *APIClient) Send(ctx context.Context, token, method, path, idempotencyKey string, body any) (APIResult, []byte, error) {
	var payload io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return APIResult{}, nil, fmt.Errorf("encode %s: %w", path, err)
		}
		payload = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, payload)
	if err != nil {
		return APIResult{}, nil, fmt.Errorf("request %s: %w", path, err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if idempotencyKey != "" {
		req.Header.Set("Idempotency-Key", idempotencyKey)
	}
	client := c.Client
	if client == nil {
		client = &http.Client{Timeout: 20 * time.Second}
	}
	res, err := client.Do(req)
	if err != nil {
		return APIResult{}, nil, fmt.Errorf("call the API: %w", err)
	}
	defer res.Body.Close()
	out := APIResult{Status: res.StatusCode}
	raw, err := io.ReadAll(io.LimitReader(res.Body, 6<<20))
	if err != nil {
		return APIResult{}, nil, fmt.Errorf("read the API's answer: %w", err)
	}
	switch {
	case res.StatusCode >= 500:
		return APIResult{}, nil, fmt.Errorf("the API answered %d", res.StatusCode)
	case res.StatusCode == http.StatusNotFound && string(bytes.TrimSpace(raw)) == `{"message":"Not Found"}`:
		out.RouteMissing = true
		out.Problem = httpapi.Problem{Title: "Not Found", Status: res.StatusCode}
	case res.StatusCode >= 400:
		if json.Unmarshal(raw, &out.Problem) != nil || out.Problem.Title == "" {
			out.Problem = httpapi.Problem{Title: http.StatusText(res.StatusCode), Status: res.StatusCode}
		}
		out.Problem.Status = res.StatusCode
	default:
		var v struct {
			ID        string `json:"id"`
			RequestID string `json:"requestId"`
		}
		_ = json.Unmarshal(raw, &v)
		out.ID = v.ID
		if out.ID == "" {
			out.ID = v.RequestID
		}
	}
	return out, raw, nil
}
