// Package locale holds the words candidates read, in each supported language.
// A Messages value is complete by construction: a missing translation is a
// compile error, not an English fallback at run time.
package locale

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
)

// Messages is every sentence of the candidate pages and emails in one language.
type Messages struct {
	Lang string

	// Page
	PageTitle       string
	Intro           string // %s: controller
	Purpose         string
	Data            string
	Retention       string
	RetentionDays   string // %d: days
	LegalBasis      string
	ConsentBasis    string // GDPR Art. 6(1)(a), as the candidate's language cites it
	Notice          string
	NoticeLink      string // %s: version
	Withdraw        string
	WithdrawHow     string // %s: contact
	Grant           string
	Decline         string
	Submit          string
	ChooseEach      string
	Thanks          string
	ThanksDetail    string
	AlreadyAnswered string
	Expired         string
	ExpiredDetail   string
	NotFound        string
	NotFoundDetail  string
	InvalidAnswer   string
	YouGave         string
	YouRefused      string
	YouWithdrew     string
	TryAgain        string

	// Email
	InviteSubject  string // %s: controller
	InviteGreeting string // %s: name
	InviteBody     string // %s: controller
	InviteLink     string
	InviteExpiry   string // %s: date
	ReceiptSubject string // %s: controller
	ReceiptBody    string
	ReceiptID      string
	ReceiptTime    string
	Controller     string
	Signature      string // %s: controller

	// Email when a recording arrives
	RecordingSubject string // %s: controller
	RecordingBody    string // %s: controller, %s: what was recorded, %s: date
	RecordingKept    string // %s: date
	RecordingKinds   map[string]string
	// Email when data was erased.
	ErasedSubject    string // %s: controller
	ErasedArtifacts  string // %s: controller, %s: what, %s: date
	ErasedEverything string // %s: controller, %s: date
	ErasedKept       string
	ArtifactNames    map[string]string // by artifact kind
	ErasedWhy        map[string]string // by erasure reason
	// Receipt email: the attachments, the signature, dates written the
	// local way (Date).
	ReceiptAttached string // %s: the public key's URL
	ErasureBody     string // the receipt body of an erasure
	ValidUntil      string // %s: date
	Months          [12]string
	DateFormat      string // {day} {month} {year} {time}; times are UTC

	PurposeNames        map[consent.Purpose]string
	PurposeDescriptions map[consent.Purpose]string
	Categories          map[string]string
	States              map[consent.State]string

	// Language switcher, dead ends and the invitation's purposes.
	LanguageName  string // the language's name in itself ("Deutsch")
	LanguageLabel string // "Language", naming the switcher
	ContactLine   string // %s: controller, %s: contact
	// Complaint introduces the supervisory authority (GDPR Art. 77),
	// named and linked after it, beside the controller's contact.
	Complaint      string
	ExpiredNext    string // %s: contact
	NotFoundNext   string // %s: contact
	AnsweredNext   string // %s: contact
	InvitePurposes string // before the list of purposes asked
	InvitePosition string // %s: the position(s) of the candidate's open applications

	// The invitation of a renewal: given consent expires soon.
	RenewSubject  string // %s: controller
	RenewBody     string // %s: controller, %s: the date the consent expires
	RenewNoAnswer string // %s: the date the consent expires

	// The candidate's manage page and its emails.
	Manage ManageMessages
	// The emails about rectification, restriction and objection.
	Rights RightsMessages
	// The join-time page.
	Join JoinMessages
}

// Date writes a time the local way, in UTC: "2 December 2026, 13:20 UTC",
// "2. Dezember 2026, 13:20 Uhr UTC". A language without month names gets
// "2026-12-02 13:20 UTC".
func (m Messages) Date(t time.Time) string {
	t = t.UTC()
	if m.DateFormat == "" || m.Months[0] == "" {
		return t.Format("2006-01-02 15:04 UTC")
	}
	return strings.NewReplacer(
		"{day}", strconv.Itoa(t.Day()), "{month}", m.Months[t.Month()-1],
		"{year}", strconv.Itoa(t.Year()), "{time}", t.Format("15:04"),
	).Replace(m.DateFormat)
}

