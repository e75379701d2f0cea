package app_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/app/apptest"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/lifecycle"
	"github.com/ctg-territoires/ctg/internal/model"
)

func logoPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestLogosFollowTheRolesAndAreAudited: a contributor changes their own
// organization's logo only; a logo is checked, replaced, removed, and
// each change goes to the history; the archive holds one safe entry per
// logo.
func TestLogosFollowTheRolesAndAreAudited(t *testing.T) {
	ctx := context.Background()
	svc, st := apptest.NewWithStore(t)
	const slug = examples.ForcalquierSlug
	editor := member("Claire", auth.RoleEditor, "")
	cordeliere := member("Paul", auth.RoleContributor, "cordeliere")
	reader := member("Marc", auth.RoleReader, "")
	put := func(a *auth.Actor, org string, data []byte) (*model.Logo, error) {
		return svc.PutLogo(ctx, a, slug, app.LogoInput{Organization: org, Name: "../logo.png", Content: bytes.NewReader(data)})
	}
	for _, tc := range []struct {
		who *auth.Actor
		org string
	}{{cordeliere, "caf04"}, {reader, "cordeliere"}} {
		if _, err := put(tc.who, tc.org, logoPNG(t, 10, 10)); !errors.Is(err, model.ErrForbidden) {
			t.Errorf("%s change le logo de %s : %v", tc.who.Name, tc.org, err)
		}
	}
	var ve *model.ValidationError
	if _, err := put(editor, "inconnue", logoPNG(t, 10, 10)); !errors.As(err, &ve) || ve.Errors[0].Path != "organization" {
		t.Errorf("organisation inconnue : %v", err)
	}
	if _, err := put(cordeliere, "cordeliere", bytes.Repeat([]byte{0x89}, app.MaxLogoSize+1)); !errors.As(err, &ve) || !strings.Contains(err.Error(), "2 Mo") {
		t.Errorf("logo trop volumineux : %v", err)
	}
	if _, err := put(cordeliere, "cordeliere", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)); !errors.As(err, &ve) ||
		!strings.Contains(err.Error(), "script") {
		t.Errorf("SVG avec script : %v", err)
	}
	l, err := put(cordeliere, "cordeliere", logoPNG(t, 40, 20))
	if err != nil {
		t.Fatal(err)
	}
	if l.Name != "logo.png" || l.ContentType != "image/png" || l.Width != 40 || l.UploadedBy != "Paul" {
		t.Errorf("logo enregistré : %+v", l)
	}
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1"/></svg>`)
	if _, err := put(cordeliere, "cordeliere", svg); err != nil {
		t.Fatal(err)
	}
	if _, err := put(editor, "caf04", logoPNG(t, 5, 5)); err != nil {
		t.Fatal(err)
	}
	_, list, err := svc.Logos(ctx, reader, slug)
	if err != nil || len(list) != 2 {
		t.Fatalf("logos : %v %+v", err, list)
	}
	if _, data, err := svc.LogoFile(ctx, reader, slug, "cordeliere"); err != nil || !bytes.Equal(data, svg) {
		t.Errorf("logo remplacé : %v %q", err, data)
	}
	var zipped bytes.Buffer
	if err := svc.WriteLogosZip(ctx, reader, slug, &zipped); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(zipped.Bytes()), int64(zipped.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	if !slices.Equal(names, []string{"caf04.png", "cordeliere.svg"}) {
		t.Errorf("entrées de l'archive : %v", names)
	}
	if err := svc.RemoveLogo(ctx, reader, slug, "cordeliere"); !errors.Is(err, model.ErrForbidden) {
		t.Errorf("un lecteur retire un logo : %v", err)
	}
	if err := svc.RemoveLogo(ctx, cordeliere, slug, "cordeliere"); err != nil {
		t.Fatal(err)
	}
	history, err := st.History(ctx, slug, nil, 50)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, h := range history {
		if h.ObjectType == "logo" && h.ObjectID == "cordeliere" {
			actions = append(actions, h.Action)
		}
	}
	if !slices.Equal(actions, []string{"detach", "replace", "attach"}) {
		t.Errorf("historique du logo : %v", actions)
	}
}

