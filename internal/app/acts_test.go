package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/app/apptest"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/lifecycle"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/store"
)

// eachService runs fn with a service over a fresh SQLite file and over a
// fresh PostgreSQL database, each holding the bundled convention, on
// 1 November 2024.
func eachService(t *testing.T, fn func(t *testing.T, svc *app.Service)) {
	apptest.EachDB(t, pg, func(t *testing.T, svc *app.Service, _ store.Store) {
		svc.SetClock(func() time.Time { return time.Date(2024, 11, 1, 10, 0, 0, 0, time.UTC) })
		fn(t, svc)
	})
}

// copyOf imports the bundled convention again under another slug.
func copyOf(t *testing.T, svc *app.Service, slug string) {
	t.Helper()
	data := strings.Replace(string(examples.Forcalquier), "slug: "+examples.ForcalquierSlug, "slug: "+slug, 1)
	if _, err := svc.Import(context.Background(), []byte(data), false); err != nil {
		t.Fatal(err)
	}
}

func fieldErrors(err error) map[string]string {
	var ve *model.ValidationError
	out := map[string]string{}
	if errors.As(err, &ve) {
		for _, fe := range ve.Errors {
			out[fe.Path] = fe.Message
		}
	}
	return out
}

func TestEachTerminationModeGetsItsEffectiveDate(t *testing.T) {
	eachService(t, func(t *testing.T, svc *app.Service) {
		ctx := context.Background()
		for i, tc := range []struct {
			mode, sender, effective string
		}{
			{"breach_of_obligations", "limans", "2024-02-29"},
			{"breach_of_laws", "caf04", "2024-02-29"},
			{"change_without_avenant", "caf04", "2024-01-31"},
			{"mutual_consent", "forcalquier", "2024-07-31"},
		} {
			slug := "ctg-" + strings.ReplaceAll(tc.mode, "_", "-")
			copyOf(t, svc, slug)
			term, err := svc.RecordTermination(ctx, auth.System, slug, app.TerminationInput{Mode: tc.mode, Sender: tc.sender,
				LetterOn: "2024-01-29", ReceivedOn: "2024-01-31", References: "LRAR n° " + string(rune('1'+i))})
			if err != nil {
				t.Fatalf("%s : %v", tc.mode, err)
			}
			if term.EffectiveOn.String() != tc.effective {
				t.Errorf("%s reçue le 31 janvier 2024 : effet le %s, attendu %s", tc.mode, term.EffectiveOn, tc.effective)
			}
			acts, err := svc.Acts(ctx, auth.System, slug)
			if err != nil || acts.Termination == nil || acts.Termination.EffectiveOn.String() != tc.effective || acts.Termination.Sender != tc.sender {
				t.Errorf("%s relue : %+v %v", tc.mode, acts.Termination, err)
			}
			hist, _ := svc.History(ctx, auth.System, slug, nil, 5)
			if len(hist) == 0 || hist[0].Action != "terminate" || hist[0].After["effective_on"] != tc.effective {
				t.Errorf("%s : historique %+v", tc.mode, hist)
			}
		}
	})
}

