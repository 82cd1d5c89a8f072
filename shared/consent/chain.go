package consent

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// Canonical is the event's canonical JSON: every field in declaration order,
// times in UTC (DeleteBy too), empty lists as null, and Hash left out. Its SHA-256 is the
// event's Hash.
func (e Event) Canonical() []byte {
	e.Hash = ""
	e.At = e.At.UTC()
	if len(e.PIICategories) == 0 {
		e.PIICategories = nil
	}
	if e.DeleteBy != nil {
		t := e.DeleteBy.UTC()
		e.DeleteBy = &t
	}
	b, err := json.Marshal(e)
	if err != nil {
		// An Event holds only strings, numbers, booleans and a time.
		panic(fmt.Sprintf("consent: canonical event: %v", err))
	}
	return b
}

// ComputeHash is the hex SHA-256 of the event's canonical JSON.
func (e Event) ComputeHash() string {
	sum := sha256.Sum256(e.Canonical())
	return hex.EncodeToString(sum[:])
}

// Seal places the event in a chain at seq after the event whose hash is
// prev, and sets its Hash.
func (e Event) Seal(seq int64, prev string) Event {
	e.Seq, e.Prev, e.At = seq, prev, e.At.UTC()
	e.Hash = e.ComputeHash()
	return e
}

// Verification is the result of checking a candidate's hash chain.
type Verification struct {
	// Intact is true when every chained event's hash matches its content,
	// each one names the hash of the event before it, and seq runs 1, 2, 3
	// ... without gaps.
	Intact bool `json:"intact"`
	// Events is the number of chained events checked.
	Events int `json:"events"`
	// Unchained counts events written before the chain existed (Seq 0):
	// readable, but not covered by the chain.
	Unchained int `json:"unchained,omitempty"`
	// BrokenAt is the seq of the first event that does not verify, and
	// Problem says why.
	BrokenAt int64  `json:"brokenAt,omitempty"`
	Problem  string `json:"problem,omitempty"`
}

// VerifyChain checks events, in the order given (by seq), as one chain.
// head, when not empty, is the hash the candidate's record says the last
// event has, so that a removed tail is found too.
func VerifyChain(events []Event, head string) Verification {
	v := Verification{Intact: true}
	prev, want := "", int64(1)
	broken := func(seq int64, problem string) Verification {
		v.Intact, v.BrokenAt, v.Problem = false, seq, problem
		return v
	}
	for _, e := range events {
		if e.Seq == 0 {
			v.Unchained++
			continue
		}
		switch {
		case e.Seq != want:
			return broken(want, fmt.Sprintf("event %d is missing (found %d next)", want, e.Seq))
		case e.Prev != prev:
			return broken(e.Seq, "its prev does not match the hash of the event before it")
		case e.ComputeHash() != e.Hash:
			return broken(e.Seq, "its content does not match its hash")
		}
		v.Events++
		prev, want = e.Hash, want+1
	}
	if head != "" && head != prev {
		return broken(want, "the trail ends before the last event the candidate's record names")
	}
	return v
}
