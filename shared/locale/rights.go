package locale

// RightsMessages are the words of the emails about rectification,
// restriction and objection (GDPR Art. 16, 18, 21).
type RightsMessages struct {
	Subject          string // %s: controller
	Restricted       string
	RestrictionEnded string
	Rectified        string // %s: field, %s: reason
	NotRectified     string // %s: field, %s: reason
	ObjectionHeard   string // %s: date the grace period ends
	ObjectionGrounds string // %s: reason
	ObjectionUpheld  string
	// Field names, as the candidate sees them.
	Name, Email, Locale string

	// The manage page's forms, and what it confirms after each (?done=).
	Heading         string
	RestrictLegend  string
	RestrictHelp    string
	RestrictButton  string
	RestrictedSince string // %s: date
	LiftButton      string
	RectifyLegend   string
	FieldLabel      string
	ValueLabel      string
	RectifyButton   string
	RectifyHelp     string
	ObjectLegend    string
	ObjectHelp      string
	ObjectButton    string // %s: position
	DoneRestrict    string
	DoneLift        string
	DoneRectify     string
	DoneObject      string
}

// Field is the word for a profile field.
func (r RightsMessages) Field(f string) string {
	switch f {
	case "name":
		return r.Name
	case "email":
		return r.Email
	}
	return r.Locale
}

var enRights = RightsMessages{
	Subject:          "Your data at %s: your request",
	Restricted:       "Processing of your data is restricted as you asked: we keep it, but do not use it, and nothing is deleted while the restriction holds.",
	RestrictionEnded: "The restriction of processing of your data has been lifted. From now on it is used and deleted as before.",
	Rectified:        "Your %s has been corrected. Reason: %s",
	NotRectified:     "Your %s was not corrected. Reason: %s",
	ObjectionHeard:   "We have received your objection to the processing of your application. Unless we show compelling legitimate grounds by %s, your application is closed.",
	ObjectionGrounds: "We have compelling legitimate grounds to continue processing your application: %s",
	ObjectionUpheld:  "Following your objection, your application is closed. Your CV is deleted when the retention for closed applications ends.",
	Name:             "name", Email: "email address", Locale: "language",
	Heading:         "Your other rights",
	RestrictLegend:  "Restrict processing",
	RestrictHelp:    "We keep your data but do not use it, and nothing is deleted while the restriction holds.",
	RestrictButton:  "Restrict processing",
	RestrictedSince: "Processing of your data is restricted since %s.",
	LiftButton:      "Lift the restriction",
	RectifyLegend:   "Correct your data",
	FieldLabel:      "What to correct",
	ValueLabel:      "The correct value",
	RectifyButton:   "Ask for the correction",
	RectifyHelp:     "The recruiter checks it within a month and tells you the outcome by email.",
	ObjectLegend:    "Object to the processing of an application",
	ObjectHelp:      "Unless the recruiter shows compelling legitimate grounds, the application is closed. You are told either way by email.",
	ObjectButton:    "Object to the processing of my application for %s",
	DoneRestrict:    "Processing of your data is now restricted. We have sent you an email.",
	DoneLift:        "The restriction is lifted. We have sent you an email.",
	DoneRectify:     "Your request for a correction is recorded. You will hear from us within a month.",
	DoneObject:      "Your objection is recorded. We have sent you an email with the date by which we answer.",
}

var deRights = RightsMessages{
	Subject:          "Ihre Daten bei %s: Ihr Antrag",
	Restricted:       "Die Verarbeitung Ihrer Daten ist wie gewünscht eingeschränkt: Wir bewahren sie auf, verwenden sie aber nicht, und solange die Einschränkung gilt, wird nichts gelöscht.",
	RestrictionEnded: "Die Einschränkung der Verarbeitung Ihrer Daten wurde aufgehoben. Ab jetzt werden sie wieder wie zuvor verwendet und gelöscht.",
	Rectified:        "Ihr(e) %s wurde berichtigt. Begründung: %s",
	NotRectified:     "Ihr(e) %s wurde nicht berichtigt. Begründung: %s",
	ObjectionHeard:   "Wir haben Ihren Widerspruch gegen die Verarbeitung Ihrer Bewerbung erhalten. Wenn wir bis %s keine zwingenden schutzwürdigen Gründe nachweisen, wird Ihre Bewerbung geschlossen.",
	ObjectionGrounds: "Wir haben zwingende schutzwürdige Gründe, Ihre Bewerbung weiter zu bearbeiten: %s",
	ObjectionUpheld:  "Nach Ihrem Widerspruch ist Ihre Bewerbung geschlossen. Ihr Lebenslauf wird gelöscht, wenn die Aufbewahrungsfrist für abgeschlossene Bewerbungen endet.",
	Name:             "Name", Email: "E-Mail-Adresse", Locale: "Sprache",
	Heading:         "Ihre weiteren Rechte",
	RestrictLegend:  "Verarbeitung einschränken",
	RestrictHelp:    "Wir bewahren Ihre Daten auf, verwenden sie aber nicht, und solange die Einschränkung gilt, wird nichts gelöscht.",
	RestrictButton:  "Verarbeitung einschränken",
	RestrictedSince: "Die Verarbeitung Ihrer Daten ist seit %s eingeschränkt.",
	LiftButton:      "Einschränkung aufheben",
	RectifyLegend:   "Ihre Daten berichtigen",
	FieldLabel:      "Was berichtigt werden soll",
	ValueLabel:      "Der richtige Wert",
	RectifyButton:   "Berichtigung beantragen",
	RectifyHelp:     "Die Personalabteilung prüft den Antrag innerhalb eines Monats und teilt Ihnen das Ergebnis per E-Mail mit.",
	ObjectLegend:    "Der Verarbeitung einer Bewerbung widersprechen",
	ObjectHelp:      "Wenn keine zwingenden schutzwürdigen Gründe nachgewiesen werden, wird die Bewerbung geschlossen. Sie erhalten in jedem Fall eine E-Mail.",
	ObjectButton:    "Der Verarbeitung meiner Bewerbung als %s widersprechen",
	DoneRestrict:    "Die Verarbeitung Ihrer Daten ist jetzt eingeschränkt. Wir haben Ihnen eine E-Mail gesendet.",
	DoneLift:        "Die Einschränkung ist aufgehoben. Wir haben Ihnen eine E-Mail gesendet.",
	DoneRectify:     "Ihr Antrag auf Berichtigung ist erfasst. Sie hören innerhalb eines Monats von uns.",
	DoneObject:      "Ihr Widerspruch ist erfasst. Wir haben Ihnen eine E-Mail mit dem Datum gesendet, bis zu dem wir antworten.",
}

