package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
)

var cellRE = regexp.MustCompile(`<td class="num">.*?</td>`)

// figureCells returns the cells of an indicator's row in a page's table.
func figureCells(t *testing.T, body, code string) []string {
	t.Helper()
	for _, row := range strings.Split(body, "</tr>") {
		if strings.Contains(row, `/indicateurs/`+code+`">`+code+`</a>`) && strings.Contains(row, `<th scope="row">`) {
			return cellRE.FindAllString(row, -1)
		}
	}
	t.Fatalf("ligne %s absente", code)
	return nil
}

// The yearly figure of an indicator is the same on the dashboard, on its
// fiche's page, on its own page and in the bilan's workbook.
func TestOneYearlyFigureEverywhere(t *testing.T) {
	e := newEnv(t)
	c := "/c/" + slug
	ind := e.record(t, "indicator", func(c *model.Convention) string { return c.Axes[1].Fiches[1].Steps[0].Indicators[0].ID })
	form := url.Values{"version": {strconv.Itoa(ind.Version)}, "targets": {"2022 = 1000"}, "tolerance": {"10"}}
	if resp, body := e.do(t, "editeur", "POST", c+"/modifier/indicator/"+ind.Target.Meta.ID, form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("cible : %d %s", resp.StatusCode, body)
	}
	ctx := context.Background()
	v, err := e.svc.SaveValue(ctx, auth.System, slug, "2.2-1", app.ValueInput{Period: "2022", Number: "1254"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ValueAction(ctx, auth.System, slug, v.ID, v.Version, app.ActionValidate, ""); err != nil {
		t.Fatal(err)
	}

	_, dashboard := e.do(t, "lecteur", "GET", c+"/indicateurs", nil)
	cells := figureCells(t, dashboard, "2.2-1")
	if len(cells) != 3 {
		t.Fatalf("tableau de bord : %d colonnes pour 2022-2024", len(cells))
	}
	for _, want := range []string{"1\u202f254", "cible 1\u202f000", "&#43;25,4 %"} {
		if !strings.Contains(cells[0], want) {
			t.Errorf("tableau de bord 2022 : %q absent de %s", want, cells[0])
		}
	}
	_, fiche := e.do(t, "lecteur", "GET", c+"/fiches/2.2", nil)
	if got := figureCells(t, fiche, "2.2-1"); strings.Join(got, "") != strings.Join(cells, "") {
		t.Errorf("la fiche montre %v, le tableau de bord %v", got, cells)
	}
	_, page := e.do(t, "lecteur", "GET", c+"/indicateurs/2.2-1", nil)
	for _, want := range []string{"<title>2022 : 1\u202f254</title>", "<title>Cible 2022 : 1\u202f000</title>", `<td>2022</td><td class="num">1` + "\u202f" + `254</td><td class="num">1` + "\u202f" + `000</td>`} {
		if !strings.Contains(page, want) {
			t.Errorf("page de l'indicateur : %q absent", want)
		}
	}

	resp, xlsx := e.do(t, "lecteur", "GET", c+"/bilan.xlsx?annee=2022", nil)
	book, err := excelize.OpenReader(strings.NewReader(xlsx))
	if resp.StatusCode != http.StatusOK || err != nil {
		t.Fatalf("bilan : %d %v", resp.StatusCode, err)
	}
	rows, _ := book.GetRows("Indicateurs")
	if strings.Join(rows[0][:7], "|") != "Fiche|Code|Indicateur|Unité|Réalisé 2022|Cible 2022|Écart 2022 (%)" {
		t.Fatalf("en-tête du bilan : %v", rows[0])
	}
	found := false
	for _, row := range rows {
		if row[1] == "2.2-1" {
			found = true
			if got := strings.Join(row[3:7], "|"); got != "nombre|1254|1000|25.4" {
				t.Errorf("bilan 2.2-1 : %s, nombre|1254|1000|25.4 attendu comme au tableau de bord", got)
			}
		}
	}
	if !found {
		t.Error("2.2-1 absent du bilan")
	}
}
