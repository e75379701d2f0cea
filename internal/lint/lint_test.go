package lint

import (
	"slices"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/territory"
)

var at = model.MustDate("2024-06-01")

func date(s string) *model.Date {
	d := model.MustDate(s)
	return &d
}

// clean is a small convention with no defect as of at.
func clean() *model.Convention {
	auth := func() *model.Authorization {
		return &model.Authorization{Kind: "deliberation", Body: "conseil municipal", Date: date("2022-12-01"), Annex: 2}
	}
	return &model.Convention{
		Slug: "propre", Title: "Convention propre", Status: model.StatusSigned,
		Period:    model.Period{Start: model.MustDate("2023-01-01"), End: model.MustDate("2026-12-31")},
		Signature: model.Signature{Place: "Digne-les-Bains", Date: date("2022-12-15")},
		Territory: model.Territory{Communes: []string{"04088", "04104"}},
		Organizations: []model.Organization{
			{Key: "caf", Kind: model.KindCaf, Name: "Caisse d'allocations familiales", ShortName: "la Caf"},
			{Key: "f", Kind: model.KindCommune, Name: "Commune de Forcalquier", INSEE: "04088", SIREN: "210400883"},
			{Key: "l", Kind: model.KindCommune, Name: "Commune de Limans", INSEE: "04104"},
		},
		Parties: []model.Party{
			{Organization: "caf", Representatives: []model.Representative{{Name: "A", Title: "Directeur"}}, Authorization: auth()},
			{Organization: "f", Representatives: []model.Representative{{Name: "B", Title: "Maire"}}, Authorization: auth()},
			{Organization: "l", Representatives: []model.Representative{{Name: "C", Title: "Maire"}}, Authorization: auth()},
		},
		Articles: []model.Article{
			{Number: 1, Title: "ENGAGEMENTS DES PARTENAIRES", Text: "La Caf et les communes s'engagent à mettre en œuvre le plan."},
			{Number: 2, Title: "EVALUATION", Text: "Les indicateurs sont déclinés dans le plan d'actions figurant en annexe 1."},
		},
		Annexes: []model.Annex{
			{Number: 1, Title: "Plan d'actions", Holds: "action_plan"},
			{Number: 2, Title: "Délibérations", Holds: "authorizations", Text: "Délibérations des conseils jointes."},
			{Number: 3, Title: "Évaluation", Holds: "evaluation", Text: "Elle sera conduite en 2026."},
		},
		Axes: []model.Axis{{Number: 1, Title: "Coordination", Fiches: []model.Fiche{{
			Code: "1.1", Title: "Coordonner les actions", Status: model.ActionPlanned,
			Listings: []model.Listing{{Place: "article 4", Code: "1.1", Title: "Coordonner les actions"}},
			Steps: []model.Step{{Text: "Recruter", Status: model.ActionPlanned, Schedule: model.Schedule{AsWritten: "En 2024", Start: date("2024-01-01")},
				Indicators: []model.Indicator{{Label: "Le nombre d'ETP", Unit: "count", Periodicity: "year"}}}},
		}}}},
		Equipments: []model.Equipment{{OperatorName: "Commune", Operator: "f", Name: "Crèche", ActivityType: "EAJE", PostalCode: "04300", Commune: "04088"}},
		Committees: []model.Committee{{Key: "copil", Kind: model.CommitteeSteering, Name: "Comité de pilotage",
			Composition: []model.MemberGroup{{Label: "Tous", Organizations: []string{"caf", "f", "l"}, Members: []string{"un représentant"}}}}},
	}
}

func step(c *model.Convention) *model.Step { return &c.Axes[0].Fiches[0].Steps[0] }

