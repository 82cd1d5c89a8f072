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

// NewReceipt builds the receipt for a candidate's answer to a request.
func NewReceipt(p Policy, c Candidate, receiptID string, at time.Time, decisions []Decision) Receipt {
	r := Receipt{
		Version:          ReceiptVersion,
		ReceiptID:        receiptID,
		Timestamp:        at.UTC(),
		Jurisdiction:     "EU (GDPR)",
		CollectionMethod: CollectedByWebForm,
		PIIPrincipalID:   c.ID,
		Controller:       ReceiptParty{Name: p.Controller, Contact: p.ControllerContact},
		PolicyURL:        p.NoticeURL,
		NoticeVersion:    p.NoticeVersion,
		Language:         c.Locale,
		Withdrawal:       "Open the link in your consent email, or write to " + p.ControllerContact,
	}
	for _, d := range decisions {
		info, _ := d.Purpose.Info()
		r.Purposes = append(r.Purposes, ReceiptPurpose{
			Purpose:       d.Purpose,
			State:         d.State(),
			StateDPV:      d.State().DPV(),
			ConsentType:   "EXPRESSED",
			LegalBasis:    info.LegalBasis,
			PIICategories: info.PIICategories,
			RetentionDays: p.RetentionDays(d.Purpose),
			ThirdParty:    len(info.Recipients) > 0,
		})
	}
	return r
}
