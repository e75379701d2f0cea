package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/edit"
	"github.com/ctg-territoires/ctg/internal/lifecycle"
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
	// Conflict is set when the refusal is that a convention with the
	// draft's slug exists: the page links to it.
	Conflict bool
	// Text is the text read, sent again by the download and create forms.
	Text  string
	Draft *app.Draft
	// Groups are the fields read: those to check first, then the others
	// by family.
	Groups []draftGroup
	Count  int
	Low    int
	// Paged is set when the text came from a PDF: fields are placed by
	// page and line within the page.
	Paged   bool
	Missing []draftMissing
	// Create is the wording of the button that creates the convention,
	// by the state it will have.
	Create string
	MaxKio int
	MaxMio int
	// Checks are the checker's findings on the draft; CheckedOn their day.
	Checks           []draftCheck
	CheckedOn        string
	Errors, Warnings int
}

type draftCheck struct {
	lint.Finding
	Label, Field string
}

// draftGroup is a family of fields read, shown together.
type draftGroup struct {
	ID, Title string
	Priority  bool
	Fields    []draftField
}

type draftField struct {
	// Label names the field in French; Path is its path in the format.
	Label, Path, Value, Method, Confidence, Where string
	Low                                           bool
}

type draftMissing struct {
	Label, Path, Where, Reason string
}

// draftFamilies are the families of fields, in the order of the page,
// each with the first segment of the paths it holds.
var draftFamilies = []struct {
	id, title string
	roots     []string
}{
	{"parties", "Parties", []string{"organizations", "parties", "legal_bases"}},
	{"dates", "Dates et signature", []string{"period", "signature"}},
	{"articles", "Préambule, articles et annexes", []string{"preamble", "articles", "annexes"}},
	{"plan", "Plan d'actions", []string{"axes"}},
	{"indicateurs", "Indicateurs", nil},
	{"equipements", "Équipements", []string{"equipments"}},
	{"comites", "Comités", []string{"committees"}},
	{"autres", "Autres", nil},
}

// draftFamily gives the index in draftFamilies of a field's family.
func draftFamily(path string) int {
	root := path
	if i := strings.IndexAny(root, ".["); i >= 0 {
		root = root[:i]
	}
	for i, f := range draftFamilies {
		if root == "axes" && strings.Contains(path, ".indicators") {
			if f.id == "indicateurs" {
				return i
			}
			continue
		}
		if slices.Contains(f.roots, root) {
			return i
		}
	}
	return len(draftFamilies) - 1
}

// sourcePlace says where a field was read: « page 3, ligne 12 » in the
// PDF, or « ligne 32 » of a text sent as such.
func sourcePlace(line, page, pageLine int) string {
	switch {
	case page > 0:
		return fmt.Sprintf("page %d, ligne %d", page, pageLine)
	case line > 0:
		return fmt.Sprintf("ligne %d", line)
	}
	return "—"
}

// createWording words the button that creates the convention by the
// state it will have: « Créer la convention (signée le 9 novembre 2022) ».
func createWording(d *app.Draft) string {
	if sd := d.File.Convention.Signature.Date; sd != nil {
		return "Créer la convention (signée le " + textutil.FrenchDate(*sd) + ")"
	}
	return "Créer la convention (" + d.Standing.Label + ")"
}

// createdMessage confirms the creation with the state the convention has.
func createdMessage(title string, st lifecycle.Standing) string {
	state := "elle est " + st.Label
	switch st.Code {
	case lifecycle.Draft:
		state = "elle est en projet"
	case lifecycle.Signed:
		state = "elle est signée, sa période n'a pas commencé"
	}
	return "Convention « " + title + " » créée depuis le texte signé : " + state + " (" + strings.TrimSuffix(lowerFirst(st.Explanation), ".") + "). Relisez-la et complétez-la."
}

// lowerFirst lowercases the first letter of a sentence set inside another.
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
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
	s.showDraft(w, r, a, data, "", false, http.StatusOK)
}

// draftText is the text sent again by the forms of the report.
func draftText(r *http.Request) string {
	return strings.ReplaceAll(r.PostFormValue("texte"), "\r\n", "\n")
}

// showDraft reads a file (PDF or text) and shows its report, with the
// error of a refused creation when there is one.
func (s *Server) showDraft(w http.ResponseWriter, r *http.Request, a *auth.Actor, file []byte, refusal string, conflict bool, status int) {
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
	data := draftData{Text: d.Text, Draft: d, Error: refusal, Conflict: conflict, Count: len(d.Report.Fields), Create: createWording(d)}
	c := &d.File.Convention
	priority := draftGroup{ID: "priorite", Title: "À vérifier en priorité", Priority: true}
	families := make([]draftGroup, len(draftFamilies))
	for i, f := range draftFamilies {
		families[i] = draftGroup{ID: f.id, Title: f.title}
	}
	for _, f := range d.Report.Fields {
		field := draftField{Label: edit.DescribePath(c, f.Path), Path: f.Path, Value: shorten(edit.DescribeValue(c, f.Path, f.Value), 90),
			Method: f.Method, Where: sourcePlace(f.Line, f.Page, f.PageLine),
			Confidence: strconv.Itoa(int(f.Confidence*100+0.5)) + " %", Low: f.Confidence < lowConfidence}
		data.Paged = data.Paged || f.Page > 0
		if field.Low {
			data.Low++
			priority.Fields = append(priority.Fields, field)
			continue
		}
		g := &families[draftFamily(f.Path)]
		g.Fields = append(g.Fields, field)
	}
	if len(priority.Fields) > 0 {
		data.Groups = append(data.Groups, priority)
	}
	for _, g := range families {
		if len(g.Fields) > 0 {
			data.Groups = append(data.Groups, g)
		}
	}
	for _, m := range d.Report.Missing {
		data.Missing = append(data.Missing, draftMissing{Label: edit.DescribePath(c, m.Path), Path: m.Path,
			Where: sourcePlace(m.Line, m.Page, m.PageLine), Reason: m.Reason})
	}
	for _, f := range d.Findings {
		check := draftCheck{Finding: f, Label: lint.Labels[f.Severity]}
		if f.Path != "" {
			check.Field = edit.DescribePath(c, f.Path)
		}
		data.Checks = append(data.Checks, check)
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
	res, state, err := s.app.CreateFromDraft(r.Context(), a, []byte(text))
	var ve *model.ValidationError
	switch {
	case err == nil:
		setFlash(w, r, createdMessage(res.Convention.Title, state))
		http.Redirect(w, r, "/c/"+res.Convention.Slug, http.StatusSeeOther)
	case errors.As(err, &ve):
		s.showDraft(w, r, a, []byte(text), "La convention n'est pas créée : le brouillon est à compléter ("+validationText(ve)+"). Téléchargez-le, complétez-le, puis importez-le (ctg import).", false, http.StatusUnprocessableEntity)
	case errors.Is(err, model.ErrConflict):
		s.showDraft(w, r, a, []byte(text), upperFirst(strings.TrimSuffix(err.Error(), " : "+model.ErrConflict.Error()))+".", true, http.StatusConflict)
	default:
		s.pageError(w, r, err)
	}
}