// TestEventRequestsFollowTheProtocol: a financed partner declares an
// event; the Caf, found among the parties, answers on the date and on its
// charter; a new date asks it again; a date passed without agreement is
// flagged in the calendar.
func TestEventRequestsFollowTheProtocol(t *testing.T) {
	ctx := context.Background()
	svc, st := apptest.NewWithStore(t)
	const slug = examples.ForcalquierSlug
	cordeliere := member("Paul", auth.RoleContributor, "cordeliere")
	limans := member("Lise", auth.RoleContributor, "limans")
	caf := member("Anne", auth.RoleContributor, "caf04")
	in := app.EventRequestInput{Organization: "cordeliere", Kind: "inauguration", Title: "Nouvelle crèche", SubjectKind: "fiche", SubjectKey: "2.2",
		ProposedDate: "2025-06-14", Place: "Forcalquier"}
	if _, err := svc.SaveEventRequest(ctx, limans, slug, "", in); !errors.Is(err, model.ErrForbidden) {
		t.Errorf("une autre organisation déclare la manifestation : %v", err)
	}
	var ve *model.ValidationError
	bad := in
	bad.Kind, bad.SubjectKey, bad.ProposedDate = "fête", "9.9", "14/06/2025"
	if _, err := svc.SaveEventRequest(ctx, cordeliere, slug, "", bad); !errors.As(err, &ve) || len(ve.Errors) != 3 {
		t.Errorf("demande mal remplie : %v", err)
	}
	x, err := svc.SaveEventRequest(ctx, cordeliere, slug, "", in)
	if err != nil {
		t.Fatal(err)
	}
	if x.Financer != "caf04" || x.Date != model.DatePending || x.Charter != model.CharterPending {
		t.Errorf("demande déclarée : %+v", x)
	}
	if _, err := svc.AnswerEventDate(ctx, cordeliere, slug, x.ID, app.DateAnswerInput{Version: 1, Answer: "accepted"}); !errors.Is(err, model.ErrForbidden) {
		t.Errorf("l'organisateur accepte sa propre date : %v", err)
	}
	if _, err := svc.AnswerEventDate(ctx, caf, slug, x.ID, app.DateAnswerInput{Version: 1, Answer: "other_date"}); !errors.As(err, &ve) ||
		ve.Errors[0].Path != "other_date" {
		t.Errorf("autre date sans date : %v", err)
	}
	if x, err = svc.AnswerEventDate(ctx, caf, slug, x.ID, app.DateAnswerInput{Version: 1, Answer: "accepted"}); err != nil || x.Date != model.DateAccepted {
		t.Fatalf("date acceptée : %v", err)
	}
	if x, err = svc.AnswerEventCharter(ctx, caf, slug, x.ID, app.CharterAnswerInput{Version: 2, Answer: "granted", Conditions: "Logo en couleur"}); err != nil ||
		x.Charter != model.CharterGranted || x.Date != model.DateAccepted {
		t.Fatalf("charte accordée : %v %+v", err, x)
	}
	// A new date asks the Caf again, on the date and on its charter.
	in.Version, in.ProposedDate = 3, "2025-06-21"
	if x, err = svc.SaveEventRequest(ctx, cordeliere, slug, x.ID, in); err != nil || x.Date != model.DatePending || x.Charter != model.CharterPending {
		t.Fatalf("nouvelle date : %v %+v", err, x)
	}
	cal, err := svc.Calendar(ctx, cordeliere, slug, model.MustDate("2025-07-01"))
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(cal.Events, func(e app.CalendarEvent) bool { return e.Kind == lifecycle.KindPublicEvent })
	if i < 0 || !cal.Events[i].Overdue() || cal.Events[i].Date != model.MustDate("2025-06-21") || !strings.Contains(cal.Events[i].Label, "Nouvelle crèche") {
		t.Fatalf("manifestation au calendrier : %+v", cal.Events)
	}
	if _, err = svc.AnswerEventDate(ctx, caf, slug, x.ID, app.DateAnswerInput{Version: 4, Answer: "accepted"}); err != nil {
		t.Fatal(err)
	}
	cal, _ = svc.Calendar(ctx, cordeliere, slug, model.MustDate("2025-07-01"))
	if i := slices.IndexFunc(cal.Events, func(e app.CalendarEvent) bool { return e.Kind == lifecycle.KindPublicEvent }); i < 0 || cal.Events[i].Overdue() {
		t.Errorf("manifestation acceptée au calendrier : %+v", cal.Events)
	}
	history, _ := st.History(ctx, slug, nil, 50)
	n := 0
	for _, h := range history {
		if h.ObjectType == "event-request" {
			n++
		}
	}
	if n != 5 {
		t.Errorf("%d entrées d'historique des demandes, 5 attendues", n)
	}
}

