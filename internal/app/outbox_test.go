package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/app/apptest"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/mail"
	"github.com/ctg-territoires/ctg/internal/mail/mailtest"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/pdftext"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// received returns the messages mailpit received, read whole, by recipient.
func received(t *testing.T, srv *mailtest.Server) map[string][]mailtest.Message {
	t.Helper()
	out := map[string][]mailtest.Message{}
	for _, s := range srv.Messages(t) {
		m := srv.Message(t, s.ID)
		for _, to := range m.To {
			out[to.Address] = append(out[to.Address], m)
		}
	}
	return out
}

func TestInvitationAndReturnedValueArriveByEmail(t *testing.T) {
	srv := mailtest.Start(t)
	svc, st := apptest.NewWithStore(t)
	svc.SetMail(srv.Settings())
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	svc.SetClock(func() time.Time { return now })
	ctx := app.WithSite(context.Background(), "https://ctg.exemple.fr")
	coordinator, caf, _ := people(t, svc, st)
	c, err := svc.Convention(ctx, auth.System, slug)
	if err != nil {
		t.Fatal(err)
	}

	res, err := svc.Invite(ctx, coordinator, "directrice@exemple.fr", auth.Membership{Convention: slug, Role: auth.RoleContributor, Organization: "cordeliere"})
	if err != nil || res.Link == nil || !res.Link.Mailed {
		t.Fatalf("invitation : %+v %v", res, err)
	}

	setPilots(t, svc, st, "2.2", "caf04")
	v, err := svc.SaveValue(ctx, caf, slug, "2.2-1", app.ValueInput{Period: "2024", Number: "12"})
	if err != nil {
		t.Fatal(err)
	}
	if v, err = svc.ValueAction(ctx, caf, slug, v.ID, v.Version, app.ActionSubmit, ""); err != nil {
		t.Fatal(err)
	}
	if _, err = svc.ValueAction(ctx, coordinator, slug, v.ID, v.Version, app.ActionReturn, "chiffre de 2023 ?"); err != nil {
		t.Fatal(err)
	}

	sender := svc.NewMailSender(&mail.Sender{Settings: srv.Settings()}, quiet)
	if n, err := sender.SendDue(ctx); err != nil || n != 3 {
		t.Fatalf("envoyés : %d %v", n, err)
	}
	got := received(t, srv)
	if len(got) != 3 || len(got["directrice@exemple.fr"]) != 1 || len(got["caf@exemple.fr"]) != 1 || len(got[coordinator.Email]) != 1 {
		t.Fatalf("reçus : %+v", got)
	}
	// The value submitted by the Caf's contributor waits for the
	// coordination, who validates.
	sub := got[coordinator.Email][0]
	if !strings.HasPrefix(sub.Subject, "Valeur à valider : 2.2-1 « ") || !strings.HasSuffix(sub.Subject, "(2024) — "+c.Title) {
		t.Errorf("objet de la soumission : %q", sub.Subject)
	}
	for _, want := range []string{"Paul Conseiller (" + c.OrgName("caf04") + ") a soumis une valeur à valider",
		"https://ctg.exemple.fr/c/" + slug + "/collecte?annee=2024#a-valider"} {
		if !strings.Contains(sub.Text, want) {
			t.Errorf("texte de la soumission sans « %s » :\n%s", want, sub.Text)
		}
	}
	inv := got["directrice@exemple.fr"][0]
	link := "https://ctg.exemple.fr/invitation?jeton=" + res.Link.Token
	if inv.Subject != "Invitation à rejoindre la convention « "+c.Title+" »" {
		t.Errorf("objet de l'invitation : %q", inv.Subject)
	}
	for _, want := range []string{"Claire Coordinatrice vous invite à rejoindre la convention « " + c.Title + " »",
		"en tant que contributeur·rice (organisation : " + c.OrgName("cordeliere") + ")", link, "valable jusqu'au 9 mars 2026"} {
		if !strings.Contains(inv.Text, want) {
			t.Errorf("texte de l'invitation sans « %s » :\n%s", want, inv.Text)
		}
	}
	if !strings.Contains(inv.HTML, `<a href="`+strings.ReplaceAll(link, "&", "&amp;")+`">Accepter l'invitation</a>`) {
		t.Errorf("HTML de l'invitation : %s", inv.HTML)
	}
	ret := got["caf@exemple.fr"][0]
	if !strings.HasPrefix(ret.Subject, "Valeur renvoyée : 2.2-1 « ") || !strings.HasSuffix(ret.Subject, "(2024) — "+c.Title) {
		t.Errorf("objet du renvoi : %q", ret.Subject)
	}
	for _, want := range []string{"Claire Coordinatrice a renvoyé une valeur dont votre organisation (" + c.OrgName("caf04") + ") est responsable",
		"Motif : chiffre de 2023 ?", "https://ctg.exemple.fr/c/" + slug + "/indicateurs/2.2-1"} {
		if !strings.Contains(ret.Text, want) {
			t.Errorf("texte du renvoi sans « %s » :\n%s", want, ret.Text)
		}
	}

	// Both are recorded as sent, once; a second pass sends nothing.
	if n, err := sender.SendDue(ctx); err != nil || n != 0 {
		t.Errorf("second passage : %d %v", n, err)
	}
	admin := &auth.Actor{PlatformAdmin: true}
	list, err := svc.Outbox(ctx, admin, 10)
	if err != nil || len(list) != 3 {
		t.Fatalf("boîte d'envoi : %v %+v", err, list)
	}
	for _, m := range list {
		if m.State != model.MailSent || m.Attempts != 1 || m.SentAt == nil || m.Convention != slug {
			t.Errorf("%s : %+v", m.To, m)
		}
		// Once sent, the outbox keeps no usable invitation link.
		if stored, err := st.MailMessage(ctx, m.ID); err != nil || stored.Secret != "" || strings.Contains(stored.Text+stored.HTML, res.Link.Token) {
			t.Errorf("%s : jeton gardé après l'envoi (%v)", m.To, err)
		}
	}
	if _, err := svc.Outbox(ctx, coordinator, 10); err == nil {
		t.Error("la boîte d'envoi est réservée aux administrateurs de la plateforme")
	}
}

