package app_test

import (
	"context"
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/app/apptest"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/store"
)

// signedRefusal checks that err refuses a change of the signed text and
// names what it would have changed.
func signedRefusal(t *testing.T, err error, names string) {
	t.Helper()
	var se *app.SignedError
	if !errors.As(err, &se) || !errors.Is(err, model.ErrSigned) {
		t.Fatalf("refus attendu pour texte signé, obtenu : %v", err)
	}
	msg := err.Error()
	for _, want := range []string{"La convention est signée", names, "avenant (article 11)", "Préparez un avenant"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q absent du refus : %q", want, msg)
		}
	}
}

func counts(t *testing.T, st store.Store) map[string]int {
	t.Helper()
	n, err := st.Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func conv(t *testing.T, svc *app.Service) *model.Convention {
	t.Helper()
	c, err := svc.Convention(context.Background(), auth.System, examples.ForcalquierSlug)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Once signed (9 November 2022), the bundled convention's text changes
// only by avenant: an edit of an article, a step's text, or both a step's
// text and its progress, is refused and writes nothing; its follow-up —
// a step's progress, an indicator's responsible organization, a contact
// — goes through.
func TestSignedTextIsRefusedAndFollowUpAccepted(t *testing.T) {
	apptest.EachDB(t, pg, func(t *testing.T, svc *app.Service, st store.Store) {
		ctx := context.Background()
		slug := examples.ForcalquierSlug
		c := conv(t, svc)
		art := c.Articles[11]
		before := counts(t, st)

		_, _, err := svc.Edit(ctx, auth.System, slug, "article", art.ID, art.Version, map[string]string{"text": "Résiliée à tout moment."})
		signedRefusal(t, err, "« Article 12 – La fin de la convention »")
		step := c.Axes[1].Fiches[0].Steps[0]
		_, _, err = svc.Edit(ctx, auth.System, slug, "step", step.ID, step.Version, map[string]string{"status": "done", "text": "Autre action"})
		signedRefusal(t, err, "« "+"Fiche "+c.Axes[1].Fiches[0].Code+" – étape 1 »")
		if after := counts(t, st); !maps.Equal(before, after) {
			t.Errorf("un refus a écrit : %v → %v", before, after)
		}
		now := conv(t, svc)
		if now.Articles[11].Text != art.Text || now.Articles[11].Version != art.Version {
			t.Error("l'article 12 a changé malgré le refus")
		}
		if s := now.Axes[1].Fiches[0].Steps[0]; s.Status != step.Status || s.Text != step.Text {
			t.Errorf("étape modifiée malgré le refus : %s %q", s.Status, s.Text)
		}

		// Follow-up goes through.
		if _, _, err := svc.EditWithComment(ctx, auth.System, slug, "step", step.ID, step.Version, map[string]string{"status": "done"}, "Fait."); err != nil {
			t.Fatalf("avancement d'une étape refusé : %v", err)
		}
		code := ""
		for _, f := range now.Axes[1].Fiches {
			for _, st := range f.Steps {
				for _, ind := range st.Indicators {
					if code == "" && ind.Code != "" && ind.Responsible != "cordeliere" {
						code = ind.Code
					}
				}
			}
		}
		if code == "" {
			t.Fatal("aucun indicateur codé")
		}
		if n, err := svc.AssignResponsible(ctx, auth.System, slug, "cordeliere", []string{code}); err != nil || n != 1 {
			t.Fatalf("organisation responsable d'un indicateur : %d, %v", n, err)
		}
		if _, err := svc.Create(ctx, auth.System, slug, "contact", c.ID, map[string]string{"label": "Accueil", "phone": "04 92 00 00 00"}); err != nil {
			t.Fatalf("ajout d'un contact refusé : %v", err)
		}
		now = conv(t, svc)
		if now.Axes[1].Fiches[0].Steps[0].Status != model.ActionDone {
			t.Error("avancement non enregistré")
		}
	})
}

// After signature, adding a fiche (axes 5 and 6 get theirs "par
// avenant") or removing a step is refused; a draft is wholly editable.
func TestSignedRecordsAreNeitherAddedNorRemoved(t *testing.T) {
	apptest.EachDB(t, pg, func(t *testing.T, svc *app.Service, st store.Store) {
		ctx := context.Background()
		slug := examples.ForcalquierSlug
		c := conv(t, svc)
		axis5 := c.Axes[4]
		before := counts(t, st)
		_, err := svc.Create(ctx, auth.System, slug, "fiche", axis5.ID, map[string]string{"code": "5.1", "title": "Nouvelle fiche"})
		var se *app.SignedError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), "ajouter un élément « fiche action »") || !strings.Contains(err.Error(), "article 11") {
			t.Fatalf("ajout d'une fiche après signature : %v", err)
		}
		step := c.Axes[1].Fiches[0].Steps[0]
		signedRefusal(t, svc.Delete(ctx, auth.System, slug, "step", step.ID, step.Version), "étape 1")
		if after := counts(t, st); !maps.Equal(before, after) {
			t.Errorf("un refus a écrit : %v → %v", before, after)
		}

		apptest.Unsign(t, svc, st, slug)
		if _, err := svc.Create(ctx, auth.System, slug, "fiche", axis5.ID, map[string]string{"code": "5.1", "title": "Nouvelle fiche"}); err != nil {
			t.Fatalf("ajout d'une fiche à un projet : %v", err)
		}
		art := conv(t, svc).Articles[11]
		if _, _, err := svc.Edit(ctx, auth.System, slug, "article", art.ID, art.Version, map[string]string{"text": "Résiliée à tout moment."}); err != nil {
			t.Fatalf("article d'un projet : %v", err)
		}
	})
}

// Importing over the signed convention takes a file with the same signed
// text and other follow-up, and refuses one whose text differs, naming
// what differs and writing nothing.
func TestImportOverASignedConvention(t *testing.T) {
	apptest.EachDB(t, pg, func(t *testing.T, svc *app.Service, st store.Store) {
		ctx := context.Background()
		exported, err := svc.Export(ctx, auth.System, examples.ForcalquierSlug)
		if err != nil {
			t.Fatal(err)
		}
		file := func(change func(c *model.Convention)) []byte {
			c, err := interchange.Decode(exported, svc.Territory)
			if err != nil {
				t.Fatal(err)
			}
			change(c)
			data, err := interchange.Encode(c)
			if err != nil {
				t.Fatal(err)
			}
			return data
		}
		before := counts(t, st)
		_, err = svc.Import(ctx, file(func(c *model.Convention) {
			c.Articles[11].Text += " Modifié."
			c.Axes[1].Fiches[0].Title = "Titre changé"
		}), true)
		signedRefusal(t, err, "« Article 12 – La fin de la convention », « Fiche 2.1 – Conforter l’accès aux services et aux droits »")
		if after := counts(t, st); !maps.Equal(before, after) {
			t.Errorf("un import refusé a écrit : %v → %v", before, after)
		}

		if _, err := svc.Import(ctx, exported, true); err != nil {
			t.Fatalf("réimport à l'identique refusé : %v", err)
		}
		got, err := svc.Import(ctx, file(func(c *model.Convention) {
			c.Axes[1].Fiches[0].Steps[0].Status = model.ActionDone
			c.Contacts = append(c.Contacts, model.Contact{Label: "Accueil", Phone: "04 92 00 00 00"})
		}), true)
		if err != nil {
			t.Fatalf("import d'un suivi différent refusé : %v", err)
		}
		if got.Axes[1].Fiches[0].Steps[0].Status != model.ActionDone {
			t.Error("avancement importé non enregistré")
		}
	})
}