// TestEventFinancerIsNeverTheOrganizer: an organizer cannot name itself
// financer nor approve its own event; only editors choose the financer,
// a contributor's request goes to the Caf.
func TestEventFinancerIsNeverTheOrganizer(t *testing.T) {
	ctx := context.Background()
	svc := apptest.New(t)
	const slug = examples.ForcalquierSlug
	cordeliere := member("Paul", auth.RoleContributor, "cordeliere")
	editor := member("Claire", auth.RoleEditor, "")
	in := app.EventRequestInput{Organization: "cordeliere", Financer: "cordeliere", Kind: "inauguration", Title: "Nouvelle crèche", ProposedDate: "2023-06-14"}
	financerRefused := func(who string, err error) {
		t.Helper()
		var ve *model.ValidationError
		if !errors.As(err, &ve) || len(ve.Errors) == 0 || ve.Errors[0].Path != "financer" {
			t.Errorf("%s : %v ; refus sur le financeur attendu", who, err)
		}
	}
	_, err := svc.SaveEventRequest(ctx, cordeliere, slug, "", in)
	financerRefused("l'organisateur se désigne financeur", err)
	_, err = svc.SaveEventRequest(ctx, editor, slug, "", in)
	financerRefused("un éditeur désigne l'organisateur financeur", err)
	in.Financer = "limans"
	_, err = svc.SaveEventRequest(ctx, cordeliere, slug, "", in)
	financerRefused("un contributeur choisit le financeur", err)
	in.Financer = ""
	x, err := svc.SaveEventRequest(ctx, cordeliere, slug, "", in)
	if err != nil || x.Financer != "caf04" {
		t.Fatalf("demande d'un contributeur : %v %+v", err, x)
	}
	up := in
	up.Version, up.Financer = x.Version, "cordeliere"
	_, err = svc.SaveEventRequest(ctx, cordeliere, slug, x.ID, up)
	financerRefused("l'organisateur se désigne financeur en modifiant", err)
	up.Financer = "limans"
	_, err = svc.SaveEventRequest(ctx, cordeliere, slug, x.ID, up)
	financerRefused("un contributeur change le financeur", err)
	if x, err = svc.SaveEventRequest(ctx, editor, slug, x.ID, up); err != nil || x.Financer != "limans" {
		t.Fatalf("un éditeur change le financeur : %v", err)
	}
	// The financer chosen by the editor stays when the organizer leaves it out.
	up.Version, up.Financer, up.Place = x.Version, "", "Salle des fêtes"
	if x, err = svc.SaveEventRequest(ctx, cordeliere, slug, x.ID, up); err != nil || x.Financer != "limans" {
		t.Fatalf("modification par l'organisateur : %v %+v", err, x)
	}
	if app.CanAnswerEvent(cordeliere, slug, &model.EventRequest{Organization: "cordeliere", Financer: "cordeliere"}) {
		t.Error("l'organisateur peut répondre pour lui-même")
	}
}