func TestWithoutSMTPMessagesAreKeptUnsent(t *testing.T) {
	svc, st := apptest.NewWithStore(t)
	ctx := app.WithSite(context.Background(), "http://localhost:8080")
	coordinator := conventionAdmin(t, svc, "coord@exemple.fr")
	res, err := svc.Invite(ctx, coordinator, "directrice@exemple.fr", auth.Membership{Convention: slug, Role: auth.RoleReader})
	if err != nil || res.Link == nil || res.Link.Mailed {
		t.Fatalf("invitation : %+v %v", res, err)
	}
	list, err := svc.Outbox(ctx, &auth.Actor{PlatformAdmin: true}, 10)
	if err != nil || len(list) != 1 {
		t.Fatalf("boîte d'envoi : %v %+v", err, list)
	}
	// Administrators read what would have left, without the personal token.
	if m := list[0]; m.State != model.MailUnsent || m.LastError != "non envoyé : aucun serveur SMTP configuré" || m.To != "directrice@exemple.fr" ||
		!strings.Contains(m.Text, "http://localhost:8080/invitation?jeton=[jeton personnel masqué]") || strings.Contains(m.Text+m.HTML, res.Link.Token) {
		t.Errorf("message gardé : %+v", m)
	}
	if stored, err := st.MailMessage(ctx, list[0].ID); err != nil || stored.Secret != "" {
		t.Errorf("jeton gardé pour un message qui ne partira pas (%v)", err)
	}
}

func TestMailIsRetriedUntilTheServerAnswers(t *testing.T) {
	srv := mailtest.Start(t)
	svc := apptest.New(t)
	svc.SetMail(srv.Settings())
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	svc.SetClock(func() time.Time { return now })
	ctx := context.Background()
	srv.Down(t)
	if err := svc.Enqueue(ctx, app.Outgoing{To: "secretariat@exemple.fr", Subject: "Rappel : comité de pilotage", Text: "Bonjour"}); err != nil {
		t.Fatal(err)
	}
	sender := svc.NewMailSender(&mail.Sender{Settings: srv.Settings()}, quiet)
	admin := &auth.Actor{PlatformAdmin: true}
	state := func() model.Mail {
		t.Helper()
		list, err := svc.Outbox(ctx, admin, 10)
		if err != nil || len(list) != 1 {
			t.Fatalf("boîte d'envoi : %v %+v", err, list)
		}
		return list[0]
	}
	if n, err := sender.SendDue(ctx); err != nil || n != 0 {
		t.Fatalf("serveur arrêté : %d envoyé(s), %v", n, err)
	}
	if m := state(); m.State != model.MailQueued || m.Attempts != 1 || m.LastError == "" || !m.NextAttemptAt.After(now) {
		t.Fatalf("après l'échec : %+v", m)
	}
	srv.Up(t)
	// Not tried again before its next attempt.
	if n, _ := sender.SendDue(ctx); n != 0 || len(srv.Messages(t)) != 0 {
		t.Fatalf("retenté trop tôt : %d", n)
	}
	now = state().NextAttemptAt
	if n, err := sender.SendDue(ctx); err != nil || n != 1 {
		t.Fatalf("nouvelle tentative : %d %v", n, err)
	}
	if m := state(); m.State != model.MailSent || m.Attempts != 2 || m.LastError != "" {
		t.Errorf("après la nouvelle tentative : %+v", m)
	}
	if list := srv.Messages(t); len(list) != 1 || list[0].Subject != "Rappel : comité de pilotage" {
		t.Errorf("reçus : %+v", list)
	}
}

