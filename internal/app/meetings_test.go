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
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/store"
)

// TestMeetingsFollowTheRolesAndAreAudited plans a meeting, records
// attendance, a decision and its action, with each role.
func TestMeetingsFollowTheRolesAndAreAudited(t *testing.T) {
	ctx := context.Background()
	svc, st := apptest.NewWithStore(t)
	const slug = examples.ForcalquierSlug
	editor := member("Claire", auth.RoleEditor, "")
	caf := member("Paul", auth.RoleContributor, "caf04")
	reader := member("Marc", auth.RoleReader, "")
	stranger := &auth.Actor{UserID: "x", Name: "X"}

	in := app.MeetingInput{Committee: "copil", Date: "2025-10-14", StartTime: "14:30", Place: "Mairie", Agenda: []string{"Bilan 2024", "  ", "Avenant"}}
	for _, a := range []*auth.Actor{caf, reader} {
		if _, err := svc.SaveMeeting(ctx, a, slug, "", 0, in); !errors.Is(err, model.ErrForbidden) {
			t.Errorf("%s planifie une réunion : %v, refus attendu", a.Name, err)
		}
	}
	if _, err := svc.SaveMeeting(ctx, stranger, slug, "", 0, in); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("un inconnu planifie une réunion : %v", err)
	}
	var ve *model.ValidationError
	bad := app.MeetingInput{Committee: "nul", Date: "14/10/2025", StartTime: "25:00"}
	if _, err := svc.SaveMeeting(ctx, editor, slug, "", 0, bad); !errors.As(err, &ve) || len(ve.Errors) != 3 {
		t.Errorf("réunion mal remplie : %v", err)
	}
	m, err := svc.SaveMeeting(ctx, editor, slug, "", 0, in)
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != model.MeetingPlanned || len(m.Agenda) != 2 {
		t.Errorf("réunion planifiée : %+v", m)
	}
	in.Status = string(model.MeetingHeld)
	if _, err := svc.SaveMeeting(ctx, editor, slug, m.ID, 0, in); !errors.Is(err, model.ErrStale) {
		t.Errorf("version dépassée : %v", err)
	}
	if m, err = svc.SaveMeeting(ctx, editor, slug, m.ID, 1, in); err != nil || m.Status != model.MeetingHeld {
		t.Fatalf("réunion tenue : %v", err)
	}

	// A contributor records their own organization only.
	if _, err := svc.RecordAttendance(ctx, caf, slug, m.ID, app.AttendanceInput{Organization: "cc-pflm", Status: "present"}); !errors.Is(err, model.ErrForbidden) {
		t.Errorf("présence d'une autre organisation : %v", err)
	}
	if _, err := svc.RecordAttendance(ctx, caf, slug, m.ID, app.AttendanceInput{Guest: "Invitée", Status: "present"}); !errors.Is(err, model.ErrForbidden) {
		t.Errorf("présence d'un invité par une contributrice : %v", err)
	}
	if _, err := svc.RecordAttendance(ctx, caf, slug, m.ID, app.AttendanceInput{Organization: "caf04", Status: "represented"}); !errors.As(err, &ve) ||
		ve.Errors[0].Path != "represented_by" {
		t.Errorf("représenté sans représentant : %v", err)
	}
	if _, err := svc.RecordAttendance(ctx, caf, slug, m.ID, app.AttendanceInput{Organization: "caf04", Status: "excused"}); err != nil {
		t.Fatal(err)
	}
	// Again for the same organization: its line is updated, not doubled.
	if _, err := svc.RecordAttendance(ctx, caf, slug, m.ID, app.AttendanceInput{Organization: "caf04", Status: "represented", RepresentedBy: "Mme Durand"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RecordAttendance(ctx, editor, slug, m.ID, app.AttendanceInput{Guest: "Personne ressource", Status: "present"}); err != nil {
		t.Fatal(err)
	}

	if _, err := svc.SaveDecision(ctx, caf, slug, m.ID, app.DecisionInput{Text: "x"}); !errors.Is(err, model.ErrForbidden) {
		t.Errorf("décision par une contributrice : %v", err)
	}
	if _, err := svc.SaveDecision(ctx, editor, slug, m.ID, app.DecisionInput{Text: "Revoir", ObjectKind: "fiche", ObjectKey: "9.9"}); !errors.As(err, &ve) ||
		ve.Errors[0].Path != "object_key" {
		t.Errorf("décision sur une fiche inconnue : %v", err)
	}
	d, err := svc.SaveDecision(ctx, editor, slug, m.ID, app.DecisionInput{Text: "Relancer la démarche", ObjectKind: "step", ObjectKey: "2.2/1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SaveAction(ctx, editor, slug, m.ID, d.ID, app.ActionInput{Text: "Proposer un calendrier", DueOn: "31/12"}); !errors.As(err, &ve) {
		t.Errorf("action mal remplie : %v", err)
	}
	if _, err := svc.SaveAction(ctx, editor, slug, m.ID, d.ID, app.ActionInput{Text: "Proposer un calendrier", Organization: "caf04", DueOn: "2025-12-31"}); err != nil {
		t.Fatal(err)
	}
	actions, err := svc.FicheActions(ctx, reader, slug, "2.2")
	if err != nil || len(actions) != 1 || actions[0].Text != "Proposer un calendrier" || actions[0].Status != model.FollowUpToDo {
		t.Errorf("actions de la fiche 2.2 : %v %+v", err, actions)
	}
	_, got, err := svc.Meeting(ctx, reader, slug, m.ID)
	if err != nil || len(got.Attendance) != 2 || got.Attendance[0].RepresentedBy != "Mme Durand" || len(got.Decisions) != 1 {
		t.Errorf("réunion lue : %v %+v", err, got)
	}
	history, err := st.History(ctx, slug, nil, 50)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, e := range history {
		kinds[e.ObjectType]++
	}
	if kinds["meeting"] != 2 || kinds["meeting-attendance"] != 3 || kinds["meeting-decision"] != 1 || kinds["meeting-action"] != 1 {
		t.Errorf("historique : %v", kinds)
	}
}

// TestProposedAgendaReadsTheConventionsState builds the agenda of a
// meeting on the bundled convention.
func TestProposedAgendaReadsTheConventionsState(t *testing.T) {
	svc := apptest.New(t)
	if _, err := svc.PrepareAmendment(context.Background(), auth.System, examples.ForcalquierSlug, "Fiches des axes 5 et 6"); err != nil {
		t.Fatal(err)
	}
	lines, err := svc.ProposedAgenda(context.Background(), member("Claire", auth.RoleEditor, ""), examples.ForcalquierSlug, model.MustDate("2025-10-14"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(lines, "\n")
	// Every party without a dated deliberation is named.
	if c, _ := svc.Convention(context.Background(), auth.System, examples.ForcalquierSlug); strings.Contains(text, "autres") || !strings.Contains(text, c.OrgName(c.Parties[len(c.Parties)-1].Organization)) {
		t.Errorf("les délibérations manquantes ne sont pas toutes nommées :\n%s", text)
	}
	for _, want := range []string{"Étapes en retard : fiche", "Fiches promises et non livrées : axe", "Collecte des valeurs 2024",
		"Avenant n° 1 en préparation : Fiches des axes 5 et 6", "Délibérations manquantes : "} {
		if !strings.Contains(text, want) {
			t.Errorf("l'ordre du jour proposé ne contient pas %q :\n%s", want, text)
		}
	}
	// Deviations computed on demonstration values say so.
	ctx := context.Background()
	if _, err := svc.LoadDemo(ctx, examples.ForcalquierSlug, app.DemoSeed); err != nil {
		t.Fatal(err)
	}
	c, err := svc.Convention(ctx, auth.System, examples.ForcalquierSlug)
	if err != nil {
		t.Fatal(err)
	}
	ind := c.Axes[1].Fiches[1].Steps[0].Indicators[0]
	if _, _, err := svc.Edit(ctx, auth.System, examples.ForcalquierSlug, "indicator", ind.ID, ind.Version,
		map[string]string{"targets": "2022 = 100000\n2023 = 100000\n2024 = 100000", "tolerance": "10"}); err != nil {
		t.Fatal(err)
	}
	lines, err = svc.ProposedAgenda(ctx, member("Claire", auth.RoleEditor, ""), examples.ForcalquierSlug, model.MustDate("2025-10-14"))
	if err != nil {
		t.Fatal(err)
	}
	if text := strings.Join(lines, "\n"); !strings.Contains(text, "(les valeurs fictives de démonstration ne comptent pas)") {
		t.Errorf("collecte sans mention des valeurs fictives :\n%s", text)
	}
	if text := strings.Join(lines, "\n"); !strings.Contains(text, "Écarts importants aux cibles des indicateurs : "+ind.Code) ||
		!strings.Contains(text, "−") || !strings.Contains(text, "calculés en partie sur des valeurs fictives de démonstration") {
		t.Errorf("écarts sur des valeurs fictives :\n%s", text)
	}
	// At the start of the convention, no step is late yet.
	early, err := svc.ProposedAgenda(context.Background(), member("Claire", auth.RoleEditor, ""), examples.ForcalquierSlug, model.MustDate("2023-01-10"))
	if err != nil {
		t.Fatal(err)
	}
	if early := strings.Join(early, "\n"); strings.Contains(early, "Étapes en retard") {
		t.Errorf("étapes en retard dès le début :\n%s", early)
	}
}

// TestMeetingsTravelWithTheConventionFile records a held COPIL with its
// attendance, decisions and an action, exports the convention, imports
// it with --replace into another database, and finds the same meetings.
func TestMeetingsTravelWithTheConventionFile(t *testing.T) {
	apptest.EachDB(t, pg, func(t *testing.T, svc *app.Service, st store.Store) {
		ctx := context.Background()
		const slug = examples.ForcalquierSlug
		editor := member("Claire", auth.RoleEditor, "")
		m, err := svc.SaveMeeting(ctx, editor, slug, "", 0, app.MeetingInput{Committee: "copil", Date: "2024-10-15", StartTime: "14:00",
			Place: "Salle du conseil", Status: string(model.MeetingHeld), Agenda: []string{"Bilan 2023\nÉtapes en retard"}, Minutes: "Séance ouverte.\nSéance levée."})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SaveMeeting(ctx, editor, slug, "", 0, app.MeetingInput{Committee: "cotech", Date: "2025-03-04", Place: "https://visio.exemple.fr/cotech"}); err != nil {
			t.Fatal(err)
		}
		for _, in := range []app.AttendanceInput{{Organization: "caf04", Status: "represented", RepresentedBy: "Mme Durand"},
			{Organization: "limans", Status: "excused"}, {Guest: "Chloé Garçon", Person: "centre socioculturel", Status: "present"}} {
			if _, err := svc.RecordAttendance(ctx, editor, slug, m.ID, in); err != nil {
				t.Fatal(err)
			}
		}
		d, err := svc.SaveDecision(ctx, editor, slug, m.ID, app.DecisionInput{Text: "Décaler l'étape", ObjectKind: "step", ObjectKey: "2.2/1"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SaveAction(ctx, editor, slug, m.ID, d.ID, app.ActionInput{Text: "Proposer un calendrier", Organization: "cc-pflm", DueOn: "2024-12-31"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SaveDecision(ctx, editor, slug, m.ID, app.DecisionInput{Text: "Engager le renouvellement", ObjectKind: "renewal"}); err != nil {
			t.Fatal(err)
		}
		file, err := svc.Export(ctx, auth.System, slug)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(file), "\nmeetings:\n") || !strings.Contains(string(file), "represented_by: Mme Durand") {
			t.Fatalf("réunions absentes du fichier exporté :\n%s", file)
		}

		other := emptyLike(t, st)
		r, err := other.ImportFile(ctx, file, true)
		if err != nil {
			t.Fatal(err)
		}
		if r.Meetings != 2 {
			t.Errorf("%d réunion(s) importée(s)", r.Meetings)
		}
		again, err := other.Export(ctx, auth.System, slug)
		if err != nil {
			t.Fatal(err)
		}
		if string(again) != string(file) {
			t.Errorf("le fichier change après import puis export :\n%s", firstDifference(file, again))
		}
		_, list, err := other.Meetings(ctx, auth.System, slug)
		if err != nil || len(list) != 2 {
			t.Fatalf("réunions importées : %v %d", err, len(list))
		}
		got := list[0]
		if got.Status != model.MeetingHeld || len(got.Agenda) != 2 || got.Minutes != "Séance ouverte.\nSéance levée." || len(got.Attendance) != 3 ||
			got.Attendance[2].Guest != "Chloé Garçon" || len(got.Decisions) != 2 || got.Decisions[0].ObjectKey != "2.2/1" ||
			len(got.Decisions[0].Actions) != 1 || got.Decisions[0].Actions[0].Organization != "cc-pflm" || got.Decisions[1].ObjectKind != model.DecisionOnRenewal {
			t.Errorf("réunion importée : %+v", got)
		}
		// The imported action is on its fiche, as the original one.
		if actions, err := other.FicheActions(ctx, auth.System, slug, "2.2"); err != nil || len(actions) != 1 || actions[0].Text != "Proposer un calendrier" {
			t.Errorf("actions de la fiche 2.2 : %v %+v", err, actions)
		}
	})
}

// A meeting is held on its day or after, never before.
func TestMeetingIsNotHeldBeforeItsDate(t *testing.T) {
	ctx := context.Background()
	svc := apptest.New(t)
	svc.SetClock(func() time.Time { return time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC) })
	editor := member("Claire", auth.RoleEditor, "")
	in := app.MeetingInput{Committee: "copil", Date: "2026-12-15", Status: "held"}
	var ve *model.ValidationError
	if _, err := svc.SaveMeeting(ctx, editor, examples.ForcalquierSlug, "", 0, in); !errors.As(err, &ve) || ve.Errors[0].Path != "status" ||
		!strings.Contains(ve.Errors[0].Message, "ne peut être tenue avant sa date") {
		t.Errorf("réunion tenue avant sa date : %v", err)
	}
	in.Date = "2026-11-29"
	if _, err := svc.SaveMeeting(ctx, editor, examples.ForcalquierSlug, "", 0, in); err != nil {
		t.Errorf("réunion tenue le jour même : %v", err)
	}
}

// What a meeting says goes into e-mails and calendars: one-line fields
// keep to one line, and dates stay near the convention's period.
func TestMeetingFieldsKeepTheirShape(t *testing.T) {
	ctx := context.Background()
	svc := apptest.New(t)
	editor := member("Claire", auth.RoleEditor, "")
	for name, in := range map[string]app.MeetingInput{
		"place":   {Committee: "copil", Date: "2024-10-15", Place: "Mairie\r\nBcc: x@exemple.fr"},
		"agenda":  {Committee: "copil", Date: "2024-10-15", Agenda: []string{"Bilan\x1b[31m"}},
		"minutes": {Committee: "copil", Date: "2024-10-15", Minutes: "Séance\x07 ouverte"},
		"date":    {Committee: "copil", Date: "9999-12-31"},
	} {
		var ve *model.ValidationError
		if _, err := svc.SaveMeeting(ctx, editor, examples.ForcalquierSlug, "", 0, in); !errors.As(err, &ve) || ve.Errors[0].Path != name {
			t.Errorf("%s : %v", name, err)
		}
	}
	m, err := svc.SaveMeeting(ctx, editor, examples.ForcalquierSlug, "", 0, app.MeetingInput{Committee: "copil", Date: "2024-10-15", Status: "held",
		Minutes: "Séance ouverte.\n\tPoint 1 :\r\nbilan."})
	if err != nil {
		t.Fatal(err)
	}
	d, err := svc.SaveDecision(ctx, editor, examples.ForcalquierSlug, m.ID, app.DecisionInput{Text: "Relancer"})
	if err != nil {
		t.Fatal(err)
	}
	var ve *model.ValidationError
	if _, err := svc.SaveAction(ctx, editor, examples.ForcalquierSlug, m.ID, d.ID, app.ActionInput{Text: "Écrire", Person: "Mme X", DueOn: "0001-01-01"}); !errors.As(err, &ve) ||
		ve.Errors[0].Path != "due_on" || !strings.Contains(ve.Errors[0].Message, "entre 2012 et 2034") {
		t.Errorf("échéance au 1er janvier de l'an 1 : %v", err)
	}
}

// Who carries an action marks it done; they change nothing else of it,
// and nobody else but the coordination may.
func TestTheAssigneeMarksTheActionDone(t *testing.T) {
	ctx := context.Background()
	svc := apptest.New(t)
	const slug = examples.ForcalquierSlug
	editor := member("Claire", auth.RoleEditor, "")
	caf := member("Paul", auth.RoleContributor, "caf04")
	centre := member("Nadia Directrice", auth.RoleContributor, "cordeliere")
	other := member("Marc", auth.RoleContributor, "limans")
	m, d := apptest.HeldDecision(t, svc, editor, "2024-10-15")
	x, err := svc.SaveAction(ctx, editor, slug, m.ID, d.ID, app.ActionInput{Text: "Écrire", Organization: "caf04", DueOn: "2024-12-15"})
	if err != nil {
		t.Fatal(err)
	}
	y, err := svc.SaveAction(ctx, editor, slug, m.ID, d.ID, app.ActionInput{Text: "Réunir", Person: "nadia directrice"})
	if err != nil {
		t.Fatal(err)
	}
	done := func(x *model.Action, text string) app.ActionInput {
		in := app.ActionInput{ID: x.ID, Version: x.Version, Text: text, Organization: x.Organization, Person: x.Person, Status: "done"}
		if x.DueOn != nil {
			in.DueOn = x.DueOn.String()
		}
		return in
	}
	for _, a := range []*auth.Actor{other, centre} {
		if _, err := svc.SaveAction(ctx, a, slug, m.ID, d.ID, done(x, x.Text)); !errors.Is(err, model.ErrForbidden) {
			t.Errorf("%s marque faite l'action de la Caf : %v", a.Name, err)
		}
	}
	if _, err := svc.SaveAction(ctx, caf, slug, m.ID, d.ID, done(x, "Écrire autre chose")); !errors.Is(err, model.ErrForbidden) {
		t.Errorf("la Caf réécrit l'action : %v", err)
	}
	if got, err := svc.SaveAction(ctx, caf, slug, m.ID, d.ID, done(x, x.Text)); err != nil || got.Status != model.FollowUpDone {
		t.Errorf("la Caf marque faite son action : %v", err)
	}
	if got, err := svc.SaveAction(ctx, centre, slug, m.ID, d.ID, done(y, y.Text)); err != nil || got.Status != model.FollowUpDone {
		t.Errorf("la personne nommée marque faite son action : %v", err)
	}
}

// The committee decides to prepare an avenant before it exists: the
// decision names no number; a number names an existing avenant.
func TestDecisionToPrepareAnAvenant(t *testing.T) {
	ctx := context.Background()
	svc := apptest.New(t)
	editor := member("Claire", auth.RoleEditor, "")
	m, err := svc.SaveMeeting(ctx, editor, examples.ForcalquierSlug, "", 0, app.MeetingInput{Committee: "copil", Date: "2024-10-15", Status: "held"})
	if err != nil {
		t.Fatal(err)
	}
	d, err := svc.SaveDecision(ctx, editor, examples.ForcalquierSlug, m.ID, app.DecisionInput{Text: "Préparer un avenant pour l'axe 6", ObjectKind: "amendment"})
	if err != nil || d.ObjectLabel() != "avenant à préparer" {
		t.Errorf("décision de préparer un avenant : %v %+v", err, d)
	}
	var ve *model.ValidationError
	if _, err := svc.SaveDecision(ctx, editor, examples.ForcalquierSlug, m.ID, app.DecisionInput{Text: "x", ObjectKind: "amendment", ObjectKey: "4"}); !errors.As(err, &ve) {
		t.Errorf("avenant n° 4 inexistant : %v", err)
	}
	if _, err := svc.SaveDecision(ctx, editor, examples.ForcalquierSlug, m.ID, app.DecisionInput{Text: "x", ObjectKind: "fiche"}); !errors.As(err, &ve) ||
		ve.Errors[0].Message != "indiquez le code de la fiche concernée (2.2)" {
		t.Errorf("fiche sans code : %v", err)
	}
}

// The agenda of the next meeting follows up the actions decided before.
func TestProposedAgendaFollowsUpTheActions(t *testing.T) {
	ctx := context.Background()
	svc := apptest.New(t)
	editor := member("Claire", auth.RoleEditor, "")
	m, d := apptest.HeldDecision(t, svc, editor, "2024-03-15")
	for _, due := range []string{"2024-06-30", "2024-12-31"} {
		if _, err := svc.SaveAction(ctx, editor, examples.ForcalquierSlug, m.ID, d.ID, app.ActionInput{Text: "Écrire", Organization: "caf04", DueOn: due}); err != nil {
			t.Fatal(err)
		}
	}
	lines, err := svc.ProposedAgenda(ctx, editor, examples.ForcalquierSlug, model.MustDate("2024-10-01"))
	if err != nil {
		t.Fatal(err)
	}
	if text := strings.Join(lines, "\n"); !strings.Contains(text, "Suivi des actions décidées : 2 à mener, dont 1 en retard") {
		t.Errorf("ordre du jour sans le suivi des actions :\n%s", text)
	}
}