func TestLifecycleThroughANotice(t *testing.T) {
	eachService(t, func(t *testing.T, svc *app.Service) {
		ctx := context.Background()
		const slug = examples.ForcalquierSlug
		if _, err := svc.RecordTermination(ctx, auth.System, slug, app.TerminationInput{Mode: "breach_of_obligations", Sender: "caf04",
			LetterOn: "2024-03-12", ReceivedOn: "2024-03-15"}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			on, state, explain string
		}{
			{"2024-03-14", "in_force", "en vigueur du 1er janvier 2022 au 31 décembre 2024."},
			{"2024-03-15", "in_force", "préavis de résiliation en cours, effet le 15 avril 2024."},
			{"2024-04-14", "in_force", "préavis de résiliation en cours, effet le 15 avril 2024."},
			{"2024-04-15", "terminated", "résiliée à compter du 15 avril 2024"},
			{"2026-11-29", "terminated", "résiliée à compter du 15 avril 2024"},
		} {
			o, err := svc.Overview(ctx, auth.System, slug, model.MustDate(tc.on))
			if err != nil {
				t.Fatal(err)
			}
			if string(o.State.Code) != tc.state || !strings.Contains(o.State.Explanation, tc.explain) {
				t.Errorf("le %s : %s « %s », attendu %s « … %s »", tc.on, o.State.Code, o.State.Explanation, tc.state, tc.explain)
			}
		}
		// The list computes the same from its summaries.
		list, err := svc.Conventions(ctx, auth.System)
		if err != nil || len(list) != 1 {
			t.Fatal(err)
		}
		if st := lifecycle.OfSummary(list[0]).On(model.MustDate("2024-04-15")); st != lifecycle.Terminated {
			t.Errorf("état dans la liste : %s", st)
		}
		// Steps due after the effective date are no longer late.
		late := func(slug, on string) int {
			o, err := svc.Overview(ctx, auth.System, slug, model.MustDate(on))
			if err != nil {
				t.Fatal(err)
			}
			return len(o.Plan.Late)
		}
		if a, b := late(slug, "2024-04-15"), late(slug, "2026-11-29"); a != b {
			t.Errorf("étapes en retard : %d à l'effet, %d deux ans après ; les engagements ont cessé", a, b)
		}
		copyOf(t, svc, "sans-resiliation")
		if a, b := late("sans-resiliation", "2024-04-15"), late("sans-resiliation", "2026-11-29"); a >= b {
			t.Errorf("sans résiliation, étapes en retard : %d puis %d ; le test ne distingue rien", a, b)
		}
	})
}

func TestRefusedTerminationsWriteNothing(t *testing.T) {
	eachService(t, func(t *testing.T, svc *app.Service) {
		ctx := context.Background()
		const slug = examples.ForcalquierSlug
		before, _ := svc.History(ctx, auth.System, slug, nil, 100)
		for _, tc := range []struct {
			name  string
			in    app.TerminationInput
			field string
			says  []string
		}{
			{"breach of laws by a commune", app.TerminationInput{Mode: "breach_of_laws", Sender: "limans", LetterOn: "2024-03-12", ReceivedOn: "2024-03-15"},
				"sender", []string{"article 12", "infraction aux lois et règlements", "Limans"}},
			{"change without avenant by the MSA", app.TerminationInput{Mode: "change_without_avenant", Sender: "msa-alpes-vaucluse", LetterOn: "2024-03-12", ReceivedOn: "2024-03-12"},
				"sender", []string{"article 12", "modification sans avenant"}},
			{"receipt before the letter", app.TerminationInput{Mode: "mutual_consent", Sender: "caf04", LetterOn: "2024-03-12", ReceivedOn: "2024-03-10"},
				"received_on", []string{"date de réception", "10 mars 2024", "12 mars 2024"}},
			{"unknown mode", app.TerminationInput{Mode: "resiliation", Sender: "caf04", LetterOn: "2024-03-12", ReceivedOn: "2024-03-15"},
				"mode", []string{"article 12"}},
			{"not a party", app.TerminationInput{Mode: "mutual_consent", Sender: "cordeliere", LetterOn: "2024-03-12", ReceivedOn: "2024-03-15"},
				"sender", []string{"n'est pas une partie"}},
			{"bad date", app.TerminationInput{Mode: "mutual_consent", Sender: "caf04", LetterOn: "12/03/2024", ReceivedOn: "2024-03-15"},
				"letter_on", []string{"date de la lettre", "AAAA-MM-JJ"}},
			{"letter after the end", app.TerminationInput{Mode: "mutual_consent", Sender: "caf04", LetterOn: "2025-01-12", ReceivedOn: "2025-01-15"},
				"letter_on", []string{"à venir"}},
		} {
			_, err := svc.RecordTermination(ctx, auth.System, slug, tc.in)
			msg, ok := fieldErrors(err)[tc.field]
			if !ok {
				t.Errorf("%s : %v, erreur sur %s attendue", tc.name, err, tc.field)
				continue
			}
			for _, s := range tc.says {
				if !strings.Contains(msg, s) {
					t.Errorf("%s : « %s » ne dit pas « %s »", tc.name, msg, s)
				}
			}
		}
		if _, err := svc.RecordTermination(ctx, member("Léa", auth.RoleContributor, "caf04"), slug, app.TerminationInput{Mode: "mutual_consent",
			Sender: "caf04", LetterOn: "2024-03-12", ReceivedOn: "2024-03-15"}); !errors.Is(err, model.ErrForbidden) {
			t.Errorf("contributeur·rice : %v", err)
		}
		acts, _ := svc.Acts(ctx, auth.System, slug)
		after, _ := svc.History(ctx, auth.System, slug, nil, 100)
		if acts.Termination != nil || len(after) != len(before) {
			t.Errorf("un refus a écrit : %+v, %d entrées d'historique au lieu de %d", acts.Termination, len(after), len(before))
		}

		// A convention not signed yet cannot be terminated.
		unsigned := strings.Replace(string(examples.Forcalquier), "slug: "+slug, "slug: non-signee", 1)
		unsigned = strings.Replace(unsigned, "  date: 2022-11-09\n", "", 1)
		if _, err := svc.Import(ctx, []byte(unsigned), false); err != nil {
			t.Fatal(err)
		}
		_, err := svc.RecordTermination(ctx, auth.System, "non-signee", app.TerminationInput{Mode: "mutual_consent", Sender: "caf04",
			LetterOn: "2024-03-12", ReceivedOn: "2024-03-15"})
		if msg := fieldErrors(err)[""]; !strings.Contains(msg, "n'est pas signée") {
			t.Errorf("convention non signée : %v", err)
		}
	})
}

