package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"golang.org/x/sync/errgroup"

	"github.com/consentflow/consentflow/shared/consent"
)

// ListIndex is the table's index of the console's lists (topology.ListIndex).
const ListIndex = "list"

// candidatesListPK is the index partition of every candidate. One partition
// holds them all: a page is one Query of Limit items whatever the number of
// candidates; the partition takes up to 1,000 new candidates a second.
const candidatesListPK = "CANDIDATES"

func candidateListSK(c consent.Candidate) string {
	return c.CreatedAt.UTC().Format(timeFormat) + "#" + c.ID
}

func stateListPK(s consent.State) string { return "STATE#" + string(s) }

// consentListKeys files a consent under its state, latest change first.
func consentListKeys(it consentItem) (pk, sk string) {
	id := strings.TrimPrefix(it.PK, "CANDIDATE#")
	return stateListPK(it.State), it.UpdatedAt.UTC().Format(timeFormat) + "#" + id + "#" + string(it.Purpose)
}

// ListStates are the states consents are listed by.
var ListStates = []consent.State{consent.Requested, consent.Given, consent.Refused, consent.Withdrawn, consent.Expired}

// ListQuery selects a page of candidates.
type ListQuery struct {
	// State, when set, lists the candidates with a consent stored in that
	// state, latest change first; otherwise every candidate, newest first.
	State consent.State
	// Cursor continues from a previous page's Next.
	Cursor string
	// Limit is the most candidates on the page; zero: 25, at most 100.
	Limit int
}

// CandidateSummary is a candidate with each of its consents.
type CandidateSummary struct {
	consent.Candidate
	Consents []consent.Consent
}

// CandidatePage is one page of candidates, and the cursor of the next page
// (empty on the last).
type CandidatePage struct {
	Candidates []CandidateSummary
	Next       string
}

// ListCandidates returns a page of candidates. A page costs one Query on the
// list index and one read per candidate on it, so it takes the same time
// with 50 or 50,000 candidates. A candidate with two consents in the state
// asked for is listed once per page (and may appear again on a later page).
func (s *Store) ListCandidates(ctx context.Context, q ListQuery) (CandidatePage, error) {
	if q.Limit <= 0 {
		q.Limit = 25
	}
	q.Limit = min(q.Limit, 100)
	pk := candidatesListPK
	if q.State != "" {
		if !slices.Contains(ListStates, q.State) {
			return CandidatePage{}, &consent.ValidationError{Field: "state", Reason: "not a consent state"}
		}
		pk = stateListPK(q.State)
	}
	start, err := decodeCursor(q.Cursor, pk)
	if err != nil {
		return CandidatePage{}, err
	}
	res, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		IndexName:                 aws.String(ListIndex),
		KeyConditionExpression:    aws.String("listPk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}},
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(int32(q.Limit)),
		ExclusiveStartKey:         start,
	})
	if err != nil {
		return CandidatePage{}, unavailable("query "+ListIndex, err)
	}
	var page CandidatePage
	if len(res.LastEvaluatedKey) > 0 {
		page.Next = encodeCursor(res.LastEvaluatedKey)
	}
	var ids []string
	profiles := map[string]consent.Candidate{}
	if q.State == "" {
		var items []candidateItem
		if err := attributevalue.UnmarshalListOfMaps(res.Items, &items); err != nil {
			return CandidatePage{}, err
		}
		for _, it := range items {
			ids = append(ids, it.ID)
			profiles[it.ID] = it.Candidate
		}
	} else {
		var items []consentItem
		if err := attributevalue.UnmarshalListOfMaps(res.Items, &items); err != nil {
			return CandidatePage{}, err
		}
		for _, it := range items {
			if id := strings.TrimPrefix(it.PK, "CANDIDATE#"); !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	page.Candidates = make([]CandidateSummary, len(ids))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(10)
	for i, id := range ids {
		g.Go(func() error {
			c, ok := profiles[id]
			if !ok {
				var err error
				if c, err = s.Candidate(gctx, id); err != nil {
					return err
				}
			}
			consents, err := s.Consents(gctx, id)
			if err != nil {
				return err
			}
			page.Candidates[i] = CandidateSummary{Candidate: c, Consents: consents}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return CandidatePage{}, err
	}
	return page, nil
}

// A cursor is the index's last evaluated key (ids and times, no personal
// data), as unpadded base64url JSON.
func encodeCursor(key map[string]types.AttributeValue) string {
	m := map[string]string{}
	for k, v := range key {
		if s, ok := v.(*types.AttributeValueMemberS); ok {
			m[k] = s.Value
		}
	}
	b, _ := json.Marshal(m)
	return base64.RawURLEncoding.EncodeToString(b)
}

var cursorKeys = []string{"listPk", "listSk", "pk", "sk"}

func decodeCursor(c, pk string) (map[string]types.AttributeValue, error) {
	if c == "" {
		return nil, nil
	}
	bad := &consent.ValidationError{Field: "cursor", Reason: "not a cursor this list gave"}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) > 2048 {
		return nil, bad
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil || len(m) != len(cursorKeys) || m["listPk"] != pk {
		return nil, bad
	}
	key := make(map[string]types.AttributeValue, len(m))
	for _, k := range cursorKeys {
		v, ok := m[k]
		if !ok || v == "" {
			return nil, bad
		}
		key[k] = &types.AttributeValueMemberS{Value: v}
	}
	return key, nil
}
