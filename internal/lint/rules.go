package lint

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ctg-territoires/ctg/internal/convention"
	"github.com/ctg-territoires/ctg/internal/lifecycle"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// Rules lists every check, in the order of the families of docs/lint.md.
var Rules = []Rule{
	{"TEXT-PLACEHOLDER", Warning, "valeur non remplie (« XXXX », blanc, « Insérer… »)", checkPlaceholders},
	{"NAME-EMPTY", Error, "nom d'organisation ou de représentant·e vide", checkEmptyNames},
	{"SIGNATURE-DATE-MISSING", Error, "date de signature absente", checkSignatureDate},
	{"AUTH-MISSING", Error, "partie sans autorisation de signer", checkAuthMissing},
	{"AUTH-DATE-MISSING", Error, "délibération sans date connue", checkAuthDate},
	{"AUTH-DATE-AFTER-SIGNATURE", Error, "délibération postérieure à la signature", checkAuthAfterSignature},
	{"AUTH-ANNEX-UNKNOWN", Error, "délibération renvoyant à une annexe inexistante", checkAuthAnnexUnknown},
	{"AUTH-ANNEX-EMPTY", Warning, "annexe des délibérations vide", checkAuthAnnexEmpty},
	{"AUTH-DOCUMENT-MISSING", Warning, "délibération signée sans son document joint", checkAuthDocuments},
	{"AUTH-ACK-UNMATCHED", Info, "accusé de réception sans délibération datée correspondante", checkAckUnmatched},
	{"FICHE-TITLE-MISMATCH", Warning, "titre de fiche différent selon l'endroit du texte", checkFicheTitles},
	{"FICHE-CODE-WRITTEN-DIFFERENTLY", Info, "numéro de fiche écrit autrement dans une liste", checkFicheCodes},
	{"ANNEX-REFERENCE", Warning, "renvoi à une annexe qui ne contient pas ce qui est annoncé", checkAnnexReferences},
	{"PARTY-NOT-ENGAGED", Warning, "partie absente de l'article des engagements", checkPartyEngaged},
	{"PARTY-NOT-IN-STEERING", Warning, "partie absente du comité de pilotage", checkPartyInSteering},
	{"TEXT-PARTY-COUNT", Info, "nombre de partenaires annoncé différent du nombre de parties", checkPartyCount},
	{"TEXT-REPEATED-WORDS", Info, "mots répétés", checkRepeatedWords},
	{"TERRITORY-NON-SIGNATORY", Info, "communes membres de l'EPCI non signataires", checkNonSignatories},
	{"EQUIPMENT-OUTSIDE-SIGNATORIES", Warning, "équipement situé dans une commune non signataire", checkEquipmentSignatories},
	{"EQUIPMENT-OUTSIDE-TERRITORY", Error, "équipement situé hors du territoire", checkEquipmentTerritory},
	{"STEP-OUTSIDE-PERIOD", Warning, "étape datée hors de la période de la convention", checkStepPeriod},
	{"STEP-UNDATED", Info, "étape sans calendrier", checkStepUndated},
	{"STEP-LATE", Warning, "étape en retard sur son calendrier", checkStepLate},
	{"FICHES-PROMISED-OVERDUE", Error, "fiches promises par avenant et non enregistrées à l'échéance", checkPromisedFiches},
	{"AMENDMENT-AUTHORIZATIONS-MISSING", Warning, "avenant signé sans l'autorisation de chaque partie", checkAmendmentAuthorizations},
	{"AMENDMENT-EFFECT-BEFORE-SIGNATURE", Error, "avenant prenant effet avant sa signature", checkAmendmentEffect},
	{"SIGNED-CONTENT-CHANGED", Error, "texte signé modifié en dehors d'un avenant", checkSignedContent},
	{"AXIS-EMPTY", Warning, "axe sans fiche ni engagement", checkEmptyAxes},
	{"EVALUATION-NOT-RECORDED", Warning, "évaluation due et non enregistrée", checkEvaluation},
	{"CONVENTION-EXPIRED", Error, "convention échue sans décision de renouvellement", checkExpired},
	{"RENEWAL-NOT-DECIDED", Warning, "renouvellement non décidé dans les derniers mois de la période", checkRenewalNotDecided},
	{"TERMINATION-NOTICE-RUNNING", Info, "préavis de résiliation en cours", checkNoticeRunning},
	{"COPIL-NOT-HELD", Warning, "comité de pilotage non réuni depuis 12 mois", checkSteeringHeld},
	{"DECISION-ACTION-OVERDUE", Warning, "action décidée en comité et en retard", checkActionsOverdue},
	{"DATA-EXCHANGE-WITHOUT-DPO-OPINION", Error, "échange de données mis en œuvre sans avis du DPO", checkDataExchangeOpinion},
	{"PERIOD-BEFORE-SIGNATURE", Warning, "période commençant avant la signature", checkPeriodBeforeSignature},
	{"FICHE-NO-INDICATOR", Warning, "fiche sans indicateur", checkFicheIndicators},
	{"INDICATOR-NO-UNIT", Info, "indicateurs sans unité ni périodicité", checkIndicatorUnits},
	{"INDICATOR-DUPLICATE", Info, "même indicateur listé plusieurs fois dans une fiche", checkIndicatorDuplicates},
	{"IDENT-SIREN", Error, "SIREN invalide", checkSIREN},
	{"IDENT-INSEE", Error, "code commune INSEE inconnu", checkINSEE},
	{"IDENT-POSTAL-CODE", Warning, "code postal ne correspondant pas à la commune", checkPostalCodes},
}

