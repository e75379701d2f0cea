package pdfread

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ctg-territoires/ctg/internal/pdftext"
)

func needTool(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		pdftext.Text(t, nil) // skips, or fails where pdftotext is required
	}
}

func TestTextOfAPDFMadeFromText(t *testing.T) {
	needTool(t)
	pdf := pdftext.FromText(t, "ARTICLE 1 - OBJET DE LA CONVENTION\nLa Caisse d’Allocations Familiales « œuvre »\n\fFait à Digne les bains, le 9 novembre 2022\n")
	if !IsPDF(pdf) {
		t.Fatal("le PDF fabriqué n'est pas reconnu")
	}
	text, err := Text(context.Background(), pdf, MaxText)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ARTICLE 1 - OBJET DE LA CONVENTION", "La Caisse d’Allocations Familiales « œuvre »", "\fFait à Digne les bains, le 9 novembre 2022"} {
		if !strings.Contains(text, want) {
			t.Errorf("%q absent du texte extrait :\n%s", want, text)
		}
	}
}

func TestHostilePDFs(t *testing.T) {
	needTool(t)
	ctx := context.Background()
	garbage := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("\x00\xff garbage obj << /Length 99999999 >> stream\n"), 2000)...)
	if _, err := Text(ctx, garbage, MaxText); err == nil || !strings.Contains(err.Error(), "PDF") {
		t.Errorf("PDF endommagé : %v", err)
	}
	huge := append([]byte("%PDF-1.7\n"), make([]byte, MaxPDF)...)
	if _, err := Text(ctx, huge, MaxText); err == nil || !strings.Contains(err.Error(), "20 Mio au plus") {
		t.Errorf("PDF trop lourd : %v", err)
	}
	// A text beyond the bound stops the extraction.
	pdf := pdftext.FromText(t, strings.Repeat("Une ligne de texte assez longue pour déborder la limite.\n", 400))
	if _, err := Text(ctx, pdf, 1<<10); err == nil || !strings.Contains(err.Error(), "dépasse 1 Kio") {
		t.Errorf("texte trop long : %v", err)
	}
	// A PDF of images only: no text layer.
	blank := pdftext.FromText(t, "\n\n")
	if _, err := Text(ctx, blank, MaxText); !errors.Is(err, ErrNoTextLayer) {
		t.Errorf("PDF sans texte : %v", err)
	}
}

func TestWithoutPdftotext(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := Text(context.Background(), []byte("%PDF-1.7\n"), MaxText)
	if !errors.Is(err, ErrNoTool) || !strings.Contains(err.Error(), "poppler-utils") {
		t.Errorf("sans pdftotext : %v", err)
	}
}

// While the process runs as many extractions as it allows, one more
// waits, then is refused; it goes through once a place is free.
func TestExtractionsAreBounded(t *testing.T) {
	needTool(t)
	pdf := pdftext.FromText(t, "ARTICLE 1 - OBJET DE LA CONVENTION\n")
	wait := extractionWait
	extractionWait = 50 * time.Millisecond
	defer func() { extractionWait = wait }()
	for range cap(extractions) {
		extractions <- struct{}{}
	}
	_, err := Text(context.Background(), pdf, 1<<20)
	for range cap(extractions) {
		<-extractions
	}
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("extraction de trop : %v, attendu ErrBusy", err)
	}
	if text, err := Text(context.Background(), pdf, 1<<20); err != nil || !strings.Contains(text, "OBJET DE LA CONVENTION") {
		t.Errorf("une place libre : %q %v", text, err)
	}
}
