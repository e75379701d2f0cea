package lifecycle

import (
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/territory"
)

func date(s string) *model.Date {
	d := model.MustDate(s)
	return &d
}

// facts is a convention of three parties for 2023-2026; its status is
// the label a file may carry, which the state no longer reads.
func facts(status model.Status, signed *model.Date, auths ...*model.Date) Facts {
	f := Facts{SignedOn: signed, Authorizations: auths,
		Period: model.Period{Start: model.MustDate("2023-01-01"), End: model.MustDate("2026-12-31")}}
	_ = status
	return f
}

// renewed is f with a renewal decided on day.
func renewed(f Facts, day string) Facts {
	f.Renewal = &model.Renewal{DecidedOn: model.MustDate(day), Successor: "suite"}
	return f
}

// terminated is f with a denunciation received on day, effective six
// months later.
func terminated(f Facts, letter, received string) Facts {
	r := model.MustDate(received)
	f.Termination = &model.Termination{Mode: model.TerminationMutualConsent, LetterOn: model.MustDate(letter), ReceivedOn: r,
		EffectiveOn: EffectiveDate(model.TerminationMutualConsent, r)}
	return f
}

func TestStateOfEveryCase(t *testing.T) {
	d1, d2 := date("2022-11-15"), date("2022-12-01")
	for _, tc := range []struct {
		name    string
		f       Facts
		on      string
		want    State
		explain string
	}{
		{"nothing recorded", facts(model.StatusDraft, nil, nil, nil, nil), "2022-10-01", Draft, "Aucune des 3 parties n'a de délibération datée"},
		{"no party yet", facts(model.StatusDraft, nil), "2022-10-01", Draft, "Aucune partie n'est encore enregistrée"},
		{"a label says signed, nothing dated", facts(model.StatusSigned, nil, nil, nil, nil), "2024-10-01", Draft, "aucune date de signature enregistrée"},
		{"some parties deliberated", facts(model.StatusDraft, nil, d1, nil, d2), "2022-12-10", AwaitingSignatures, "2 délibération(s) datée(s) sur 3 parties"},
		{"a deliberation not yet taken on the day", facts(model.StatusDraft, nil, d1, nil, d2), "2022-11-20", AwaitingSignatures, "1 délibération(s) datée(s) sur 3"},
		{"deliberations all after the day", facts(model.StatusDraft, nil, d1, d2), "2022-11-01", Draft, "Aucune des 2 parties"},
		{"all deliberated, not signed", facts(model.StatusDraft, nil, d1, d2, d2), "2022-12-10", AwaitingSignatures, "Les 3 parties ont délibéré ; aucune date de signature enregistrée ; période prévue du 1er janvier 2023 au 31 décembre 2026."},
		{"signed before the period", facts(model.StatusDraft, date("2022-12-15"), d1, d2, d2), "2022-12-20", Signed, "Signée le 15 décembre 2022, en vigueur du 1er janvier 2023 au 31 décembre 2026 : la période n'a pas commencé."},
		{"in force on its first day", facts(model.StatusSigned, date("2022-12-15"), d1, d2, d2), "2023-01-01", InForce, "en vigueur du 1er janvier 2023 au 31 décembre 2026."},
		{"in force on its last day", facts(model.StatusSigned, date("2022-12-15"), d1, d2, d2), "2026-12-31", InForce, ""},
		{"ended the day after", facts(model.StatusSigned, date("2022-12-15"), d1, d2, d2), "2027-01-01", Ended, "échue depuis le 1er janvier 2027, aucun renouvellement décidé."},
		{"a label says renewed, nothing decided", facts(model.StatusRenewed, date("2022-12-15"), d1, d2, d2), "2027-01-01", Ended, "aucun renouvellement décidé"},
		{"a label says terminated, nothing recorded", facts(model.StatusTerminated, date("2022-12-15"), d1, d2, d2), "2024-03-01", InForce, "en vigueur du"},
		{"renewal decided, still in force", renewed(facts(model.StatusSigned, date("2022-12-15"), d1, d2, d2), "2026-05-12"), "2026-06-01", InForce, "renouvellement décidé le 12 mai 2026"},
		{"renewal decided after the day", renewed(facts(model.StatusSigned, date("2022-12-15"), d1, d2, d2), "2027-03-01"), "2027-01-15", Ended, "aucun renouvellement décidé"},
		{"renewed at its end", renewed(facts(model.StatusSigned, date("2022-12-15"), d1, d2, d2), "2026-05-12"), "2027-01-01", Renewed, "renouvelée à son terme (renouvellement décidé le 12 mai 2026)"},
		{"notice received, running", terminated(facts(model.StatusSigned, date("2022-12-15"), d1, d2, d2), "2024-02-26", "2024-02-29"), "2024-03-01", InForce, "préavis de résiliation en cours, effet le 29 août 2024."},
		{"letter sent, not received yet", terminated(facts(model.StatusSigned, date("2022-12-15"), d1, d2, d2), "2024-02-26", "2024-02-29"), "2024-02-27", InForce, "2026."},
		{"terminated on its effective date", terminated(facts(model.StatusSigned, date("2022-12-15"), d1, d2, d2), "2024-02-26", "2024-02-29"), "2024-08-29", Terminated, "résiliée à compter du 29 août 2024 (résiliation par consentement mutuel"},
		{"terminated, viewed before its signature", terminated(facts(model.StatusSigned, date("2022-12-15"), d1, d2, d2), "2024-02-26", "2024-02-29"), "2022-12-10", AwaitingSignatures, "pas encore signée à cette date (signature le 15 décembre 2022)"},
		{"notice running past the end: it ends first", terminated(facts(model.StatusSigned, date("2022-12-15"), d1, d2, d2), "2026-09-01", "2026-09-02"), "2027-03-05", Ended, "échue depuis le 1er janvier 2027"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.f.StandingOn(model.MustDate(tc.on))
			if s.Code != tc.want {
				t.Fatalf("état le %s : %s, attendu %s", tc.on, s.Code, tc.want)
			}
			if s.Label != tc.want.Label() || s.Label == string(s.Code) {
				t.Errorf("libellé %q", s.Label)
			}
			if !strings.Contains(s.Explanation, tc.explain) {
				t.Errorf("explication %q, attendu %q", s.Explanation, tc.explain)
			}
		})
	}
}