// orgs indexes the organizations by key.
func (x *checker) orgs() map[string]model.Organization {
	out := map[string]model.Organization{}
	for _, o := range x.c.Organizations {
		out[o.Key] = o
	}
	return out
}

func (x *checker) orgName(key string) string {
	if o, ok := x.orgs()[key]; ok && strings.TrimSpace(o.Name) != "" {
		return o.Name
	}
	return key
}

// covered reports whether a text item is a blank already reported by a
// more precise rule: an undated deliberation, or the annex meant to hold
// the deliberations.
func (x *checker) covered(t textItem) bool {
	if strings.Contains(t.Path, ".authorization.") {
		return true
	}
	for i, lb := range x.c.LegalBases {
		if t.Path == fmt.Sprintf("legal_bases[%d].text", i) && lb.Party != "" {
			if p := x.party(lb.Party); p != nil && p.Authorization != nil && p.Authorization.Date == nil {
				return true
			}
		}
	}
	for i, a := range x.c.Annexes {
		if a.Holds == "authorizations" && strings.HasPrefix(t.Path, fmt.Sprintf("annexes[%d].", i)) {
			return true
		}
	}
	return false
}

func (x *checker) party(org string) *model.Party {
	for i := range x.c.Parties {
		if x.c.Parties[i].Organization == org {
			return &x.c.Parties[i]
		}
	}
	return nil
}

func checkPlaceholders(x *checker) {
	for _, t := range texts(x.c) {
		m := placeholder(t.Text)
		if m == "" || x.covered(t) {
			continue
		}
		where := t.Where
		if strings.HasPrefix(t.Path, "preamble") {
			where = "préambule"
		}
		x.reportf(t.Path, where, t.Kind, t.ID, "Remplacez-la par la valeur réelle, ou notez qu'elle reste à obtenir.",
			"Valeur non remplie « %s » dans : « %s ».", strings.TrimSpace(m), excerpt(t.Text, m))
	}
}

// excerpt returns the sentence around a match, shortened.
func excerpt(text, match string) string { return textutil.Excerpt(text, match, 60) }

// A name ends on a preposition when that word stands alone: « Spéracèdes »
// does not end on « des » (\b would see a boundary after « è »).
var danglingNameRE = textutil.LazyRegexp(`(?i)(^|\s)(de|du|des|d'|d’)\s*$`)

func checkEmptyNames(x *checker) {
	for i, o := range x.c.Organizations {
		if name := strings.TrimSpace(o.Name); name == "" || danglingNameRE.MatchString(name) {
			x.reportf(fmt.Sprintf("organizations[%d].name", i), "parties", "organization", o.ID, "Indiquez le nom complet de l'organisation.",
				"Le nom de l'organisation « %s » est vide ou incomplet : « %s ».", o.Key, name)
		}
	}
	for i, p := range x.c.Parties {
		for j, r := range p.Representatives {
			if strings.TrimSpace(r.Name) == "" {
				x.reportf(fmt.Sprintf("parties[%d].representatives[%d].name", i, j), "parties", "representative", r.ID,
					"Indiquez qui signe pour cette partie.", "Le nom du ou de la représentant·e de %s est vide.", x.orgName(p.Organization))
			}
		}
	}
}

// checkSignatureDate reports a convention said signed (or past it) that
// carries no signature date; a draft (status draft) is not signed yet,
// and owes none.
func checkSignatureDate(x *checker) {
	if x.c.Signature.Date == nil && x.c.Status != model.StatusDraft {
		x.reportf("signature.date", "signature", "convention", x.c.ID, "Reportez la date portée au bas de la convention signée.",
			"La date de signature de la convention n'est pas renseignée.")
	}
}

func checkAuthMissing(x *checker) {
	for i, p := range x.c.Parties {
		if p.Authorization == nil {
			x.reportf(fmt.Sprintf("parties[%d].authorization", i), "parties", "party", p.ID,
				"Enregistrez la délibération ou la décision qui autorise la signature.",
				"Aucune autorisation de signer n'est enregistrée pour %s.", x.orgName(p.Organization))
		}
	}
}

// checkAuthDocuments reports, on a signed convention, the parties whose
// deliberation (annex 6) has no document attached: the proof of their
// authorization to sign. A file checked alone carries none.
func checkAuthDocuments(x *checker) {
	if x.c.Signature.Date == nil {
		return
	}
	var missing []string
	for _, p := range x.c.Parties {
		if p.Authorization != nil && !slices.ContainsFunc(x.rec.Documents, func(d model.Document) bool {
			return d.OwnerKind == model.OwnerAuthorization && d.OwnerKey == p.Organization
		}) {
			missing = append(missing, x.orgName(p.Organization))
		}
	}
	if len(missing) > 0 {
		x.reportf("parties", "annexe 6", "", "", "Joignez chaque délibération sur la page Documents de la convention.",
			"%d délibération(s) sur %d sans document joint : %s.", len(missing), len(x.c.Parties), strings.Join(missing, ", "))
	}
}

