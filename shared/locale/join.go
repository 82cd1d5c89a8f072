package locale

// JoinMessages are the words of the join-time page (/j/{token}): one
// screen on a phone, when an interview is about to be recorded.
type JoinMessages struct {
	Title      string
	Intro      string // %s: controller
	Who        string
	Why        string
	Until      string
	LinkUntil  string // %s: date
	Record     string
	DontRecord string
	NoEffect   string
	FullNotice string // %s: version
	Recorded   string
	NotKept    string
}

var enJoin = JoinMessages{
	Title:      "May we record this interview?",
	Intro:      "%s asks whether it may record the interview you are joining.",
	Who:        "Who records",
	Why:        "Why",
	Until:      "How long it is kept",
	LinkUntil:  "This link works until %s.",
	Record:     "Record",
	DontRecord: "Don't record",
	NoEffect:   "Whatever you choose has no effect on your application. You can withdraw your consent at any time.",
	FullNotice: "Full privacy notice, version %s",
	Recorded:   "Thank you. You agreed that this interview may be recorded.",
	NotKept:    "Thank you. This interview will not be recorded.",
}

var deJoin = JoinMessages{
	Title:      "Dürfen wir dieses Gespräch aufzeichnen?",
	Intro:      "%s fragt, ob das Gespräch, an dem Sie teilnehmen, aufgezeichnet werden darf.",
	Who:        "Wer aufzeichnet",
	Why:        "Wozu",
	Until:      "Wie lange sie aufbewahrt wird",
	LinkUntil:  "Dieser Link gilt bis %s.",
	Record:     "Aufzeichnen",
	DontRecord: "Nicht aufzeichnen",
	NoEffect:   "Ihre Wahl hat keinen Einfluss auf Ihre Bewerbung. Sie können Ihre Einwilligung jederzeit widerrufen.",
	FullNotice: "Vollständige Datenschutzhinweise, Version %s",
	Recorded:   "Danke. Sie haben eingewilligt, dass dieses Gespräch aufgezeichnet werden darf.",
	NotKept:    "Danke. Dieses Gespräch wird nicht aufgezeichnet.",
}

var frJoin = JoinMessages{
	Title:      "Pouvons-nous enregistrer cet entretien ?",
	Intro:      "%s vous demande si l'entretien que vous rejoignez peut être enregistré.",
	Who:        "Qui enregistre",
	Why:        "Pourquoi",
	Until:      "Durée de conservation",
	LinkUntil:  "Ce lien est valable jusqu'au %s.",
	Record:     "Enregistrer",
	DontRecord: "Ne pas enregistrer",
	NoEffect:   "Votre choix n'a aucune incidence sur votre candidature. Vous pouvez retirer votre consentement à tout moment.",
	FullNotice: "Politique de confidentialité complète, version %s",
	Recorded:   "Merci. Vous avez accepté que cet entretien soit enregistré.",
	NotKept:    "Merci. Cet entretien ne sera pas enregistré.",
}

var skJoin = JoinMessages{
	Title:      "Môžeme tento pohovor nahrávať?",
	Intro:      "%s sa pýta, či môže nahrávať pohovor, ku ktorému sa pripájate.",
	Who:        "Kto nahráva",
	Why:        "Prečo",
	Until:      "Ako dlho sa uchováva",
	LinkUntil:  "Tento odkaz platí do %s.",
	Record:     "Nahrávať",
	DontRecord: "Nenahrávať",
	NoEffect:   "Vaša voľba nemá žiadny vplyv na vašu žiadosť o zamestnanie. Súhlas môžete kedykoľvek odvolať.",
	FullNotice: "Úplné informácie o ochrane osobných údajov, verzia %s",
	Recorded:   "Ďakujeme. Súhlasili ste s nahrávaním tohto pohovoru.",
	NotKept:    "Ďakujeme. Tento pohovor sa nebude nahrávať.",
}

var csJoin = JoinMessages{
	Title:      "Můžeme tento pohovor nahrávat?",
	Intro:      "%s se ptá, zda smí nahrávat pohovor, ke kterému se připojujete.",
	Who:        "Kdo nahrává",
	Why:        "Proč",
	Until:      "Jak dlouho se uchovává",
	LinkUntil:  "Tento odkaz platí do %s.",
	Record:     "Nahrávat",
	DontRecord: "Nenahrávat",
	NoEffect:   "Vaše volba nemá žádný vliv na vaši žádost o zaměstnání. Souhlas můžete kdykoli odvolat.",
	FullNotice: "Úplné informace o ochraně osobních údajů, verze %s",
	Recorded:   "Děkujeme. Souhlasili jste s nahráváním tohoto pohovoru.",
	NotKept:    "Děkujeme. Tento pohovor se nebude nahrávat.",
}