// triggers gives, for every rule, a change of the clean convention that
// must make it report.
var triggers = map[string]func(c *model.Convention){
	"TEXT-PLACEHOLDER":          func(c *model.Convention) { c.Articles[0].Text += " Délibération du XXXX." },
	"NAME-EMPTY":                func(c *model.Convention) { c.Organizations[2].Name = "Commune de" },
	"SIGNATURE-DATE-MISSING":    func(c *model.Convention) { c.Signature.Date = nil },
	"AUTH-MISSING":              func(c *model.Convention) { c.Parties[1].Authorization = nil },
	"AUTH-DATE-MISSING":         func(c *model.Convention) { c.Parties[1].Authorization.Date = nil },
	"AUTH-DATE-AFTER-SIGNATURE": func(c *model.Convention) { c.Parties[1].Authorization.Date = date("2023-01-10") },
	"AUTH-ANNEX-UNKNOWN":        func(c *model.Convention) { c.Parties[1].Authorization.Annex = 9 },
	"AUTH-ANNEX-EMPTY":          func(c *model.Convention) { c.Annexes[1].Text = "Insérer les délibérations" },
	"AUTH-DOCUMENT-MISSING":     func(*model.Convention) {}, // a file carries no document
	"AUTH-ACK-UNMATCHED": func(c *model.Convention) {
		c.Transmissions = []model.PrefectureAcknowledgement{{Identifier: "004-210400883-20221205-12-2022-DE"}}
	},
	"FICHE-TITLE-MISMATCH":           func(c *model.Convention) { c.Axes[0].Fiches[0].Listings[0].Title = "Coordonner" },
	"FICHE-CODE-WRITTEN-DIFFERENTLY": func(c *model.Convention) { c.Axes[0].Fiches[0].Listings[0].Code = "1-1" },
	"ANNEX-REFERENCE": func(c *model.Convention) {
		c.Articles[1].Text = "Les indicateurs sont dans le plan, constituant l'annexe 2."
	},
	"PARTY-NOT-ENGAGED":       func(c *model.Convention) { c.Articles[0].Text = "La Caf s'engage." },
	"PARTY-NOT-IN-STEERING":   func(c *model.Convention) { c.Committees[0].Composition[0].Organizations = []string{"caf", "f"} },
	"TEXT-PARTY-COUNT":        func(c *model.Convention) { c.Articles[0].Text += " La coordination entre les deux partenaires." },
	"TEXT-REPEATED-WORDS":     func(c *model.Convention) { c.Articles[0].Text += " La communauté de communes de communes agit." },
	"TERRITORY-NON-SIGNATORY": func(c *model.Convention) { c.Territory.Communes = append(c.Territory.Communes, "04206") },
	"EQUIPMENT-OUTSIDE-SIGNATORIES": func(c *model.Convention) {
		c.Territory.Communes = append(c.Territory.Communes, "04206")
		c.Equipments[0].Commune = "04206"
	},
	"EQUIPMENT-OUTSIDE-TERRITORY": func(c *model.Convention) { c.Equipments[0].Commune, c.Equipments[0].PostalCode = "75056", "" },
	"STEP-OUTSIDE-PERIOD": func(c *model.Convention) {
		step(c).Schedule = model.Schedule{AsWritten: "En 2027", Start: date("2027-01-01")}
	},
	"STEP-UNDATED": func(c *model.Convention) { step(c).Schedule = model.Schedule{} },
	"STEP-LATE": func(c *model.Convention) {
		step(c).Schedule = model.Schedule{AsWritten: "En 2023", Start: date("2023-01-01"), End: date("2023-12-31")}
	},
	"FICHES-PROMISED-OVERDUE": func(c *model.Convention) {
		c.Axes = append(c.Axes, model.Axis{Number: 2, Title: "Parentalité", FichesDueBy: date("2024-03-31")})
	},
	"AXIS-EMPTY":              func(c *model.Convention) { c.Axes = append(c.Axes, model.Axis{Number: 2, Title: "Parentalité"}) },
	"EVALUATION-NOT-RECORDED": func(c *model.Convention) { c.Annexes[2].Text = "Elle devra être déployée en 2023." },
	"CONVENTION-EXPIRED":      func(c *model.Convention) { c.Period.End = model.MustDate("2024-05-31") },
	"RENEWAL-NOT-DECIDED":     func(c *model.Convention) { c.Period.End = model.MustDate("2024-11-30") },
	"TERMINATION-NOTICE-RUNNING": func(c *model.Convention) {
		c.Acts.Termination = &model.Termination{Mode: model.TerminationMutualConsent, LetterOn: model.MustDate("2024-03-01"),
			ReceivedOn: model.MustDate("2024-03-04"), EffectiveOn: model.MustDate("2024-09-04")}
	},
	"PERIOD-BEFORE-SIGNATURE": func(c *model.Convention) { c.Signature.Date = date("2023-02-01") },
	"FICHE-NO-INDICATOR":      func(c *model.Convention) { step(c).Indicators = nil },
	"INDICATOR-NO-UNIT":       func(c *model.Convention) { step(c).Indicators[0].Unit = "" },
	"INDICATOR-DUPLICATE":     func(c *model.Convention) { c.Axes[0].Fiches[0].Indicators = step(c).Indicators },
	"IDENT-SIREN":             func(c *model.Convention) { c.Organizations[1].SIREN = "210400884" },
	"IDENT-INSEE":             func(c *model.Convention) { c.Organizations[2].INSEE = "04999" },
	"IDENT-POSTAL-CODE":       func(c *model.Convention) { c.Equipments[0].PostalCode = "04230" },
}

