package report

import (
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/internal/model"
)

func conventionPDF(t *testing.T, c *model.Convention, opts ConventionOptions) []byte {
	t.Helper()
	pdf, err := ConventionPDF(c, opts)
	if err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("CTG_PDF_DIR"); dir != "" {
		// For a look at the pages: CTG_PDF_DIR=/tmp/x go test -run ConventionPDF
		if err := os.WriteFile(dir+"/convention.pdf", pdf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return pdf
}

var pagesRE = regexp.MustCompile(`(?m)^Pages:\s+(\d+)$`)

// The consolidated text reads as the signed one, in its order, with the
// annexes rendered from the data.
func TestConventionPDFReadsAsTheSignedText(t *testing.T) {
	pdf := conventionPDF(t, forcalquier(t), ConventionOptions{At: model.MustDate("2025-03-15"), Status: "échue"})
	text := textOf(t, pdf)
	order := []string{
		"Version consolidée au 15 mars 2025", "échue", "Aucun avenant",
		"Entre :", "Monsieur Thierry AUTARD, Directeur", "ci- après dénommée « la Caf »",
		"Vu le Code de l’action sociale et des familles", "conseil municipal de la Commune de Limans en date du XXXX",
		"PRÉAMBULE", "ARTICLE 1 – OBJET DE LA CONVENTION TERRITORIALE GLOBALE",
		"ARTICLE 11 – EXECUTION FORMELLE DE LA CONVENTION", "Toute modification fera l’objet d’un avenant",
		"Fait à Digne les bains, le 9 novembre 2022", "En autant d’exemplaires originaux que de signataires.",
		"Le Maire de Saint-Etienne Les Orgues", "Patricia PAUL",
		"ANNEXE 1 – Diagnostic partagé", "Un territoire qui attire les personnes venues de l’extérieur",
		"ANNEXE 2 – Liste des équipements", "LAEP A Petits Pas", "Maison de la Petite Enfance",
		"ANNEXE 3 – Plan d’actions 2022-2024", "Les fiches action feront l’objet d’un avenant au plus tard le 31 mars 2023",
		"Fiche action 2.2 : Mettre en œuvre une démarche proactive", "déjà en cours", "Le nombre de personnes contactées",
		"ANNEXE 4 – Modalités de pilotage", "Comité de pilotage", "Conseil Départemental", "Missions", "Comité technique",
		"ANNEXE 5 – Evaluation", "Elle devra être déployée en 2024",
		"ANNEXE 6 – Décisions des conseils", "6 décembre 2022", "XXXX",
	}
	flat := strings.Join(strings.Fields(text), " ")
	at := 0
	for _, want := range order {
		i := strings.Index(flat[at:], want)
		if i < 0 {
			if strings.Contains(flat, want) {
				t.Errorf("%q n'est pas à sa place dans le texte", want)
			} else {
				t.Errorf("%q absent du texte", want)
			}
			continue
		}
		at += i + len(want)
	}
	if !strings.Contains(text, "page 2 /") {
		t.Error("pas de numéro de page")
	}
	// A blank deliberation date stays blank: nothing is made up for it.
	if strings.Contains(flat, "XXXX XXXX") || strings.Contains(flat, "date non renseignée") {
		t.Error("une date de délibération est inventée ou doublée")
	}
	if n := pageCount(t, pdf); n < 20 || n > 60 {
		t.Errorf("%d pages", n)
	}
}

func TestConventionPDFListsTheAppliedAmendments(t *testing.T) {
	signed, effective := model.MustDate("2023-03-20"), model.MustDate("2023-04-01")
	pdf := conventionPDF(t, forcalquier(t), ConventionOptions{At: model.MustDate("2023-06-01"),
		Amendments: []AppliedAmendment{{Number: 1, Object: "fiches des axes 5 et 6", SignedOn: &signed, EffectiveOn: &effective}}})
	flat := strings.Join(strings.Fields(textOf(t, pdf)), " ")
	if !strings.Contains(flat, "Avenant n° 1 du 20 mars 2023 : fiches des axes 5 et 6, effet le 1er avril 2023") || strings.Contains(flat, "Aucun avenant") {
		t.Errorf("avenants :\n%s", flat[:min(len(flat), 1500)])
	}
}

func pageCount(t *testing.T, pdf []byte) int {
	t.Helper()
	cmd := exec.Command("pdfinfo", "-")
	cmd.Stdin = strings.NewReader(string(pdf))
	out, err := cmd.Output()
	if err != nil {
		t.Skip("pdfinfo absent")
	}
	m := pagesRE.FindSubmatch(out)
	if m == nil {
		t.Fatalf("pdfinfo : %s", out)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}