// TestEventChangeAsksTheCafAgain: any change of substance puts both the
// answer on the date and the one on the charter back to pending; saving
// the same event keeps them.
func TestEventChangeAsksTheCafAgain(t *testing.T) {
	ctx := context.Background()
	svc := apptest.New(t)
	const slug = examples.ForcalquierSlug
	cordeliere := member("Paul", auth.RoleContributor, "cordeliere")
	editor := member("Claire", auth.RoleEditor, "")
	caf := member("Anne", auth.RoleContributor, "caf04")
	base := app.EventRequestInput{Organization: "cordeliere", Kind: "inauguration", Title: "Nouvelle crèche", SubjectKind: "fiche", SubjectKey: "2.2",
		ProposedDate: "2023-06-14", Place: "Forcalquier"}
	for _, tc := range []struct {
		name   string
		change func(in *app.EventRequestInput)
		reset  bool
	}{
		{"rien", func(*app.EventRequestInput) {}, false},
		{"type", func(in *app.EventRequestInput) { in.Kind = "signing" }, true},
		{"objet", func(in *app.EventRequestInput) { in.Title = "Autre crèche" }, true},
		{"rattachement", func(in *app.EventRequestInput) { in.SubjectKind, in.SubjectKey = "", "" }, true},
		{"date", func(in *app.EventRequestInput) { in.ProposedDate = "2023-06-21" }, true},
		{"lieu", func(in *app.EventRequestInput) { in.Place = "Limans" }, true},
		{"financeur", func(in *app.EventRequestInput) { in.Financer = "msa-alpes-vaucluse" }, true},
	} {
		x, err := svc.SaveEventRequest(ctx, cordeliere, slug, "", base)
		if err != nil {
			t.Fatal(err)
		}
		if x, err = svc.AnswerEventDate(ctx, caf, slug, x.ID, app.DateAnswerInput{Version: x.Version, Answer: "accepted"}); err != nil {
			t.Fatal(err)
		}
		if x, err = svc.AnswerEventCharter(ctx, caf, slug, x.ID, app.CharterAnswerInput{Version: x.Version, Answer: "granted", Conditions: "Logo en couleur"}); err != nil {
			t.Fatal(err)
		}
		in := base
		in.Version = x.Version
		tc.change(&in)
		if x, err = svc.SaveEventRequest(ctx, editor, slug, x.ID, in); err != nil {
			t.Fatalf("%s : %v", tc.name, err)
		}
		pending := x.Date == model.DatePending && x.Charter == model.CharterPending && x.CharterConditions == ""
		kept := x.Date == model.DateAccepted && x.Charter == model.CharterGranted
		if (tc.reset && !pending) || (!tc.reset && !kept) {
			t.Errorf("changement %s : date %s, charte %s", tc.name, x.Date, x.Charter)
		}
	}
}

// TestEventDatesStayNearThePeriod: a proposed or other date more than ten
// years away from the convention's period (2022–2024) is refused, naming
// the field and the window.
func TestEventDatesStayNearThePeriod(t *testing.T) {
	ctx := context.Background()
	svc := apptest.New(t)
	const slug = examples.ForcalquierSlug
	cordeliere := member("Paul", auth.RoleContributor, "cordeliere")
	caf := member("Anne", auth.RoleContributor, "caf04")
	in := app.EventRequestInput{Organization: "cordeliere", Kind: "inauguration", Title: "Nouvelle crèche"}
	for _, d := range []string{"0000-01-01", "1900-01-01", "2011-12-31", "2035-01-01", "9999-12-31"} {
		in.ProposedDate = d
		var ve *model.ValidationError
		if _, err := svc.SaveEventRequest(ctx, cordeliere, slug, "", in); !errors.As(err, &ve) || ve.Errors[0].Path != "proposed_date" ||
			!strings.Contains(ve.Errors[0].Message, "entre le 1er janvier 2012 et le 31 décembre 2034") {
			t.Errorf("date proposée %s : %v", d, err)
		}
	}
	in.ProposedDate = "2012-01-01"
	x, err := svc.SaveEventRequest(ctx, cordeliere, slug, "", in)
	if err != nil {
		t.Fatalf("date au bord de la période : %v", err)
	}
	for _, d := range []string{"0001-01-01", "2034-12-31"} {
		_, err := svc.AnswerEventDate(ctx, caf, slug, x.ID, app.DateAnswerInput{Version: x.Version, Answer: "other_date", OtherDate: d})
		var ve *model.ValidationError
		if d == "0001-01-01" && (!errors.As(err, &ve) || ve.Errors[0].Path != "other_date") {
			t.Errorf("autre date %s : %v", d, err)
		}
		if d == "2034-12-31" && err != nil {
			t.Errorf("autre date %s : %v", d, err)
		}
	}
}

// TestCafPartyAndArticle: the Caf is found by its kind, else by its name;
// the article on communication is the convention's own.
func TestCafPartyAndArticle(t *testing.T) {
	c := &model.Convention{Organizations: []model.Organization{{Key: "a", Kind: model.KindEPCI, Name: "Communauté"},
		{Key: "b", Kind: model.KindOther, Name: "Caf du Var"}}, Parties: []model.Party{{Organization: "a"}, {Organization: "b"}}}
	if got := app.CafParty(c); got != "b" {
		t.Errorf("Caf trouvée par son nom : %q", got)
	}
	c.Organizations[0].Kind = model.KindCaf
	if got := app.CafParty(c); got != "a" {
		t.Errorf("Caf trouvée par son type : %q", got)
	}
	if app.CommunicationArticle(c) != nil {
		t.Error("article inventé")
	}
	c.Articles = []model.Article{{Number: 7, Title: "Données"}, {Number: 8, Title: "COMMUNICATION", Text: "Les parties…"}}
	if a := app.CommunicationArticle(c); a == nil || a.Number != 8 {
		t.Errorf("article 8 : %+v", a)
	}
}