func rules(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	return out
}

// attached lists a document for each party's deliberation.
func attached(c *model.Convention) Recorded {
	var docs []model.Document
	for _, p := range c.Parties {
		docs = append(docs, model.Document{OwnerKind: model.OwnerAuthorization, OwnerKey: p.Organization})
	}
	return Recorded{Documents: docs}
}

// TestCleanConventionHasNoFinding checks the clean convention, stored with
// its deliberations attached.
func TestCleanConventionHasNoFinding(t *testing.T) {
	c := clean()
	if fs := RunWith(c, territory.MustLoad(), at, attached(c)); len(fs) > 0 {
		for _, f := range fs {
			t.Errorf("%s %s : %s", f.Rule, f.Path, f.Message)
		}
	}
}

func TestEachRuleTriggers(t *testing.T) {
	ref := territory.MustLoad()
	for _, r := range Rules {
		t.Run(r.ID, func(t *testing.T) {
			trigger, ok := triggers[r.ID]
			recorded, lok := recordedTriggers[r.ID]
			if !ok && !lok {
				t.Fatal("règle sans test")
			}
			c := clean()
			var fs []Finding
			if lok {
				fs = RunWith(c, ref, at, recorded(c))
			} else {
				trigger(c)
				fs = Run(c, ref, at)
			}
			if !slices.Contains(rules(fs), r.ID) {
				t.Fatalf("non signalé ; constats : %v", rules(fs))
			}
			for _, f := range fs {
				if f.Rule == r.ID && (f.Message == "" || f.Path == "" || f.Severity != r.Severity) {
					t.Errorf("constat incomplet : %+v", f)
				}
			}
		})
	}
	if len(triggers)+len(recordedTriggers) != len(Rules) {
		t.Errorf("%d déclencheurs pour %d règles", len(triggers)+len(recordedTriggers), len(Rules))
	}
}

func TestTimeDependentRulesUseTheDate(t *testing.T) {
	c := clean()
	c.Axes = append(c.Axes, model.Axis{Number: 2, Title: "Parentalité", FichesDueBy: date("2024-03-31")})
	if slices.Contains(rules(Run(c, territory.MustLoad(), model.MustDate("2024-03-01"))), "FICHES-PROMISED-OVERDUE") {
		t.Error("échéance signalée avant d'être passée")
	}
	if !slices.Contains(rules(Run(c, territory.MustLoad(), model.MustDate("2027-01-15"))), "CONVENTION-EXPIRED") {
		t.Error("fin de convention non signalée")
	}
	step(c).Schedule.End = date("2024-12-31")
	if slices.Contains(rules(Run(c, territory.MustLoad(), model.MustDate("2024-12-31"))), "STEP-LATE") {
		t.Error("étape signalée en retard le dernier jour de son calendrier")
	}
	if !slices.Contains(rules(Run(c, territory.MustLoad(), model.MustDate("2025-01-01"))), "STEP-LATE") {
		t.Error("étape non signalée en retard après son calendrier")
	}
	step(c).Status = model.ActionDone
	if slices.Contains(rules(Run(c, territory.MustLoad(), model.MustDate("2025-01-01"))), "STEP-LATE") {
		t.Error("étape réalisée signalée en retard")
	}
}

