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
	// A new date asks the Caf again; the charter stays granted.
	in.Version, in.ProposedDate = 3, "2025-06-21"
	if x, err = svc.SaveEventRequest(ctx, cordeliere, slug, x.ID, in); err != nil || x.Date != model.DatePending || x.Charter != model.CharterGranted {
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