// TestBundledConvention follows the Forcalquier convention, signed on
// 9 November 2022 for 2022-2024 while five deliberations are dated
// "XXXX": the signature date wins over the missing deliberation dates.
func TestBundledConvention(t *testing.T) {
	c, err := interchange.Decode(examples.Forcalquier, territory.MustLoad())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		on      string
		want    State
		explain string
	}{
		{"2022-06-01", Draft, "Aucune des 6 parties n'a de délibération datée ; pas encore signée à cette date (signature le 9 novembre 2022) ; période prévue du 1er janvier 2022 au 31 décembre 2024."},
		{"2023-06-01", InForce, "Signée le 9 novembre 2022, en vigueur du 1er janvier 2022 au 31 décembre 2024."},
		{"2026-11-29", Ended, "Signée le 9 novembre 2022, en vigueur du 1er janvier 2022 au 31 décembre 2024 ; échue depuis le 1er janvier 2025, aucun renouvellement décidé."},
	} {
		s := Of(c).StandingOn(model.MustDate(tc.on))
		if s.Code != tc.want || s.Explanation != tc.explain {
			t.Errorf("le %s : %s « %s », attendu %s « %s »", tc.on, s.Code, s.Explanation, tc.want, tc.explain)
		}
	}
}

// TestSummaryAgreesWithConvention checks that the list, which reads only
// a summary, computes the same state as the whole convention.
func TestSummaryAgreesWithConvention(t *testing.T) {
	c, err := interchange.Decode(examples.Forcalquier, territory.MustLoad())
	if err != nil {
		t.Fatal(err)
	}
	full := Of(c)
	c.Acts.Termination = &model.Termination{Mode: model.TerminationBreach, ReceivedOn: model.MustDate("2024-03-15"), EffectiveOn: model.MustDate("2024-04-15")}
	full = Of(c)
	sum := OfSummary(model.ConventionSummary{Status: c.Status, Period: c.Period, SignedOn: c.Signature.Date, Authorizations: full.Authorizations, Acts: c.Acts})
	for _, on := range []string{"2022-06-01", "2022-12-10", "2023-06-01", "2024-04-01", "2024-04-15", "2026-11-29"} {
		if a, b := full.On(model.MustDate(on)), sum.On(model.MustDate(on)); a != b {
			t.Errorf("le %s : %s pour la convention, %s pour la liste", on, a, b)
		}
	}
}

