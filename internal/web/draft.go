package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/lint"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/pdfread"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// lowConfidence marks, on the reading report, the fields to check first.
const lowConfidence = 0.7

type draftData struct {
	// Error is the problem of the text sent, naming its field.
	Error string
	// Text is the text read, sent again by the download and create forms.
	Text   string
	Draft  *app.Draft
	Fields []draftField
	Low    int
	MaxKio int
	MaxMio int
	// Checks are the checker's findings on the draft; CheckedOn their day.
	Checks           []draftCheck
	CheckedOn        string
	Errors, Warnings int
}

type draftCheck struct {
	lint.Finding
	Label string
}

type draftField struct {
	Path, Value, Method, Confidence string
	Line                            int
	Low                             bool
}

// draftActor returns who posts to the draft pages, when they may create
// a convention, its form (multipart or not) parsed within the upload limit;
// otherwise it answers (sign-in page, 413, 403) and returns nil.
func (s *Server) draftActor(w http.ResponseWriter, r *http.Request) *auth.Actor {
	a := s.signedIn(w, r)
	if a == nil {
		return nil
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		if err := parseUpload(w, r); err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				s.draftTooLarge(w, r)
				return nil
			}
			s.forbidden(w, r)
			return nil
		}
	}
	if !app.CanCreateConvention(a) || !s.validCSRF(r) {
		discardUpload(r)
		s.forbidden(w, r)
		return nil
	}
	return a
}

func (s *Server) draftTooLarge(w http.ResponseWriter, r *http.Request) {
	discardUpload(r)
	s.errorPage(w, r, http.StatusRequestEntityTooLarge, "Fichier trop volumineux",
		fmt.Sprintf("Rien n'a été lu ni enregistré : le PDF d'une convention envoyé ici fait %d Mio au plus, son texte %d Kio au plus.", app.MaxDraftPDF>>20, app.MaxDraftText>>10))
}

func (s *Server) renderDraft(w http.ResponseWriter, r *http.Request, status int, d draftData) {
	d.MaxKio, d.MaxMio = app.MaxDraftText>>10, app.MaxDraftPDF>>20
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "draft.html", page{Title: "Brouillon depuis une convention signée", Data: d})
}

// draftPage is the form to send the text of a signed convention.
func (s *Server) draftPage(w http.ResponseWriter, r *http.Request) {
	a := s.signedIn(w, r)
	if a == nil {
		return
	}
	if !app.CanCreateConvention(a) {
		s.forbidden(w, r)
		return
	}
	s.renderDraft(w, r, http.StatusOK, draftData{})
}

// draftUpload reads the text sent and shows the reading report.
func (s *Server) draftUpload(w http.ResponseWriter, r *http.Request) {
	a := s.draftActor(w, r)
	if a == nil {
		return
	}
	defer discardUpload(r)
	file, header, err := r.FormFile("fichier")
	if err != nil {
		s.renderDraft(w, r, http.StatusUnprocessableEntity, draftData{Error: app.DraftTextField + " : choisissez le fichier de la convention (PDF ou texte)."})
		return
	}
	defer file.Close()
	if header.Size > app.MaxDraftPDF {
		s.draftTooLarge(w, r)
		return
	}
	data, err := io.ReadAll(io.LimitReader(file, app.MaxDraftPDF+1))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if len(data) > app.MaxDraftPDF || (!pdfread.IsPDF(data) && len(data) > app.MaxDraftText) {
		s.draftTooLarge(w, r)
		return
	}
	s.showDraft(w, r, a, data, "", http.StatusOK)
}

// draftText is the text sent again by the forms of the report.
func draftText(r *http.Request) string {
	return strings.ReplaceAll(r.PostFormValue("texte"), "\r\n", "\n")
}