func checkAuthDate(x *checker) {
	for i, p := range x.c.Parties {
		a := p.Authorization
		if a == nil || a.Date != nil {
			continue
		}
		written := ""
		if a.DateAsWritten != "" {
			written = fmt.Sprintf(" (le texte porte « %s »)", a.DateAsWritten)
		}
		x.reportf(fmt.Sprintf("parties[%d].authorization.date", i), "visas", "authorization", a.ID,
			"Demandez la délibération à la collectivité et reportez sa date ; un avenant corrige le texte signé.",
			"La délibération du %s autorisant %s à signer n'a pas de date%s.", a.Body, x.orgName(p.Organization), written)
	}
}

func checkAuthAfterSignature(x *checker) {
	sig := x.c.Signature.Date
	if sig == nil {
		return
	}
	for i, p := range x.c.Parties {
		if a := p.Authorization; a != nil && a.Date != nil && a.Date.After(*sig) {
			x.reportf(fmt.Sprintf("parties[%d].authorization.date", i), "visas", "authorization", a.ID,
				"Vérifiez la date de la délibération : une signature ne peut précéder l'autorisation de signer.",
				"La délibération du %s (%s) est datée du %s, après la signature de la convention le %s.", a.Body, x.orgName(p.Organization),
				frenchDate(*a.Date), frenchDate(*sig))
		}
	}
}

func (x *checker) annex(n int) *model.Annex {
	for i := range x.c.Annexes {
		if x.c.Annexes[i].Number == n {
			return &x.c.Annexes[i]
		}
	}
	return nil
}

func (x *checker) annexHolding(holds string) *model.Annex {
	for i := range x.c.Annexes {
		if x.c.Annexes[i].Holds == holds {
			return &x.c.Annexes[i]
		}
	}
	return nil
}

func checkAuthAnnexUnknown(x *checker) {
	for i, p := range x.c.Parties {
		if a := p.Authorization; a != nil && a.Annex > 0 && x.annex(a.Annex) == nil {
			x.reportf(fmt.Sprintf("parties[%d].authorization.annex", i), "visas", "authorization", a.ID, "",
				"La délibération de %s est dite figurer en annexe %d, qui n'existe pas.", x.orgName(p.Organization), a.Annex)
		}
	}
}

func checkAuthAnnexEmpty(x *checker) {
	cited := map[int]int{}
	for _, p := range x.c.Parties {
		if a := p.Authorization; a != nil && a.Annex > 0 {
			cited[a.Annex]++
		}
	}
	for i, a := range x.c.Annexes {
		if cited[a.Number] == 0 && a.Holds != "authorizations" {
			continue
		}
		if strings.TrimSpace(a.Text) == "" || placeholder(a.Text) != "" {
			x.reportf(fmt.Sprintf("annexes[%d]", i), fmt.Sprintf("annexe %d", a.Number), "annex", a.ID,
				"Joignez les délibérations à l'annexe (références, dates, accusés de réception).",
				"L'annexe %d, censée contenir les délibérations de %d partie(s), ne les contient pas (« %s »).",
				a.Number, cited[a.Number], strings.TrimSpace(a.Text))
		}
	}
}

// ackRE reads an acknowledgement identifier: department, SIREN, act date,
// number, nature.
var ackRE = textutil.LazyRegexp(`^[0-9]{3}-([0-9]{9})-([0-9]{8})-(.+)-([A-Z]{2})$`)

func checkAckUnmatched(x *checker) {
	for i, t := range x.c.Transmissions {
		m := ackRE.FindStringSubmatch(t.Identifier)
		if m == nil {
			continue
		}
		actDate, err := time.Parse("20060102", m[2])
		if err != nil || m[4] != "DE" {
			continue
		}
		d := model.DateOf(actDate)
		for _, o := range x.c.Organizations {
			p := x.party(o.Key)
			if o.SIREN != m[1] || p == nil || p.Authorization == nil {
				continue
			}
			if a := p.Authorization; a.Date == nil || *a.Date != d {
				x.reportf(fmt.Sprintf("prefecture_acknowledgements[%d]", i), "accusé de réception", "authorization", a.ID,
					"Si cet acte est la délibération qui autorise la signature, reportez sa date et son numéro.",
					"L'accusé de réception %s porte sur une délibération de %s du %s (n° %s), mais la délibération enregistrée pour cette partie %s.",
					t.Identifier, o.Name, frenchDate(d), m[3], describeDate(a))
			}
		}
	}
}

func describeDate(a *model.Authorization) string {
	if a.Date == nil {
		if a.DateAsWritten != "" {
			return "n'a pas de date (« " + a.DateAsWritten + " »)"
		}
		return "n'a pas de date"
	}
	return "est du " + frenchDate(*a.Date)
}

func frenchDate(d model.Date) string { return textutil.FrenchDate(d) }

// eachFiche calls fn for every fiche with its path.
func (x *checker) eachFiche(fn func(f *model.Fiche, path string)) {
	for i := range x.c.Axes {
		for j := range x.c.Axes[i].Fiches {
			fn(&x.c.Axes[i].Fiches[j], fmt.Sprintf("axes[%d].fiches[%d]", i, j))
		}
	}
}

