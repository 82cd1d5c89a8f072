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
}