// TestExpiryFollowsTheLifecycle checks that CONVENTION-EXPIRED fires when
// the convention is échue — signed, its period over, no renewal recorded —
// whatever label its status field carries.
func TestExpiryFollowsTheLifecycle(t *testing.T) {
	after := model.MustDate("2027-01-15")
	expired := func(change func(c *model.Convention)) bool {
		c := clean()
		change(c)
		return slices.Contains(rules(Run(c, territory.MustLoad(), after)), "CONVENTION-EXPIRED")
	}
	if !expired(func(c *model.Convention) { c.Status = model.StatusDraft }) {
		t.Error("convention signée (date de signature enregistrée) mais étiquetée « projet » : fin non signalée")
	}
	if expired(func(c *model.Convention) { c.Signature.Date = nil }) {
		t.Error("convention jamais signée signalée échue")
	}
	if !expired(func(c *model.Convention) { c.Status = model.StatusRenewed }) {
		t.Error("l'étiquette « renouvelée » sans décision enregistrée masque la fin")
	}
	if expired(func(c *model.Convention) {
		c.Acts.Renewal = &model.Renewal{DecidedOn: model.MustDate("2026-10-01"), Successor: "suite"}
	}) {
		t.Error("convention renouvelée signalée échue")
	}
	if expired(func(c *model.Convention) {
		c.Acts.Termination = &model.Termination{Mode: model.TerminationBreach, LetterOn: model.MustDate("2025-02-01"),
			ReceivedOn: model.MustDate("2025-02-03"), EffectiveOn: model.MustDate("2025-03-03")}
	}) {
		t.Error("convention résiliée signalée échue")
	}
}

// TestRenewalNotDecidedWarnsDuringTheLastMonths checks the window of
// RENEWAL-NOT-DECIDED: from six months before the end to the end, unless
// the renewal is decided or a termination recorded.
func TestRenewalNotDecidedWarnsDuringTheLastMonths(t *testing.T) {
	warns := func(on string, change func(c *model.Convention)) bool {
		c := clean() // ends on 31 December 2026
		change(c)
		return slices.Contains(rules(Run(c, territory.MustLoad(), model.MustDate(on))), "RENEWAL-NOT-DECIDED")
	}
	none := func(*model.Convention) {}
	for on, want := range map[string]bool{"2026-06-29": false, "2026-06-30": true, "2026-12-31": true, "2027-01-01": false} {
		if got := warns(on, none); got != want {
			t.Errorf("le %s : %v, attendu %v", on, got, want)
		}
	}
	if warns("2026-09-01", func(c *model.Convention) {
		c.Acts.Renewal = &model.Renewal{DecidedOn: model.MustDate("2026-07-01"), Successor: "suite"}
	}) {
		t.Error("signalé alors que le renouvellement est décidé")
	}
	if warns("2026-09-01", func(c *model.Convention) {
		c.Acts.Termination = &model.Termination{Mode: model.TerminationMutualConsent, LetterOn: model.MustDate("2026-07-01"),
			ReceivedOn: model.MustDate("2026-07-02"), EffectiveOn: model.MustDate("2027-01-02")}
	}) {
		t.Error("signalé alors qu'une résiliation est enregistrée")
	}
	if warns("2026-09-01", func(c *model.Convention) { c.Signature.Date = nil }) {
		t.Error("signalé pour une convention non signée")
	}
}

// TestStepsDueAfterTheTerminationAreNotLate checks that the engagements
// stop on the termination's effective date (art. 12).
func TestStepsDueAfterTheTerminationAreNotLate(t *testing.T) {
	c := clean()
	step(c).Schedule = model.Schedule{AsWritten: "En 2025", Start: date("2025-01-01"), End: date("2025-12-31")}
	late := func() bool {
		return slices.Contains(rules(Run(c, territory.MustLoad(), model.MustDate("2026-03-01"))), "STEP-LATE")
	}
	if !late() {
		t.Fatal("étape de 2025 non signalée en retard en 2026")
	}
	c.Acts.Termination = &model.Termination{Mode: model.TerminationBreach, LetterOn: model.MustDate("2025-05-01"),
		ReceivedOn: model.MustDate("2025-05-05"), EffectiveOn: model.MustDate("2025-06-05")}
	if late() {
		t.Error("étape due après la résiliation signalée en retard")
	}
	step(c).Schedule.End = date("2025-03-31")
	if !late() {
		t.Error("étape due avant la résiliation, manquée, plus signalée")
	}
}