func checkFicheTitles(x *checker) {
	x.eachFiche(func(f *model.Fiche, path string) {
		for k, l := range f.Listings {
			if fold(strings.TrimRight(l.Title, " .")) != fold(strings.TrimRight(f.Title, " .")) {
				x.reportf(fmt.Sprintf("%s.listings[%d].title", path, k), "fiche "+f.Code, "fiche", f.ID,
					"Harmonisez le titre par avenant ; en cas de différence, le contenu de la clause prévaut sur son titre (article 11).",
					"La fiche %s s'intitule « %s » sur la fiche elle-même, mais « %s » dans %s.", f.Code, f.Title, l.Title, inPlace(l.Place))
			}
		}
	})
}

func checkFicheCodes(x *checker) {
	x.eachFiche(func(f *model.Fiche, path string) {
		for k, l := range f.Listings {
			if l.Code != "" && l.Code != f.Code {
				x.reportf(fmt.Sprintf("%s.listings[%d].code", path, k), "fiche "+f.Code, "fiche", f.ID, "",
					"La fiche %s est numérotée « %s » dans %s.", f.Code, l.Code, inPlace(l.Place))
			}
		}
	})
}

// inPlace adds the article a place name needs: "article 4" → "l'article 4".
func inPlace(place string) string {
	if p := strings.ToLower(place); strings.HasPrefix(p, "article") || strings.HasPrefix(p, "annexe") {
		return "l'" + place
	}
	return place
}

// annexTopics maps words of the text to what an annex holds.
var annexTopics = []struct {
	words []string
	holds string
}{
	{[]string{"plan d'action", "plan", "actions nouvelles", "fiches action"}, "action_plan"},
	{[]string{"diagnostic", "besoins"}, "diagnostic"},
	{[]string{"equipement", "cofinancement", "services existant", "offre des services"}, "equipments"},
	{[]string{"pilotage", "gouvernance", "collaboration technique"}, "governance"},
	{[]string{"deliberation"}, "authorizations"},
	{[]string{"evaluation"}, "evaluation"},
}

var annexMentionRE = textutil.LazyRegexp(`annexe\s+([0-9]+)\b`)

// sentenceStart returns the index where the sentence around i begins.
func sentenceStart(s string, i int) int {
	return strings.LastIndexAny(s[:i], ".;:\n") + 1
}

func checkAnnexReferences(x *checker) {
	for _, t := range texts(x.c) {
		if !strings.HasSuffix(t.Path, ".text") && t.Path != "preamble.text" {
			continue
		}
		text := fold(t.Text)
		for _, m := range annexMentionRE.FindAllStringSubmatchIndex(text, -1) {
			n, _ := strconv.Atoi(text[m[2]:m[3]])
			sentence := text[sentenceStart(text, m[0]):m[0]]
			found, closest, at := map[string]bool{}, "", -1
			for _, topic := range annexTopics {
				for _, w := range topic.words {
					if i := strings.LastIndex(sentence, w); i >= 0 {
						found[topic.holds] = true
						if i > at {
							closest, at = topic.holds, i
						}
					}
				}
			}
			a := x.annex(n)
			if a == nil {
				x.reportf(t.Path, t.Where, t.Kind, t.ID, "", "Le texte renvoie à l'annexe %d, qui n'existe pas.", n)
				continue
			}
			if closest == "" || a.Holds == "" || found[a.Holds] {
				continue
			}
			fix := ""
			if right := x.annexHolding(closest); right != nil {
				fix = fmt.Sprintf("Le renvoi devrait sans doute viser l'annexe %d (%s).", right.Number, right.Title)
			}
			x.reportf(t.Path, t.Where, t.Kind, t.ID, fix, "« %s » renvoie à l'annexe %d (%s), qui ne contient pas ce qui est annoncé.",
				mention(t.Text, n), n, a.Title)
		}
	}
}

// mention quotes the text around its reference to annex n.
func mention(text string, n int) string {
	i := strings.Index(strings.ToLower(text), "annexe "+strconv.Itoa(n))
	if i < 0 {
		return excerpt(text, text)
	}
	return excerpt(text, text[i:i+len("annexe ")+len(strconv.Itoa(n))])
}

// partyWords lists how the text may name a party.
func partyWords(o model.Organization) []string {
	words := []string{fold(o.Name)}
	if s := strings.TrimSpace(o.ShortName); s != "" {
		s = strings.TrimPrefix(strings.TrimPrefix(fold(s), "la "), "le ")
		words = append(words, s)
	}
	switch o.Kind {
	case model.KindCaf:
		words = append(words, "caf", "caisse d'allocations")
	case model.KindMSA:
		words = append(words, "msa", "mutualite sociale agricole")
	case model.KindEPCI:
		words = append(words, "communaute de communes", "intercommunalite", "epci", "collectivite")
	case model.KindCommune:
		words = append(words, "communes", "collectivite")
	case model.KindDepartement:
		words = append(words, "departement", "conseil departemental")
	}
	return words
}

func namedIn(text string, o model.Organization) bool {
	for _, w := range partyWords(o) {
		if w != "" && regexp.MustCompile(`\b`+regexp.QuoteMeta(w)+`\b`).MatchString(text) {
			return true
		}
	}
	return false
}

