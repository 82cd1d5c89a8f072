package locale

// ManageMessages are the words of the candidate's manage page (/m/{token})
// and of the emails it sends.
type ManageMessages struct {
	// Every email's link to the page.
	MailIntro string
	LinkText  string

	Title          string // %s: controller
	Intro          string // %s: controller
	Consents       string
	NoConsents     string
	State          string
	GivenUntil     string // %s: date
	WithdrawButton string // %s: purpose
	WithdrawHelp   string
	Withdrawn      string // %s: purpose
	Held           string
	NothingHeld    string
	CV             string // %s: date received
	Recording      string // %s: kind, %s: date
	DeleteBy       string // %s: date
	Stays          string
	StaysClosed    string // %s: date, %s: position, %s: date closed
	StaysOpen      string // %s: position
	StaysConsent   string // %s: date, %s: purpose
	StaysDue       string
	StaysTrail     string
	Actions        string
	Download       string
	DownloadHelp   string
	Erase          string
	EraseHelp      string

	ExportSent       string
	ExportSentDetail string
	ExportSubject    string // %s: controller
	ExportBody       string // %s: controller, %s: date the links stop working
	EraseSent        string
	EraseSentDetail  string
	EraseSubject     string // %s: controller
	EraseBody        string // %s: date the link stops working
	EraseLinkText    string
	ConfirmTitle     string
	ConfirmDetail    string
	ConfirmButton    string
	Erasing          string
	ErasingDetail    string
	Replaced         string
	ReplacedDetail   string
	Erased           string
	ErasedDetail     string
	Back             string
}

var enManage = ManageMessages{
	MailIntro:      "On your personal page you can see what we hold about you, withdraw a consent, and download or erase your data:",
	LinkText:       "Manage my data",
	Title:          "Your data at %s",
	Intro:          "This page shows what %s holds about you, until when and why. The link is personal: do not share it.",
	Consents:       "Your consents",
	NoConsents:     "You have not been asked for any consent.",
	State:          "State",
	GivenUntil:     "given until %s",
	WithdrawButton: "Withdraw consent: %s",
	WithdrawHelp:   "Withdrawing stops the use from now on. What was kept only under this consent is erased at once.",
	Withdrawn:      "Your consent to “%s” is withdrawn.",
	Held:           "Documents and recordings we hold",
	NothingHeld:    "We hold no documents or recordings of yours.",
	CV:             "Your CV, received %s",
	Recording:      "Recording of your %s, made %s",
	DeleteBy:       "Deleted by %s",
	Stays:          "What stays, and why",
	StaysClosed:    "Your CV stays until %s because your application for %s closed on %s.",
	StaysOpen:      "Your CV stays while your application for %s is open.",
	StaysConsent:   "It stays until %s because you consented to: %s.",
	StaysDue:       "It is being deleted now.",
	StaysTrail:     "Even after an erasure, a pseudonymous record of what you agreed to stays, because the law requires us to prove it. It holds no name and no email address.",
	Actions:        "Your rights",
	Download:       "Download my data",
	DownloadHelp:   "We email you a file with everything we hold about you.",
	Erase:          "Erase my data",
	EraseHelp:      "We email you a link to confirm; then we erase everything we hold about you.",

	ExportSent:       "Your data is on its way",
	ExportSentDetail: "We have emailed you a file with everything we hold about you.",
	ExportSubject:    "Your data held by %s",
	ExportBody:       "As you asked, the attached file holds everything %s holds about you (JSON). The download links of your documents in it work until %s.",
	EraseSent:        "Check your email to confirm",
	EraseSentDetail:  "We have emailed you a link to confirm the erasure. It works for 24 hours. Nothing is erased until you confirm.",
	EraseSubject:     "Confirm the erasure of your data at %s",
	EraseBody:        "You asked us to erase everything we hold about you. Confirm it with this link, which works until %s. If you did not ask for this, ignore this email: nothing will be erased.",
	EraseLinkText:    "Confirm the erasure",
	ConfirmTitle:     "Erase everything we hold about you?",
	ConfirmDetail:    "This erases your profile, your CV and your recordings, and withdraws every consent. It cannot be undone.",
	ConfirmButton:    "Yes, erase my data",
	Erasing:          "Your data is being erased",
	ErasingDetail:    "We are erasing everything we hold about you. An email will confirm when it is done.",
	Replaced:         "This link was replaced by a newer one",
	ReplacedDetail:   "We have sent you a newer link. Use the one in your latest email from us.",
	Erased:           "Your data was erased",
	ErasedDetail:     "Everything we held about you was erased, as you asked. This link shows nothing any more.",
	Back:             "Back to my data",
}

