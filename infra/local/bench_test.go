package local_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/consentflow/consentflow/infra/local"
	"github.com/consentflow/consentflow/infra/local/ses"
	"github.com/consentflow/consentflow/infra/topology"
)

type sesEmail = ses.Email

// BenchmarkRegisterCandidate measures one recruiter API call through the whole
// local path: HTTP front → Lambda runtime → function → DynamoDB.
func BenchmarkRegisterCandidate(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		body := fmt.Sprintf(`{"name":"Ada","email":"bench-%d-%d@example.com","locale":"en"}`, time.Now().UnixNano(), i)
		if status := post(b, "/api/candidates", body, recruiter()); status != http.StatusCreated {
			b.Fatalf("status %d", status)
		}
	}
}

// BenchmarkConsentFlow measures a whole consent request: register, request,
// the workflow records it and emails the link, the candidate grants, the
// workflow emails the receipt; first on an empty table, then with 50,000
// other candidates in it (the cost must follow the candidate, not the table).
func BenchmarkConsentFlow(b *testing.B) {
	for _, others := range []int{0, 50_000} {
		seedCandidates(b, others)
		b.Run(fmt.Sprintf("candidates=%d", others), consentFlow)
	}
}

func consentFlow(b *testing.B) {
	t := &testing.T{}
	for i := 0; b.Loop(); i++ {
		// The outbox answers with every stored email; keep it short so that
		// reading it does not dominate the measurement.
		b.StopTimer()
		if err := cloud.Outbox.Clear(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		to := fmt.Sprintf("flow-%d-%d@example.com", time.Now().UnixNano(), i)
		id := register(t, to, "en")
		requestConsent(t, id, "talent_pool")
		path := link(t, emailFast(b, to, "asks for your consent"))
		if status := post(b, path, `{"decisions":[{"purpose":"talent_pool","grant":true}]}`, map[string]string{"Content-Type": "application/json"}); status != http.StatusOK {
			b.Fatalf("answer: %d", status)
		}
		emailFast(b, to, "consent receipt")
		if t.Failed() {
			b.Fatal("a step failed")
		}
	}
}

// seeded counts the candidates seedCandidates wrote into the local table.
var seeded int

// seedCandidates tops the local table up to count seeded candidates, each
// with the items a candidate who answered one request has.
func seedCandidates(b *testing.B, count int) {
	b.Helper()
	ctx := context.Background()
	db := dynamodb.New(dynamodb.Options{Region: local.Region, BaseEndpoint: aws.String(cloud.Endpoints["DYNAMODB"]), Credentials: aws.AnonymousCredentials{}})
	table := local.TableName(topology.App.Table)
	str := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	var batch []types.WriteRequest
	flush := func() {
		if len(batch) == 0 {
			return
		}
		if _, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: batch}}); err != nil {
			b.Fatal(err)
		}
		batch = nil
	}
	for ; seeded < count; seeded++ {
		id := fmt.Sprintf("SEED%07d", seeded)
		cand := str("CANDIDATE#" + id)
		for _, item := range []map[string]types.AttributeValue{
			{"pk": cand, "sk": str("PROFILE"), "name": str("Seed " + id), "email": str(id + "@example.com"), "locale": str("en")},
			{"pk": cand, "sk": str("CONSENT#talent_pool"), "state": str("granted"), "requestId": str(id)},
			{"pk": cand, "sk": str("EVENT#2026-12-01T09:00:00Z#" + id), "type": str("granted")},
			{"pk": str("REQUEST#" + id), "sk": str("REQUEST"), "status": str("answered"), "candidateId": str(id)},
		} {
			batch = append(batch, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
			if len(batch) == 25 {
				flush()
			}
		}
	}
	flush()
}

func post(b testing.TB, path, body string, header map[string]string) int {
	req, _ := http.NewRequest("POST", cloud.AppURL+path, strings.NewReader(body))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// emailFast polls the outbox every millisecond, so the benchmark measures the
// flow rather than the poll interval.
func emailFast(b testing.TB, to, subject string) (e sesEmail) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	since := time.Now().Add(-time.Minute)
	for {
		emails, err := cloud.Outbox.Emails(ctx, since)
		if err != nil {
			b.Fatal(err)
		}
		for _, e := range emails {
			if len(e.Destination.To) > 0 && e.Destination.To[0] == to && strings.Contains(e.Subject, subject) {
				return e
			}
		}
		if ctx.Err() != nil {
			b.Fatalf("no email to %s", to)
		}
		time.Sleep(time.Millisecond)
	}
}