func checkPartyEngaged(x *checker) {
	orgs := x.orgs()
	for i, a := range x.c.Articles {
		if !strings.Contains(fold(a.Title), "engagement") {
			continue
		}
		text := fold(a.Text)
		for _, p := range x.c.Parties {
			if o := orgs[p.Organization]; !namedIn(text, o) {
				x.reportf(fmt.Sprintf("articles[%d]", i), fmt.Sprintf("article %d", a.Number), "article", a.ID,
					"Précisez les engagements de cette partie, ou vérifiez qu'elle doit signer.",
					"%s signe la convention mais n'apparaît pas dans l'article %d (%s).", o.Name, a.Number, a.Title)
			}
		}
	}
}

func checkPartyInSteering(x *checker) {
	for i, k := range x.c.Committees {
		if k.Kind != model.CommitteeSteering {
			continue
		}
		var members []string
		for _, g := range k.Composition {
			members = append(members, g.Organizations...)
		}
		for _, p := range x.c.Parties {
			if !slices.Contains(members, p.Organization) {
				x.reportf(fmt.Sprintf("committees[%d].composition", i), "gouvernance", "committee", k.ID,
					"Ajoutez ses représentants à la composition, ou précisez pourquoi elle n'y siège pas.",
					"%s signe la convention mais ne figure pas dans la composition du %s.", x.orgName(p.Organization), k.Name)
			}
		}
	}
}

var partyCountRE = textutil.LazyRegexp(`\b(?:les|des|aux) (deux|trois|quatre|cinq|six|sept|huit) (partenaires|parties|signataires)\b`)

