package consent

import "time"

// Receipt is what a candidate keeps as proof of their decision. Its fields
// follow ISO/IEC TS 27560:2023 and the Kantara Consent Receipt 1.1.
type Receipt struct {
	Version          string           `json:"version"`
	ReceiptID        string           `json:"consentReceiptID"`
	Timestamp        time.Time        `json:"consentTimestamp"`
	Jurisdiction     string           `json:"jurisdiction"`
	CollectionMethod string           `json:"collectionMethod"`
	PIIPrincipalID   string           `json:"piiPrincipalId"`
	Controller       ReceiptParty     `json:"piiController"`
	PolicyURL        string           `json:"policyUrl"`
	NoticeVersion    string           `json:"noticeVersion"`
	Language         string           `json:"language"`
	Purposes         []ReceiptPurpose `json:"purposes"`
	Withdrawal       string           `json:"withdrawalMethod"`
}

// ReceiptParty is the controller named on a receipt.
type ReceiptParty struct {
	Name    string `json:"piiController"`
	Contact string `json:"contact"`
}

// ReceiptPurpose is one purpose on a receipt, with its decision.
type ReceiptPurpose struct {
	Purpose       Purpose  `json:"purpose"`
	State         State    `json:"state"`
	StateDPV      string   `json:"dpvState"`
	ConsentType   string   `json:"consentType"`
	LegalBasis    string   `json:"legalBasis"`
	PIICategories []string `json:"piiCategory"`
	RetentionDays int      `json:"retentionDays"`
	ThirdParty    bool     `json:"thirdPartyDisclosure"`
}

// ReceiptVersion is the Kantara receipt version the JSON follows.
const ReceiptVersion = "KI-CR-v1.1.0"

// NewReceipt builds the receipt of a candidate's answer to a request, from
// what the request promised (notice, retention) and the states the answer
// recorded.
func NewReceipt(p Policy, c Candidate, req Request, receiptID string, at time.Time, outcome []Outcome) Receipt {
	r := Receipt{
		Version:          ReceiptVersion,
		ReceiptID:        receiptID,
		Timestamp:        at.UTC(),
		Jurisdiction:     "EU (GDPR)",
		CollectionMethod: CollectedByWebForm,
		PIIPrincipalID:   c.ID,
		Controller:       ReceiptParty{Name: req.Controller, Contact: p.ControllerContact},
		PolicyURL:        req.NoticeURL,
		NoticeVersion:    req.NoticeVersion,
		Language:         c.Locale,
		Withdrawal:       "Write to " + p.ControllerContact + " at any time; withdrawing is as easy as consenting.",
	}
	for _, o := range outcome {
		info, _ := o.Purpose.Info()
		r.Purposes = append(r.Purposes, ReceiptPurpose{
			Purpose:       o.Purpose,
			State:         o.State,
			StateDPV:      o.State.DPV(),
			ConsentType:   "EXPRESSED",
			LegalBasis:    info.LegalBasis,
			PIICategories: info.PIICategories,
			RetentionDays: req.Retention[o.Purpose],
			ThirdParty:    len(info.Recipients) > 0,
		})
	}
	return r
}

// Outcome is the state one purpose's consent took from a decision.
type Outcome struct {
	Purpose Purpose `json:"purpose" dynamodbav:"purpose"`
	State   State   `json:"state" dynamodbav:"state"`
}