var deManage = ManageMessages{
	MailIntro:      "Auf Ihrer persönlichen Seite sehen Sie, was wir über Sie speichern, können eine Einwilligung widerrufen und Ihre Daten herunterladen oder löschen lassen:",
	LinkText:       "Meine Daten verwalten",
	Title:          "Ihre Daten bei %s",
	Intro:          "Diese Seite zeigt, was %s über Sie speichert, bis wann und warum. Der Link ist persönlich: Geben Sie ihn nicht weiter.",
	Consents:       "Ihre Einwilligungen",
	NoConsents:     "Sie wurden um keine Einwilligung gebeten.",
	State:          "Status",
	GivenUntil:     "erteilt bis %s",
	WithdrawButton: "Einwilligung widerrufen: %s",
	WithdrawHelp:   "Der Widerruf beendet die Verwendung ab sofort. Was nur aufgrund dieser Einwilligung gespeichert war, wird sofort gelöscht.",
	Withdrawn:      "Ihre Einwilligung „%s“ ist widerrufen.",
	Held:           "Unterlagen und Aufzeichnungen, die wir speichern",
	NothingHeld:    "Wir speichern keine Unterlagen oder Aufzeichnungen von Ihnen.",
	CV:             "Ihr Lebenslauf, erhalten am %s",
	Recording:      "Aufzeichnung Ihres Gesprächs (%s) vom %s",
	DeleteBy:       "Gelöscht spätestens am %s",
	Stays:          "Was bleibt und warum",
	StaysClosed:    "Ihr Lebenslauf bleibt bis %s gespeichert, weil Ihre Bewerbung als %s am %s abgeschlossen wurde.",
	StaysOpen:      "Ihr Lebenslauf bleibt gespeichert, solange Ihre Bewerbung als %s offen ist.",
	StaysConsent:   "Sie bleibt bis %s gespeichert, weil Sie eingewilligt haben: %s.",
	StaysDue:       "Sie wird gerade gelöscht.",
	StaysTrail:     "Auch nach einer Löschung bleibt ein pseudonymer Nachweis darüber, wozu Sie eingewilligt haben, weil wir ihn gesetzlich erbringen können müssen. Er enthält weder Namen noch E-Mail-Adresse.",
	Actions:        "Ihre Rechte",
	Download:       "Meine Daten herunterladen",
	DownloadHelp:   "Wir senden Ihnen per E-Mail eine Datei mit allem, was wir über Sie speichern.",
	Erase:          "Meine Daten löschen",
	EraseHelp:      "Wir senden Ihnen per E-Mail einen Link zur Bestätigung; danach löschen wir alles, was wir über Sie speichern.",

	ExportSent:       "Ihre Daten sind unterwegs",
	ExportSentDetail: "Wir haben Ihnen eine Datei mit allem, was wir über Sie speichern, per E-Mail gesendet.",
	ExportSubject:    "Ihre bei %s gespeicherten Daten",
	ExportBody:       "Wie gewünscht enthält die angehängte Datei alles, was %s über Sie speichert (JSON). Die Download-Links Ihrer Unterlagen darin gelten bis %s.",
	EraseSent:        "Bitte bestätigen Sie per E-Mail",
	EraseSentDetail:  "Wir haben Ihnen einen Link zur Bestätigung der Löschung gesendet. Er gilt 24 Stunden. Gelöscht wird erst nach Ihrer Bestätigung.",
	EraseSubject:     "Bestätigen Sie die Löschung Ihrer Daten bei %s",
	EraseBody:        "Sie haben verlangt, dass wir alles löschen, was wir über Sie speichern. Bestätigen Sie dies mit diesem Link, der bis %s gilt. Wenn Sie das nicht verlangt haben, ignorieren Sie diese E-Mail: Es wird nichts gelöscht.",
	EraseLinkText:    "Löschung bestätigen",
	ConfirmTitle:     "Alles löschen, was wir über Sie speichern?",
	ConfirmDetail:    "Damit werden Ihr Profil, Ihr Lebenslauf und Ihre Aufzeichnungen gelöscht und alle Einwilligungen widerrufen. Das lässt sich nicht rückgängig machen.",
	ConfirmButton:    "Ja, meine Daten löschen",
	Erasing:          "Ihre Daten werden gelöscht",
	ErasingDetail:    "Wir löschen alles, was wir über Sie speichern. Eine E-Mail bestätigt Ihnen den Abschluss.",
	Replaced:         "Dieser Link wurde durch einen neueren ersetzt",
	ReplacedDetail:   "Wir haben Ihnen einen neueren Link gesendet. Verwenden Sie den aus unserer letzten E-Mail.",
	Erased:           "Ihre Daten wurden gelöscht",
	ErasedDetail:     "Alles, was wir über Sie gespeichert hatten, wurde wie gewünscht gelöscht. Dieser Link zeigt nichts mehr an.",
	Back:             "Zurück zu meinen Daten",
}