// For returns the messages of a supported language, English otherwise.
func For(lang string) Messages {
	if m, ok := catalog[lang]; ok {
		return m
	}
	return catalog["en"]
}

var catalog = map[string]Messages{"en": en, "de": de, "fr": fr, "sk": sk, "cs": cs}

// Check reports a language whose messages miss a sentence, purpose,
// category or state.
func Check() error {
	for _, lang := range consent.Locales {
		m, ok := catalog[lang]
		if !ok {
			return fmt.Errorf("no messages for locale %s", lang)
		}
		for _, v := range []reflect.Value{reflect.ValueOf(m), reflect.ValueOf(m.Manage), reflect.ValueOf(m.Rights), reflect.ValueOf(m.Join)} {
			for i := 0; i < v.NumField(); i++ {
				if f := v.Field(i); f.Kind() == reflect.String && f.String() == "" {
					return fmt.Errorf("%s: %s is not translated", lang, v.Type().Field(i).Name)
				}
			}
		}
		for _, p := range consent.Purposes() {
			info, _ := p.Info()
			if m.PurposeNames[p] == "" || m.PurposeDescriptions[p] == "" {
				return fmt.Errorf("%s: purpose %s has no name or description", lang, p)
			}
			for _, c := range info.PIICategories {
				if m.Categories[c] == "" {
					return fmt.Errorf("%s: no label for data category %s", lang, c)
				}
			}
		}
		for _, s := range []consent.State{consent.Requested, consent.Given, consent.Refused, consent.Withdrawn, consent.Expired} {
			if m.States[s] == "" {
				return fmt.Errorf("%s: no label for state %s", lang, s)
			}
		}
	}
	return nil
}