func TestMailIsGivenUpAfterItsAttempts(t *testing.T) {
	srv := mailtest.Start(t)
	srv.Down(t)
	svc := apptest.New(t)
	svc.SetMail(srv.Settings())
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	svc.SetClock(func() time.Time { return now })
	ctx := context.Background()
	if err := svc.Enqueue(ctx, app.Outgoing{To: "a@exemple.fr", Subject: "s", Text: "t"}); err != nil {
		t.Fatal(err)
	}
	sender := svc.NewMailSender(&mail.Sender{Settings: srv.Settings()}, quiet)
	for range app.MaxMailAttempts + 2 {
		if _, err := sender.SendDue(ctx); err != nil {
			t.Fatal(err)
		}
		now = now.Add(24 * time.Hour)
	}
	list, _ := svc.Outbox(ctx, &auth.Actor{PlatformAdmin: true}, 10)
	if len(list) != 1 || list[0].State != model.MailFailed || list[0].Attempts != app.MaxMailAttempts {
		t.Errorf("après %d tentatives : %+v", app.MaxMailAttempts, list)
	}
}

// Two servers sharing one PostgreSQL database send the same outbox at the
// same time: each message arrives once.
func TestTwoServersOnOnePostgreSQLSendEachMessageOnce(t *testing.T) {
	if pg == nil {
		t.Skip("PostgreSQL absent")
	}
	srv := mailtest.Start(t)
	dsn, err := pg.CreateDatabase(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var senders []*app.MailSender
	var first *app.Service
	for i := range 2 {
		svc, _ := apptest.Empty(t, dsn)
		svc.SetMail(srv.Settings())
		if i == 0 {
			first = svc
		}
		senders = append(senders, svc.NewMailSender(&mail.Sender{Settings: srv.Settings()}, quiet))
	}
	const total = 60
	var msgs []app.Outgoing
	for i := range total {
		msgs = append(msgs, app.Outgoing{Convention: examples.ForcalquierSlug, To: fmt.Sprintf("membre%02d@exemple.fr", i), Subject: fmt.Sprintf("Message %d", i), Text: "Bonjour"})
	}
	if err := first.Enqueue(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	sent := make([]int, len(senders))
	for i, s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := s.SendDue(ctx)
			if err != nil {
				t.Error(err)
			}
			sent[i] = n
		}()
	}
	wg.Wait()
	if sent[0]+sent[1] != total {
		t.Errorf("envoyés : %v, %d attendus en tout", sent, total)
	}
	byTo := map[string]int{}
	for _, m := range srv.Messages(t) {
		for _, to := range m.To {
			byTo[to.Address]++
		}
	}
	if len(byTo) != total {
		t.Errorf("%d destinataires reçus, %d attendus", len(byTo), total)
	}
	for to, n := range byTo {
		if n != 1 {
			t.Errorf("%s a reçu %d messages", to, n)
		}
	}
}

