package topology

import "time"

// Names shared by the topology and the code that reads it.
const (
	// ConsentRequestWorkflow asks a candidate for consent and waits for the answer.
	ConsentRequestWorkflow = "consent-request"

	// ErasureWorkflow erases artifacts whose legal basis ended, and
	// everything about a candidate who asked.
	ErasureWorkflow = "erasure"
	// SweepSchedule starts the erasure of what fell due.
	SweepSchedule = "sweep-due-artifacts"

	// ConsentReceiptWorkflow sends a receipt still owed after its
	// consent-request workflow ended.
	ConsentReceiptWorkflow = "consent-receipt"

	// RedriveSchedule sweeps for answers whose hand-over to the workflow was
	// lost, and hands them over again.
	RedriveSchedule = "redrive-consent-requests"
	// RenewalSchedule asks candidates to renew talent-pool consent 30 days
	// before it expires; DigestSchedule emails the privacy contact what will
	// be erased in the coming days.
	RenewalSchedule = "remind-consent-renewals"
	DigestSchedule  = "send-erasure-digest"
	// AskSchedule asks candidates the day before a scheduled interview
	// whether it may be recorded.
	AskSchedule = "ask-before-interviews"
	// ObjectionSchedule closes the applications of objections whose grace
	// period ended without compelling grounds (GDPR Art. 21).
	ObjectionSchedule = "close-objected-applications"

	// ConsentTable is the app table's name in the topology.
	ConsentTable = "consent"
	// ListIndex is the table's index of the console's lists.
	ListIndex = "list"

	CVBucket        = "cvs"
	RecordingBucket = "recordings"

	// NetworkHashSecret keys the hash of a candidate's client network in
	// audit events, so the stored hash cannot be reversed from stored data.
	NetworkHashSecret = "network-hash-key"
	// ReceiptKey signs consent receipts.
	ReceiptKey = "receipts"

	// CandidatePathPrefix is where the consent page lives ("/c/{token}").
	CandidatePathPrefix = "/c/"
	// EdgeOriginHeader carries EdgeOriginSecret from CloudFront to the API.
	EdgeOriginHeader = "x-consentflow-edge"
	// EdgeOriginSecret is the value CloudFront sends the API in
	// EdgeOriginHeader, which EdgeAuthorizer checks.
	EdgeOriginSecret = "edge-origin"
	EdgeAuthorizer   = "verify-edge-origin"
)

// CandidatePathPrefixes are the routes candidates reach from their emails,
// which the candidate edge serves: the consent page, the manage page, the
// join-time page, and the receipt keys and check that receipts point at.
var CandidatePathPrefixes = []string{CandidatePathPrefix, "/m/", "/j/", "/.well-known/", "/receipts/"}

// Settings every deployment can set (CDK context keys; `make dev` flags).
const (
	SettingSenderEmail       = "senderEmail"
	SettingPublicBaseURL     = "publicBaseUrl"
	SettingControllerName    = "controllerName"
	SettingControllerContact = "controllerContact"
	SettingNoticeVersion     = "noticeVersion"
	SettingNoticeURL         = "noticeUrl"
	SettingLinkValidityDays  = "linkValidityDays"
	SettingRetentionDays     = "retentionDays"
	SettingControllerAddress = "controllerAddress"
	SettingControllerPhone   = "controllerPhone"
	// The supervisory authority candidates can complain to (GDPR Art. 77),
	// named on every candidate page and email.
	SettingSupervisoryAuthority    = "supervisoryAuthority"
	SettingSupervisoryAuthorityURL = "supervisoryAuthorityUrl"

	// Artifacts (CVs and recordings).
	SettingApplicationRetention = "applicationRetention"
	SettingRecordingRetention   = "recordingRetention"
	// Erasure: how often the sweep of the due index runs.
	SettingSweepSchedule = "sweepSchedule"
	// SettingErasureDigestDays is how far ahead the erasure digest looks.
	SettingErasureDigestDays = "erasureDigestDays"
	// SettingObjectionGraceDays is how long the recruiter has to record
	// compelling grounds against an objection (GDPR Art. 21).
	SettingObjectionGraceDays = "objectionGraceDays"
	// SettingJoinLinkHours is how long a join-time link works: an
	// interview's length and a margin.
	SettingJoinLinkHours = "joinLinkHours"
)

// Artifact names: the key prefixes of each bucket, the due index and the
// rule that registers uploads.
const (
	CVPrefix        = "cvs/"
	RecordingPrefix = "recordings/"
	DueIndex        = "due"
	// RenewalIndex lists given talent-pool consent by when the candidate is
	// asked to renew it.
	RenewalIndex = "renewal"
	// AskIndex lists interviews scheduled in advance by when their
	// candidate is asked for consent to record them.
	AskIndex   = "ask"
	UploadRule = "register-uploads"
)

