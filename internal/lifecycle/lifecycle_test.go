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

// facts is a convention of three parties for 2023-2026.
func facts(recorded model.Status, signed *model.Date, auths ...*model.Date) Facts {
	return Facts{Recorded: recorded, SignedOn: signed, Authorizations: auths,
		Period: model.Period{Start: model.MustDate("2023-01-01"), End: model.MustDate("2026-12-31")}}
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
		{"renewal decided, still in force", facts(model.StatusRenewed, date("2022-12-15"), d1, d2, d2), "2026-06-01", InForce, "renouvellement décidé"},
		{"renewed at its end", facts(model.StatusRenewed, date("2022-12-15"), d1, d2, d2), "2027-01-01", Renewed, "renouvelée à son terme"},
		{"terminated", facts(model.StatusTerminated, date("2022-12-15"), d1, d2, d2), "2024-03-01", Terminated, "résiliée"},
		{"terminated, viewed before its signature", facts(model.StatusTerminated, date("2022-12-15"), d1, d2, d2), "2022-12-10", AwaitingSignatures, "pas encore signée à cette date (signature le 15 décembre 2022)"},
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
	sum := OfSummary(model.ConventionSummary{Status: c.Status, Period: c.Period, SignedOn: c.Signature.Date, Authorizations: full.Authorizations})
	for _, on := range []string{"2022-06-01", "2022-12-10", "2023-06-01", "2026-11-29"} {
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
