package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"
	"unicode/utf8"

	"github.com/ctg-territoires/ctg/internal/draft"
	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/lint"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/pdfread"
	"github.com/ctg-territoires/ctg/internal/territory"
)

const draftUsage = "ctg draft FICHIER.txt|FICHIER.pdf [-o BROUILLON.yaml] [--report RAPPORT.json]"

// draftReport is the report written by --report: the reading report,
// and the checker's findings on the draft.
type draftReport struct {
	*draft.Report
	Lint []draftFinding `json:"lint"`
}

type draftFinding struct {
	Code     string        `json:"code"`
	Severity lint.Severity `json:"severity"`
	Message  string        `json:"message"`
	Path     string        `json:"path"`
}

// maxListedFindings bounds the findings standard error lists.
const maxListedFindings = 5

// draftCmd reads the text of a signed convention and writes a draft in
// the interchange format, with the report of what was read and how.
// A PDF (told from its first bytes) is read through the text pdftotext
// extracts.
func draftCmd(ctx context.Context, env Env, args []string) error {
	fs := flags("draft", env)
	out := fs.String("o", "", "fichier du brouillon YAML (sortie standard par défaut)")
	reportPath := fs.String("report", "", "fichier JSON du rapport de lecture (champ, ligne, confiance, méthode)")
	rest, err := parse(fs, args)
	if err != nil || len(rest) != 1 {
		return errUsage
	}
	data, err := readBounded(rest[0], pdfread.MaxPDF)
	if err != nil {
		return err
	}
	if pdfread.IsPDF(data) {
		text, err := pdfread.Text(ctx, data, pdfread.MaxText)
		if err != nil {
			return fmt.Errorf("%s : %w", rest[0], err)
		}
		data = []byte(text)
	}
	if !utf8.Valid(data) {
		return fmt.Errorf("%s : le texte doit être encodé en UTF-8", rest[0])
	}
	c, rep, err := draft.Read(string(data), territory.MustLoad())
	if err != nil {
		return fmt.Errorf("%s : %w", rest[0], err)
	}
	yaml, err := interchange.EncodeFile(c)
	if err != nil {
		return err
	}
	findings := lint.Run(&c.Convention, territory.MustLoad(), model.DateOf(time.Now()))
	if *reportPath != "" {
		full := draftReport{Report: rep, Lint: []draftFinding{}}
		for _, f := range findings {
			full.Lint = append(full.Lint, draftFinding{Code: f.Rule, Severity: f.Severity, Message: f.Message, Path: f.Path})
		}
		js, err := json.MarshalIndent(full, "", "  ")
		if err != nil {
			return err
		}
		if err := writeFileAtomic(*reportPath, append(js, '\n')); err != nil {
			return fmt.Errorf("écriture du rapport %s : %w", *reportPath, err)
		}
	}
	if *out == "" {
		if _, err := env.Stdout.Write(yaml); err != nil {
			return err
		}
	} else if err := writeFileAtomic(*out, yaml); err != nil {
		return fmt.Errorf("écriture du brouillon %s : %w", *out, err)
	}
	summarizeDraft(env.Stderr, rep, findings)
	return nil
}

// readBounded reads a file of at most limit bytes.
func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("lecture de %s : %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("lecture de %s : %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s : fichier de plus de %d Mio, trop lourd pour une convention", path, limit>>20)
	}
	return data, nil
}

func summarizeDraft(w io.Writer, rep *draft.Report, findings []lint.Finding) {
	defer summarizeFindings(w, findings)
	fmt.Fprintf(w, "%d champ(s) lu(s), %d manque(s) signalé(s)\n", len(rep.Fields), len(rep.Missing))
	if len(rep.Invalid) == 0 {
		fmt.Fprintln(w, "le brouillon est accepté tel quel par « ctg import » ; relisez-le avant de l'importer")
		return
	}
	fmt.Fprintln(w, "à compléter avant « ctg import » :")
	for _, p := range rep.Invalid {
		fmt.Fprintln(w, "  -", p)
	}
}

// summarizeFindings says what the checker finds on the draft before it
// can be signed: counts, then the first errors and warnings.
func summarizeFindings(w io.Writer, findings []lint.Finding) {
	n := lint.Count(findings)
	fmt.Fprintf(w, "avant signature, le contrôle (ctg lint) trouve %d erreur(s), %d avertissement(s), %d information(s)", n[lint.Error], n[lint.Warning], n[lint.Info])
	listed := 0
	for _, f := range findings {
		if f.Severity == lint.Info {
			continue
		}
		if listed == 0 {
			fmt.Fprintln(w, " :")
		}
		if listed == maxListedFindings {
			fmt.Fprintf(w, "  … et %d autre(s) : « ctg lint BROUILLON.yaml » ou --report les donne toutes\n", n[lint.Error]+n[lint.Warning]-listed)
			return
		}
		listed++
		fmt.Fprintf(w, "  - %s %s : %s\n", lint.Labels[f.Severity], f.Rule, f.Message)
	}
	if listed == 0 {
		fmt.Fprintln(w)
	}
}