var frManage = ManageMessages{
	MailIntro:      "Sur votre page personnelle, vous voyez ce que nous conservons à votre sujet, pouvez retirer un consentement et télécharger ou effacer vos données :",
	LinkText:       "Gérer mes données",
	Title:          "Vos données chez %s",
	Intro:          "Cette page montre ce que %s conserve à votre sujet, jusqu'à quand et pourquoi. Le lien est personnel : ne le partagez pas.",
	Consents:       "Vos consentements",
	NoConsents:     "Aucun consentement ne vous a été demandé.",
	State:          "État",
	GivenUntil:     "donné jusqu'au %s",
	WithdrawButton: "Retirer le consentement : %s",
	WithdrawHelp:   "Le retrait met fin à l'utilisation dès maintenant. Ce qui n'était conservé qu'au titre de ce consentement est effacé aussitôt.",
	Withdrawn:      "Votre consentement « %s » est retiré.",
	Held:           "Documents et enregistrements que nous conservons",
	NothingHeld:    "Nous ne conservons aucun document ni enregistrement de vous.",
	CV:             "Votre CV, reçu le %s",
	Recording:      "Enregistrement de votre %s du %s",
	DeleteBy:       "Supprimé au plus tard le %s",
	Stays:          "Ce qui reste, et pourquoi",
	StaysClosed:    "Votre CV est conservé jusqu'au %s car votre candidature au poste de %s a été clôturée le %s.",
	StaysOpen:      "Votre CV est conservé tant que votre candidature au poste de %s est ouverte.",
	StaysConsent:   "Il est conservé jusqu'au %s car vous avez consenti à : %s.",
	StaysDue:       "Il est en cours de suppression.",
	StaysTrail:     "Même après un effacement, une trace pseudonyme de ce que vous avez accepté reste, car la loi nous impose de pouvoir le prouver. Elle ne contient ni nom ni adresse e-mail.",
	Actions:        "Vos droits",
	Download:       "Télécharger mes données",
	DownloadHelp:   "Nous vous envoyons par e-mail un fichier contenant tout ce que nous conservons à votre sujet.",
	Erase:          "Effacer mes données",
	EraseHelp:      "Nous vous envoyons par e-mail un lien de confirmation ; ensuite, nous effaçons tout ce que nous conservons à votre sujet.",

	ExportSent:       "Vos données sont en route",
	ExportSentDetail: "Nous vous avons envoyé par e-mail un fichier contenant tout ce que nous conservons à votre sujet.",
	ExportSubject:    "Vos données conservées par %s",
	ExportBody:       "Comme vous l'avez demandé, le fichier joint contient tout ce que %s conserve à votre sujet (JSON). Les liens de téléchargement de vos documents qu'il contient sont valables jusqu'au %s.",
	EraseSent:        "Confirmez par e-mail",
	EraseSentDetail:  "Nous vous avons envoyé un lien pour confirmer l'effacement. Il est valable 24 heures. Rien n'est effacé avant votre confirmation.",
	EraseSubject:     "Confirmez l'effacement de vos données chez %s",
	EraseBody:        "Vous nous avez demandé d'effacer tout ce que nous conservons à votre sujet. Confirmez-le avec ce lien, valable jusqu'au %s. Si vous n'avez rien demandé, ignorez cet e-mail : rien ne sera effacé.",
	EraseLinkText:    "Confirmer l'effacement",
	ConfirmTitle:     "Effacer tout ce que nous conservons à votre sujet ?",
	ConfirmDetail:    "Cela efface votre profil, votre CV et vos enregistrements, et retire tous vos consentements. C'est irréversible.",
	ConfirmButton:    "Oui, effacer mes données",
	Erasing:          "Vos données sont en cours d'effacement",
	ErasingDetail:    "Nous effaçons tout ce que nous conservons à votre sujet. Un e-mail vous confirmera la fin de l'effacement.",
	Replaced:         "Ce lien a été remplacé par un plus récent",
	ReplacedDetail:   "Nous vous avons envoyé un lien plus récent. Utilisez celui de notre dernier e-mail.",
	Erased:           "Vos données ont été effacées",
	ErasedDetail:     "Tout ce que nous conservions à votre sujet a été effacé, comme vous l'avez demandé. Ce lien n'affiche plus rien.",
	Back:             "Retour à mes données",
}