// App is Consentflow's topology.
var App = Application{
	Name: "consentflow",
	Table: Table{
		Name:         ConsentTable,
		PartitionKey: Key{Name: "pk", Type: "S"},
		SortKey:      Key{Name: "sk", Type: "S"},
		Indexes: []Index{
			// The console's lists (issue 10): every candidate newest first
			// (listPk "CANDIDATES"), and the consents in each state, latest
			// change first (listPk "STATE#<state>"). Sparse: only those items
			// carry listPk.
			{Name: ListIndex, PartitionKey: Key{Name: "listPk", Type: "S"}, SortKey: Key{Name: "listSk", Type: "S"}},
			// Artifacts by deadline (issue 8). Sparse: only artifacts with a
			// deadline that are not erased.
			{Name: DueIndex, PartitionKey: Key{Name: "dueShard", Type: "S"}, SortKey: Key{Name: "deleteBy", Type: "S"}},
			// Talent-pool consent by when its renewal is asked (issue 9):
			// 30 days before it expires. Sparse: only given consent that
			// renews, until the reminder is sent.
			{Name: RenewalIndex, PartitionKey: Key{Name: "renewShard", Type: "S"}, SortKey: Key{Name: "renewAt", Type: "S"}},
			// Interviews scheduled in advance by when their candidate is
			// asked, the day before (issue 13). Sparse: only interviews not
			// yet asked about.
			{Name: AskIndex, PartitionKey: Key{Name: "askShard", Type: "S"}, SortKey: Key{Name: "askAt", Type: "S"}},
		},
	},
	Audit: Table{
		Name:         "audit",
		PartitionKey: Key{Name: "candidateId", Type: "S"},
		SortKey:      Key{Name: "seq", Type: "N"},
	},
	Buckets: []Bucket{
		{Name: CVBucket, Description: "Candidates' CVs"},
		{Name: RecordingBucket, Description: "Interview recordings"},
	},
	Settings: []SettingDef{
		{Name: SettingSenderEmail, Description: "The verified SES address candidates get email from", Default: "consent@example.com"},
		{Name: SettingPublicBaseURL, Description: "Base URL of the candidate pages (empty: the HTTP API's own URL)", Default: ""},
		{Name: SettingControllerName, Description: "The data controller named on every page and receipt", Default: "Example Recruiting Ltd"},
		{Name: SettingControllerContact, Description: "Where candidates reach the controller about their data", Default: "privacy@example.com"},
		{Name: SettingNoticeVersion, Description: "Version of the privacy notice candidates consent under", Default: "2026-11-01"},
		{Name: SettingNoticeURL, Description: "Where the privacy notice of that version is published", Default: "https://example.com/privacy"},
		{Name: SettingLinkValidityDays, Description: "Days a consent link stays valid", Default: "30"},
		{Name: SettingRetentionDays, Description: "Retention in days per purpose, as purpose=days pairs", Default: "talent_pool=730,interview_recording=180,call_recording=90"},
		// Artifacts.
		{Name: SettingApplicationRetention, Description: "How long a CV is kept after its application closes, an ISO 8601 period (Germany P6M, the Netherlands P4W, France P2Y)", Default: "P6M"},
		{Name: SettingRecordingRetention, Description: "How long a recording is kept after its upload, an ISO 8601 period", Default: "P90D"},
		{Name: SettingSweepSchedule, Description: "How often the sweep starts the erasure of what fell due, an EventBridge Scheduler expression", Default: "rate(15 minutes)"},
		{Name: SettingErasureDigestDays, Description: "Days ahead the daily erasure digest to the controller's contact looks", Default: "7"},
		{Name: SettingObjectionGraceDays, Description: "Days the recruiter has to record compelling grounds against a candidate's objection before the application closes", Default: "30"},
		{Name: SettingJoinLinkHours, Description: "Hours a join-time link (the recording gate's link and QR code for the candidate) works: the interview's length and a margin", Default: "2"},
		// Receipts (Kantara CR v1.1 names the controller's address and phone).
		{Name: SettingControllerAddress, Description: "The controller's postal address, as receipts name it", Default: "1 Example Street, 811 01 Bratislava, Slovakia"},
		{Name: SettingControllerPhone, Description: "The controller's phone number, as receipts name it", Default: "+421 2 0000 0000"},
		// Complaint (GDPR Art. 77).
		{Name: SettingSupervisoryAuthority, Description: "The supervisory authority candidates can complain to, named on every candidate page and email", Default: "Úrad na ochranu osobných údajov Slovenskej republiky"},
		{Name: SettingSupervisoryAuthorityURL, Description: "The supervisory authority's web site, linked beside its name", Default: "https://dataprotection.gov.sk"},
	},
	// Receipts: the key that signs them (kms:Sign for the sender only,
	// kms:GetPublicKey for the JWKS and verification functions only).
	SigningKeys: []SigningKey{
		{Name: ReceiptKey, Description: "Signs consent receipts (ES256); retained, so old receipts keep verifying"},
	},
	// Deployment secrets (generated; never set by hand).
	Secrets: []Secret{
		{Name: NetworkHashSecret, Description: "Key of the keyed hash of candidates' client networks in audit events"},
	},
	// With the candidate edge on (AWS only), the candidate routes answer
	// only requests that came through CloudFront.
	Edge: Edge{
		PathPrefixes: CandidatePathPrefixes,
		Header:       EdgeOriginHeader,
		Secret:       Secret{Name: EdgeOriginSecret, Description: "Value of the header CloudFront sends the candidate routes, which their authorizer checks"},
		Authorizer: Function{
			Name:         EdgeAuthorizer,
			Description:  "Lets only requests that came through CloudFront (the origin header) reach the candidate routes",
			Env:          map[string]Ref{"EDGE_SECRET_ARN": {Kind: SecretArn, Name: EdgeOriginSecret}},
			ReadsSecrets: []string{EdgeOriginSecret},
		},
	},
	Functions: []Function{
		{
			Name:        "register-candidate",
			Description: "Registers a candidate for a recruiter",
			Env:         env(table()),
			Tables:      tables(GetItem, PutItem),
		},
		{
			Name:        "request-consent",
			Description: "Starts a consent request workflow for a candidate",
			Env: env(table(), map[string]Ref{
				"CONSENT_REQUEST_STATE_MACHINE_ARN": {Kind: WorkflowArn, Name: ConsentRequestWorkflow},
			}),
			Tables: tables(GetItem),
			Starts: []string{ConsentRequestWorkflow},
		},
		{
			Name:        "list-consents",
			Description: "Shows the state of each of a candidate's consents",
			Env:         env(table()),
			Tables:      tables(GetItem, Query),
		},
		// The audit trail (issue 7/9): events in seq order with the
		// verification of their hash chain.
		{
			Name:        "show-audit-trail",
			Description: "Shows a candidate's audit events and whether their hash chain verifies",
			Env:         env(table()),
			Tables:      tables(GetItem, Query),
			Audit:       Read,
		},
		{
			Name:        "show-consent-page",
			Description: "Shows a candidate what they are asked to consent to",
			Env:         env(table(), notice()),
			Tables:      tables(GetItem),
		},
		{
			Name:        "record-decision",
			Description: "Records a candidate's decision and hands it back to the waiting workflow",
			Env: env(table(), notice(), retention(), erasureWorkflow(), map[string]Ref{
				"NETWORK_HASH_SECRET_ARN": {Kind: SecretArn, Name: NetworkHashSecret},
			}),
			Tables:       tables(GetItem, Query, PutItem, UpdateItem),
			Audit:        Append,
			AnswersTasks: []string{ConsentRequestWorkflow},
			// A refusal of a given consent is a withdrawal: erasure at once.
			Starts:       []string{ErasureWorkflow},
			ReadsSecrets: []string{NetworkHashSecret},
		},
		{
			Name:        "record-consent-request",
			Description: "Records that consent was requested for each purpose",
			Env:         env(table(), notice()),
			Tables:      tables(GetItem, Query, PutItem, UpdateItem),
			Audit:       Append,
		},
		{
			Name:        "send-consent-link",
			Description: "Emails a candidate a personal consent link and parks the workflow's task token",
			Env:         env(table(), notice(), mail()),
			// Query: the candidate's open applications, named in the email.
			Tables:     tables(GetItem, Query, PutItem, UpdateItem, DeleteItem),
			SendsEmail: true,
		},
		{
			Name:        "send-consent-receipt",
			Description: "Emails a candidate the signed receipt of their decision",
			Env:         env(table(), notice(), mail(), receiptKey()),
			// Marks the receipt sent and clears what was owed (store.ReceiptSent).
			Tables:     tables(GetItem, PutItem, UpdateItem, DeleteItem),
			SendsEmail: true,
			Signs:      []string{ReceiptKey},
		},
		{
			Name:        "expire-consent-request",
			Description: "Marks an unanswered consent request as expired",
			Env:         env(table(), notice(), retention()),
			Tables:      tables(GetItem, Query, PutItem, UpdateItem),
			Audit:       Append,
		},
		// The sweep of owed receipts (issue 7): answers whose hand-over was
		// lost are handed to the workflow still waiting.
		{
			Name:        "redrive-consent-requests",
			Description: "Hands answers whose hand-over was lost to the workflows still waiting, and sends receipts no workflow sends any more",
			Env:         env(table(), map[string]Ref{"CONSENT_RECEIPT_STATE_MACHINE_ARN": {Kind: WorkflowArn, Name: ConsentReceiptWorkflow}}),
			// UpdateItem: notes when no workflow waited for an owed receipt.
			Tables:       tables(GetItem, Query, UpdateItem),
			AnswersTasks: []string{ConsentRequestWorkflow},
			Starts:       []string{ConsentReceiptWorkflow},
		},
		// Receipts: the public key and a check anyone can run.
		{
			Name:            "publish-receipt-keys",
			Description:     "Publishes the public key of receipt signatures as a JWKS",
			Env:             receiptKey(),
			ReadsPublicKeys: []string{ReceiptKey},
		},
		{
			Name:            "verify-receipt",
			Description:     "Tells whether a consent receipt and its signature are genuine",
			Env:             receiptKey(),
			ReadsPublicKeys: []string{ReceiptKey},
		},
		// The recruiters' console (issue 10).
		{
			Name:        "serve-console",
			Description: "Serves the recruiters' console: sign-in, candidates and their consents, and actions through the API",
			Env: env(table(), map[string]Ref{
				"API_URL":              {Kind: APIURL},
				"SIGNIN_ISSUER":        {Kind: SignIn, Name: SignInIssuer},
				"SIGNIN_CLIENT_ID":     {Kind: SignIn, Name: SignInClientID},
				"SIGNIN_AUTHORIZE_URL": {Kind: SignIn, Name: SignInAuthorizeURL},
				"SIGNIN_TOKEN_URL":     {Kind: SignIn, Name: SignInTokenURL},
				"SIGNIN_LOGOUT_URL":    {Kind: SignIn, Name: SignInLogoutURL},
				"SIGNIN_JWKS_URL":      {Kind: SignIn, Name: SignInJWKSURL},
			}, digestDays()),
			// Reads only: every change goes through the API with the recruiter's token.
			Tables: tables(GetItem, Query),
			Audit:  Read,
		},
		// Applications, CVs and recordings.
		{
			Name:        "open-application",
			Description: "Opens an application, the basis that keeps a CV",
			Env:         env(table(), retention()),
			Tables:      tables(GetItem, Query, PutItem, UpdateItem),
			Audit:       Append,
		},
		{
			Name:        "close-application",
			Description: "Closes an application and recomputes its CVs' deadlines",
			Env:         env(table(), retention()),
			Tables:      tables(GetItem, Query, PutItem, UpdateItem),
			Audit:       Append,
		},
		{
			Name:        "authorize-document",
			Description: "Allows one CV upload with a presigned POST for one key",
			Env: env(table(), retention(), map[string]Ref{
				"CV_BUCKET":       {Kind: BucketName, Name: CVBucket},
				"PUBLIC_BASE_URL": {Kind: Setting, Name: SettingPublicBaseURL}, // the console a browser upload returns to
			}),
			Tables:      tables(GetItem, Query, PutItem, UpdateItem),
			Audit:       Append,
			Buckets:     map[string][]BucketAction{CVBucket: {PutObject}},
			KeyPrefixes: map[string]string{CVBucket: CVPrefix},
		},
		{
			Name:        "show-document",
			Description: "Gives a short-lived download link of a CV that is not due",
			Env:         env(table()),
			Tables:      tables(GetItem),
			// A presigned GET of the registered version.
			Buckets:     map[string][]BucketAction{CVBucket: {GetObjectVersion}},
			KeyPrefixes: map[string]string{CVBucket: CVPrefix},
		},
		{
			Name:        "authorize-recording",
			Description: "The recording gate: allows an upload only with the candidate's consent, else asks for it",
			Env: env(table(), notice(), retention(), map[string]Ref{
				"RECORDING_BUCKET":                  {Kind: BucketName, Name: RecordingBucket},
				"CONSENT_REQUEST_STATE_MACHINE_ARN": {Kind: WorkflowArn, Name: ConsentRequestWorkflow},
				"JOIN_LINK_HOURS":                   {Kind: Setting, Name: SettingJoinLinkHours},
			}),
			Tables:      tables(GetItem, Query, PutItem, UpdateItem),
			Audit:       Append,
			Starts:      []string{ConsentRequestWorkflow},
			Buckets:     map[string][]BucketAction{RecordingBucket: {PutObject}},
			KeyPrefixes: map[string]string{RecordingBucket: RecordingPrefix},
		},
		{
			Name:        "list-recordings",
			Description: "Lists a candidate's recordings with their status and deadline",
			Env:         env(table()),
			Tables:      tables(GetItem, Query),
		},
		{
			Name:        "register-upload",
			Description: "Registers an upload from its S3 event, or removes an object nobody authorized",
			Env: env(table(), notice(), mail(), retention(), map[string]Ref{
				"CV_BUCKET":        {Kind: BucketName, Name: CVBucket},
				"RECORDING_BUCKET": {Kind: BucketName, Name: RecordingBucket},
			}),
			Tables:     tables(GetItem, Query, PutItem, UpdateItem),
			Audit:      Append,
			SendsEmail: true,
			// HEAD of the version that arrived; removal of the versions
			// nobody authorized, listed first and again until none is left.
			Buckets: map[string][]BucketAction{
				CVBucket:        {GetObjectVersion, ListBucketVersions, DeleteObjectVersion},
				RecordingBucket: {GetObjectVersion, ListBucketVersions, DeleteObjectVersion},
			},
		},
		// Retention expiry (issue 9): renewal reminders and the digest of
		// what will be erased, both from sparse indexes, by the schedule's
		// time.
		{
			Name:        "remind-consent-renewals",
			Description: "Asks candidates to renew talent-pool consent 30 days before it expires, by starting a consent request",
			Env: env(table(), map[string]Ref{
				"CONSENT_REQUEST_STATE_MACHINE_ARN": {Kind: WorkflowArn, Name: ConsentRequestWorkflow},
			}),
			// Query of the renewal index; the conditional removal of its keys.
			Tables: tables(Query, UpdateItem),
			Starts: []string{ConsentRequestWorkflow},
		},
		{
			Name:        "send-erasure-digest",
			Description: "Emails the controller's privacy contact the CVs and recordings to be erased in the coming days",
			Env:         env(table(), notice(), mail(), digestDays()),
			Tables:      tables(Query),
			SendsEmail:  true,
		},
		// Withdrawal and erasure for recruiters (issue 9).
		{
			Name:        "withdraw-consent",
			Description: "Records a withdrawal that came by email, phone or letter, and starts erasure at once",
			Env:         env(table(), retention(), erasureWorkflow()),
			Tables:      tables(GetItem, Query, PutItem, UpdateItem),
			Audit:       Append,
			Starts:      []string{ErasureWorkflow},
		},
		// The other rights (issue 13): rectification, restriction and
		// objection, answered by the recruiter and emailed to the
		// candidate.
		{
			Name:        "answer-rights-request",
			Description: "Restricts processing or lifts it, and confirms or declines rectifications and objections, for a recruiter",
			Env:         env(table(), notice(), mail(), retention()),
			// Restriction and decisions go through the store's change path;
			// the list is a Query of the candidate's partition.
			Tables:     tables(GetItem, Query, PutItem, UpdateItem),
			Audit:      Append,
			SendsEmail: true,
		},
		// The objection sweep (issue 13): objections past their grace
		// period close their application, from the sparse list index.
		{
			Name:        "close-objected-applications",
			Description: "Closes the application of every objection whose grace period ended without compelling grounds, and emails the candidate",
			Env: env(table(), notice(), mail(), retention(), map[string]Ref{
				"OBJECTION_GRACE_DAYS": {Kind: Setting, Name: SettingObjectionGraceDays},
			}),
			// Query of the list index; the uphold goes through the store's
			// change path (the closed application's CV deadlines).
			Tables:     tables(GetItem, Query, PutItem, UpdateItem),
			Audit:      Append,
			SendsEmail: true,
		},
		{
			Name:        "erase-candidate",
			Description: "Records a request to erase everything about a candidate and starts the erasure",
			Env:         env(table(), erasureWorkflow()),
			Tables:      tables(GetItem, Query, PutItem, UpdateItem),
			Audit:       Append,
			Starts:      []string{ErasureWorkflow},
		},
		// Erasure (issue 9): the sweep of the due index, and the erasure
		// workflow's steps.
		{
			Name:        "sweep-due-artifacts",
			Description: "Starts the erasure of every artifact due by the schedule's time, and restarts stalled requests to erase everything",
			Env:         env(table(), erasureWorkflow()),
			Tables:      tables(Query),
			Starts:      []string{ErasureWorkflow},
		},
		{
			Name:        "begin-erasure",
			Description: "Marks an artifact as being erased while it is still due",
			Env:         env(table()),
			Tables:      tables(GetItem, UpdateItem),
			Audit:       Append,
		},
		{
			Name:        "delete-object-versions",
			Description: "Deletes every version and delete marker of an artifact's object, and lists again until none is left",
			Buckets: map[string][]BucketAction{
				CVBucket:        {ListBucketVersions, DeleteObjectVersion},
				RecordingBucket: {ListBucketVersions, DeleteObjectVersion},
			},
		},
		{
			Name:        "complete-erasure",
			Description: "Marks an artifact erased, redacts it and writes its tombstone",
			Env:         env(table(), map[string]Ref{"NOTICE_VERSION": {Kind: Setting, Name: SettingNoticeVersion}}),
			Tables:      tables(GetItem, UpdateItem),
			Audit:       Append,
		},
		{
			Name:        "record-erasure-failure",
			Description: "Marks an artifact whose erasure gave up as erasure_failed, for the next sweep",
			Env:         env(table()),
			Tables:      tables(GetItem, UpdateItem),
			Audit:       Append,
		},
		{
			Name:        "send-erasure-notice",
			Description: "Emails the candidate that their data was erased, and the recruiting team to stop using copies",
			Env:         env(table(), notice(), mail()),
			// Mints the candidate's manage link that the notice carries.
			Tables:     tables(GetItem, PutItem, UpdateItem),
			SendsEmail: true,
		},
		{
			Name:        "erase-profile",
			Description: "Erases a candidate's profile once every artifact is erased",
			Env:         env(table()),
			Tables:      tables(GetItem, Query, UpdateItem),
			Audit:       Append,
		},
		// The data-subject export (GDPR Art. 15 access, Art. 20 portability).
		{
			Name:        "export-candidate-data",
			Description: "Exports everything held about a candidate, with short-lived download links of their files, and records the export",
			Env: env(table(), map[string]Ref{
				"CV_BUCKET":        {Kind: BucketName, Name: CVBucket},
				"RECORDING_BUCKET": {Kind: BucketName, Name: RecordingBucket},
			}),
			// Reads the candidate's partition and the requests its trail
			// names; the export's event bumps the candidate's version
			// (UpdateItem) and is appended to the audit table.
			Tables: tables(GetItem, Query, UpdateItem),
			Audit:  Append,
			// A presigned GET of each file's registered version.
			Buckets: map[string][]BucketAction{
				CVBucket:        {GetObjectVersion},
				RecordingBucket: {GetObjectVersion},
			},
			KeyPrefixes: map[string]string{CVBucket: CVPrefix, RecordingBucket: RecordingPrefix},
		},
		// The candidate's own manage page (issue 9).
		{
			Name:        "show-manage-page",
			Description: "Shows a candidate what is held about them, until when and why, and the button that confirms an erasure",
			Env:         env(table(), notice()),
			Tables:      tables(GetItem, Query),
		},
		{
			Name:        "manage-data",
			Description: "Withdraws a candidate's consent, emails them their data, erases everything once confirmed, and records their rectification, restriction and objection requests",
			Env: env(table(), notice(), mail(), retention(), erasureWorkflow(), map[string]Ref{
				"CV_BUCKET":            {Kind: BucketName, Name: CVBucket},
				"RECORDING_BUCKET":     {Kind: BucketName, Name: RecordingBucket},
				"OBJECTION_GRACE_DAYS": {Kind: Setting, Name: SettingObjectionGraceDays},
			}),
			// Withdrawal, export and erasure go through the store's change
			// path; the erasure confirmation is a link item (PutItem).
			Tables:     tables(GetItem, Query, PutItem, UpdateItem),
			Audit:      Append,
			Starts:     []string{ErasureWorkflow},
			SendsEmail: true,
			// A presigned GET of each file's registered version, in the
			// emailed export.
			Buckets: map[string][]BucketAction{
				CVBucket:        {GetObjectVersion},
				RecordingBucket: {GetObjectVersion},
			},
			KeyPrefixes: map[string]string{CVBucket: CVPrefix, RecordingBucket: RecordingPrefix},
		},
		// Join-time consent (issue 13): the candidate's link and QR code
		// when the gate awaits consent, the recruiter's wait for the
		// answer, and interviews scheduled in advance.
		{
			Name:        "show-join-page",
			Description: "Shows a candidate joining an interview whether it may be recorded, and the link's QR code",
			Env:         env(table(), notice()),
			Tables:      tables(GetItem),
		},
		{
			Name:        "record-join-decision",
			Description: "Records a candidate's answer on the join-time page and hands it back to the waiting workflow",
			Env: env(table(), notice(), retention(), erasureWorkflow(), map[string]Ref{
				"NETWORK_HASH_SECRET_ARN": {Kind: SecretArn, Name: NetworkHashSecret},
			}),
			Tables:       tables(GetItem, Query, PutItem, UpdateItem),
			Audit:        Append,
			AnswersTasks: []string{ConsentRequestWorkflow},
			// Don't record, after consent was given, is a withdrawal.
			Starts:       []string{ErasureWorkflow},
			ReadsSecrets: []string{NetworkHashSecret},
		},
		{
			Name:        "await-recording-consent",
			Description: "Tells whether a recording awaiting consent may start, waiting up to 25 seconds for the candidate's answer",
			// Long polling: up to 25 s of waiting, within API Gateway's 30 s.
			Timeout: 29 * time.Second,
			Env:     env(table(), map[string]Ref{"NOTICE_VERSION": {Kind: Setting, Name: SettingNoticeVersion}}),
			Tables:  tables(GetItem, Query),
		},
		{
			Name:        "schedule-interview",
			Description: "Schedules an interview, whose candidate is asked for consent to record it the day before",
			Env:         env(table()),
			Tables:      tables(GetItem, PutItem),
		},
		{
			Name:        "ask-before-interviews",
			Description: "Asks candidates the day before a scheduled interview whether it may be recorded, by starting a consent request",
			Env: env(table(), map[string]Ref{
				"CONSENT_REQUEST_STATE_MACHINE_ARN": {Kind: WorkflowArn, Name: ConsentRequestWorkflow},
				"NOTICE_VERSION":                    {Kind: Setting, Name: SettingNoticeVersion},
			}),
			// Query of the ask index and of the candidate's consents; the
			// removal of the ask keys.
			Tables: tables(Query, UpdateItem),
			Starts: []string{ConsentRequestWorkflow},
		},
	},
	Rules: []Rule{
		{
			Name:        UploadRule,
			Description: "Every object created in the CV and recording buckets, to register or remove it",
			DetailType:  "Object Created",
			Buckets:     []string{CVBucket, RecordingBucket},
			Function:    "register-upload",
		},
	},
	Routes: []Route{
		{Method: "POST", Path: "/api/candidates", Function: "register-candidate", Auth: Recruiter},
		{Method: "POST", Path: "/api/candidates/{id}/consent-requests", Function: "request-consent", Auth: Recruiter},
		{Method: "GET", Path: "/api/candidates/{id}/consents", Function: "list-consents", Auth: Recruiter},
		{Method: "GET", Path: "/api/candidates/{id}/audit", Function: "show-audit-trail", Auth: Recruiter},
		{Method: "GET", Path: "/c/{token}", Function: "show-consent-page", Auth: Public},
		{Method: "POST", Path: "/c/{token}", Function: "record-decision", Auth: Public},
		// Applications, CVs and recordings.
		{Method: "POST", Path: "/api/candidates/{id}/applications", Function: "open-application", Auth: Recruiter},
		{Method: "POST", Path: "/api/candidates/{id}/applications/{applicationId}/close", Function: "close-application", Auth: Recruiter},
		{Method: "POST", Path: "/api/candidates/{id}/documents", Function: "authorize-document", Auth: Recruiter},
		{Method: "GET", Path: "/api/candidates/{id}/documents/{documentId}", Function: "show-document", Auth: Recruiter},
		{Method: "POST", Path: "/api/candidates/{id}/recordings", Function: "authorize-recording", Auth: Recruiter},
		{Method: "GET", Path: "/api/candidates/{id}/recordings", Function: "list-recordings", Auth: Recruiter},
		{Method: "GET", Path: "/api/candidates/{id}/recordings/authorizations/{authorizationId}", Function: "await-recording-consent", Auth: Recruiter},
		{Method: "POST", Path: "/api/candidates/{id}/interviews", Function: "schedule-interview", Auth: Recruiter},
		// Withdrawal and erasure.
		{Method: "POST", Path: "/api/candidates/{id}/consents/{purpose}/withdraw", Function: "withdraw-consent", Auth: Recruiter},
		{Method: "DELETE", Path: "/api/candidates/{id}", Function: "erase-candidate", Auth: Recruiter},
		// The other rights (GDPR Art. 16, 18, 21).
		{Method: "GET", Path: "/api/candidates/{id}/rights", Function: "answer-rights-request", Auth: Recruiter},
		{Method: "POST", Path: "/api/candidates/{id}/restriction", Function: "answer-rights-request", Auth: Recruiter},
		{Method: "POST", Path: "/api/candidates/{id}/rectifications/{requestId}", Function: "answer-rights-request", Auth: Recruiter},
		{Method: "POST", Path: "/api/candidates/{id}/objections/{requestId}", Function: "answer-rights-request", Auth: Recruiter},
		{Method: "GET", Path: "/api/candidates/{id}/export", Function: "export-candidate-data", Auth: Recruiter},
		// The candidate's manage page.
		{Method: "GET", Path: "/m/{token}", Function: "show-manage-page", Auth: Public},
		{Method: "POST", Path: "/m/{token}", Function: "manage-data", Auth: Public},
		{Method: "GET", Path: "/m/{token}/erase/{confirm}", Function: "show-manage-page", Auth: Public},
		{Method: "POST", Path: "/m/{token}/erase/{confirm}", Function: "manage-data", Auth: Public},
		// The join-time link.
		{Method: "GET", Path: "/j/{token}", Function: "show-join-page", Auth: Public},
		{Method: "GET", Path: "/j/{token}/qr.svg", Function: "show-join-page", Auth: Public},
		{Method: "POST", Path: "/j/{token}", Function: "record-join-decision", Auth: Public},
		// Receipts.
		{Method: "GET", Path: "/.well-known/jwks.json", Function: "publish-receipt-keys", Auth: Public},
		{Method: "POST", Path: "/receipts/verify", Function: "verify-receipt", Auth: Public},
		// The console signs recruiters in itself (a session cookie) and calls
		// the recruiter routes above with their token.
		{Method: "GET", Path: "/console", Function: "serve-console", Auth: Public},
		{Method: "GET", Path: "/console/{path+}", Function: "serve-console", Auth: Public},
		{Method: "POST", Path: "/console/{path+}", Function: "serve-console", Auth: Public},
	},
	Schedules: []Schedule{
		{
			Name: SweepSchedule, Function: "sweep-due-artifacts", Expression: "rate(15 minutes)", Setting: SettingSweepSchedule,
			Input: `{"scheduledTime":"` + ScheduledTime + `"}`,
		},
		{
			Name: RedriveSchedule, Function: "redrive-consent-requests", Expression: "rate(15 minutes)",
			Input: `{"scheduledTime":"` + ScheduledTime + `"}`,
		},
		// Daily: a reminder 30 days ahead and a digest 7 days ahead need no
		// finer grain, and a day's run is 16 small Queries.
		{
			Name: RenewalSchedule, Function: "remind-consent-renewals", Expression: "rate(1 day)",
			Input: `{"scheduledTime":"` + ScheduledTime + `"}`,
		},
		{
			Name: DigestSchedule, Function: "send-erasure-digest", Expression: "rate(1 day)",
			Input: `{"scheduledTime":"` + ScheduledTime + `"}`,
		},
		// Hourly: a grace period ends at a time the candidate was told,
		// and each run is two small Queries of the list index.
		{
			Name: ObjectionSchedule, Function: "close-objected-applications", Expression: "rate(1 hour)",
			Input: `{"scheduledTime":"` + ScheduledTime + `"}`,
		},
		// Hourly: asked the day before, give or take an hour.
		{
			Name: AskSchedule, Function: "ask-before-interviews", Expression: "rate(1 hour)",
			Input: `{"scheduledTime":"` + ScheduledTime + `"}`,
		},
	},
	Workflows: []Workflow{
		{
			Name:        ConsentReceiptWorkflow,
			Description: "Sends a receipt still owed after its consent-request workflow ended without sending it",
			Standard:    true,
			Functions:   []string{"send-consent-receipt"},
		},
		{
			Name:        ErasureWorkflow,
			Description: "Erases artifacts whose legal basis ended, every version, with tombstones and notices",
			Standard:    true,
			Functions: []string{
				"begin-erasure",
				"delete-object-versions",
				"complete-erasure",
				"record-erasure-failure",
				"send-erasure-notice",
				"erase-profile",
			},
		},
		{
			Name:        ConsentRequestWorkflow,
			Description: "Asks a candidate for consent, waits for the answer and sends the receipt",
			Standard:    true,
			Functions: []string{
				"record-consent-request",
				"send-consent-link",
				"send-consent-receipt",
				"expire-consent-request",
			},
		},
	},
}