var frRights = RightsMessages{
	Subject:          "Vos données chez %s : votre demande",
	Restricted:       "Le traitement de vos données est limité comme vous l’avez demandé : nous les conservons sans les utiliser, et rien n’est supprimé tant que la limitation dure.",
	RestrictionEnded: "La limitation du traitement de vos données a été levée. Elles sont de nouveau utilisées et supprimées comme avant.",
	Rectified:        "Votre %s a été rectifié(e). Motif : %s",
	NotRectified:     "Votre %s n’a pas été rectifié(e). Motif : %s",
	ObjectionHeard:   "Nous avons reçu votre opposition au traitement de votre candidature. Sauf motifs légitimes et impérieux démontrés d’ici le %s, votre candidature sera close.",
	ObjectionGrounds: "Nous avons des motifs légitimes et impérieux de poursuivre le traitement de votre candidature : %s",
	ObjectionUpheld:  "À la suite de votre opposition, votre candidature est close. Votre CV sera supprimé à la fin de la durée de conservation des candidatures closes.",
	Name:             "nom", Email: "adresse e-mail", Locale: "langue",
	Heading:         "Vos autres droits",
	RestrictLegend:  "Limiter le traitement",
	RestrictHelp:    "Nous conservons vos données sans les utiliser, et rien n’est supprimé tant que la limitation dure.",
	RestrictButton:  "Limiter le traitement",
	RestrictedSince: "Le traitement de vos données est limité depuis le %s.",
	LiftButton:      "Lever la limitation",
	RectifyLegend:   "Rectifier vos données",
	FieldLabel:      "Ce qu’il faut rectifier",
	ValueLabel:      "La valeur correcte",
	RectifyButton:   "Demander la rectification",
	RectifyHelp:     "Le recruteur l’examine dans un délai d’un mois et vous informe du résultat par e-mail.",
	ObjectLegend:    "S’opposer au traitement d’une candidature",
	ObjectHelp:      "Sauf motifs légitimes et impérieux démontrés par le recruteur, la candidature est close. Vous êtes informé(e) par e-mail dans les deux cas.",
	ObjectButton:    "M’opposer au traitement de ma candidature au poste %s",
	DoneRestrict:    "Le traitement de vos données est désormais limité. Nous vous avons envoyé un e-mail.",
	DoneLift:        "La limitation est levée. Nous vous avons envoyé un e-mail.",
	DoneRectify:     "Votre demande de rectification est enregistrée. Vous aurez une réponse dans un délai d’un mois.",
	DoneObject:      "Votre opposition est enregistrée. Nous vous avons envoyé un e-mail indiquant la date de notre réponse.",
}