// Values returned together reach each member of the responsible
// organization in one message that lists them.
func TestValuesReturnedTogetherMakeOneMessagePerPerson(t *testing.T) {
	svc, st := apptest.NewWithStore(t)
	ctx := app.WithSite(context.Background(), "https://ctg.exemple.fr")
	coordinator, caf, _ := people(t, svc, st)
	setPilots(t, svc, st, "2.2", "caf04")
	var refs []app.ValueRef
	for _, code := range []string{"2.2-1", "2.2-2"} {
		v, err := svc.SaveValue(ctx, caf, slug, code, app.ValueInput{Period: "2024", Number: "10"})
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, app.ValueRef{ID: v.ID, Version: v.Version})
	}
	if n, err := svc.BulkValueAction(ctx, caf, slug, app.ActionSubmit, refs, ""); err != nil || n != 2 {
		t.Fatalf("soumission : %d %v", n, err)
	}
	for i := range refs {
		refs[i].Version++
	}
	if n, err := svc.BulkValueAction(ctx, coordinator, slug, app.ActionReturn, refs, "sources à préciser"); err != nil || n != 2 {
		t.Fatalf("renvoi : %d %v", n, err)
	}
	list, err := svc.Outbox(ctx, &auth.Actor{PlatformAdmin: true}, 10)
	if err != nil || len(list) != 2 {
		t.Fatalf("boîte d'envoi : %v %+v", err, list)
	}
	byTo := map[string]model.Mail{}
	for _, m := range list {
		byTo[m.To] = m
	}
	if m := byTo[coordinator.Email]; !strings.HasPrefix(m.Subject, "2 valeurs à valider — ") || !strings.Contains(m.Text, "- 2.2-2 « ") {
		t.Errorf("soumission : %q\n%s", m.Subject, m.Text)
	}
	m := byTo["caf@exemple.fr"]
	if m.To != "caf@exemple.fr" || !strings.HasPrefix(m.Subject, "2 valeurs renvoyées — ") {
		t.Errorf("message : %s, %q", m.To, m.Subject)
	}
	for _, want := range []string{"- 2.2-1 « ", "- 2.2-2 « ", "Motif : sources à préciser", "https://ctg.exemple.fr/taches"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("texte sans « %s » :\n%s", want, m.Text)
		}
	}
}

// Convening the steering committee sends its convocation, with the agenda
// and an invitation for the calendar, to the members whose organization
// sits on it and to the convention's organizers — not to the others.
func TestConvocationArrivesWithItsInvitation(t *testing.T) {
	srv := mailtest.Start(t)
	svc, st := apptest.NewWithStore(t)
	svc.SetMail(srv.Settings())
	ctx := app.WithSite(context.Background(), "https://ctg.exemple.fr")
	coordinator, caf, centre := people(t, svc, st)
	m, err := svc.SaveMeeting(ctx, coordinator, slug, "", 0, app.MeetingInput{Committee: "copil", Date: "2026-10-15", StartTime: "14:00",
		Place: "Forcalquier, salle du conseil", Agenda: []string{"Bilan 2025", "Avenant n° 1"}})
	if err != nil {
		t.Fatal(err)
	}
	sender := svc.NewMailSender(&mail.Sender{Settings: srv.Settings()}, quiet)
	if n, _ := sender.SendDue(ctx); n != 0 {
		t.Fatalf("%d courriel(s) pour une réunion seulement planifiée", n)
	}
	if _, err := svc.SaveMeeting(ctx, coordinator, slug, m.ID, m.Version, app.MeetingInput{Committee: "copil", Date: "2026-10-15", StartTime: "14:00",
		Place: m.Place, Status: string(model.MeetingConvened), Agenda: m.Agenda}); err != nil {
		t.Fatal(err)
	}
	if _, err := sender.SendDue(ctx); err != nil {
		t.Fatal(err)
	}
	got := received(t, srv)
	for _, who := range []*auth.Actor{coordinator, caf} {
		list := got[who.Email]
		if len(list) != 1 || !strings.HasPrefix(list[0].Subject, "Convocation : Comité de pilotage du 15 octobre 2026") ||
			!strings.Contains(list[0].Text, "2. Avenant n° 1") || !strings.Contains(list[0].Text, "jointe en PDF (convocation.pdf)") || len(list[0].Attachments) != 2 || list[0].Attachments[0].FileName != "reunion.ics" ||
			list[0].Attachments[1].FileName != "convocation.pdf" || list[0].Attachments[1].ContentType != "application/pdf" {
			t.Errorf("convocation de %s : %+v", who.Email, list)
		}
	}
	if len(got[centre.Email]) != 0 {
		t.Errorf("convocation envoyée à une organisation qui ne siège pas au comité")
	}
}