func TestRenewalCreatesTheLinkedSuccessor(t *testing.T) {
	eachService(t, func(t *testing.T, svc *app.Service) {
		ctx := context.Background()
		const slug = examples.ForcalquierSlug
		coord := member("Claire", auth.RoleEditor, "cc-pflm")
		// The coordinator is a member: she gets the same role in the successor.
		if _, err := svc.AddUser(ctx, app.NewUser{Email: "claire@exemple.fr", Name: "Claire", Password: "une phrase assez longue"}); err != nil {
			t.Fatal(err)
		}
		if err := svc.Grant(ctx, auth.System, "claire@exemple.fr", auth.Membership{Convention: slug, Role: auth.RoleEditor, Organization: "cc-pflm"}); err != nil {
			t.Fatal(err)
		}
		r, next, err := svc.DecideRenewal(ctx, coord, slug, app.RenewalInput{DecidedOn: "2024-10-15", Acts: "Délibérations des six conseils, octobre 2024"})
		if err != nil {
			t.Fatal(err)
		}
		if next.Slug != "ctg-forcalquier-2025" || r.Successor != next.Slug || next.Period.Start.String() != "2025-01-01" || next.Period.End.String() != "2027-12-31" {
			t.Errorf("suivante : %s du %s au %s", next.Slug, next.Period.Start, next.Period.End)
		}
		got, err := svc.Convention(ctx, auth.System, next.Slug)
		if err != nil {
			t.Fatal(err)
		}
		prev, _ := svc.Convention(ctx, auth.System, slug)
		if got.Acts.Predecessor != slug || prev.Acts.Renewal == nil || prev.Acts.Renewal.Successor != next.Slug {
			t.Errorf("liens : précédente %q, suivante %+v", got.Acts.Predecessor, prev.Acts.Renewal)
		}
		if got.Signature.Date != nil || !strings.Contains(got.Title, "2025") || strings.Contains(got.Title, "2022") {
			t.Errorf("signature %v, titre %q", got.Signature.Date, got.Title)
		}
		if len(got.Parties) != 6 || len(got.Axes) != len(prev.Axes) || len(got.Equipments) != len(prev.Equipments) {
			t.Errorf("contenu : %d parties, %d axes", len(got.Parties), len(got.Axes))
		}
		for _, p := range got.Parties {
			if a := p.Authorization; a == nil || a.Date != nil || a.Reference != "" || a.Body == "" {
				t.Errorf("délibération de %s : %+v", p.Organization, a)
			}
		}
		if st := lifecycle.Of(got).On(model.MustDate("2024-11-01")); st != lifecycle.Draft {
			t.Errorf("état de la suivante : %s", st)
		}
		if st := lifecycle.Of(prev).StandingOn(model.MustDate("2025-02-01")); st.Code != lifecycle.Renewed {
			t.Errorf("état de la précédente en 2025 : %+v", st)
		}
		members, err := svc.Members(ctx, auth.System, next.Slug)
		if err != nil || len(members) != 1 || members[0].Role != auth.RoleEditor {
			t.Errorf("membres de la suivante : %+v %v", members, err)
		}
		// Its indicators show the predecessor's validated values as history.
		iv, err := svc.Indicator(ctx, auth.System, next.Slug, "2.2-1")
		if err != nil {
			t.Fatal(err)
		}
		row, err := svc.IndicatorFigures(ctx, iv)
		if err != nil {
			t.Fatal(err)
		}
		var history []string
		for _, f := range row.Figures {
			if f.Previous {
				history = append(history, f.Year)
			}
		}
		if strings.Join(history, ",") != "2023,2024" || row.Figures[len(row.Figures)-1].Year != "2027" {
			t.Errorf("historique de 2.2-1 : %v", history)
		}
		// Twice: refused, naming the successor.
		_, _, err = svc.DecideRenewal(ctx, coord, slug, app.RenewalInput{DecidedOn: "2024-10-20", Acts: "Autre", Slug: "autre"})
		if msg := fieldErrors(err)[""]; !strings.Contains(msg, "déjà décidé") || !strings.Contains(msg, next.Slug) {
			t.Errorf("second renouvellement : %v", err)
		}
	})
}