func TestEveryStateHasAFrenchLabel(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range States {
		if s.Label() == string(s) || seen[s.Label()] {
			t.Errorf("libellé de %s : %q", s, s.Label())
		}
		seen[s.Label()] = true
	}
}

func TestAddMonthsTheFrenchWay(t *testing.T) {
	for _, tc := range []struct {
		from string
		n    int
		want string
	}{
		{"2024-03-15", 1, "2024-04-15"},
		{"2023-01-31", 1, "2023-02-28"},
		{"2024-01-31", 1, "2024-02-29"},
		{"2024-08-31", 6, "2025-02-28"},
		{"2024-12-15", 1, "2025-01-15"},
		{"2024-05-31", 1, "2024-06-30"},
		{"2024-03-15", 0, "2024-03-15"},
	} {
		if got := AddMonths(model.MustDate(tc.from), tc.n).String(); got != tc.want {
			t.Errorf("%s + %d mois = %s, attendu %s", tc.from, tc.n, got, tc.want)
		}
	}
}

func TestEffectiveDateOfEachMode(t *testing.T) {
	received := model.MustDate("2024-01-31")
	for mode, want := range map[model.TerminationMode]string{
		model.TerminationBreach:        "2024-02-29",
		model.TerminationBreachOfLaws:  "2024-02-29",
		model.TerminationWithoutNotice: "2024-01-31",
		model.TerminationMutualConsent: "2024-07-31",
	} {
		if got := EffectiveDate(mode, received).String(); got != want {
			t.Errorf("%s reçue le 31 janvier 2024 : effet le %s, attendu %s", mode, got, want)
		}
	}
}

func TestOnlyTheCafMayUseTheModesArt12ReservesToIt(t *testing.T) {
	caf := model.Organization{Key: "caf", Kind: model.KindCaf, Name: "Caf des Alpes-de-Haute-Provence"}
	commune := model.Organization{Key: "limans", Kind: model.KindCommune, Name: "Commune de Limans"}
	for _, mode := range model.TerminationModes {
		if why := SenderRefusal(mode, caf); why != "" {
			t.Errorf("la Caf refusée pour %s : %s", mode, why)
		}
		why := SenderRefusal(mode, commune)
		if CafOnly(mode) != (why != "") {
			t.Errorf("%s envoyé par une commune : « %s »", mode, why)
		}
	}
	why := SenderRefusal(model.TerminationBreachOfLaws, commune)
	if !strings.Contains(why, "article 12") || !strings.Contains(why, "infraction aux lois et règlements") || !strings.Contains(why, "Commune de Limans") {
		t.Errorf("refus qui ne nomme ni le mode, ni l'article, ni la partie : %s", why)
	}
}

func TestDefaultSuccessorMovesTheYears(t *testing.T) {
	c, err := interchange.Decode(examples.Forcalquier, territory.MustLoad())
	if err != nil {
		t.Fatal(err)
	}
	slug, title, p := DefaultSuccessor(c)
	if slug != "ctg-forcalquier-2025" || p.Start.String() != "2025-01-01" || p.End.String() != "2027-12-31" {
		t.Errorf("suivante : %s du %s au %s", slug, p.Start, p.End)
	}
	if strings.Contains(title, "2022") || !strings.Contains(title, "2025") {
		t.Errorf("titre %q", title)
	}
	if got := shiftYears("ctg-2022-2024-v2", 2022, 2024, 3); got != "ctg-2025-2027-v2" {
		t.Errorf("années déplacées : %s", got)
	}
	// A period not of whole months keeps its length in days.
	odd := NextPeriod(model.Period{Start: model.MustDate("2022-01-10"), End: model.MustDate("2022-01-19")})
	if odd.Start.String() != "2022-01-20" || odd.End.String() != "2022-01-29" {
		t.Errorf("période de 10 jours : %s – %s", odd.Start, odd.End)
	}
}