// TestBundledConvention checks what the issue demands on the real
// convention, as of 2026-11-27.
func TestBundledConvention(t *testing.T) {
	c, err := interchange.Decode(examples.Forcalquier, territory.MustLoad())
	if err != nil {
		t.Fatal(err)
	}
	fs := Run(c, territory.MustLoad(), model.MustDate("2026-11-27"))
	count := func(rule, contains string) int {
		n := 0
		for _, f := range fs {
			if f.Rule == rule && strings.Contains(f.Message, contains) {
				n++
			}
		}
		return n
	}
	for _, want := range []struct {
		rule, contains string
		n              int
	}{
		{"AUTH-DATE-MISSING", "XXXX", 5},
		{"AUTH-DATE-MISSING", "Msa", 1},
		{"FICHES-PROMISED-OVERDUE", "axe 5", 1},
		{"FICHES-PROMISED-OVERDUE", "axe 6", 1},
		{"FICHE-TITLE-MISMATCH", "fiche 2.1", 1},
		{"FICHE-TITLE-MISMATCH", "fiche 4.2", 2},
		{"AUTH-DATE-AFTER-SIGNATURE", "6 décembre 2022", 1},
		{"ANNEX-REFERENCE", "annexe 4", 1},
		{"PARTY-NOT-ENGAGED", "Mutualité", 1},
		{"PARTY-NOT-IN-STEERING", "Mutualité", 1},
		{"EQUIPMENT-OUTSIDE-SIGNATORIES", "Sigonce", 1},
		{"CONVENTION-EXPIRED", "31 décembre 2024", 1},
		{"AUTH-ANNEX-EMPTY", "L'annexe 6", 1},
		{"STEP-LATE", "fiche 3.1 (« En 2024 »)", 1},
	} {
		if got := count(want.rule, want.contains); got != want.n {
			t.Errorf("%s « %s » : %d constat(s), %d attendu(s)", want.rule, want.contains, got, want.n)
		}
	}
	if !HasErrors(fs) {
		t.Error("aucune erreur sur la convention livrée")
	}
}

// TestQuotesAreCutBetweenWords checks that the excerpts a message quotes
// begin and end on whole words: the annex reference of article 9 of the
// bundled convention was quoted « … eurs d’évaluation … l’effi … ».
func TestQuotesAreCutBetweenWords(t *testing.T) {
	c, err := interchange.Decode(examples.Forcalquier, territory.MustLoad())
	if err != nil {
		t.Fatal(err)
	}
	var msg string
	for _, f := range Run(c, territory.MustLoad(), model.MustDate("2026-11-27")) {
		if f.Rule == "ANNEX-REFERENCE" {
			msg = f.Message
		}
	}
	quote, _, ok := strings.Cut(strings.TrimPrefix(msg, "« … "), " … »")
	if !ok || !strings.HasPrefix(msg, "« … ") {
		t.Fatalf("citation coupée sans « … » : %q", msg)
	}
	text := c.Articles[8].Text
	i := strings.Index(text, quote)
	if i < 0 {
		t.Fatalf("citation %q absente de l'article", quote)
	}
	letter := func(s string) bool {
		return s != "" && strings.ContainsAny(s[:1]+s[len(s)-1:], "abcdefghijklmnopqrstuvwxyz")
	}
	if letter(text[i-1:i]) && letter(quote[:1]) {
		t.Errorf("citation commencée au milieu d'un mot : %q", quote)
	}
	if j := i + len(quote); j < len(text) && letter(text[j:j+1]) && letter(quote[len(quote)-1:]) {
		t.Errorf("citation terminée au milieu d'un mot : %q", quote)
	}
}

