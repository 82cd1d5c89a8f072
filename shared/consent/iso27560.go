package consent

// ISO27560Field is one field of an ISO/IEC TS 27560:2023 consent record, as
// the W3C DPV guide for 27560 names it, and where a Receipt carries it (JSON
// pointers; a purpose's fields are shown for the first purpose, and each
// purpose has its own).
type ISO27560Field struct {
	Group    string // record, processing, event, party
	Field    string
	Pointers []string
	// When says when the field is present, if not always.
	When string
}

// ISO27560 maps the receipt onto ISO/IEC TS 27560. The README lists the
// same table; fields a receipt does not carry are listed there too.
var ISO27560 = []ISO27560Field{
	{Group: "record", Field: "schema version", Pointers: []string{"/version"}},
	{Group: "record", Field: "record identifier", Pointers: []string{"/consentReceiptID"}},
	{Group: "record", Field: "PII principal identifier", Pointers: []string{"/piiPrincipalId"}},
	{Group: "processing", Field: "privacy notice", Pointers: []string{"/policyUrl", "/consentflowExtension/noticeVersion"}},
	{Group: "processing", Field: "language", Pointers: []string{"/language"}},
	{Group: "processing", Field: "purpose", Pointers: []string{"/services/0/purposes/0/purpose", "/services/0/purposes/0/purposeCategory", "/consentflowExtension/purposes/0/purpose"}},
	{Group: "processing", Field: "PII categories", Pointers: []string{"/services/0/purposes/0/piiCategory"}},
	{Group: "processing", Field: "PII controllers", Pointers: []string{"/piiControllers"}},
	{Group: "processing", Field: "lawful basis", Pointers: []string{"/consentflowExtension/purposes/0/legalBasis"}},
	{Group: "processing", Field: "retention period", Pointers: []string{"/consentflowExtension/purposes/0/retentionDays"}},
	{Group: "processing", Field: "jurisdiction", Pointers: []string{"/jurisdiction"}},
	{Group: "processing", Field: "third-party recipients", Pointers: []string{"/services/0/purposes/0/thirdPartyDisclosure"}, When: "thirdPartyName too when disclosed"},
	{Group: "processing", Field: "withdrawal method", Pointers: []string{"/consentflowExtension/withdrawalMethod"}},
	{Group: "processing", Field: "collection method", Pointers: []string{"/collectionMethod"}},
	{Group: "event", Field: "event time", Pointers: []string{"/consentTimestamp", "/consentflowExtension/recordedAt"}},
	{Group: "event", Field: "event type", Pointers: []string{"/consentflowExtension/event"}},
	{Group: "event", Field: "event state", Pointers: []string{"/consentflowExtension/purposes/0/dpvState"}},
	{Group: "event", Field: "event entity", Pointers: []string{"/consentflowExtension/actor"}},
	{Group: "event", Field: "validity duration", Pointers: []string{"/consentflowExtension/purposes/0/validUntil", "/services/0/purposes/0/termination"}, When: "validUntil for given consent only"},
	{Group: "party", Field: "party name", Pointers: []string{"/piiControllers/0/piiController"}},
	{Group: "party", Field: "party address", Pointers: []string{"/piiControllers/0/address"}},
	{Group: "party", Field: "party contact", Pointers: []string{"/piiControllers/0/contact", "/piiControllers/0/email", "/piiControllers/0/phone"}},
	{Group: "party", Field: "party type", Pointers: []string{"/piiControllers/0/onBehalf"}, When: "each party in piiControllers is a controller; onBehalf says whether it acts for another"},
}