func TestRenewalRefusals(t *testing.T) {
	eachService(t, func(t *testing.T, svc *app.Service) {
		ctx := context.Background()
		const slug = examples.ForcalquierSlug
		for _, tc := range []struct {
			in    app.RenewalInput
			field string
			says  string
		}{
			{app.RenewalInput{DecidedOn: "", Acts: "x"}, "decided_on", "date de la décision"},
			{app.RenewalInput{DecidedOn: "2025-01-10", Acts: "x"}, "decided_on", "à venir"},
			{app.RenewalInput{DecidedOn: "2024-10-15", Acts: " "}, "acts", "délibérations"},
			{app.RenewalInput{DecidedOn: "2024-10-15", Acts: "x", Slug: "CTG 2025"}, "successor_slug", "n'est pas valide"},
			{app.RenewalInput{DecidedOn: "2024-10-15", Acts: "x", Slug: slug}, "successor_slug", "différer"},
			{app.RenewalInput{DecidedOn: "2024-10-15", Acts: "x", Start: "2024-06-01"}, "successor_start", "31 décembre 2024"},
			{app.RenewalInput{DecidedOn: "2024-10-15", Acts: "x", End: "2024-12-31"}, "successor_end", "précède son début"},
		} {
			_, _, err := svc.DecideRenewal(ctx, auth.System, slug, tc.in)
			if msg := fieldErrors(err)[tc.field]; !strings.Contains(msg, tc.says) {
				t.Errorf("%+v : %v, attendu sur %s « %s »", tc.in, err, tc.field, tc.says)
			}
		}
		if list, _ := svc.Conventions(ctx, auth.System); len(list) != 1 {
			t.Errorf("%d conventions après des refus", len(list))
		}
		// After a termination, the renewal is refused.
		if _, err := svc.RecordTermination(ctx, auth.System, slug, app.TerminationInput{Mode: "mutual_consent", Sender: "caf04",
			LetterOn: "2024-03-12", ReceivedOn: "2024-03-15"}); err != nil {
			t.Fatal(err)
		}
		_, _, err := svc.DecideRenewal(ctx, auth.System, slug, app.RenewalInput{DecidedOn: "2024-10-15", Acts: "x"})
		if msg := fieldErrors(err)[""]; !strings.Contains(msg, "une résiliation est enregistrée") {
			t.Errorf("renouvellement d'une convention résiliée : %v", err)
		}
	})
}

func TestTimelineOfTheBundledConvention(t *testing.T) {
	svc := apptest.New(t)
	l, err := svc.Life(context.Background(), auth.System, examples.ForcalquierSlug, model.MustDate("2026-11-29"))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, e := range l.Events {
		when := "date non renseignée"
		if e.Dated {
			when = e.Date.String()
		}
		lines = append(lines, when+" | "+e.Label+" | "+e.State.Label())
	}
	got := strings.Join(lines, "\n")
	for _, want := range []string{
		"date non renseignée | Délibération de Commune de Limans | manquant",
		"2022-11-09 | Signature | fait",
		"2022-12-20 | Accusé de réception en préfecture | fait",
		"2022-01-01 | Début de la période | fait",
		"2023-03-31 | Fiches de l'axe 5 attendues par avenant au plus tard le 31 mars 2023 — manquantes | manquant",
		"2024-12-31 | Fin de la période | fait",
		"2025-01-01 | Échue, aucun renouvellement décidé | manquant",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("chronologie sans « %s » :\n%s", want, got)
		}
	}
	// In order of time: the start of the period (2022-01-01) comes before the signature.
	if strings.Index(got, "Début de la période") > strings.Index(got, "| Signature") || strings.Index(got, "Fin de la période") > strings.Index(got, "Échue") {
		t.Errorf("chronologie dans le désordre :\n%s", got)
	}
	if l.NextSlug != "ctg-forcalquier-2025" || l.NextPeriod.End.String() != "2027-12-31" {
		t.Errorf("suivante proposée : %s, %+v", l.NextSlug, l.NextPeriod)
	}
}

