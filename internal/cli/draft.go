package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/ctg-territoires/ctg/internal/draft"
	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/territory"
)

const draftUsage = "ctg draft FICHIER.txt|FICHIER.pdf [-o BROUILLON.yaml] [--report RAPPORT.json]"

// errPDF says how to get the text of a PDF: ctg reads text, and ships no
// PDF text extractor.
var errPDF = errors.New("ctg lit le texte d'une convention, pas un PDF : extrayez-en d'abord le texte avec pdftotext (paquet poppler-utils), par exemple « pdftotext convention.pdf convention.txt », puis lancez « ctg draft convention.txt ». Un PDF numérisé sans couche de texte donne un texte vide : il faut alors une reconnaissance de caractères (OCR)")

// draftCmd reads the text of a signed convention and writes a draft in
// the interchange format, with the report of what was read and how.
func draftCmd(_ context.Context, env Env, args []string) error {
	fs := flags("draft", env)
	out := fs.String("o", "", "fichier du brouillon YAML (sortie standard par défaut)")
	reportPath := fs.String("report", "", "fichier JSON du rapport de lecture (champ, ligne, confiance, méthode)")
	rest, err := parse(fs, args)
	if err != nil || len(rest) != 1 {
		return errUsage
	}
	data, err := os.ReadFile(rest[0])
	if err != nil {
		return fmt.Errorf("lecture de %s : %w", rest[0], err)
	}
	if bytes.HasPrefix(data, []byte("%PDF")) {
		return errPDF
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
	if *reportPath != "" {
		js, err := json.MarshalIndent(rep, "", "  ")
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
	summarizeDraft(env.Stderr, rep)
	return nil
}

func summarizeDraft(w io.Writer, rep *draft.Report) {
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
