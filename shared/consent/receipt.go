package consent

import (
	"fmt"
	"strings"
	"time"
)

// Receipt is what a candidate keeps as proof of what they decided and under
// which terms. It is a Kantara Initiative Consent Receipt v1.1: the spec's
// fields carry their spec names, and what the spec has no field for (the
// consent's DPV state, legal basis, retention, the notice's version) sits in
// one extension object, Extension. The same record maps onto ISO/IEC TS
// 27560 (see ISO27560).
type Receipt struct {
	Version          string              `json:"version"`
	Jurisdiction     string              `json:"jurisdiction"`
	ConsentTimestamp int64               `json:"consentTimestamp"` // seconds since the epoch
	CollectionMethod string              `json:"collectionMethod"`
	ConsentReceiptID string              `json:"consentReceiptID"`
	Language         string              `json:"language"`
	PIIPrincipalID   string              `json:"piiPrincipalId"`
	PIIControllers   []ReceiptController `json:"piiControllers"`
	PolicyURL        string              `json:"policyUrl"`
	Services         []ReceiptService    `json:"services"`
	Sensitive        bool                `json:"sensitive"`
	SPICat           []string            `json:"spiCat,omitempty"`
	Extension        ReceiptExtension    `json:"consentflowExtension"`
}

// ReceiptController is one PII controller the candidate's data is entrusted to.
type ReceiptController struct {
	PIIController    string         `json:"piiController"`
	OnBehalf         bool           `json:"onBehalf"`
	Contact          string         `json:"contact"`
	Address          ReceiptAddress `json:"address"`
	Email            string         `json:"email"`
	Phone            string         `json:"phone"`
	PIIControllerURL string         `json:"piiControllerUrl,omitempty"`
}

// ReceiptAddress is a controller's postal address (schema.org PostalAddress,
// as Kantara CR v1.1 references it), here as one line.
type ReceiptAddress struct {
	StreetAddress string `json:"streetAddress"`
}

// ReceiptService is the service the purposes belong to: recruitment at the
// controller.
type ReceiptService struct {
	Service  string           `json:"service"`
	Purposes []ReceiptPurpose `json:"purposes"`
}

// ReceiptPurpose is one purpose, in the spec's terms. Termination says how the
// consent ends, or, once it has ended, what ended and when.
type ReceiptPurpose struct {
	Purpose              string   `json:"purpose"`
	PurposeCategory      []string `json:"purposeCategory"`
	ConsentType          string   `json:"consentType"`
	PIICategory          []string `json:"piiCategory"`
	PrimaryPurpose       bool     `json:"primaryPurpose"`
	Termination          string   `json:"termination"`
	ThirdPartyDisclosure bool     `json:"thirdPartyDisclosure"`
	ThirdPartyName       string   `json:"thirdPartyName,omitempty"`
}

// ReceiptExtension is Consentflow's own part of a receipt: what the Kantara
// fields cannot say. Purposes are in the order of Services[0].Purposes.
type ReceiptExtension struct {
	// Event is what the receipt records: ReceiptConsent, ReceiptWithdrawal or
	// ReceiptErasure.
	Event string `json:"event"`
	// RecordedAt is ConsentTimestamp as an RFC 3339 time, for readers.
	RecordedAt    time.Time `json:"recordedAt"`
	RequestID     string    `json:"requestId,omitempty"`
	NoticeVersion string    `json:"noticeVersion"`
	// Actor is who caused the event (ActorCandidate, a recruiter, the workflow).
	Actor            string             `json:"actor"`
	WithdrawalMethod string             `json:"withdrawalMethod"`
	Purposes         []ExtensionPurpose `json:"purposes"`
}

// ExtensionPurpose is the state and terms of one purpose on a receipt.
type ExtensionPurpose struct {
	Purpose       Purpose `json:"purpose"`
	State         State   `json:"state"`
	DPVState      string  `json:"dpvState"`
	LegalBasis    string  `json:"legalBasis"`
	RetentionDays int     `json:"retentionDays"`
	// ValidUntil is when given consent lapses (its retention), if given.
	ValidUntil *time.Time `json:"validUntil,omitempty"`
}

// ReceiptVersion is the Kantara receipt version the JSON follows.
const ReceiptVersion = "KI-CR-v1.1.0"

// What a receipt records (ReceiptExtension.Event).
const (
	ReceiptConsent    = "consent"    // an answer: given, refused, or withdrawn by declining
	ReceiptWithdrawal = "withdrawal" // an answer that only withdrew consent
	ReceiptErasure    = "erasure"    // the data of the purposes was erased
)

// Receipt constants of this product.
const (
	ReceiptJurisdiction = "EU (GDPR)"
	ConsentTypeExplicit = "EXPLICIT"
)

// ReceiptTerms is who stands behind a receipt and how to reach them: the
// controller fixed in the request, with the deployment's contact details.
type ReceiptTerms struct {
	Controller string
	Contact    string // email address
	Address    string
	Phone      string
}

// Terms are the receipt terms of the controller a request names.
func (p Policy) Terms(req Request) ReceiptTerms {
	return ReceiptTerms{Controller: req.Controller, Contact: p.ControllerContact, Address: p.ControllerAddress, Phone: p.ControllerPhone}
}