var skRights = RightsMessages{
	Subject:          "Vaše údaje v %s: vaša žiadosť",
	Restricted:       "Spracúvanie vašich údajov je podľa vašej žiadosti obmedzené: uchovávame ich, ale nepoužívame, a kým obmedzenie trvá, nič sa nevymaže.",
	RestrictionEnded: "Obmedzenie spracúvania vašich údajov bolo zrušené. Odteraz sa používajú a vymazávajú ako predtým.",
	Rectified:        "Vaše údaje (%s) boli opravené. Dôvod: %s",
	NotRectified:     "Vaše údaje (%s) neboli opravené. Dôvod: %s",
	ObjectionHeard:   "Dostali sme vašu námietku proti spracúvaniu vašej žiadosti o zamestnanie. Ak do %s nepreukážeme nevyhnutné oprávnené dôvody, vaša žiadosť sa uzavrie.",
	ObjectionGrounds: "Máme nevyhnutné oprávnené dôvody pokračovať v spracúvaní vašej žiadosti: %s",
	ObjectionUpheld:  "Na základe vašej námietky je vaša žiadosť uzavretá. Váš životopis sa vymaže po uplynutí lehoty uchovávania uzavretých žiadostí.",
	Name:             "meno", Email: "e-mailová adresa", Locale: "jazyk",
	Heading:         "Vaše ďalšie práva",
	RestrictLegend:  "Obmedziť spracúvanie",
	RestrictHelp:    "Vaše údaje uchovávame, ale nepoužívame, a kým obmedzenie trvá, nič sa nevymaže.",
	RestrictButton:  "Obmedziť spracúvanie",
	RestrictedSince: "Spracúvanie vašich údajov je obmedzené od %s.",
	LiftButton:      "Zrušiť obmedzenie",
	RectifyLegend:   "Opraviť vaše údaje",
	FieldLabel:      "Čo opraviť",
	ValueLabel:      "Správna hodnota",
	RectifyButton:   "Požiadať o opravu",
	RectifyHelp:     "Personalista žiadosť posúdi do jedného mesiaca a výsledok vám oznámi e-mailom.",
	ObjectLegend:    "Namietať proti spracúvaniu žiadosti o zamestnanie",
	ObjectHelp:      "Ak personalista nepreukáže nevyhnutné oprávnené dôvody, žiadosť sa uzavrie. V oboch prípadoch dostanete e-mail.",
	ObjectButton:    "Namietať proti spracúvaniu mojej žiadosti na pozíciu %s",
	DoneRestrict:    "Spracúvanie vašich údajov je teraz obmedzené. Poslali sme vám e-mail.",
	DoneLift:        "Obmedzenie je zrušené. Poslali sme vám e-mail.",
	DoneRectify:     "Vaša žiadosť o opravu je zaznamenaná. Ozveme sa vám do jedného mesiaca.",
	DoneObject:      "Vaša námietka je zaznamenaná. Poslali sme vám e-mail s dátumom, do ktorého odpovieme.",
}

var csRights = RightsMessages{
	Subject:          "Vaše údaje u %s: vaše žádost",
	Restricted:       "Zpracování vašich údajů je podle vaší žádosti omezeno: uchováváme je, ale nepoužíváme, a dokud omezení trvá, nic se nesmaže.",
	RestrictionEnded: "Omezení zpracování vašich údajů bylo zrušeno. Od nynějška se používají a mažou jako dříve.",
	Rectified:        "Vaše údaje (%s) byly opraveny. Důvod: %s",
	NotRectified:     "Vaše údaje (%s) nebyly opraveny. Důvod: %s",
	ObjectionHeard:   "Obdrželi jsme vaši námitku proti zpracování vaší žádosti o zaměstnání. Pokud do %s neprokážeme závažné oprávněné důvody, vaše žádost se uzavře.",
	ObjectionGrounds: "Máme závažné oprávněné důvody pokračovat ve zpracování vaší žádosti: %s",
	ObjectionUpheld:  "Na základě vaší námitky je vaše žádost uzavřena. Váš životopis se smaže po uplynutí doby uchování uzavřených žádostí.",
	Name:             "jméno", Email: "e-mailová adresa", Locale: "jazyk",
	Heading:         "Vaše další práva",
	RestrictLegend:  "Omezit zpracování",
	RestrictHelp:    "Vaše údaje uchováváme, ale nepoužíváme, a dokud omezení trvá, nic se nesmaže.",
	RestrictButton:  "Omezit zpracování",
	RestrictedSince: "Zpracování vašich údajů je omezeno od %s.",
	LiftButton:      "Zrušit omezení",
	RectifyLegend:   "Opravit vaše údaje",
	FieldLabel:      "Co opravit",
	ValueLabel:      "Správná hodnota",
	RectifyButton:   "Požádat o opravu",
	RectifyHelp:     "Personalista žádost posoudí do jednoho měsíce a výsledek vám oznámí e-mailem.",
	ObjectLegend:    "Vznést námitku proti zpracování žádosti o zaměstnání",
	ObjectHelp:      "Pokud personalista neprokáže závažné oprávněné důvody, žádost se uzavře. V obou případech dostanete e-mail.",
	ObjectButton:    "Vznést námitku proti zpracování mé žádosti na pozici %s",
	DoneRestrict:    "Zpracování vašich údajů je nyní omezeno. Poslali jsme vám e-mail.",
	DoneLift:        "Omezení je zrušeno. Poslali jsme vám e-mail.",
	DoneRectify:     "Vaše žádost o opravu je zaznamenána. Ozveme se vám do jednoho měsíce.",
	DoneObject:      "Vaše námitka je zaznamenána. Poslali jsme vám e-mail s datem, do kterého odpovíme.",
}