func TestTimelineOfARenewalAndATermination(t *testing.T) {
	eachService(t, func(t *testing.T, svc *app.Service) {
		ctx := context.Background()
		const slug = examples.ForcalquierSlug
		_, next, err := svc.DecideRenewal(ctx, auth.System, slug, app.RenewalInput{DecidedOn: "2024-10-15", Acts: "Délibérations d'octobre 2024"})
		if err != nil {
			t.Fatal(err)
		}
		copyOf(t, svc, "ctg-resiliee")
		if _, err := svc.RecordTermination(ctx, auth.System, "ctg-resiliee", app.TerminationInput{Mode: "mutual_consent", Sender: "forcalquier",
			LetterOn: "2024-01-29", ReceivedOn: "2024-01-31"}); err != nil {
			t.Fatal(err)
		}
		labels := func(slug, on string) string {
			l, err := svc.Life(ctx, auth.System, slug, model.MustDate(on))
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, e := range l.Events {
				out = append(out, e.Date.String()+" "+e.Label+" ("+e.State.Label()+")")
			}
			return strings.Join(out, "\n")
		}
		got := labels(slug, "2024-11-01")
		if !strings.Contains(got, "2024-10-15 Renouvellement décidé : convention suivante « "+next.Slug+" » (fait)") || strings.Contains(got, "Échue") ||
			strings.Contains(got, "Projet créé") {
			t.Errorf("chronologie de la précédente :\n%s", got)
		}
		if got := labels(next.Slug, "2024-11-01"); !strings.Contains(got, "Signature (à venir)") || !strings.Contains(got, "2025-01-01 Début de la période (à venir)") ||
			!strings.Contains(got, "Délibération de Commune de Limans (à venir)") {
			t.Errorf("chronologie de la suivante :\n%s", got)
		}
		// The draft was created today by the store's clock.
		tomorrow := model.DateOf(time.Now().AddDate(0, 0, 1)).String()
		if got := labels(next.Slug, tomorrow); !strings.Contains(got, "Projet créé par le renouvellement de la convention « "+slug+" » (fait)") {
			t.Errorf("chronologie de la suivante sans sa création :\n%s", got)
		}
		got = labels("ctg-resiliee", "2024-03-01")
		for _, want := range []string{"2024-01-29 Lettre de résiliation envoyée par Commune de Forcalquier (fait)", "2024-01-31 Lettre de résiliation reçue (fait)",
			"2024-07-31 Résiliation effective : fin des engagements des parties (à venir)", "2024-12-31 Fin de la période prévue (à venir)"} {
			if !strings.Contains(got, want) {
				t.Errorf("chronologie sans « %s » :\n%s", want, got)
			}
		}
	})
}

// Once its renewal is decided, the successor takes over: the convention
// is no longer terminated.
func TestNoTerminationAfterTheRenewal(t *testing.T) {
	eachService(t, func(t *testing.T, svc *app.Service) {
		ctx := context.Background()
		const slug = examples.ForcalquierSlug
		if _, _, err := svc.DecideRenewal(ctx, auth.System, slug, app.RenewalInput{DecidedOn: "2024-10-01", Acts: "Délibérations d'octobre 2024"}); err != nil {
			t.Fatal(err)
		}
		_, err := svc.RecordTermination(ctx, auth.System, slug, app.TerminationInput{Mode: string(model.TerminationMutualConsent),
			Sender: "cc-pflm", LetterOn: "2024-10-10", ReceivedOn: "2024-10-12"})
		if msg := fieldErrors(err)[""]; !strings.Contains(msg, "le renouvellement est décidé") {
			t.Errorf("résiliation après le renouvellement : %v", err)
		}
	})
}
