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
	"github.com/ctg-territoires/ctg/internal/pdftext"
	"github.com/ctg-territoires/ctg/internal/store"
)

// eachDatabase runs fn on a service over SQLite and over PostgreSQL, both
// holding the bundled convention.
func eachDatabase(t *testing.T, fn func(t *testing.T, svc *app.Service)) {
	apptest.EachDB(t, pg, func(t *testing.T, svc *app.Service, _ store.Store) { fn(t, svc) })
}

func on(day string) func() time.Time {
	return func() time.Time { return model.MustDate(day).Time().Add(10 * time.Hour) }
}

func fiche51(c *model.Convention) *model.Fiche {
	for i := range c.Axes[4].Fiches {
		if c.Axes[4].Fiches[i].Code == "5.1" {
			return &c.Axes[4].Fiches[i]
		}
	}
	return nil
}

const article10 = "La présente convention est conclue à compter du 1er janvier 2022 jusqu'au 31 décembre 2025."

func TestAvenantChangesTheConventionFromItsDateOfEffect(t *testing.T) {
	eachDatabase(t, func(t *testing.T, svc *app.Service) {
		ctx := context.Background()
		const slug = examples.ForcalquierSlug
		editor, reader := member("Éditrice", auth.RoleEditor, ""), member("Lecteur", auth.RoleReader, "")
		outsider := &auth.Actor{Name: "autre", Memberships: map[string]auth.Membership{"autre-ctg": {Role: auth.RoleAdmin}}}
		svc.SetClock(on("2023-03-01"))

		if _, err := svc.PrepareAmendment(ctx, reader, slug, "Fiches de l'axe 5"); !errors.Is(err, model.ErrForbidden) {
			t.Errorf("avenant préparé par un lecteur : %v", err)
		}
		if _, err := svc.PrepareAmendment(ctx, outsider, slug, "Fiches de l'axe 5"); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("avenant préparé hors de la convention : %v", err)
		}
		var ve *model.ValidationError
		if _, err := svc.PrepareAmendment(ctx, editor, slug, " "); !errors.As(err, &ve) {
			t.Errorf("avenant sans objet : %v", err)
		}
		x, err := svc.PrepareAmendment(ctx, editor, slug, "Fiches de l'axe 5 et durée")
		if err != nil {
			t.Fatal(err)
		}
		if x.Number != 1 || x.WorkingCopy != slug+"--avenant-1" {
			t.Fatalf("avenant : %+v", x)
		}
		for name, a := range map[string]*auth.Actor{"lecteur": reader, "extérieur": outsider} {
			if _, err := svc.Convention(ctx, a, x.WorkingCopy); !errors.Is(err, model.ErrNotFound) {
				t.Errorf("copie de travail lue par un %s : %v", name, err)
			}
		}
		if list, _ := svc.Conventions(ctx, auth.System); len(list) != 1 {
			t.Errorf("la copie de travail figure dans la liste des conventions : %d conventions", len(list))
		}

		// The working copy is edited with the existing forms.
		wc, err := svc.Convention(ctx, editor, x.WorkingCopy)
		if err != nil || wc.Signature.Date != nil {
			t.Fatalf("copie de travail : %v", err)
		}
		if _, err := svc.Create(ctx, editor, x.WorkingCopy, "fiche", wc.Axes[4].ID, map[string]string{
			"code": "5.1", "title": "Soutenir les parents", "pilots": "caf04"}); err != nil {
			t.Fatalf("fiche 5.1 ajoutée à la copie : %v", err)
		}
		art := wc.Articles[9]
		if _, _, err := svc.Edit(ctx, editor, x.WorkingCopy, "article", art.ID, art.Version, map[string]string{"text": article10}); err != nil {
			t.Fatalf("article 10 modifié dans la copie : %v", err)
		}
		// Follow-up recorded on the live convention meanwhile.
		live, _ := svc.Convention(ctx, editor, slug)
		step := live.Axes[1].Fiches[1].Steps[0]
		if _, _, err := svc.Edit(ctx, editor, slug, "step", step.ID, step.Version, map[string]string{"status": "done"}); err != nil {
			t.Fatal(err)
		}

		d, err := svc.Amendment(ctx, editor, slug, 1)
		if err != nil {
			t.Fatal(err)
		}
		var sentences []string
		for _, c := range d.Changes {
			sentences = append(sentences, c.Sentence)
		}
		all := strings.Join(sentences, "\n")
		if len(d.Changes) != 2 || !strings.Contains(all, "L'article 10") || !strings.Contains(all, "fiche 5.1") {
			t.Fatalf("modifications de l'avenant :\n%s", all)
		}

		sign := func(signed, effect string) error {
			_, err := svc.SignAmendment(ctx, editor, slug, 1, app.SignatureInput{SignedOn: signed, Place: "Forcalquier", EffectiveOn: effect})
			return err
		}
		for _, bad := range [][2]string{{"2023-03-02", ""}, {"2023-02-20", "2023-02-19"}, {"", ""}} {
			if err := sign(bad[0], bad[1]); !errors.As(err, &ve) {
				t.Errorf("signature le %s avec effet le %s acceptée : %v", bad[0], bad[1], err)
			}
		}
		if _, err := svc.SignAmendment(ctx, reader, slug, 1, app.SignatureInput{SignedOn: "2023-02-20"}); !errors.Is(err, model.ErrForbidden) {
			t.Errorf("signature enregistrée par un lecteur : %v", err)
		}
		if err := sign("2023-02-20", "2023-04-01"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Convention(ctx, editor, x.WorkingCopy); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("copie de travail après la signature : %v", err)
		}

		// Before the date of effect the convention reads as signed.
		now, _ := svc.Convention(ctx, reader, slug)
		if fiche51(now) != nil || now.Articles[9].Text == article10 {
			t.Error("l'avenant s'applique avant sa date d'effet")
		}
		later, v, err := svc.ConventionAt(ctx, reader, slug, model.MustDate("2023-04-15"))
		if err != nil || v.Number != 1 || fiche51(later) == nil || later.Articles[9].Text != article10 {
			t.Fatalf("version au 15 avril 2023 : %v %+v", err, v)
		}
		if later.Axes[1].Fiches[1].Steps[0].Status != model.ActionDone {
			t.Error("la version au 15 avril 2023 perd le suivi saisi entre-temps")
		}

		// On the first read after the date of effect, the convention takes the new text.
		svc.SetClock(on("2023-04-02"))
		now, err = svc.Convention(ctx, reader, slug)
		if err != nil || fiche51(now) == nil || now.Articles[9].Text != article10 {
			t.Fatalf("convention lue après la date d'effet : %v", err)
		}
		if now.Axes[1].Fiches[1].Steps[0].Status != model.ActionDone {
			t.Error("le suivi saisi avant l'effet de l'avenant est perdu")
		}
		if now.Signature.Date == nil || now.Signature.Date.String() != "2022-11-09" {
			t.Errorf("signature de la convention modifiée : %v", now.Signature.Date)
		}
		before, v, err := svc.ConventionAt(ctx, reader, slug, model.MustDate("2023-03-31"))
		if err != nil || v.Number != 0 || fiche51(before) != nil || before.Articles[9].Text == article10 {
			t.Fatalf("version au 31 mars 2023 : %v %+v", err, v)
		}
		if before.Axes[1].Fiches[1].Steps[0].Status != model.ActionDone {
			t.Error("la version au 31 mars 2023 ne porte pas le suivi d'aujourd'hui")
		}
		cmp, err := svc.CompareVersions(ctx, reader, slug, 0, 1)
		if err != nil || len(cmp.Changes) != 2 || !cmp.To.Current {
			t.Fatalf("comparaison des versions 0 et 1 : %v %+v", err, cmp)
		}
		stored, _ := svc.Amendment(ctx, reader, slug, 1)
		if stored.State != model.AmendmentSigned || len(stored.Changes) != 2 || stored.AppliedAt == nil {
			t.Errorf("avenant signé : %+v", stored.Amendment)
		}
		// The bilan of a year reads the text in force at its end; the
		// checker, the text of the day it looks at.
		for year, want := range map[int]bool{2022: false, 2023: true} {
			r, err := svc.Report(ctx, reader, slug, year, false, false)
			if err != nil {
				t.Fatal(err)
			}
			if got := fiche51(r.Convention) != nil; got != want {
				t.Errorf("bilan %d : fiche 5.1 présente = %v", year, got)
			}
		}
		for day, want := range map[string]bool{"2023-03-15": false, "2023-04-15": true} {
			c, _, err := svc.Checks(ctx, reader, slug, model.MustDate(day))
			if err != nil {
				t.Fatal(err)
			}
			if got := fiche51(c) != nil; got != want {
				t.Errorf("contrôles au %s : fiche 5.1 présente = %v", day, got)
			}
		}
		// The consolidated text as a PDF, before and after the date of effect.
		for day, want := range map[string]bool{"2023-03-31": false, "2023-04-15": true} {
			pdf, err := svc.ConventionPDF(app.OnDate(ctx, model.MustDate(day)), reader, slug)
			if err != nil {
				t.Fatal(err)
			}
			text := strings.Join(strings.Fields(pdftext.Text(t, pdf)), " ")
			if got := strings.Contains(text, "Avenant n° 1 du 20 février 2023") && strings.Contains(text, "Soutenir les parents"); got != want {
				t.Errorf("texte consolidé au %s : avenant n° 1 et fiche 5.1 présents = %v", day, got)
			}
		}
		life, err := svc.Life(ctx, reader, slug, model.MustDate("2023-04-02"))
		if err != nil {
			t.Fatal(err)
		}
		var events []string
		for _, e := range life.Events {
			events = append(events, e.Date.String()+" "+e.Label)
		}
		timeline := strings.Join(events, "\n")
		if !strings.Contains(timeline, "2023-02-20 Avenant n° 1 signé\n") || !strings.Contains(timeline, "2023-04-01 Avenant n° 1 en vigueur") {
			t.Errorf("la vie de la convention ne montre pas l'avenant :\n%s", timeline)
		}
		// Promised by 31 March 2023, the fiches of axis 5 came in force the day after.
		if !strings.Contains(timeline, "2023-03-31 Fiches de l'axe 5 attendues par avenant au plus tard le 31 mars 2023 — enregistrées par avenant en vigueur le 1er avril 2023, après l'échéance") {
			t.Errorf("la livraison tardive des fiches de l'axe 5 n'est pas dite :\n%s", timeline)
		}

		// The checker knows the avenant: the fiches of axis 5 are adopted,
		// not those of axis 6, and the parties' authorizations are missing.
		open := func() map[string]string {
			now, _ := svc.Convention(ctx, reader, slug)
			checks, err := svc.ChecksOf(ctx, now, model.MustDate("2023-04-02"))
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]string{}
			for _, c := range checks.Open {
				out[c.Rule+" "+c.Where] += c.Message
			}
			return out
		}
		found := open()
		if _, ok := found["FICHES-PROMISED-OVERDUE axe 5"]; ok {
			t.Error("les fiches de l'axe 5, adoptées par l'avenant n° 1, restent signalées")
		}
		if _, ok := found["FICHES-PROMISED-OVERDUE axe 6"]; !ok {
			t.Error("les fiches de l'axe 6 ne sont plus signalées")
		}
		if !strings.Contains(found["AMENDMENT-AUTHORIZATIONS-MISSING avenant n° 1"], "Caisse") {
			t.Errorf("autorisations de l'avenant n° 1 manquantes non signalées : %v", found)
		}
		if _, ok := found["SIGNED-CONTENT-CHANGED article 11"]; ok {
			t.Error("le texte issu de l'avenant est signalé comme modifié hors avenant")
		}
		art11 := now.Articles[10]
		if _, _, err := svc.Edit(ctx, auth.System, slug, "article", art11.ID, art11.Version, map[string]string{"text": "Modifié sans avenant."}); err == nil {
			if _, ok := open()["SIGNED-CONTENT-CHANGED article 11"]; !ok {
				t.Error("un article modifié sans avenant n'est pas signalé")
			}
			if _, _, err := svc.Edit(ctx, auth.System, slug, "article", art11.ID, art11.Version+1, map[string]string{"text": art11.Text}); err != nil {
				t.Fatal(err)
			}
		}

		// A second avenant, abandoned, leaves no working copy.
		y, err := svc.PrepareAmendment(ctx, editor, slug, "Abandonné")
		if err != nil || y.Number != 2 {
			t.Fatalf("avenant n° 2 : %v", err)
		}
		if _, err := svc.AbandonAmendment(ctx, editor, slug, 2, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Convention(ctx, editor, y.WorkingCopy); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("copie de travail d'un avenant abandonné : %v", err)
		}
		list, _ := svc.Amendments(ctx, reader, slug)
		if len(list) != 2 || list[1].State != model.AmendmentAbandoned {
			t.Errorf("avenants : %+v", list)
		}
	})
}