var skManage = ManageMessages{
	MailIntro:      "Na svojej osobnej stránke vidíte, čo o vás uchovávame, môžete odvolať súhlas a stiahnuť si alebo vymazať svoje údaje:",
	LinkText:       "Spravovať moje údaje",
	Title:          "Vaše údaje u %s",
	Intro:          "Táto stránka ukazuje, čo o vás %s uchováva, dokedy a prečo. Odkaz je osobný: nikomu ho nedávajte.",
	Consents:       "Vaše súhlasy",
	NoConsents:     "Nikto vás zatiaľ nepožiadal o súhlas.",
	State:          "Stav",
	GivenUntil:     "udelený do %s",
	WithdrawButton: "Odvolať súhlas: %s",
	WithdrawHelp:   "Odvolaním sa používanie od tejto chvíle končí. Čo sa uchovávalo len na základe tohto súhlasu, sa hneď vymaže.",
	Withdrawn:      "Váš súhlas „%s“ je odvolaný.",
	Held:           "Dokumenty a záznamy, ktoré uchovávame",
	NothingHeld:    "Neuchovávame o vás žiadne dokumenty ani záznamy.",
	CV:             "Váš životopis, prijatý %s",
	Recording:      "Záznam vášho hovoru (%s) z %s",
	DeleteBy:       "Vymaže sa najneskôr %s",
	Stays:          "Čo zostáva a prečo",
	StaysClosed:    "Váš životopis zostáva do %s, pretože vaša žiadosť o pozíciu %s bola uzavretá %s.",
	StaysOpen:      "Váš životopis zostáva, kým je vaša žiadosť o pozíciu %s otvorená.",
	StaysConsent:   "Zostáva do %s, pretože ste udelili súhlas: %s.",
	StaysDue:       "Práve sa vymazáva.",
	StaysTrail:     "Aj po výmaze zostáva pseudonymný záznam o tom, s čím ste súhlasili, pretože zákon od nás vyžaduje, aby sme to vedeli preukázať. Neobsahuje meno ani e-mailovú adresu.",
	Actions:        "Vaše práva",
	Download:       "Stiahnuť moje údaje",
	DownloadHelp:   "E-mailom vám pošleme súbor so všetkým, čo o vás uchovávame.",
	Erase:          "Vymazať moje údaje",
	EraseHelp:      "E-mailom vám pošleme odkaz na potvrdenie; potom vymažeme všetko, čo o vás uchovávame.",

	ExportSent:       "Vaše údaje sú na ceste",
	ExportSentDetail: "E-mailom sme vám poslali súbor so všetkým, čo o vás uchovávame.",
	ExportSubject:    "Vaše údaje uchovávané u %s",
	ExportBody:       "Ako ste požiadali, priložený súbor obsahuje všetko, čo o vás %s uchováva (JSON). Odkazy na stiahnutie vašich dokumentov v ňom platia do %s.",
	EraseSent:        "Potvrďte to v e-maile",
	EraseSentDetail:  "Poslali sme vám odkaz na potvrdenie výmazu. Platí 24 hodín. Kým to nepotvrdíte, nič sa nevymaže.",
	EraseSubject:     "Potvrďte vymazanie svojich údajov u %s",
	EraseBody:        "Požiadali ste nás o vymazanie všetkého, čo o vás uchovávame. Potvrďte to týmto odkazom, ktorý platí do %s. Ak ste o to nežiadali, tento e-mail ignorujte: nič sa nevymaže.",
	EraseLinkText:    "Potvrdiť výmaz",
	ConfirmTitle:     "Vymazať všetko, čo o vás uchovávame?",
	ConfirmDetail:    "Vymaže sa váš profil, životopis a záznamy a odvolajú sa všetky súhlasy. Nedá sa to vrátiť späť.",
	ConfirmButton:    "Áno, vymazať moje údaje",
	Erasing:          "Vaše údaje sa vymazávajú",
	ErasingDetail:    "Vymazávame všetko, čo o vás uchovávame. Keď to bude hotové, potvrdíme vám to e-mailom.",
	Replaced:         "Tento odkaz nahradil novší",
	ReplacedDetail:   "Poslali sme vám novší odkaz. Použite ten z nášho posledného e-mailu.",
	Erased:           "Vaše údaje boli vymazané",
	ErasedDetail:     "Všetko, čo sme o vás uchovávali, sme podľa vašej žiadosti vymazali. Tento odkaz už nič nezobrazuje.",
	Back:             "Späť na moje údaje",
}