// NewReceipt builds the receipt of a candidate's answer to a request, from
// what the request promised (controller, notice, retention) and the states
// the answer recorded. Declining a purpose that was given is a withdrawal:
// its termination says that consent ended. An answer that did nothing but
// withdraw is a withdrawal receipt.
func NewReceipt(terms ReceiptTerms, c Candidate, req Request, receiptID string, at time.Time, outcome []Outcome) Receipt {
	event := ReceiptWithdrawal
	for _, o := range outcome {
		if o.State != Withdrawn {
			event = ReceiptConsent
		}
	}
	r := newReceipt(terms, c, receiptID, at, req.NoticeURL, req.NoticeVersion, event, ActorCandidate)
	r.Extension.RequestID = req.ID
	for _, o := range outcome {
		r.add(terms, o.Purpose, o.State, req.Retention[o.Purpose], at)
	}
	return r
}

// Erased is one purpose whose data an erasure deleted, with the terms it
// had been kept under.
type Erased struct {
	Purpose Purpose
	// State is the consent's state once erased, as the store records it
	// (Withdrawn when the candidate asked, Expired after the retention).
	// Zero: Withdrawn.
	State         State
	NoticeVersion string
	NoticeURL     string
	RetentionDays int
}

// NewErasureReceipt builds the receipt of an erasure: the same format as an
// answer's receipt, each purpose's termination saying that its data was
// erased at at, by actor (the candidate's request, a recruiter, the
// retention sweep). The notice is that of the last purpose given.
func NewErasureReceipt(terms ReceiptTerms, c Candidate, receiptID string, at time.Time, actor string, erased []Erased) Receipt {
	var url, version string
	for _, e := range erased {
		url, version = e.NoticeURL, e.NoticeVersion
	}
	r := newReceipt(terms, c, receiptID, at, url, version, ReceiptErasure, actor)
	for _, e := range erased {
		state := e.State
		if state == "" {
			state = Withdrawn
		}
		r.add(terms, e.Purpose, state, e.RetentionDays, at)
		r.Services[0].Purposes[len(r.Services[0].Purposes)-1].Termination = fmt.Sprintf(
			"Erased at %s: the personal data kept for this purpose was deleted and its processing ended.", at.UTC().Format(time.RFC3339))
	}
	return r
}

func newReceipt(terms ReceiptTerms, c Candidate, receiptID string, at time.Time, noticeURL, noticeVersion, event, actor string) Receipt {
	at = at.UTC().Truncate(time.Second)
	return Receipt{
		Version:          ReceiptVersion,
		Jurisdiction:     ReceiptJurisdiction,
		ConsentTimestamp: at.Unix(),
		CollectionMethod: CollectedByWebForm,
		ConsentReceiptID: receiptID,
		Language:         c.Locale,
		PIIPrincipalID:   c.ID,
		PIIControllers: []ReceiptController{{
			PIIController: terms.Controller, Contact: terms.Contact, Address: ReceiptAddress{StreetAddress: terms.Address},
			Email: terms.Contact, Phone: terms.Phone,
		}},
		PolicyURL: noticeURL,
		Services:  []ReceiptService{{Service: "Recruitment at " + terms.Controller, Purposes: []ReceiptPurpose{}}},
		Sensitive: false, // no purpose processes special categories (GDPR Art. 9)
		Extension: ReceiptExtension{
			Event: event, RecordedAt: at, NoticeVersion: noticeVersion, Actor: actor,
			WithdrawalMethod: "Write to " + terms.Contact + " at any time; withdrawing is as easy as consenting.",
			Purposes:         []ExtensionPurpose{},
		},
	}
}

func (r *Receipt) add(terms ReceiptTerms, p Purpose, s State, retentionDays int, at time.Time) {
	info, _ := p.Info()
	kp := ReceiptPurpose{
		Purpose:              info.Description,
		PurposeCategory:      info.Categories,
		ConsentType:          ConsentTypeExplicit,
		PIICategory:          info.PIICategories,
		PrimaryPurpose:       false, // recruitment itself rests on legitimate interest, not on these consents
		Termination:          termination(terms, s, retentionDays, at),
		ThirdPartyDisclosure: len(info.Recipients) > 0,
	}
	if kp.ThirdPartyDisclosure {
		kp.ThirdPartyName = strings.Join(info.Recipients, ", ")
	}
	ep := ExtensionPurpose{Purpose: p, State: s, DPVState: s.DPV(), LegalBasis: info.LegalBasis, RetentionDays: retentionDays}
	if s == Given {
		until := at.UTC().Truncate(time.Second).AddDate(0, 0, retentionDays)
		ep.ValidUntil = &until
	}
	r.Services[0].Purposes = append(r.Services[0].Purposes, kp)
	r.Extension.Purposes = append(r.Extension.Purposes, ep)
}

func termination(terms ReceiptTerms, s State, retentionDays int, at time.Time) string {
	when := at.UTC().Format(time.RFC3339)
	switch s {
	case Given:
		return fmt.Sprintf("Consent ends when the candidate withdraws it (by writing to %s, as easily as it was given) or %d days after %s, whichever comes first; the data kept for this purpose is then erased.", terms.Contact, retentionDays, when)
	case Withdrawn:
		return fmt.Sprintf("Withdrawn by the candidate at %s: consent for this purpose ended and its processing stopped.", when)
	case Refused:
		return "Not given: this purpose is not processed."
	case Expired:
		return fmt.Sprintf("Expired at %s: consent for this purpose ended.", when)
	}
	return "Not decided."
}

// Outcome is the state one purpose's consent took from a decision.
type Outcome struct {
	Purpose Purpose `json:"purpose"`
	State   State   `json:"state"`
}