// DefaultTimeout and DefaultMemoryMB apply where a Function leaves them zero.
const (
	DefaultTimeout  = 10 * time.Second
	DefaultMemoryMB = 256
)

// tables grants the app table exactly actions (see Function.Tables).
func tables(actions ...TableAction) map[string][]TableAction {
	return map[string][]TableAction{ConsentTable: actions}
}

func table() map[string]Ref {
	return map[string]Ref{"TABLE_NAME": {Kind: TableName}, "AUDIT_TABLE_NAME": {Kind: AuditTableName}}
}

func notice() map[string]Ref {
	return map[string]Ref{
		"CONTROLLER_NAME":    {Kind: Setting, Name: SettingControllerName},
		"CONTROLLER_CONTACT": {Kind: Setting, Name: SettingControllerContact},
		"NOTICE_VERSION":     {Kind: Setting, Name: SettingNoticeVersion},
		"NOTICE_URL":         {Kind: Setting, Name: SettingNoticeURL},
		"CONTROLLER_ADDRESS": {Kind: Setting, Name: SettingControllerAddress},
		"CONTROLLER_PHONE":   {Kind: Setting, Name: SettingControllerPhone},
		"RETENTION_DAYS":     {Kind: Setting, Name: SettingRetentionDays},
		"PUBLIC_BASE_URL":    {Kind: Setting, Name: SettingPublicBaseURL},
		"LINK_VALIDITY_DAYS": {Kind: Setting, Name: SettingLinkValidityDays},

		"SUPERVISORY_AUTHORITY":     {Kind: Setting, Name: SettingSupervisoryAuthority},
		"SUPERVISORY_AUTHORITY_URL": {Kind: Setting, Name: SettingSupervisoryAuthorityURL},
	}
}

func retention() map[string]Ref {
	return map[string]Ref{
		"APPLICATION_RETENTION": {Kind: Setting, Name: SettingApplicationRetention},
		"RECORDING_RETENTION":   {Kind: Setting, Name: SettingRecordingRetention},
	}
}

func erasureWorkflow() map[string]Ref {
	return map[string]Ref{"ERASURE_STATE_MACHINE_ARN": {Kind: WorkflowArn, Name: ErasureWorkflow}}
}

func mail() map[string]Ref {
	return map[string]Ref{
		"SENDER_EMAIL": {Kind: Setting, Name: SettingSenderEmail},
	}
}

// digestDays is the erasure window: the digest's, and the console's
// "to be erased on" marks.
func digestDays() map[string]Ref {
	return map[string]Ref{"ERASURE_DIGEST_DAYS": {Kind: Setting, Name: SettingErasureDigestDays}}
}

func receiptKey() map[string]Ref {
	return map[string]Ref{"RECEIPT_KEY_ARN": {Kind: SigningKeyArn, Name: ReceiptKey}}
}

func env(parts ...map[string]Ref) map[string]Ref {
	m := map[string]Ref{}
	for _, p := range parts {
		for k, v := range p {
			m[k] = v
		}
	}
	return m
}
