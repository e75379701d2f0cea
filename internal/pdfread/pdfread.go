// Package pdfread extracts the text of a PDF with pdftotext (poppler-utils),
// run as a separate process with bounded input, output and time.
package pdfread

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

const (
	// MaxPDF bounds the PDF given to pdftotext.
	MaxPDF = 20 << 20
	// MaxText bounds the text pdftotext may give back, by default.
	MaxText = 8 << 20
	// Timeout bounds the time pdftotext may take.
	Timeout = 60 * time.Second
)

var (
	// ErrNoTool says that pdftotext is not installed.
	ErrNoTool = errors.New("pdftotext, qui extrait le texte des PDF, n'est pas installé sur ce serveur : installez le paquet poppler-utils (apt-get install poppler-utils), ou envoyez le texte de la convention (fichier .txt) au lieu du PDF")
	// ErrBusy says that the process already runs as many extractions as
	// it allows at once.
	ErrBusy = errors.New("le serveur lit déjà d'autres PDF : réessayez dans une minute")
	// ErrNoTextLayer says that the PDF holds no text, only images.
	ErrNoTextLayer = errors.New("le PDF ne contient pas de texte : c'est sans doute une image numérisée sans couche de texte, dont il faut d'abord faire la reconnaissance de caractères (OCR)")
)

// extractions bounds the pdftotext of the process running at once: each
// may take a core and hundreds of megabytes for a minute, and uploads come
// from the web. A PDF sent while they all run waits extractionWait at
// most, then is refused with ErrBusy.
var (
	extractions    = make(chan struct{}, 2)
	extractionWait = 10 * time.Second
)

// IsPDF reports whether data is a PDF, from its first bytes, whatever the
// name of its file.
func IsPDF(data []byte) bool { return bytes.HasPrefix(data, []byte("%PDF-")) }

// Text extracts the text of a PDF with pdftotext, without -layout (the
// reading order the draft reader expects), pages separated by form feeds.
// The PDF goes through standard input and the text comes back on standard
// output; a text longer than maxText bytes stops pdftotext and is an error.
func Text(ctx context.Context, pdf []byte, maxText int) (string, error) {
	if len(pdf) > MaxPDF {
		return "", fmt.Errorf("PDF de %s, %d Mio au plus", size(len(pdf)), MaxPDF>>20)
	}
	if !IsPDF(pdf) {
		return "", errors.New("le fichier n'est pas un PDF (il ne commence pas par « %PDF- »)")
	}
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		return "", ErrNoTool
	}
	select {
	case extractions <- struct{}{}:
		defer func() { <-extractions }()
	case <-time.After(extractionWait):
		return "", ErrBusy
	case <-ctx.Done():
		return "", ctx.Err()
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, tool, "-q", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out := &limited{max: maxText, cancel: cancel}
	var stderr limited
	stderr.max = 2 << 10
	cmd.Stdout, cmd.Stderr = out, &stderr
	cmd.WaitDelay = 5 * time.Second
	err = cmd.Run()
	switch {
	case out.over:
		return "", fmt.Errorf("le texte extrait du PDF dépasse %s : ce n'est pas le texte d'une convention", size(maxText))
	case ctx.Err() == context.DeadlineExceeded:
		return "", fmt.Errorf("l'extraction du texte du PDF a dépassé %d secondes : le PDF est trop lourd ou endommagé", int(Timeout/time.Second))
	case err != nil && ctx.Err() != nil:
		return "", ctx.Err()
	case err != nil:
		msg := "le PDF est illisible (fichier endommagé, protégé par un mot de passe, ou qui n'est pas un PDF)"
		if line, _, _ := strings.Cut(strings.TrimSpace(stderr.buf.String()), "\n"); line != "" {
			msg += " ; pdftotext : " + line
		}
		return "", errors.New(msg)
	}
	text := out.buf.String()
	if strings.TrimSpace(text) == "" {
		return "", ErrNoTextLayer
	}
	return text, nil
}

// limited keeps up to max bytes written; beyond, it cancels the command
// when it has a cancel function, and drops the rest otherwise.
type limited struct {
	buf    bytes.Buffer
	max    int
	over   bool
	cancel func()
}

func (l *limited) Write(p []byte) (int, error) {
	if l.buf.Len()+len(p) > l.max {
		l.buf.Write(p[:max(l.max-l.buf.Len(), 0)])
		if l.cancel == nil {
			// Diagnostics: the first bytes are enough.
			return len(p), nil
		}
		if !l.over {
			l.over = true
			l.cancel()
		}
		return 0, errors.New("sortie trop longue")
	}
	return l.buf.Write(p)
}

func size(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f Mio", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d Kio", (n+1023)>>10)
}