// TestEventMailsGoToTheFinancerThenTheOrganizer: a request filed or
// changed so that the answers go back to pending mails the financer's
// members (its DPO aside), or the editors when it has none; an answer
// mails the organizer's members.
func TestEventMailsGoToTheFinancerThenTheOrganizer(t *testing.T) {
	ctx := app.WithSite(context.Background(), "https://ctg.exemple.fr")
	svc, st := apptest.NewWithStore(t)
	svc.SetClock(func() time.Time { return time.Date(2025, 5, 2, 9, 0, 0, 0, time.UTC) })
	const slug = examples.ForcalquierSlug
	caf := account(t, svc, st, "caf", auth.RoleContributor, "caf04")
	account(t, svc, st, "dpo-caf", auth.RoleDPO, "caf04")
	centre := account(t, svc, st, "centre", auth.RoleContributor, "cordeliere")
	editor := account(t, svc, st, "editrice", auth.RoleEditor, "")
	outbox := func() map[string][]model.Mail {
		t.Helper()
		list, err := svc.Outbox(ctx, auth.System, 50)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][]model.Mail{}
		for _, m := range list {
			out[m.To] = append(out[m.To], m)
		}
		return out
	}
	in := app.EventRequestInput{Organization: "cordeliere", Kind: "inauguration", Title: "Nouvelle crèche", ProposedDate: "2025-06-14", Place: "Forcalquier"}
	x, err := svc.SaveEventRequest(ctx, centre, slug, "", in)
	if err != nil {
		t.Fatal(err)
	}
	got := outbox()
	if len(got) != 1 || len(got["caf@exemple.fr"]) != 1 {
		t.Fatalf("courriels après la déclaration : %v", got)
	}
	m := got["caf@exemple.fr"][0]
	c, _ := svc.Convention(ctx, auth.System, slug)
	if m.Subject != "Manifestation à accorder : Nouvelle crèche — "+c.Title {
		t.Errorf("objet : %q", m.Subject)
	}
	link := "https://ctg.exemple.fr/c/" + slug + "/communication#evenement-" + x.ID
	for _, want := range []string{"Inauguration « Nouvelle crèche »", "Organisateur : " + c.OrgName("cordeliere"), "Date proposée : 14 juin 2025", link} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("texte sans « %s » :\n%s", want, m.Text)
		}
	}
	if !strings.Contains(m.HTML, `<a href="`+link+`">ouvrir la demande</a>`) {
		t.Errorf("HTML : %s", m.HTML)
	}
	if x, err = svc.AnswerEventDate(ctx, caf, slug, x.ID, app.DateAnswerInput{Version: x.Version, Answer: "other_date", OtherDate: "2025-06-21"}); err != nil {
		t.Fatal(err)
	}
	got = outbox()
	if len(got["centre@exemple.fr"]) != 1 || !strings.Contains(got["centre@exemple.fr"][0].Text, "Date : autre date proposée, le 21 juin 2025") ||
		!strings.Contains(got["centre@exemple.fr"][0].Text, "État de la demande : à revoir") {
		t.Fatalf("courriel de réponse à l'organisateur : %+v", got["centre@exemple.fr"])
	}
	// A new date asks the Caf again.
	in.Version, in.ProposedDate = x.Version, "2025-06-28"
	if x, err = svc.SaveEventRequest(ctx, centre, slug, x.ID, in); err != nil {
		t.Fatal(err)
	}
	got = outbox()
	changed := slices.IndexFunc(got["caf@exemple.fr"], func(m model.Mail) bool { return strings.Contains(m.Text, "a été modifiée") })
	if len(got["caf@exemple.fr"]) != 2 || changed < 0 {
		t.Fatalf("courriels à la Caf après le changement : %+v", got["caf@exemple.fr"])
	}
	// A financer without members: the editors are told.
	in.Version, in.Financer = x.Version, "limans"
	if _, err = svc.SaveEventRequest(ctx, editor, slug, x.ID, in); err != nil {
		t.Fatal(err)
	}
	got = outbox()
	if len(got["editrice@exemple.fr"]) != 1 || len(got["dpo-caf@exemple.fr"]) != 0 {
		t.Errorf("courriels quand le financeur n'a pas de membre : %v", got)
	}
}