var csManage = ManageMessages{
	MailIntro:      "Na své osobní stránce vidíte, co o vás uchováváme, můžete odvolat souhlas a stáhnout si nebo vymazat své údaje:",
	LinkText:       "Spravovat moje údaje",
	Title:          "Vaše údaje u %s",
	Intro:          "Tato stránka ukazuje, co o vás %s uchovává, do kdy a proč. Odkaz je osobní: nikomu ho nedávejte.",
	Consents:       "Vaše souhlasy",
	NoConsents:     "Nikdo vás zatím nepožádal o souhlas.",
	State:          "Stav",
	GivenUntil:     "udělen do %s",
	WithdrawButton: "Odvolat souhlas: %s",
	WithdrawHelp:   "Odvoláním používání od této chvíle končí. Co se uchovávalo jen na základě tohoto souhlasu, se hned vymaže.",
	Withdrawn:      "Váš souhlas „%s“ je odvolán.",
	Held:           "Dokumenty a záznamy, které uchováváme",
	NothingHeld:    "Neuchováváme o vás žádné dokumenty ani záznamy.",
	CV:             "Váš životopis, přijatý %s",
	Recording:      "Záznam vašeho hovoru (%s) z %s",
	DeleteBy:       "Vymaže se nejpozději %s",
	Stays:          "Co zůstává a proč",
	StaysClosed:    "Váš životopis zůstává do %s, protože vaše žádost o pozici %s byla uzavřena %s.",
	StaysOpen:      "Váš životopis zůstává, dokud je vaše žádost o pozici %s otevřená.",
	StaysConsent:   "Zůstává do %s, protože jste udělili souhlas: %s.",
	StaysDue:       "Právě se maže.",
	StaysTrail:     "I po výmazu zůstává pseudonymní záznam o tom, s čím jste souhlasili, protože zákon od nás vyžaduje, abychom to uměli prokázat. Neobsahuje jméno ani e-mailovou adresu.",
	Actions:        "Vaše práva",
	Download:       "Stáhnout moje údaje",
	DownloadHelp:   "E-mailem vám pošleme soubor se vším, co o vás uchováváme.",
	Erase:          "Vymazat moje údaje",
	EraseHelp:      "E-mailem vám pošleme odkaz k potvrzení; pak vymažeme vše, co o vás uchováváme.",

	ExportSent:       "Vaše údaje jsou na cestě",
	ExportSentDetail: "E-mailem jsme vám poslali soubor se vším, co o vás uchováváme.",
	ExportSubject:    "Vaše údaje uchovávané u %s",
	ExportBody:       "Jak jste požádali, přiložený soubor obsahuje vše, co o vás %s uchovává (JSON). Odkazy ke stažení vašich dokumentů v něm platí do %s.",
	EraseSent:        "Potvrďte to v e-mailu",
	EraseSentDetail:  "Poslali jsme vám odkaz k potvrzení výmazu. Platí 24 hodin. Dokud to nepotvrdíte, nic se nevymaže.",
	EraseSubject:     "Potvrďte vymazání svých údajů u %s",
	EraseBody:        "Požádali jste nás o vymazání všeho, co o vás uchováváme. Potvrďte to tímto odkazem, který platí do %s. Pokud jste o to nežádali, tento e-mail ignorujte: nic se nevymaže.",
	EraseLinkText:    "Potvrdit výmaz",
	ConfirmTitle:     "Vymazat vše, co o vás uchováváme?",
	ConfirmDetail:    "Vymaže se váš profil, životopis a záznamy a odvolají se všechny souhlasy. Nelze to vrátit zpět.",
	ConfirmButton:    "Ano, vymazat moje údaje",
	Erasing:          "Vaše údaje se mažou",
	ErasingDetail:    "Mažeme vše, co o vás uchováváme. Až to bude hotové, potvrdíme vám to e-mailem.",
	Replaced:         "Tento odkaz nahradil novější",
	ReplacedDetail:   "Poslali jsme vám novější odkaz. Použijte ten z našeho posledního e-mailu.",
	Erased:           "Vaše údaje byly vymazány",
	ErasedDetail:     "Vše, co jsme o vás uchovávali, jsme podle vaší žádosti vymazali. Tento odkaz už nic nezobrazuje.",
	Back:             "Zpět na moje údaje",
}