var numberWords = map[string]int{"deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8}

func checkPartyCount(x *checker) {
	n := len(x.c.Parties)
	for _, t := range texts(x.c) {
		if !strings.HasPrefix(t.Path, "articles[") && !strings.HasPrefix(t.Path, "preamble") {
			continue
		}
		for _, m := range partyCountRE.FindAllStringSubmatch(fold(t.Text), -1) {
			if numberWords[m[1]] != n {
				x.reportf(t.Path, t.Where, t.Kind, t.ID, "Vérifiez de quels partenaires parle la clause.",
					"Le texte parle « %s », alors que la convention compte %d parties.", m[0], n)
			}
		}
	}
}

func checkRepeatedWords(x *checker) {
	for _, t := range texts(x.c) {
		if r := repeatedWords(t.Text); r != "" {
			x.reportf(t.Path, t.Where, t.Kind, t.ID, "Corrigez la coquille lors du prochain avenant.", "Mots répétés : « %s ».", r)
		}
	}
}

// territoryCommunes returns the INSEE codes of the territory and those of
// the communes that signed.
func (x *checker) territoryCommunes() (all []string, signed map[string]bool) {
	all = x.c.Territory.Communes
	if e, ok := x.ref.EPCI(x.c.Territory.EPCI); ok && len(all) == 0 {
		all = e.Members
	}
	signed = map[string]bool{}
	orgs := x.orgs()
	for _, p := range x.c.Parties {
		if o := orgs[p.Organization]; o.Kind == model.KindCommune && o.INSEE != "" {
			signed[o.INSEE] = true
		}
	}
	return all, signed
}

func (x *checker) communeName(code string) string {
	if c, ok := x.ref.Commune(code); ok {
		return c.Name
	}
	return code
}

func checkNonSignatories(x *checker) {
	all, signed := x.territoryCommunes()
	var missing []string
	for _, code := range all {
		if !signed[code] {
			missing = append(missing, x.communeName(code))
		}
	}
	if len(missing) > 0 && len(signed) > 0 {
		x.reportf("territory", "territoire", "convention", x.c.ID,
			"Si ces communes sont concernées par le plan d'actions, associez-les par avenant.",
			"%d des %d communes du territoire n'ont pas signé : %s.", len(missing), len(all), strings.Join(missing, ", "))
	}
}

func checkEquipmentSignatories(x *checker) {
	all, signed := x.territoryCommunes()
	if len(signed) == 0 {
		return
	}
	for i, e := range x.c.Equipments {
		if slices.Contains(all, e.Commune) && !signed[e.Commune] {
			x.reportf(fmt.Sprintf("equipments[%d].commune", i), "annexe 2 (équipements)", "equipment", e.ID,
				"Vérifiez qui finance cet équipement et si la commune doit signer.",
				"L'équipement « %s » est situé à %s, commune du territoire qui n'a pas signé la convention.", e.Name, x.communeName(e.Commune))
		}
	}
}

func checkEquipmentTerritory(x *checker) {
	all, _ := x.territoryCommunes()
	if len(all) == 0 {
		return
	}
	for i, e := range x.c.Equipments {
		if !slices.Contains(all, e.Commune) {
			x.reportf(fmt.Sprintf("equipments[%d].commune", i), "annexe 2 (équipements)", "equipment", e.ID,
				"Vérifiez la commune de l'équipement, ou le périmètre du territoire.",
				"L'équipement « %s » est situé à %s, hors du territoire de la convention.", e.Name, x.communeName(e.Commune))
		}
	}
}

func checkStepPeriod(x *checker) {
	p := x.c.Period
	x.eachFiche(func(f *model.Fiche, path string) {
		for k, s := range f.Steps {
			sc := s.Schedule
			if (sc.Start != nil && sc.Start.After(p.End)) || (sc.End != nil && sc.End.Before(p.Start)) {
				x.reportf(fmt.Sprintf("%s.steps[%d].schedule", path, k), "fiche "+f.Code, "step", s.ID,
					"Redatez l'étape dans la période, ou prévoyez-la dans la convention suivante.",
					"Une étape de la fiche %s (« %s ») est datée hors de la période de la convention (%s – %s).",
					f.Code, sc.AsWritten, frenchDate(p.Start), frenchDate(p.End))
			}
		}
	})
}

func checkStepUndated(x *checker) {
	x.eachFiche(func(f *model.Fiche, path string) {
		for k, s := range f.Steps {
			if s.Schedule.Start == nil && s.Schedule.End == nil {
				x.reportf(fmt.Sprintf("%s.steps[%d].schedule", path, k), "fiche "+f.Code, "step", s.ID,
					"Donnez-lui une échéance pour pouvoir en suivre l'avancement.",
					"L'étape %d de la fiche %s n'a pas de date%s.", stepNumber(s, k), f.Code, writtenAs(s.Schedule.AsWritten))
			}
		}
	})
}

// checkStepLate reports the steps late on the date of the check, by the
// rule of model.Step.LateOn.
func checkStepLate(x *checker) {
	// A terminated convention's engagements stop on its effective date.
	at := lifecycle.EngagementsDay(x.c, x.at)
	x.eachFiche(func(f *model.Fiche, path string) {
		for k, s := range f.Steps {
			if !s.LateOn(at) {
				continue
			}
			fix := "Mettez à jour son avancement, ou redatez-la en comité de pilotage."
			p := fmt.Sprintf("%s.steps[%d]", path, k)
			due, missed := s.MissedDeadline(at)
			switch {
			case missed && s.Schedule.End != nil && due == *s.Schedule.End:
				x.reportf(p, "fiche "+f.Code, "step", s.ID, fix,
					"L'étape %d de la fiche %s%s devait être réalisée au plus tard le %s ; elle est encore « %s ».",
					stepNumber(s, k), f.Code, writtenAs(s.Schedule.AsWritten), frenchDate(due), statusLabel(s.Status))
				continue
			case missed:
				x.reportf(p, "fiche "+f.Code, "step", s.ID, fix,
					"L'étape %d de la fiche %s%s, qui revient chaque année, devait commencer au plus tard le %s ; elle est encore « %s ».",
					stepNumber(s, k), f.Code, writtenAs(s.Schedule.AsWritten), frenchDate(due), statusLabel(s.Status))
				continue
			}
			x.reportf(p, "fiche "+f.Code, "step", s.ID, fix,
				"L'étape %d de la fiche %s%s est notée en retard.", stepNumber(s, k), f.Code, writtenAs(s.Schedule.AsWritten))
		}
	})
}

// statusLabel names a step's status in the words of the pages.
func statusLabel(s model.ActionStatus) string {
	switch s {
	case model.ActionInProgress:
		return "en cours"
	case model.ActionLate:
		return "en retard"
	}
	return "prévue"
}

func stepNumber(s model.Step, k int) int {
	if s.Number > 0 {
		return s.Number
	}
	return k + 1
}

func writtenAs(s string) string {
	if s == "" {
		return ""
	}
	return " (« " + s + " »)"
}

func checkPromisedFiches(x *checker) {
	if !x.bound() {
		return
	}
	for i, a := range x.c.Axes {
		if a.FichesDueBy != nil && !x.fichesDelivered(&x.c.Axes[i]) && a.FichesDueBy.Before(x.at) {
			state := "aucune n'est enregistrée"
			if len(a.Fiches) > 0 {
				state = "aucun avenant signé et en vigueur ne les a adoptées"
			}
			x.reportf(fmt.Sprintf("axes[%d]", i), fmt.Sprintf("axe %d", a.Number), "axis", a.ID,
				"Rédigez les fiches et faites-les adopter par avenant, ou constatez en comité de pilotage leur abandon.",
				"Les fiches de l'axe %d (« %s ») devaient faire l'objet d'un avenant au plus tard le %s ; %s.",
				a.Number, a.Title, frenchDate(*a.FichesDueBy), state)
		}
	}
}

func checkEmptyAxes(x *checker) {
	for i, a := range x.c.Axes {
		if len(a.Fiches) == 0 && a.FichesDueBy == nil {
			x.reportf(fmt.Sprintf("axes[%d]", i), fmt.Sprintf("axe %d", a.Number), "axis", a.ID, "",
				"L'axe %d (« %s ») n'a aucune fiche action et aucune n'est promise.", a.Number, a.Title)
		}
	}
}

// evaluationDue returns when the evaluation must be done: the end of the
// year the evaluation annex names, else the end of the period.
func (x *checker) evaluationDue() (model.Date, *model.Annex) { return EvaluationDue(x.c) }

// EvaluationDue returns when the evaluation of c must be done, and the
// annex that says so (nil when none holds the evaluation): the end of the
// last year the evaluation annex names, else the end of the period. The
// checker and the obligations calendar both ask it.
func EvaluationDue(c *model.Convention) (model.Date, *model.Annex) {
	x := &checker{c: c}
	if a := x.annexHolding("evaluation"); a != nil {
		years := yearRE.FindAllString(a.Text, -1)
		if len(years) > 0 {
			y, _ := strconv.Atoi(years[len(years)-1])
			return model.Date{Year: y, Month: time.December, Day: 31}, a
		}
		return c.Period.End, a
	}
	return c.Period.End, nil
}

// bound reports whether the convention binds its parties on the date of
// the check: signed, not terminated (lifecycle).
func (x *checker) bound() bool {
	switch lifecycle.Of(x.c).On(x.at) {
	case lifecycle.Signed, lifecycle.InForce, lifecycle.Ended, lifecycle.Renewed:
		return true
	}
	return false
}

// maxListedFiches bounds the fiches a finding lists by code.
const maxListedFiches = 8

// checkEvaluation warns, from a year before the evaluation is due, until
// it is recorded: every fiche of the plan has its written assessment
// (appréciation) for the year of the evaluation — the evaluation of the
// actions the evaluation annex asks for, which the bilan prints.
func checkEvaluation(x *checker) {
	due, annex := x.evaluationDue()
	if !x.bound() || !x.at.After(model.DateOf(due.Time().AddDate(-1, 0, 0))) {
		return
	}
	written := map[string]bool{}
	for _, a := range x.rec.Assessments {
		if a.Year == due.Year && strings.TrimSpace(a.Text) != "" {
			written[a.Fiche] = true
		}
	}
	var missing []string
	total := 0
	for _, ax := range x.c.Axes {
		for _, f := range ax.Fiches {
			total++
			if !written[f.Code] {
				missing = append(missing, f.Code)
			}
		}
	}
	if total > 0 && len(missing) == 0 {
		return
	}
	where, kind, id := "article 9", "convention", x.c.ID
	if annex != nil {
		where, kind, id = fmt.Sprintf("annexe %d", annex.Number), "annex", annex.ID
	}
	state := "est due au"
	if due.Before(x.at) {
		state = "était due au"
	}
	var detail string
	switch {
	case len(missing) == total:
		detail = fmt.Sprintf("aucune fiche n'a encore son appréciation %d", due.Year)
	default:
		codes := missing
		more := ""
		if len(codes) > maxListedFiches {
			codes, more = codes[:maxListedFiches], ", …"
		}
		detail = fmt.Sprintf("%d fiche(s) sur %d sans appréciation %d (%s%s)", len(missing), total, due.Year, strings.Join(codes, ", "), more)
	}
	x.reportf("evaluation", where, kind, id,
		fmt.Sprintf("Écrivez l'appréciation %d de chaque fiche, sur la page de la fiche : ensemble, elles enregistrent l'évaluation du plan d'actions, préalable au renouvellement.", due.Year),
		"L'évaluation de la convention %s %s : %s.", state, frenchDate(due), detail)
}

func checkExpired(x *checker) {
	if lifecycle.Of(x.c).On(x.at) == lifecycle.Ended {
		x.reportf("period.end", "article 10", "convention", x.c.ID,
			"Faites décider le renouvellement par les conseils (reconduction expresse seulement) ou constatez la fin de la convention.",
			"La convention a pris fin le %s et aucun renouvellement n'est enregistré : %s.", frenchDate(x.c.Period.End), renewalNote(x.c))
	}
}

// RenewalNoticeMonths is how many months before the end of its period a
// signed convention should have its renewal decided: the councils of
// every party must deliberate, which takes a few of their sessions.
const RenewalNoticeMonths = 6

func checkRenewalNotDecided(x *checker) {
	f := lifecycle.Of(x.c)
	end := x.c.Period.End
	from := lifecycle.AddMonths(end, -RenewalNoticeMonths)
	if st := f.On(x.at); (st != lifecycle.InForce && st != lifecycle.Signed) || f.Renewal != nil || f.Termination != nil || x.at.Before(from) {
		return
	}
	x.reportf("period.end", "article 10", "convention", x.c.ID,
		"Faites délibérer les parties sur sa reconduction, puis enregistrez la décision sur la page « Vie de la convention ».",
		"La convention prend fin le %s et son renouvellement, qui ne peut être qu'exprès, n'est pas encore décidé.", frenchDate(end))
}

func checkNoticeRunning(x *checker) {
	f := lifecycle.Of(x.c)
	if !f.NoticeRunning(x.at) {
		return
	}
	t := f.Termination
	x.reportf("termination", "article 12", "convention", x.c.ID, "",
		"Un préavis de résiliation court depuis le %s (%s) : la convention sera résiliée le %s, et les engagements des parties s'arrêteront alors.",
		frenchDate(t.ReceivedOn), t.Mode.Label(), frenchDate(t.EffectiveOn))
}

func renewalNote(c *model.Convention) string {
	if c.Period.Renewal != "" {
		return strings.TrimSuffix(strings.ToLower(c.Period.Renewal[:1])+c.Period.Renewal[1:], ".")
	}
	return "elle ne se renouvelle pas d'elle-même"
}

func checkPeriodBeforeSignature(x *checker) {
	if sig := x.c.Signature.Date; sig != nil && x.c.Period.Start.Before(*sig) {
		x.reportf("period.start", "article 10", "convention", x.c.ID,
			"Vérifiez que les actions et financements antérieurs à la signature sont bien couverts.",
			"La convention prend effet le %s, avant sa signature le %s (effet rétroactif).", frenchDate(x.c.Period.Start), frenchDate(*sig))
	}
}

// ficheIndicators lists a fiche's indicators, its steps' included.
func ficheIndicators(f *model.Fiche) []model.Indicator {
	out := slices.Clone(f.Indicators)
	for _, s := range f.Steps {
		out = append(out, s.Indicators...)
	}
	return out
}

func checkFicheIndicators(x *checker) {
	x.eachFiche(func(f *model.Fiche, path string) {
		if len(ficheIndicators(f)) == 0 {
			x.reportf(path+".indicators", "fiche "+f.Code, "fiche", f.ID, "Ajoutez au moins un indicateur pour pouvoir l'évaluer (article 9).",
				"La fiche %s n'a aucun indicateur.", f.Code)
		}
	})
}

func checkIndicatorUnits(x *checker) {
	x.eachFiche(func(f *model.Fiche, path string) {
		missing := 0
		inds := ficheIndicators(f)
		for _, ind := range inds {
			if ind.Unit == "" || ind.Periodicity == "" {
				missing++
			}
		}
		if missing == 0 {
			return
		}
		msg := fmt.Sprintf("%d des %d indicateurs de la fiche %s n'ont pas d'unité ou de périodicité.", missing, len(inds), f.Code)
		switch {
		case len(inds) == 1:
			msg = fmt.Sprintf("L'indicateur de la fiche %s n'a pas d'unité ou de périodicité.", f.Code)
		case missing == len(inds):
			msg = fmt.Sprintf("Aucun des %d indicateurs de la fiche %s n'a d'unité et de périodicité.", len(inds), f.Code)
		}
		x.reportf(path+".indicators", "fiche "+f.Code, "fiche", f.ID,
			"Précisez pour chacun l'unité (nombre, euros, places…) et la périodicité de collecte.", "%s", msg)
	})
}

func checkIndicatorDuplicates(x *checker) {
	x.eachFiche(func(f *model.Fiche, path string) {
		seen := map[string]int{}
		codes := map[string]map[string]bool{}
		var order []string
		for _, ind := range ficheIndicators(f) {
			k := fold(strings.TrimRight(ind.Label, " ."))
			if seen[k] == 0 {
				order = append(order, ind.Label)
				codes[k] = map[string]bool{}
			}
			seen[k]++
			codes[k][ind.Code] = true
		}
		// Mentions sharing one code are one indicator, collected once.
		for k, cs := range codes {
			if len(cs) == 1 && !cs[""] {
				seen[k] = 1
			}
		}
		for _, label := range order {
			if n := seen[fold(strings.TrimRight(label, " ."))]; n > 1 {
				x.reportf(path+".indicators", "fiche "+f.Code, "fiche", f.ID,
					"Un seul indicateur, collecté une fois, peut servir à plusieurs étapes.",
					"L'indicateur « %s » figure %d fois dans la fiche %s.", label, n, f.Code)
			}
		}
	})
}

func checkSIREN(x *checker) {
	for i, o := range x.c.Organizations {
		if o.SIREN != "" && !convention.ValidSIREN(o.SIREN) {
			x.reportf(fmt.Sprintf("organizations[%d].siren", i), "parties", "organization", o.ID, "Vérifiez le numéro sur l'annuaire des entreprises.",
				"Le SIREN « %s » de %s est invalide (9 chiffres avec clé de Luhn).", o.SIREN, o.Name)
		}
	}
	if e := x.c.Territory.EPCI; e != "" && !convention.ValidSIREN(e) {
		x.reportf("territory.epci", "territoire", "convention", x.c.ID, "", "Le SIREN de l'EPCI « %s » est invalide.", e)
	}
}

func checkINSEE(x *checker) {
	for i, o := range x.c.Organizations {
		if _, ok := x.ref.Commune(o.INSEE); o.INSEE != "" && !ok {
			x.reportf(fmt.Sprintf("organizations[%d].insee", i), "parties", "organization", o.ID, "", "Le code commune « %s » de %s n'existe pas.", o.INSEE, o.Name)
		}
	}
	for i, e := range x.c.Equipments {
		if _, ok := x.ref.Commune(e.Commune); !ok {
			x.reportf(fmt.Sprintf("equipments[%d].commune", i), "annexe 2 (équipements)", "equipment", e.ID, "",
				"Le code commune « %s » de l'équipement « %s » n'existe pas.", e.Commune, e.Name)
		}
	}
}

func checkPostalCodes(x *checker) {
	for i, e := range x.c.Equipments {
		c, ok := x.ref.Commune(e.Commune)
		if !ok || e.PostalCode == "" || len(c.PostalCodes) == 0 || slices.Contains(c.PostalCodes, e.PostalCode) {
			continue
		}
		x.reportf(fmt.Sprintf("equipments[%d].postal_code", i), "annexe 2 (équipements)", "equipment", e.ID,
			"Corrigez le code postal ou la commune.", "Le code postal %s de l'équipement « %s » n'est pas celui de %s (%s).",
			e.PostalCode, e.Name, c.Name, strings.Join(c.PostalCodes, ", "))
	}
}