// TestOrganizerAcceptsTheOtherDate: the date the Caf proposes instead
// becomes the proposed date in one action, accepted, and the history
// keeps it; only the organizer's side may do it, and only when a date
// was proposed.
func TestOrganizerAcceptsTheOtherDate(t *testing.T) {
	ctx := context.Background()
	svc, st := apptest.NewWithStore(t)
	const slug = examples.ForcalquierSlug
	cordeliere := member("Paul", auth.RoleContributor, "cordeliere")
	caf := member("Anne", auth.RoleContributor, "caf04")
	x, err := svc.SaveEventRequest(ctx, cordeliere, slug, "", app.EventRequestInput{Organization: "cordeliere", Kind: "inauguration",
		Title: "Nouvelle crèche", ProposedDate: "2025-06-14"})
	if err != nil {
		t.Fatal(err)
	}
	var ve *model.ValidationError
	if _, err := svc.AcceptOtherDate(ctx, cordeliere, slug, x.ID, x.Version); !errors.As(err, &ve) || ve.Errors[0].Path != "other_date" {
		t.Errorf("accepter sans autre date : %v", err)
	}
	if x, err = svc.AnswerEventCharter(ctx, caf, slug, x.ID, app.CharterAnswerInput{Version: x.Version, Answer: "granted"}); err != nil {
		t.Fatal(err)
	}
	if x, err = svc.AnswerEventDate(ctx, caf, slug, x.ID, app.DateAnswerInput{Version: x.Version, Answer: "other_date", OtherDate: "2025-06-21"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AcceptOtherDate(ctx, caf, slug, x.ID, x.Version); !errors.Is(err, model.ErrForbidden) {
		t.Errorf("le financeur accepte sa propre date : %v", err)
	}
	if _, err := svc.AcceptOtherDate(ctx, cordeliere, slug, x.ID, x.Version-1); !errors.Is(err, model.ErrStale) {
		t.Errorf("version dépassée : %v", err)
	}
	if x, err = svc.AcceptOtherDate(ctx, cordeliere, slug, x.ID, x.Version); err != nil {
		t.Fatal(err)
	}
	if x.ProposedDate != model.MustDate("2025-06-21") || x.Date != model.DateAccepted || x.OtherDate != nil || x.Charter != model.CharterGranted {
		t.Errorf("date acceptée : %+v", x)
	}
	if s := x.StateOn(model.MustDate("2025-05-01")); s != model.EventGranted {
		t.Errorf("état : %s", s)
	}
	history, _ := st.History(ctx, slug, []string{x.ID}, 10)
	if len(history) == 0 || history[0].Before["autre date"] != "2025-06-21" || history[0].After["date proposée"] != "2025-06-21" ||
		history[0].After["accord sur la date"] != "date acceptée" {
		t.Errorf("historique : %+v", history)
	}
}

// TestEventStates: the overall state of a request follows the answers
// and the day.
func TestEventStates(t *testing.T) {
	today := model.MustDate("2025-06-01")
	other := model.MustDate("2025-06-21")
	for _, tc := range []struct {
		date    model.DateAgreement
		charter model.CharterAgreement
		on      string
		want    model.EventState
	}{
		{model.DatePending, model.CharterPending, "2025-06-14", model.EventAwaiting},
		{model.DateAccepted, model.CharterPending, "2025-06-14", model.EventAwaiting},
		{model.DateAccepted, model.CharterGranted, "2025-06-14", model.EventGranted},
		{model.DateAccepted, model.CharterGranted, "2025-05-14", model.EventGranted},
		{model.DateOther, model.CharterGranted, "2025-06-14", model.EventToReview},
		{model.DateRefused, model.CharterPending, "2025-06-14", model.EventToReview},
		{model.DateAccepted, model.CharterRefused, "2025-06-14", model.EventToReview},
		{model.DatePending, model.CharterPending, "2025-05-14", model.EventLapsed},
		{model.DateOther, model.CharterGranted, "2025-05-14", model.EventLapsed},
	} {
		x := model.EventRequest{Date: tc.date, Charter: tc.charter, ProposedDate: model.MustDate(tc.on)}
		if tc.date == model.DateOther {
			x.OtherDate = &other
		}
		if got := x.StateOn(today); got != tc.want {
			t.Errorf("date %s, charte %s, le %s : %s, %s attendu", tc.date, tc.charter, tc.on, got, tc.want)
		}
	}
	if model.EventStateLabels[model.EventAwaiting] != "en attente de la Caf" || model.EventStateLabels[model.EventLapsed] != "passée sans accord" {
		t.Error("libellés des états")
	}
}

// TestEquipmentChoicesAreDistinct: homonymous equipments of the annex
// (three « Périscolaire la Cordelière ») are each a choice of their own,
// told apart by address and city, and an event keeps the one chosen.
func TestEquipmentChoicesAreDistinct(t *testing.T) {
	ctx := context.Background()
	svc := apptest.New(t)
	const slug = examples.ForcalquierSlug
	c, err := svc.Convention(ctx, auth.System, slug)
	if err != nil {
		t.Fatal(err)
	}
	choices := app.EquipmentChoices(c)
	keys, labels := map[string]bool{}, map[string]bool{}
	homonyms := 0
	for _, e := range choices {
		if keys[e.Key] || labels[e.Label] {
			t.Errorf("choix en double : %+v", e)
		}
		keys[e.Key], labels[e.Label] = true, true
		if strings.HasPrefix(e.Key, "Périscolaire la Cordelière") {
			homonyms++
		}
	}
	if len(choices) != len(c.Equipments) || homonyms != 3 {
		t.Fatalf("%d choix pour %d équipements, %d périscolaires : %+v", len(choices), len(c.Equipments), homonyms, choices)
	}
	key := "Périscolaire la Cordelière – CHEMIN DE LA LOUETTE, FORCALQUIER"
	if !keys[key] {
		t.Fatalf("clé %q absente : %+v", key, choices)
	}
	cordeliere := member("Paul", auth.RoleContributor, "cordeliere")
	in := app.EventRequestInput{Organization: "cordeliere", Kind: "inauguration", Title: "Nouvelle salle", SubjectKind: "equipment",
		SubjectKey: "Périscolaire la Cordelière", ProposedDate: "2025-06-14"}
	var ve *model.ValidationError
	if _, err := svc.SaveEventRequest(ctx, cordeliere, slug, "", in); !errors.As(err, &ve) || ve.Errors[0].Path != "subject_key" {
		t.Errorf("équipement ambigu : %v", err)
	}
	in.SubjectKey = key
	x, err := svc.SaveEventRequest(ctx, cordeliere, slug, "", in)
	if err != nil || x.SubjectKey != key {
		t.Fatalf("équipement choisi : %v %+v", err, x)
	}
	// Identical entries of the annex are one choice.
	c.Equipments = append(c.Equipments, c.Equipments[0])
	if n := len(app.EquipmentChoices(c)); n != len(choices) {
		t.Errorf("doublon exact : %d choix", n)
	}
}

// When the organizer accepts the date the financer proposed, the
// financer is told, and its reason for another date is answered.
func TestTheFinancerIsToldItsDateIsAccepted(t *testing.T) {
	ctx := context.Background()
	svc, st := apptest.NewWithStore(t)
	const slug = examples.ForcalquierSlug
	_, caf, centre := people(t, svc, st)
	x, err := svc.SaveEventRequest(ctx, centre, slug, "", app.EventRequestInput{Organization: "cordeliere", Kind: "inauguration",
		Title: "Nouvelle crèche", ProposedDate: "2025-06-14"})
	if err != nil {
		t.Fatal(err)
	}
	if x, err = svc.AnswerEventDate(ctx, caf, slug, x.ID, app.DateAnswerInput{Version: x.Version, Answer: "other_date", OtherDate: "2025-06-21",
		Note: "la présidence n'est pas libre le 14"}); err != nil {
		t.Fatal(err)
	}
	if x, err = svc.AcceptOtherDate(ctx, centre, slug, x.ID, x.Version); err != nil {
		t.Fatal(err)
	}
	if x.DateNote != "" {
		t.Errorf("motif d'une autre date gardé : %q", x.DateNote)
	}
	list, err := svc.Outbox(ctx, &auth.Actor{PlatformAdmin: true}, 20)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, m := range list {
		if m.To == caf.Email && strings.HasPrefix(m.Subject, "Date acceptée : Nouvelle crèche le 21 juin 2025") {
			found = true
		}
	}
	if !found {
		t.Errorf("le financeur n'est pas averti : %+v", list)
	}
}