var en = Messages{
	Join:             enJoin,
	Manage:           enManage,
	Rights:           enRights,
	Lang:             "en",
	PageTitle:        "Your consent",
	Intro:            "%s asks for your consent to use your personal data as described below. You decide for each purpose; saying no has no effect on your application.",
	Purpose:          "Purpose",
	Data:             "Data used",
	Retention:        "How long it is kept",
	RetentionDays:    "%d days from your consent, unless you withdraw it sooner",
	LegalBasis:       "Legal basis",
	ConsentBasis:     "your consent (GDPR Art. 6(1)(a))",
	Notice:           "Privacy notice",
	NoticeLink:       "Privacy notice, version %s",
	Withdraw:         "Withdrawing consent",
	WithdrawHow:      "You can withdraw your consent at any time, as easily as you gave it, by writing to %s. Withdrawal does not affect processing before it.",
	RecordingSubject: "%s has stored a recording of you",
	RecordingBody:    "%s recorded your %s on %s, with your consent.",
	RecordingKept:    "The recording is kept until %s and then deleted.",
	RecordingKinds:   map[string]string{"interview": "interview", "call": "call"},
	ErasedSubject:    "%s has erased your data",
	ErasedArtifacts:  "%s has erased %s on %s: every stored copy, including earlier versions.",
	ErasedEverything: "%s has erased everything it held about you on %s, as you asked.",
	ErasedKept:       "Only a pseudonymous record remains, of what you agreed to and of this erasure, because the law requires us to be able to prove both. It holds no name and no email address.",
	ArtifactNames:    map[string]string{"cv": "your CV", "recording": "a recording of you"},
	ErasedWhy:        map[string]string{"retention_ended": "The period for which we could keep it has ended.", "consent_withdrawn": "You withdrew the consent it was kept under.", "erasure_requested": "You asked us to erase it."},
	Grant:            "I consent",
	Decline:          "I do not consent",
	Submit:           "Send my answer",
	ChooseEach:       "Choose an answer for each purpose.",
	Thanks:           "Thank you, your answer is recorded",
	ThanksDetail:     "We are emailing you a receipt of your answer.",
	AlreadyAnswered:  "You have already answered this request",
	Expired:          "This link has expired",
	ExpiredDetail:    "Ask the recruiter for a new link.",
	NotFound:         "This link is not valid",
	NotFoundDetail:   "Check that you copied the whole link from your email.",
	InvalidAnswer:    "Your answer could not be read",
	YouGave:          "You gave your consent",
	YouRefused:       "You did not give your consent",
	YouWithdrew:      "You withdrew your consent",
	TryAgain:         "Go back and try again.",
	InviteSubject:    "%s asks for your consent",
	InviteGreeting:   "Hello %s,",
	InviteBody:       "%s would like your consent to process your personal data. Please read what you are asked and answer on this page:",
	InviteLink:       "Review and answer",
	InviteExpiry:     "The link is personal and works until %s.",
	ReceiptSubject:   "Your consent receipt from %s",
	ReceiptBody:      "This is the receipt of your answer. Keep it as your record.",
	ReceiptID:        "Receipt",
	ReceiptTime:      "Recorded at",
	Controller:       "Controller",
	Signature:        "Kind regards,\n%s",
	ErasureBody:      "The personal data kept for the purposes below has been erased. This is the receipt of the erasure. Keep it as your record.",
	ReceiptAttached:  "The receipt is attached as a file in the Kantara Consent Receipt v1.1 format (JSON), with its digital signature (JWS). The signature proves that the receipt is unchanged; it can be checked with the public key published at %s.",
	ValidUntil:       "valid until %s",
	Months:           [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	DateFormat:       "{day} {month} {year}, {time} UTC",
	PurposeNames: map[consent.Purpose]string{
		consent.TalentPool:         "Talent pool",
		consent.InterviewRecording: "Interview recording",
		consent.CallRecording:      "Call recording",
	},
	PurposeDescriptions: map[consent.Purpose]string{
		consent.TalentPool:         "Keep your CV and contact details after this application, to contact you about future openings.",
		consent.InterviewRecording: "Record your video interview, so that interviewers who could not attend can assess it.",
		consent.CallRecording:      "Record your phone or video calls with our recruiters, so that what was said can be checked later.",
	},
	Categories: map[string]string{
		"contact_details": "contact details", "cv": "CV", "application_history": "application history",
		"voice": "voice", "video_image": "video image", "interview_content": "what is said in the interview", "call_content": "what is said in the call",
	},
	States: map[consent.State]string{
		consent.Requested: "requested", consent.Given: "given", consent.Refused: "refused",
		consent.Withdrawn: "withdrawn", consent.Expired: "expired",
	},

	LanguageName:   "English",
	LanguageLabel:  "Language",
	ContactLine:    "%s is responsible for your data. Contact: %s",
	Complaint:      "You can also lodge a complaint with the supervisory authority:",
	ExpiredNext:    "Nothing was recorded from this link. If you still want to answer, ask for a new link by writing to %s.",
	NotFoundNext:   "If the link still does not work, write to %s and we will send you a new one.",
	AnsweredNext:   "Your answer stays recorded, and its receipt is sent to you by email. You can withdraw your consent at any time by writing to %s.",
	InvitePurposes: "You are asked about:",
	InvitePosition: "This request is for your application as %s.",
	RenewSubject:   "%s asks you to renew your consent",
	RenewBody:      "Your consent to being kept in the talent pool of %s expires on %s. If you want to stay in the talent pool, please renew it on this page:",
	RenewNoAnswer:  "If you do not answer, your consent expires on %s, and the data kept only because of it is then erased.",
}

var de = Messages{
	Join:             deJoin,
	Manage:           deManage,
	Rights:           deRights,
	Lang:             "de",
	PageTitle:        "Ihre Einwilligung",
	Intro:            "%s bittet um Ihre Einwilligung, Ihre personenbezogenen Daten wie unten beschrieben zu verwenden. Sie entscheiden für jeden Zweck einzeln; ein Nein hat keinen Einfluss auf Ihre Bewerbung.",
	Purpose:          "Zweck",
	Data:             "Verwendete Daten",
	Retention:        "Speicherdauer",
	RetentionDays:    "%d Tage ab Ihrer Einwilligung, sofern Sie sie nicht vorher widerrufen",
	LegalBasis:       "Rechtsgrundlage",
	ConsentBasis:     "Ihre Einwilligung (Art. 6 Abs. 1 lit. a DSGVO)",
	Notice:           "Datenschutzhinweis",
	NoticeLink:       "Datenschutzhinweis, Version %s",
	Withdraw:         "Widerruf",
	WithdrawHow:      "Sie können Ihre Einwilligung jederzeit so einfach widerrufen, wie Sie sie erteilt haben, mit einer Nachricht an %s. Der Widerruf berührt nicht die Rechtmäßigkeit der Verarbeitung bis dahin.",
	RecordingSubject: "%s hat eine Aufzeichnung von Ihnen gespeichert",
	RecordingBody:    "%s hat mit Ihrer Einwilligung Ihr %s am %s aufgezeichnet.",
	RecordingKept:    "Die Aufzeichnung wird bis %s aufbewahrt und dann gelöscht.",
	RecordingKinds:   map[string]string{"interview": "Interview", "call": "Telefonat"},
	ErasedSubject:    "%s hat Ihre Daten gelöscht",
	ErasedArtifacts:  "%s hat %s gelöscht (am %s), mit jeder gespeicherten Kopie einschließlich früherer Versionen.",
	ErasedEverything: "%s hat am %s alles gelöscht, was über Sie gespeichert war, wie von Ihnen verlangt.",
	ErasedKept:       "Es bleibt nur ein pseudonymer Nachweis darüber, wozu Sie eingewilligt haben und dass gelöscht wurde, weil wir beides gesetzlich belegen können müssen. Er enthält weder Namen noch E-Mail-Adresse.",
	ArtifactNames:    map[string]string{"cv": "Ihren Lebenslauf", "recording": "eine Aufzeichnung von Ihnen"},
	ErasedWhy:        map[string]string{"retention_ended": "Die Frist, für die wir die Daten aufbewahren durften, ist abgelaufen.", "consent_withdrawn": "Sie haben die Einwilligung widerrufen, auf der die Aufbewahrung beruhte.", "erasure_requested": "Sie haben die Löschung verlangt."},
	Grant:            "Ich willige ein",
	Decline:          "Ich willige nicht ein",
	Submit:           "Antwort senden",
	ChooseEach:       "Wählen Sie für jeden Zweck eine Antwort.",
	Thanks:           "Danke, Ihre Antwort ist gespeichert",
	ThanksDetail:     "Wir senden Ihnen eine Bestätigung Ihrer Antwort per E-Mail.",
	AlreadyAnswered:  "Sie haben diese Anfrage bereits beantwortet",
	Expired:          "Dieser Link ist abgelaufen",
	ExpiredDetail:    "Bitten Sie die Personalabteilung um einen neuen Link.",
	NotFound:         "Dieser Link ist ungültig",
	NotFoundDetail:   "Prüfen Sie, ob Sie den ganzen Link aus der E-Mail kopiert haben.",
	InvalidAnswer:    "Ihre Antwort konnte nicht gelesen werden",
	YouGave:          "Sie haben eingewilligt",
	YouRefused:       "Sie haben nicht eingewilligt",
	YouWithdrew:      "Sie haben Ihre Einwilligung widerrufen",
	TryAgain:         "Gehen Sie zurück und versuchen Sie es erneut.",
	InviteSubject:    "%s bittet um Ihre Einwilligung",
	InviteGreeting:   "Guten Tag %s,",
	InviteBody:       "%s bittet um Ihre Einwilligung zur Verarbeitung Ihrer personenbezogenen Daten. Bitte lesen Sie, worum es geht, und antworten Sie auf dieser Seite:",
	InviteLink:       "Ansehen und antworten",
	InviteExpiry:     "Der Link ist persönlich und gilt bis %s.",
	ReceiptSubject:   "Ihre Einwilligungsbestätigung von %s",
	ReceiptBody:      "Dies ist die Bestätigung Ihrer Antwort. Bewahren Sie sie für Ihre Unterlagen auf.",
	ReceiptID:        "Beleg",
	ReceiptTime:      "Gespeichert am",
	Controller:       "Verantwortlicher",
	Signature:        "Mit freundlichen Grüßen\n%s",
	ErasureBody:      "Die für die folgenden Zwecke gespeicherten personenbezogenen Daten wurden gelöscht. Dies ist die Bestätigung der Löschung. Bewahren Sie sie für Ihre Unterlagen auf.",
	ReceiptAttached:  "Die Bestätigung liegt als Datei im Format Kantara Consent Receipt v1.1 (JSON) bei, mit ihrer digitalen Signatur (JWS). Die Signatur beweist, dass die Bestätigung unverändert ist; sie lässt sich mit dem öffentlichen Schlüssel unter %s prüfen.",
	ValidUntil:       "gültig bis %s",
	Months:           [12]string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"},
	DateFormat:       "{day}. {month} {year}, {time} Uhr UTC",
	PurposeNames: map[consent.Purpose]string{
		consent.TalentPool:         "Talentpool",
		consent.InterviewRecording: "Aufzeichnung des Interviews",
		consent.CallRecording:      "Aufzeichnung von Telefonaten",
	},
	PurposeDescriptions: map[consent.Purpose]string{
		consent.TalentPool:         "Ihren Lebenslauf und Ihre Kontaktdaten nach dieser Bewerbung aufbewahren, um Sie zu künftigen Stellen zu kontaktieren.",
		consent.InterviewRecording: "Ihr Video-Interview aufzeichnen, damit auch Verantwortliche, die nicht teilnehmen konnten, es bewerten können.",
		consent.CallRecording:      "Ihre Telefon- oder Videogespräche mit unseren Recruitern aufzeichnen, damit das Gesagte später nachvollzogen werden kann.",
	},
	Categories: map[string]string{
		"contact_details": "Kontaktdaten", "cv": "Lebenslauf", "application_history": "Bewerbungsverlauf",
		"voice": "Stimme", "video_image": "Videobild", "interview_content": "Inhalt des Gesprächs", "call_content": "Inhalt des Telefonats",
	},
	States: map[consent.State]string{
		consent.Requested: "angefragt", consent.Given: "erteilt", consent.Refused: "abgelehnt",
		consent.Withdrawn: "widerrufen", consent.Expired: "abgelaufen",
	},

	LanguageName:   "Deutsch",
	LanguageLabel:  "Sprache",
	ContactLine:    "Verantwortlich für Ihre Daten ist %s. Kontakt: %s",
	Complaint:      "Sie können sich auch bei der Aufsichtsbehörde beschweren:",
	ExpiredNext:    "Über diesen Link wurde nichts gespeichert. Wenn Sie noch antworten möchten, bitten Sie unter %s um einen neuen Link.",
	NotFoundNext:   "Wenn der Link weiterhin nicht funktioniert, schreiben Sie an %s, und wir senden Ihnen einen neuen.",
	AnsweredNext:   "Ihre Antwort bleibt gespeichert, und Sie erhalten eine Bestätigung per E-Mail. Sie können Ihre Einwilligung jederzeit mit einer Nachricht an %s widerrufen.",
	InvitePurposes: "Es geht um:",
	InvitePosition: "Die Anfrage betrifft Ihre Bewerbung als %s.",
	RenewSubject:   "%s bittet Sie, Ihre Einwilligung zu erneuern",
	RenewBody:      "Ihre Einwilligung in die Aufnahme in den Talentpool von %s läuft am %s ab. Wenn Sie im Talentpool bleiben möchten, erneuern Sie sie bitte auf dieser Seite:",
	RenewNoAnswer:  "Wenn Sie nicht antworten, endet Ihre Einwilligung am %s, und die nur deshalb gespeicherten Daten werden dann gelöscht.",
}

var fr = Messages{
	Join:             frJoin,
	Manage:           frManage,
	Rights:           frRights,
	Lang:             "fr",
	PageTitle:        "Votre consentement",
	Intro:            "%s vous demande votre consentement pour utiliser vos données personnelles comme décrit ci-dessous. Vous décidez pour chaque finalité ; un refus n'a aucun effet sur votre candidature.",
	Purpose:          "Finalité",
	Data:             "Données utilisées",
	Retention:        "Durée de conservation",
	RetentionDays:    "%d jours à compter de votre consentement, sauf retrait plus tôt",
	LegalBasis:       "Base légale",
	ConsentBasis:     "votre consentement (art. 6, par. 1, a) du RGPD)",
	Notice:           "Politique de confidentialité",
	NoticeLink:       "Politique de confidentialité, version %s",
	Withdraw:         "Retrait du consentement",
	WithdrawHow:      "Vous pouvez retirer votre consentement à tout moment, aussi facilement que vous l'avez donné, en écrivant à %s. Le retrait ne remet pas en cause le traitement effectué avant.",
	RecordingSubject: "%s a conservé un enregistrement de vous",
	RecordingBody:    "%s a enregistré votre %s le %s, avec votre consentement.",
	RecordingKept:    "L'enregistrement est conservé jusqu'au %s, puis supprimé.",
	RecordingKinds:   map[string]string{"interview": "entretien", "call": "appel"},
	ErasedSubject:    "%s a effacé vos données",
	ErasedArtifacts:  "%s a effacé %s le %s : chaque copie conservée, versions antérieures comprises.",
	ErasedEverything: "%s a effacé le %s tout ce qu'il détenait à votre sujet, comme vous l'avez demandé.",
	ErasedKept:       "Seule reste une trace pseudonyme de ce que vous avez accepté et de cet effacement, car la loi nous impose de pouvoir prouver les deux. Elle ne contient ni nom ni adresse e-mail.",
	ArtifactNames:    map[string]string{"cv": "votre CV", "recording": "un enregistrement de vous"},
	ErasedWhy:        map[string]string{"retention_ended": "La durée pendant laquelle nous pouvions les conserver a pris fin.", "consent_withdrawn": "Vous avez retiré le consentement qui permettait de les conserver.", "erasure_requested": "Vous nous avez demandé de les effacer."},
	Grant:            "J'accepte",
	Decline:          "Je refuse",
	Submit:           "Envoyer ma réponse",
	ChooseEach:       "Choisissez une réponse pour chaque finalité.",
	Thanks:           "Merci, votre réponse est enregistrée",
	ThanksDetail:     "Nous vous envoyons un reçu de votre réponse par e-mail.",
	AlreadyAnswered:  "Vous avez déjà répondu à cette demande",
	Expired:          "Ce lien a expiré",
	ExpiredDetail:    "Demandez un nouveau lien au recruteur.",
	NotFound:         "Ce lien n'est pas valide",
	NotFoundDetail:   "Vérifiez que vous avez copié le lien complet depuis l'e-mail.",
	InvalidAnswer:    "Votre réponse n'a pas pu être lue",
	YouGave:          "Vous avez donné votre consentement",
	YouRefused:       "Vous n'avez pas donné votre consentement",
	YouWithdrew:      "Vous avez retiré votre consentement",
	TryAgain:         "Revenez en arrière et réessayez.",
	InviteSubject:    "%s vous demande votre consentement",
	InviteGreeting:   "Bonjour %s,",
	InviteBody:       "%s souhaite obtenir votre consentement pour traiter vos données personnelles. Lisez ce qui vous est demandé et répondez sur cette page :",
	InviteLink:       "Consulter et répondre",
	InviteExpiry:     "Le lien est personnel et valable jusqu'au %s.",
	ReceiptSubject:   "Votre reçu de consentement de %s",
	ReceiptBody:      "Voici le reçu de votre réponse. Conservez-le.",
	ReceiptID:        "Reçu",
	ReceiptTime:      "Enregistré le",
	Controller:       "Responsable du traitement",
	Signature:        "Cordialement,\n%s",
	ErasureBody:      "Les données personnelles conservées pour les finalités ci-dessous ont été effacées. Voici le reçu de l'effacement. Conservez-le.",
	ReceiptAttached:  "Le reçu est joint sous forme de fichier au format Kantara Consent Receipt v1.1 (JSON), avec sa signature numérique (JWS). La signature prouve que le reçu n'a pas été modifié ; elle se vérifie avec la clé publique publiée à l'adresse %s.",
	ValidUntil:       "valable jusqu'au %s",
	Months:           [12]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
	DateFormat:       "{day} {month} {year} à {time} UTC",
	PurposeNames: map[consent.Purpose]string{
		consent.TalentPool:         "Vivier de talents",
		consent.InterviewRecording: "Enregistrement de l'entretien",
		consent.CallRecording:      "Enregistrement des appels",
	},
	PurposeDescriptions: map[consent.Purpose]string{
		consent.TalentPool:         "Conserver votre CV et vos coordonnées après cette candidature, pour vous contacter au sujet de futurs postes.",
		consent.InterviewRecording: "Enregistrer votre entretien vidéo, pour que les recruteurs absents puissent l'évaluer.",
		consent.CallRecording:      "Enregistrer vos appels téléphoniques ou vidéo avec nos recruteurs, pour pouvoir vérifier plus tard ce qui a été dit.",
	},
	Categories: map[string]string{
		"contact_details": "coordonnées", "cv": "CV", "application_history": "historique de candidature",
		"voice": "voix", "video_image": "image vidéo", "interview_content": "contenu de l'entretien", "call_content": "contenu de l'appel",
	},
	States: map[consent.State]string{
		consent.Requested: "demandé", consent.Given: "donné", consent.Refused: "refusé",
		consent.Withdrawn: "retiré", consent.Expired: "expiré",
	},

	LanguageName:   "Français",
	LanguageLabel:  "Langue",
	ContactLine:    "%s est responsable de vos données. Contact : %s",
	Complaint:      "Vous pouvez aussi introduire une réclamation auprès de l’autorité de contrôle :",
	ExpiredNext:    "Rien n'a été enregistré depuis ce lien. Si vous souhaitez encore répondre, demandez un nouveau lien en écrivant à %s.",
	NotFoundNext:   "Si le lien ne fonctionne toujours pas, écrivez à %s et nous vous en enverrons un nouveau.",
	AnsweredNext:   "Votre réponse reste enregistrée et son reçu vous est envoyé par e-mail. Vous pouvez retirer votre consentement à tout moment en écrivant à %s.",
	InvitePurposes: "La demande porte sur :",
	InvitePosition: "Cette demande concerne votre candidature au poste de %s.",
	RenewSubject:   "%s vous demande de renouveler votre consentement",
	RenewBody:      "Votre consentement à figurer dans le vivier de talents de %s expire le %s. Si vous souhaitez y rester, renouvelez-le sur cette page :",
	RenewNoAnswer:  "Sans réponse de votre part, votre consentement expire le %s et les données conservées uniquement sur cette base sont alors effacées.",
}