// TestEvaluationIsDueDuringTheLastYearAndClearedOnceRecorded checks that
// EVALUATION-NOT-RECORDED warns from a year before the evaluation is due
// (annex: "en 2026"), says which fiches lack their assessment of that
// year, and clears once each fiche has one.
func TestEvaluationIsDueDuringTheLastYearAndClearedOnceRecorded(t *testing.T) {
	ref := territory.MustLoad()
	c := clean()
	c.Axes[0].Fiches = append(c.Axes[0].Fiches, model.Fiche{Code: "1.2", Title: "Informer les familles"})
	evaluation := func(at string, rec Recorded) string {
		for _, f := range RunWith(c, ref, model.MustDate(at), rec) {
			if f.Rule == "EVALUATION-NOT-RECORDED" {
				return f.Message
			}
		}
		return ""
	}
	if msg := evaluation("2025-12-31", Recorded{}); msg != "" {
		t.Errorf("évaluation signalée plus d'un an avant son échéance : %q", msg)
	}
	if msg := evaluation("2026-01-01", Recorded{}); msg != "L'évaluation de la convention est due au 31 décembre 2026 : aucune fiche n'a encore son appréciation 2026." {
		t.Errorf("dernière année : %q", msg)
	}
	partial := Recorded{Assessments: []model.Assessment{
		{Fiche: "1.1", Year: 2026, Text: "Coordinatrice recrutée en mars."},
		{Fiche: "1.2", Year: 2025, Text: "Guide publié."},
		{Fiche: "1.2", Year: 2026, Text: "  "},
	}}
	if msg := evaluation("2027-01-15", partial); msg != "L'évaluation de la convention était due au 31 décembre 2026 : 1 fiche(s) sur 2 sans appréciation 2026 (1.2)." {
		t.Errorf("après l'échéance, une fiche évaluée : %q", msg)
	}
	partial.Assessments[2].Text = "Guide diffusé dans les écoles."
	if msg := evaluation("2026-06-01", partial); msg != "" {
		t.Errorf("évaluation enregistrée mais encore signalée : %q", msg)
	}
}

// TestStateDependentRulesFollowTheLifecycle checks that a draft (no
// signature date) or a terminated convention owes neither its evaluation
// nor its promised fiches.
func TestStateDependentRulesFollowTheLifecycle(t *testing.T) {
	ref := territory.MustLoad()
	for name, change := range map[string]func(c *model.Convention){
		"projet": func(c *model.Convention) { c.Signature.Date = nil; c.Status = model.StatusSigned },
		"résiliée": func(c *model.Convention) {
			c.Acts.Termination = &model.Termination{Mode: model.TerminationMutualConsent, LetterOn: model.MustDate("2023-05-01"),
				ReceivedOn: model.MustDate("2023-05-03"), EffectiveOn: model.MustDate("2023-11-03")}
		},
	} {
		c := clean()
		c.Axes = append(c.Axes, model.Axis{Number: 2, Title: "Parentalité", FichesDueBy: date("2024-03-31")})
		c.Annexes[2].Text = "Elle devra être déployée en 2023."
		change(c)
		got := rules(Run(c, ref, at))
		if slices.Contains(got, "EVALUATION-NOT-RECORDED") || slices.Contains(got, "FICHES-PROMISED-OVERDUE") {
			t.Errorf("%s : %v", name, got)
		}
	}
}

// TestDraftOwesNoSignatureDate checks that a draft, not signed yet, is not
// told its signature date is missing, while a convention said signed is.
func TestDraftOwesNoSignatureDate(t *testing.T) {
	ref := territory.MustLoad()
	c := clean()
	c.Signature.Date, c.Status = nil, model.StatusDraft
	if got := rules(Run(c, ref, at)); slices.Contains(got, "SIGNATURE-DATE-MISSING") {
		t.Errorf("projet : %v", got)
	}
	c.Status = model.StatusSigned
	if got := rules(Run(c, ref, at)); !slices.Contains(got, "SIGNATURE-DATE-MISSING") {
		t.Errorf("signée sans date : %v", got)
	}
}

// A name cut after a preposition is incomplete; a name whose last letters
// spell one after an accented letter is not (« Spéracèdes »).
func TestDanglingNameNeedsAWordOfItsOwn(t *testing.T) {
	for name, cut := range map[string]bool{"Commune de": true, "Commune d’": true, "Caisse des": true,
		"Commune de Spéracèdes": false, "Commune de Saint-Andéol-de-Fourchades": false, "Commune de Vendes": false} {
		if got := danglingNameRE.MatchString(name); got != cut {
			t.Errorf("« %s » : incomplet %v, attendu %v", name, got, cut)
		}
	}
}
