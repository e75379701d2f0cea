package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/draft"
	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/lifecycle"
	"github.com/ctg-territoires/ctg/internal/lint"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/pdfread"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// MaxDraftText bounds the text of a signed convention read into a draft
// in the browser: ten times the text of the seed convention.
const MaxDraftText = 512 << 10

// MaxDraftPDF bounds the PDF of a signed convention read into a draft; its
// text, extracted with pdftotext, is then bounded by MaxDraftText.
const MaxDraftPDF = pdfread.MaxPDF

// DraftTextField names, in messages, the field the text is sent in.
const DraftTextField = "Convention signée (fichier PDF ou texte .txt)"

// Draft is a convention read from the text of a signed one, with the
// report of what was read, the draft in the interchange format, and
// whether a convention with its slug already exists.
type Draft struct {
	// Text is the text read: the file sent, or the text extracted from its PDF.
	Text   string
	File   *model.ConventionFile
	Report *draft.Report
	YAML   []byte
	Exists bool
	// Findings are the checker's findings on the draft as read, on the
	// day it is read: what is missing before it can be signed.
	Findings  []lint.Finding
	CheckedOn model.Date
	// Standing is where the convention created from the draft will stand
	// in its life on CheckedOn: signed or in force when the text is signed.
	Standing lifecycle.Standing
}

// ReadDraft reads the text of a signed convention into a draft, for
// whoever may create a convention (CanCreateConvention). The file
// may be a PDF (told from its first bytes), whose text pdftotext extracts.
// Nothing is written.
func (s *Service) ReadDraft(ctx context.Context, a *auth.Actor, text []byte) (*Draft, error) {
	if !CanCreateConvention(a) {
		return nil, fmt.Errorf("lire un brouillon de convention : %w", model.ErrForbidden)
	}
	if pdfread.IsPDF(text) {
		extracted, err := pdfread.Text(ctx, text, MaxDraftText)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, single(DraftTextField, err.Error())
		}
		text = []byte(extracted)
	}
	switch {
	case len(text) > MaxDraftText:
		return nil, single(DraftTextField, fmt.Sprintf("texte de %d octets, %d Kio au plus", len(text), MaxDraftText>>10))
	case !utf8.Valid(text) || bytes.IndexByte(text, 0) >= 0:
		return nil, single(DraftTextField, "le fichier n'est ni un PDF ni un texte encodé en UTF-8 : envoyez le PDF de la convention signée ou son texte, pas un document Word ou une image")
	case strings.TrimSpace(string(text)) == "":
		return nil, single(DraftTextField, "le fichier est vide : "+draft.ErrNoText.Error())
	}
	f, rep, err := draft.Read(string(text), s.Territory)
	if err != nil {
		return nil, single(DraftTextField, err.Error())
	}
	yaml, err := interchange.EncodeFile(f)
	if err != nil {
		return nil, err
	}
	today := model.DateOf(s.now().In(textutil.Paris))
	d := &Draft{Text: string(text), File: f, Report: rep, YAML: yaml, CheckedOn: today,
		Findings: lint.Run(&f.Convention, s.Territory, today), Standing: lifecycle.Of(&f.Convention).StandingOn(today)}
	if f.Convention.Slug != "" {
		_, err := s.store.Convention(ctx, f.Convention.Slug)
		switch {
		case err == nil:
			d.Exists = true
		case !errors.Is(err, model.ErrNotFound):
			return nil, err
		}
	}
	return d, nil
}

// CreateFromDraft reads the text of a signed convention and imports the
// draft as a new convention, through the import path, only when the
// format accepts it as it stands and its slug is free. It says where the
// convention created stands in its life today.
func (s *Service) CreateFromDraft(ctx context.Context, a *auth.Actor, text []byte) (*ImportResult, lifecycle.Standing, error) {
	d, err := s.ReadDraft(ctx, a, text)
	if err != nil {
		return nil, lifecycle.Standing{}, err
	}
	if len(d.Report.Invalid) > 0 {
		ve := &model.ValidationError{}
		for _, p := range d.Report.Invalid {
			ve.Add("brouillon", "%s", p)
		}
		return nil, lifecycle.Standing{}, ve
	}
	if err := ownParty(a, &d.File.Convention, "brouillon"); err != nil {
		return nil, lifecycle.Standing{}, err
	}
	if d.Exists {
		return nil, lifecycle.Standing{}, fmt.Errorf("la convention « %s » existe déjà : le brouillon n'est pas créé ; importez-le en la remplaçant (ctg import --replace) si c'est bien elle : %w",
			d.File.Convention.Slug, model.ErrConflict)
	}
	res, err := s.importFile(ctx, a, d.YAML, nil, false)
	if err != nil {
		return nil, lifecycle.Standing{}, err
	}
	return res, lifecycle.Of(res.Convention).StandingOn(d.CheckedOn), nil
}