func TestSuccessorCarriesThePlanWithoutTheActs(t *testing.T) {
	c, err := interchange.Decode(examples.Forcalquier, territory.MustLoad())
	if err != nil {
		t.Fatal(err)
	}
	c.Axes[1].Fiches[0].Steps[0].Status = model.ActionDone
	n := Successor(c, "suite", "Suite", NextPeriod(c.Period))
	if n.Signature.Date != nil || len(n.Transmissions) != 0 || n.Acts.Predecessor != c.Slug {
		t.Errorf("signature %v, accusés %d, précédente %q", n.Signature.Date, len(n.Transmissions), n.Acts.Predecessor)
	}
	if len(n.Parties) != len(c.Parties) || len(n.Axes) != len(c.Axes) || len(n.Equipments) != len(c.Equipments) || len(n.Committees) != len(c.Committees) {
		t.Error("contenu non reporté")
	}
	for _, p := range n.Parties {
		if a := p.Authorization; a != nil && (a.Date != nil || a.Reference != "" || a.DateAsWritten != "" || a.PrefectureAcknowledgement != "") {
			t.Errorf("délibération reportée avec sa date : %+v", a)
		}
	}
	if st := n.Axes[1].Fiches[0].Steps[0]; st.Status != model.ActionPlanned || st.Schedule.AsWritten != c.Axes[1].Fiches[0].Steps[0].Schedule.AsWritten || *st.Schedule.Start != *c.Axes[1].Fiches[0].Steps[0].Schedule.Start {
		t.Errorf("étape : %s %+v", st.Status, st.Schedule)
	}
	if c.Axes[1].Fiches[0].Steps[0].Status != model.ActionDone || c.Parties[0].Authorization == n.Parties[0].Authorization {
		t.Error("la convention d'origine a changé")
	}
}

func TestEngagementsStopOnTheEffectiveDate(t *testing.T) {
	f := terminated(facts(model.StatusSigned, date("2022-12-15")), "2024-02-26", "2024-02-29")
	if got := f.EngagementsDay(model.MustDate("2024-06-01")); got.String() != "2024-06-01" {
		t.Errorf("préavis en cours : %s", got)
	}
	if got := f.EngagementsDay(model.MustDate("2025-06-01")); got.String() != "2024-08-29" {
		t.Errorf("après l'effet : %s", got)
	}
	step := model.Step{Status: model.ActionPlanned, Schedule: model.Schedule{End: date("2024-12-31")}}
	early := model.Step{Status: model.ActionPlanned, Schedule: model.Schedule{End: date("2024-05-31")}}
	day := f.EngagementsDay(model.MustDate("2025-06-01"))
	if step.LateOn(day) || !early.LateOn(day) {
		t.Errorf("échéance après l'effet en retard : %v ; échéance avant l'effet en retard : %v", step.LateOn(day), early.LateOn(day))
	}
}

// A convention not signed yet binds nobody: none of its steps is late,
// even with the schedules of the convention it succeeds.
func TestNoStepIsLateBeforeTheSignature(t *testing.T) {
	step := model.Step{Status: model.ActionPlanned, Schedule: model.Schedule{AsWritten: "En 2023", End: date("2023-12-31")}}
	day := model.MustDate("2026-11-29")
	draft := Facts{Period: model.Period{Start: model.MustDate("2025-01-01"), End: model.MustDate("2029-12-31")}}
	if step.LateOn(draft.EngagementsDay(day)) {
		t.Error("étape en retard dans une convention en projet")
	}
	draft.SignedOn = date("2025-02-01")
	if !step.LateOn(draft.EngagementsDay(day)) {
		t.Error("étape échue d'une convention signée non signalée en retard")
	}
}