// A meeting planned already convened is named before its convocation is
// written: the link and the invitation name it, as the calendar feed does.
func TestConvocationOfANewMeetingNamesIt(t *testing.T) {
	svc, st := apptest.NewWithStore(t)
	ctx := app.WithSite(context.Background(), "https://ctg.exemple.fr")
	coordinator, _, _ := people(t, svc, st)
	m, err := svc.SaveMeeting(ctx, coordinator, slug, "", 0, app.MeetingInput{Committee: "copil", Date: "2024-10-15", StartTime: "14:00", Status: "convened"})
	if err != nil || m.Convocations == 0 {
		t.Fatalf("réunion convoquée d'emblée : %v, %d convocation(s)", err, m.Convocations)
	}
	list, err := svc.Outbox(ctx, &auth.Actor{PlatformAdmin: true}, 10)
	if err != nil || len(list) == 0 {
		t.Fatalf("boîte d'envoi : %v", err)
	}
	msg, err := st.MailMessage(ctx, list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg.Text, "/reunions/"+m.ID+"\n") {
		t.Errorf("lien de la convocation :\n%s", msg.Text)
	}
	// Lines folded at 75 octets are read unfolded.
	if ics := strings.ReplaceAll(string(msg.Attachments[0].Content), "\r\n ", ""); !strings.Contains(ics, "UID:meeting-"+m.ID+"@"+slug) ||
		!strings.Contains(ics, "URL;VALUE=URI:https://ctg.exemple.fr/c/"+slug+"/reunions/"+m.ID) || !strings.Contains(ics, "DESCRIPTION:Convention : ") {
		t.Errorf("invitation :\n%s", ics)
	}
}

// The DPO of an organization sitting on the committee is not convened:
// they act for it on data exchanges only.
func TestConvocationSkipsTheDPO(t *testing.T) {
	svc, st := apptest.NewWithStore(t)
	ctx := context.Background()
	coordinator, caf, _ := people(t, svc, st)
	if err := st.CreateUser(ctx, &auth.User{Email: "dpo@caf.fr", Name: "DPO", PasswordHash: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Grant(ctx, auth.System, "dpo@caf.fr", auth.Membership{Convention: slug, Role: auth.RoleDPO, Organization: "caf04"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SaveMeeting(ctx, coordinator, slug, "", 0, app.MeetingInput{Committee: "copil", Date: "2024-10-15", Status: "convened"}); err != nil {
		t.Fatal(err)
	}
	list, err := svc.Outbox(ctx, &auth.Actor{PlatformAdmin: true}, 10)
	if err != nil {
		t.Fatal(err)
	}
	to := map[string]bool{}
	for _, m := range list {
		to[m.To] = true
	}
	if !to[caf.Email] || !to[coordinator.Email] || to["dpo@caf.fr"] {
		t.Errorf("convoqués : %v", to)
	}
}

// An emoji in the agenda or the place, which the PDF fonts cannot draw,
// does not stop the convocation: it is queued with its PDF, where the
// emoji is a white square and the text around it intact.
func TestConvocationWithAnEmojiIsSentWithItsPDF(t *testing.T) {
	svc, st := apptest.NewWithStore(t)
	ctx := app.WithSite(context.Background(), "https://ctg.exemple.fr")
	coordinator, caf, _ := people(t, svc, st)
	m, err := svc.SaveMeeting(ctx, coordinator, slug, "", 0, app.MeetingInput{Committee: "copil", Date: "2026-10-15", StartTime: "14:00",
		Place: "Forcalquier 🎉, salle du conseil", Agenda: []string{"Bilan 2025 📊", "Pot de départ de Jean 🙂"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SaveMeeting(ctx, coordinator, slug, m.ID, m.Version, app.MeetingInput{Committee: "copil", Date: "2026-10-15", StartTime: "14:00",
		Place: m.Place, Status: string(model.MeetingConvened), Agenda: m.Agenda}); err != nil {
		t.Fatalf("convocation refusée : %v", err)
	}
	list, err := svc.Outbox(ctx, &auth.Actor{PlatformAdmin: true}, 10)
	if err != nil {
		t.Fatal(err)
	}
	byTo := map[string]model.Mail{}
	for _, m := range list {
		byTo[m.To] = m
	}
	for _, who := range []*auth.Actor{coordinator, caf} {
		m := byTo[who.Email]
		if !strings.Contains(m.Text, "2. Pot de départ de Jean 🙂") || len(m.Attachments) != 2 || m.Attachments[1].Name != "convocation.pdf" {
			t.Fatalf("convocation de %s : %q %+v", who.Email, m.Text, m.Attachments)
		}
		flat := strings.Join(strings.Fields(pdftext.Text(t, m.Attachments[1].Content)), " ")
		for _, want := range []string{"Forcalquier □, salle du conseil", "1. Bilan 2025 □", "2. Pot de départ de Jean □"} {
			if !strings.Contains(flat, want) {
				t.Errorf("%q absent de la convocation jointe :\n%s", want, flat)
			}
		}
	}
}
