package edit

import (
	"testing"

	"github.com/ctg-territoires/ctg/internal/model"
)

func convention() *model.Convention {
	start := model.MustDate("2023-01-01")
	return &model.Convention{
		Meta: model.Meta{ID: "c"},
		Axes: []model.Axis{{Number: 2, Fiches: []model.Fiche{{Meta: model.Meta{ID: "f", Version: 3}, Code: "2.2", Pilots: []string{"caf"},
			Steps: []model.Step{{Meta: model.Meta{ID: "s"}, Text: "Étape", Status: model.ActionPlanned,
				Schedule: model.Schedule{AsWritten: "Dès 2023", Start: &start}}}}}}},
		Equipments: []model.Equipment{{Meta: model.Meta{ID: "e"}, Name: "Crèche", Operator: "commune"}},
	}
}

func TestFindGivesPathAndOwners(t *testing.T) {
	c := convention()
	k, _ := Lookup("step")
	tg, ok := k.Find(c, "s")
	if !ok || tg.Path != "axes[0].fiches[0].steps[0]" || len(tg.Owners) != 1 || tg.Owners[0] != "caf" || tg.Fiche != "2.2" {
		t.Fatalf("cible = %+v", tg)
	}
	if _, ok := k.Find(c, "inconnu"); ok {
		t.Error("identifiant inconnu trouvé")
	}
	eq, _ := Lookup("equipment")
	if tg, _ := eq.Find(c, "e"); tg.Owners[0] != "commune" {
		t.Errorf("propriétaire de l'équipement : %v", tg.Owners)
	}
}

func TestApplyParsesAndReportsChanges(t *testing.T) {
	c := convention()
	k, _ := Lookup("step")
	tg, _ := k.Find(c, "s")
	ch, err := k.Apply(tg, map[string]string{"status": "done", "schedule.end": "2024-12-31", "details": "un\r\n\r\ndeux\n", "text": "Étape"})
	if err != nil {
		t.Fatal(err)
	}
	st := c.Axes[0].Fiches[0].Steps[0]
	if st.Status != model.ActionDone || st.Schedule.End == nil || st.Schedule.End.String() != "2024-12-31" || len(st.Details) != 2 {
		t.Errorf("étape = %+v", st)
	}
	if len(ch.After) != 3 || ch.Before["status"] != "planned" || ch.After["details"] != "un\ndeux" {
		t.Errorf("changements = %+v", ch)
	}
	if d, ok := ch.Fields["details"].([]string); len(ch.Fields) != 3 || !ok || len(d) != 2 || d[1] != "deux" {
		t.Errorf("champs changés : %#v", ch.Fields)
	}
	_, err = k.Apply(tg, map[string]string{"schedule.start": "31/12/2024", "number": "deux", "couleur": "bleu"})
	if err == nil || len(err.Errors) != 3 {
		t.Fatalf("erreurs = %v", err)
	}
	if err.Errors[0].Path != "axes[0].fiches[0].steps[0].couleur" {
		t.Errorf("chemin = %s", err.Errors[0].Path)
	}
}

func TestEmptyDateClearsIt(t *testing.T) {
	c := convention()
	k, _ := Lookup("step")
	tg, _ := k.Find(c, "s")
	if _, err := k.Apply(tg, map[string]string{"schedule.start": ""}); err != nil {
		t.Fatal(err)
	}
	if c.Axes[0].Fiches[0].Steps[0].Schedule.Start != nil {
		t.Error("date non effacée")
	}
	f, _ := k.Field("schedule.start")
	if d, ok := f.Value(tg.Object).(*model.Date); !ok || d != nil {
		t.Error("une date vide doit être nulle")
	}
}

func TestCompositionRoundTrip(t *testing.T) {
	c := &model.Convention{Committees: []model.Committee{{Meta: model.Meta{ID: "k"}, Composition: []model.MemberGroup{
		{Label: "Pour la Caf", Organizations: []string{"caf04"}, Members: []string{"le Directeur ou son représentant", "le responsable de service"}},
		{Label: "Le cas échéant", Members: []string{"des représentants de parents"}},
	}}}}
	k, _ := Lookup("committee")
	tg, _ := k.Find(c, "k")
	f, _ := k.Field("composition")
	text := f.Get(tg.Object)
	want := "Pour la Caf : caf04 = le Directeur ou son représentant ; le responsable de service\nLe cas échéant :  = des représentants de parents"
	if text != want {
		t.Fatalf("texte = %q", text)
	}
	if ch, err := k.Apply(tg, map[string]string{"composition": text}); err != nil || !ch.Empty() {
		t.Fatalf("relecture : %v %v", ch, err)
	}
	if _, err := k.Apply(tg, map[string]string{"composition": "Pour la Caf sans membres"}); err == nil {
		t.Error("ligne sans « = » acceptée")
	}
}

// A one-line field keeps to one line, and no field takes a control
// character; a text of several lines keeps its line breaks and tabs.
func TestFieldsRefuseControlCharacters(t *testing.T) {
	c := convention()
	k, _ := Lookup("step")
	tg, _ := k.Find(c, "s")
	for name, values := range map[string]map[string]string{
		"saut de ligne":       {"schedule.as_written": "En 2024\r\nBcc: x@exemple.fr"},
		"séparateur de ligne": {"schedule.as_written": "En 2024\u2028suite"},
		"cloche":              {"details": "un\adeux"},
		"échappement":         {"text": "\x1b[31mÉtape"},
	} {
		if _, err := k.Apply(tg, values); err == nil || len(err.Errors) != 1 {
			t.Errorf("%s : %v", name, err)
		}
	}
	if _, err := k.Apply(tg, map[string]string{"details": "un\r\n\tdeux"}); err != nil {
		t.Errorf("texte de plusieurs lignes : %v", err)
	}
}