// An avenant's dates stay within the convention's life, and its working
// copy has no life of its own: no signature, no act, no document.
func TestAvenantStaysWithinTheConventionsLife(t *testing.T) {
	eachDatabase(t, func(t *testing.T, svc *app.Service) {
		ctx := context.Background()
		const slug = examples.ForcalquierSlug
		editor, x, wc := prepared(t, svc)
		var ve *model.ValidationError
		if _, _, err := svc.Edit(ctx, editor, x.WorkingCopy, "convention", wc.ID, wc.Version, map[string]string{"signature.date": "2022-11-09"}); !errors.As(err, &ve) {
			t.Errorf("copie de travail datée de signature : %v", err)
		}
		if _, _, err := svc.DecideRenewal(ctx, editor, x.WorkingCopy, app.RenewalInput{DecidedOn: "2023-02-01", Acts: "Délibérations"}); !errors.Is(err, model.ErrForbidden) {
			t.Errorf("renouvellement décidé sur une copie de travail : %v", err)
		}
		if _, err := svc.AttachDocument(ctx, editor, x.WorkingCopy, app.DocumentInput{Name: "a.pdf", Content: strings.NewReader("%PDF-1.4\n%%EOF\n")}); !errors.Is(err, model.ErrForbidden) {
			t.Errorf("document joint à une copie de travail : %v", err)
		}
		art := wc.Articles[9]
		if _, _, err := svc.Edit(ctx, editor, x.WorkingCopy, "article", art.ID, art.Version, map[string]string{"text": article10}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.PrepareAmendment(ctx, editor, slug, strings.Repeat("o", 501)); !errors.As(err, &ve) {
			t.Errorf("objet de 501 caractères : %v", err)
		}
		for _, bad := range []app.SignatureInput{
			{SignedOn: "2022-10-01"},                            // before the convention's signature
			{SignedOn: "2023-02-20", EffectiveOn: "9999-12-31"}, // after the end of the period
			{SignedOn: "2023-02-20", Place: strings.Repeat("p", 501)},
		} {
			if _, err := svc.SignAmendment(ctx, editor, slug, 1, bad); !errors.As(err, &ve) {
				t.Errorf("signature %+v acceptée : %v", bad, err)
			}
		}
		if _, err := svc.SignAmendment(ctx, editor, slug, 1, app.SignatureInput{SignedOn: "2023-02-20", EffectiveOn: "2023-04-01"}); err != nil {
			t.Fatal(err)
		}
		// Avenant n° 2 cannot take effect before n° 1.
		svc.SetClock(on("2023-05-01"))
		y, err := svc.PrepareAmendment(ctx, editor, slug, "Durée")
		if err != nil {
			t.Fatal(err)
		}
		wc, _ = svc.Convention(ctx, editor, y.WorkingCopy)
		art = wc.Articles[11]
		if _, _, err := svc.Edit(ctx, editor, y.WorkingCopy, "article", art.ID, art.Version, map[string]string{"text": "Nouvelle fin."}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SignAmendment(ctx, editor, slug, 2, app.SignatureInput{SignedOn: "2023-03-10", EffectiveOn: "2023-03-20"}); !errors.As(err, &ve) ||
			!strings.Contains(ve.Error(), "avenant n° 1") {
			t.Errorf("avenant n° 2 prenant effet avant le n° 1 : %v", err)
		}
	})
}

// An avenant's authorization is a decision already taken.
func TestAvenantAuthorizationIsNotInTheFuture(t *testing.T) {
	eachDatabase(t, func(t *testing.T, svc *app.Service) {
		ctx := context.Background()
		const slug = examples.ForcalquierSlug
		svc.SetClock(on("2023-03-01"))
		if _, err := svc.PrepareAmendment(ctx, auth.System, slug, "Fiches de l'axe 5"); err != nil {
			t.Fatal(err)
		}
		var ve *model.ValidationError
		_, err := svc.SaveAmendmentAuthorization(ctx, auth.System, slug, 1, app.AuthorizationInput{Organization: "caf04", Body: "Conseil d'administration", DecidedOn: "2023-03-02"})
		if !errors.As(err, &ve) || !strings.Contains(ve.Error(), "à venir") {
			t.Errorf("autorisation datée du lendemain : %v", err)
		}
		if _, err := svc.SaveAmendmentAuthorization(ctx, auth.System, slug, 1, app.AuthorizationInput{Organization: "caf04", Body: "Conseil d'administration", DecidedOn: "2023-02-28"}); err != nil {
			t.Errorf("autorisation de la veille : %v", err)
		}
	})
}

// prepared has an editor prepare avenant n° 1 of the bundled convention
// on 1 March 2023, and returns the editor, the avenant and its working copy.
func prepared(t *testing.T, svc *app.Service) (*auth.Actor, *model.Amendment, *model.Convention) {
	t.Helper()
	ctx := context.Background()
	editor := member("Éditrice", auth.RoleEditor, "")
	svc.SetClock(on("2023-03-01"))
	x, err := svc.PrepareAmendment(ctx, editor, examples.ForcalquierSlug, "Fiches de l'axe 5")
	if err != nil {
		t.Fatal(err)
	}
	wc, err := svc.Convention(ctx, editor, x.WorkingCopy)
	if err != nil {
		t.Fatal(err)
	}
	return editor, x, wc
}
