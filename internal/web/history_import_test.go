package web

import (
	"context"
	"html"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/internal/auth"
)

// An import of values is one line of the history: how many values, added
// and corrected, and the values themselves with what changed.
func TestHistoryShowsAnImportWithItsValues(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.svc.RemoveDemo(ctx, slug); err != nil {
		t.Fatal(err)
	}
	head := "Code;Période;Ventilation;Valeur;Texte;Source;Commentaire\r\n"
	if n, err := e.svc.ImportValuesCSV(ctx, auth.System, slug, strings.NewReader(head+"2.2-1;2023;;1254;;;\r\n2.2-3;2023;;312,5;;;\r\n")); err != nil || n != 2 {
		t.Fatalf("import : %d %v", n, err)
	}
	if n, err := e.svc.ImportValuesCSV(ctx, auth.System, slug, strings.NewReader(head+"2.2-1;2023;;1300;;;\r\n2.2-3;2024;;10;;;\r\n")); err != nil || n != 2 {
		t.Fatalf("second import : %d %v", n, err)
	}
	_, page := e.do(t, "lecteur", "GET", "/c/"+slug+"/historique", nil)
	page = strings.NewReplacer("\u202f", "", "\u00a0", "").Replace(html.UnescapeString(page))
	for _, want := range []string{"import de 2 valeur(s) : 2 ajoutée(s), 0 corrigée(s)", "import de 2 valeur(s) : 1 ajoutée(s), 1 corrigée(s)",
		"Indicateur 2.2-1 – 2023 (import CSV) : Valeur : 1254 → 1300", "Indicateur 2.2-3 – 2024 (import CSV) : ajout"} {
		if !strings.Contains(page, want) {
			t.Errorf("historique : « %s » absent", want)
		}
	}
}
