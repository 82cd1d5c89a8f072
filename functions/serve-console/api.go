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
}

// Post sends body as JSON to path with the recruiter's token.
func (c *APIClient) Post(ctx context.Context, token, path, idempotencyKey string, body any) (APIResult, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return APIResult{}, fmt.Errorf("encode %s: %w", path, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.BaseURL+path, bytes.NewReader(b))
	if err != nil {
		return APIResult{}, fmt.Errorf("request %s: %w", path, err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	if idempotencyKey != "" {
		req.Header.Set("Idempotency-Key", idempotencyKey)
	}
	client := c.Client
	if client == nil {
		client = &http.Client{Timeout: 20 * time.Second}
	}
	res, err := client.Do(req)
	if err != nil {
		return APIResult{}, fmt.Errorf("call the API: %w", err)
	}
	defer res.Body.Close()
	out := APIResult{Status: res.StatusCode}
	raw, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return APIResult{}, fmt.Errorf("read the API's answer: %w", err)
	}
	switch {
	case res.StatusCode >= 500:
		return APIResult{}, fmt.Errorf("the API answered %d", res.StatusCode)
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
	return out, nil
}