// showDraft reads a file (PDF or text) and shows its report, with the
// error of a refused creation when there is one.
func (s *Server) showDraft(w http.ResponseWriter, r *http.Request, a *auth.Actor, file []byte, refusal string, status int) {
	d, err := s.app.ReadDraft(r.Context(), a, file)
	var ve *model.ValidationError
	if errors.As(err, &ve) {
		s.renderDraft(w, r, http.StatusUnprocessableEntity, draftData{Error: validationText(ve)})
		return
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	data := draftData{Text: d.Text, Draft: d, Error: refusal}
	for _, f := range d.Report.Fields {
		low := f.Confidence < lowConfidence
		if low {
			data.Low++
		}
		data.Fields = append(data.Fields, draftField{Path: f.Path, Value: shorten(f.Value, 90), Method: f.Method, Line: f.Line,
			Confidence: strconv.Itoa(int(f.Confidence*100+0.5)) + " %", Low: low})
	}
	for _, f := range d.Findings {
		data.Checks = append(data.Checks, draftCheck{Finding: f, Label: lint.Labels[f.Severity]})
	}
	n := lint.Count(d.Findings)
	data.Errors, data.Warnings = n[lint.Error], n[lint.Warning]
	data.CheckedOn = textutil.FrenchDate(d.CheckedOn)
	s.renderDraft(w, r, status, data)
}

// validationText joins the messages of a refusal, each naming its field.
func validationText(ve *model.ValidationError) string {
	msgs := make([]string, len(ve.Errors))
	for i, fe := range ve.Errors {
		msgs[i] = fe.Path + " : " + fe.Message
	}
	return strings.Join(msgs, " ; ")
}

// shorten cuts a value read to n characters on one line.
func shorten(v string, n int) string {
	v = strings.Join(strings.Fields(v), " ")
	if r := []rune(v); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return v
}

// draftSent reads the text of a signed convention sent again with a
// draft's report; a nil actor when the answer is already written (not
// allowed, or a text beyond the limit).
func (s *Server) draftSent(w http.ResponseWriter, r *http.Request) (*auth.Actor, string) {
	a := s.draftActor(w, r)
	if a == nil {
		return nil, ""
	}
	text := draftText(r)
	if len(text) > app.MaxDraftText {
		s.draftTooLarge(w, r)
		return nil, ""
	}
	return a, text
}

// draftYAML downloads the draft of the text sent again.
func (s *Server) draftYAML(w http.ResponseWriter, r *http.Request) {
	a, text := s.draftSent(w, r)
	if a == nil {
		return
	}
	d, err := s.app.ReadDraft(r.Context(), a, []byte(text))
	var ve *model.ValidationError
	if errors.As(err, &ve) {
		s.renderDraft(w, r, http.StatusUnprocessableEntity, draftData{Error: validationText(ve)})
		return
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	name := d.File.Convention.Slug
	if name == "" {
		name = "brouillon"
	}
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("Content-Disposition", attachment(name+".yaml"))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(d.YAML)
}

// draftCreate imports the draft of the text sent again as a new
// convention, then opens it.
func (s *Server) draftCreate(w http.ResponseWriter, r *http.Request) {
	a, text := s.draftSent(w, r)
	if a == nil {
		return
	}
	res, err := s.app.CreateFromDraft(r.Context(), a, []byte(text))
	var ve *model.ValidationError
	switch {
	case err == nil:
		setFlash(w, r, "Convention « "+res.Convention.Title+" » créée en projet depuis le texte signé : relisez-la et complétez-la.")
		http.Redirect(w, r, "/c/"+res.Convention.Slug, http.StatusSeeOther)
	case errors.As(err, &ve):
		s.showDraft(w, r, a, []byte(text), "La convention n'est pas créée : le brouillon est à compléter ("+validationText(ve)+"). Téléchargez-le, complétez-le, puis importez-le (ctg import).", http.StatusUnprocessableEntity)
	case errors.Is(err, model.ErrConflict):
		s.showDraft(w, r, a, []byte(text), upperFirst(strings.TrimSuffix(err.Error(), " : "+model.ErrConflict.Error()))+".", http.StatusConflict)
	default:
		s.pageError(w, r, err)
	}
}
