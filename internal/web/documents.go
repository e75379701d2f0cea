package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/document"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// documentBlock is the partial "documents": the documents attached to one
// object of the convention (or to several, with a column naming each) and
// the form to attach another. A page about an object of the convention's
// life (an avenant, a termination) shows its documents with
// s.ownerDocuments and {{template "documents" …}}.
type documentBlock struct {
	Slug, CSRF string
	// Return is the page the forms come back to.
	Return string
	// ID prefixes the ids of the form's fields, unique on the page.
	ID      string
	Caption string
	// OwnerHeader, when set, adds a first column naming what each row is
	// attached to (the party of a deliberation).
	OwnerHeader string
	Rows        []documentRow
	// Upload is the form to attach a document, nil when the viewer may not.
	Upload *documentUpload
}

// documentRow is a document, or the mention that an object has none.
type documentRow struct {
	Owner string
	// Doc is nil when the object has no document: the row says it is missing.
	Doc       *model.Document
	CanRemove bool
}

// Size is the document's size in French units.
func (r documentRow) Size() string { return document.SizeText(r.Doc.Size) }

// Type names the document's type: "PDF".
func (r documentRow) Type() string { return document.TypeName(r.Doc.ContentType) }

// Date is the day it was attached, the French way.
func (r documentRow) Date() string {
	return textutil.FrenchDate(model.DateOf(r.Doc.UploadedAt.In(paris)))
}

// ShortSum is the beginning of its checksum, enough to compare by eye.
func (r documentRow) ShortSum() string { return r.Doc.SHA256[:min(12, len(r.Doc.SHA256))] }

// documentUpload is the form attaching a document to an object.
type documentUpload struct {
	Kind model.OwnerKind
	Key  string
	// Choices, when set, lets the viewer choose the object (a party).
	Choices     []documentChoice
	ChoiceLabel string
}

type documentChoice struct{ Key, Label string }

// ownerDocuments is the block of the documents attached to one object.
func (s *Server) ownerDocuments(r *http.Request, v *convView, all []model.Document, kind model.OwnerKind, key, caption string) documentBlock {
	a := actorOf(r)
	b := documentBlock{Slug: v.Slug, CSRF: csrfOf(r), Return: r.URL.Path, ID: "doc-" + string(kind) + "-" + key, Caption: caption}
	for i := range all {
		if all[i].OwnerKind == kind && all[i].OwnerKey == key {
			b.Rows = append(b.Rows, documentRow{Doc: &all[i], CanRemove: app.CanAttach(a, v.Slug, kind, key)})
		}
	}
	if app.CanAttach(a, v.Slug, kind, key) {
		b.Upload = &documentUpload{Kind: kind, Key: key}
	}
	return b
}

// documentsData is the page "Documents".
type documentsData struct {
	Convention, Deliberations documentBlock
	// Others are the documents of avenants and acts, whose own pages
	// attach them.
	Others *documentBlock
	// Error says why the last file sent was refused.
	Error string
	// Confirm is the document whose removal awaits confirmation.
	Confirm      *model.Document
	ConfirmOwner string
	Return       string
	Total        int
}

func (s *Server) documentsData(w http.ResponseWriter, r *http.Request) (*convView, *documentsData) {
	v := s.conventionPage(w, r)
	if v == nil {
		return nil, nil
	}
	all, err := s.app.Documents(r.Context(), actorOf(r), v.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return nil, nil
	}
	a := actorOf(r)
	base := "/c/" + v.Slug + "/documents"
	d := &documentsData{Total: len(all), Return: base}
	d.Convention = s.ownerDocuments(r, v, all, model.OwnerConvention, "", "Original signé et autres pièces de la convention")
	d.Convention.Return = base
	// One row per party, "manquante" when its deliberation is not attached.
	delib := documentBlock{Slug: v.Slug, CSRF: csrfOf(r), Return: base, ID: "doc-deliberation",
		Caption: "Délibérations des parties signataires", OwnerHeader: "Partie"}
	upload := &documentUpload{Kind: model.OwnerAuthorization, ChoiceLabel: "Partie signataire"}
	for _, p := range v.Parties {
		name := v.OrgName(p.Organization)
		can := app.CanAttach(a, v.Slug, model.OwnerAuthorization, p.Organization)
		n := 0
		for i := range all {
			if all[i].OwnerKind == model.OwnerAuthorization && all[i].OwnerKey == p.Organization {
				delib.Rows = append(delib.Rows, documentRow{Owner: name, Doc: &all[i], CanRemove: can})
				n++
			}
		}
		if n == 0 {
			delib.Rows = append(delib.Rows, documentRow{Owner: name})
		}
		if can {
			upload.Choices = append(upload.Choices, documentChoice{Key: p.Organization, Label: name})
		}
	}
	if len(upload.Choices) > 0 {
		delib.Upload = upload
	}
	d.Deliberations = delib
	others := documentBlock{Slug: v.Slug, CSRF: csrfOf(r), Return: base, ID: "doc-autres", Caption: "Documents des avenants et des actes",
		OwnerHeader: "Rattaché à"}
	for i := range all {
		if k := all[i].OwnerKind; k == model.OwnerAmendment || k == model.OwnerAct {
			others.Rows = append(others.Rows, documentRow{Owner: app.DocumentOwnerLabel(v.Convention, k, all[i].OwnerKey), Doc: &all[i],
				CanRemove: app.CanAttach(a, v.Slug, k, all[i].OwnerKey)})
		}
	}
	if len(others.Rows) > 0 {
		d.Others = &others
	}
	return v, d
}

// documents lists the documents of a convention by what they are attached to.
func (s *Server) documents(w http.ResponseWriter, r *http.Request) {
	if v, d := s.documentsData(w, r); d != nil {
		s.render(w, r, http.StatusOK, "documents.html", page{Title: "Documents", Conv: v, Nav: "documents", Data: d})
	}
}

func (s *Server) documentsCSV(w http.ResponseWriter, r *http.Request) {
	v := s.conventionPage(w, r)
	if v == nil {
		return
	}
	all, err := s.app.Documents(r.Context(), actorOf(r), v.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	rows := make([][]string, len(all))
	for i, x := range all {
		row := documentRow{Doc: &x}
		rows[i] = []string{app.DocumentOwnerLabel(v.Convention, x.OwnerKind, x.OwnerKey), x.Title, x.Name, row.Type(),
			strconv.FormatInt(x.Size, 10), row.Date(), x.UploadedBy, x.SHA256}
	}
	writeCSV(w, v.Slug+"-documents.csv",
		[]string{"Rattaché à", "Titre", "Fichier", "Type", "Taille (octets)", "Déposé le", "Par", "Empreinte SHA-256"}, rows)
}

// documentsReturn is the page a document form comes back to: the local
// page of the convention it names, else the documents page.
func documentsReturn(r *http.Request, slug string) string {
	b := r.FormValue("retour")
	if strings.HasPrefix(b, "/c/"+slug+"/") && !strings.Contains(b, "..") && safeNext(b) == b {
		return b
	}
	return "/c/" + slug + "/documents"
}

// attachDocument stores a file sent from a documents form.
func (s *Server) attachDocument(w http.ResponseWriter, r *http.Request) {
	a := s.uploader(w, r)
	if a == nil {
		return
	}
	slug := r.PathValue("slug")
	in := app.DocumentInput{OwnerKind: model.OwnerKind(r.FormValue("owner_kind")), OwnerKey: r.FormValue("owner_key"), Title: r.FormValue("title")}
	file, header, err := r.FormFile("fichier")
	if err == nil {
		defer file.Close()
		in.Name, in.Content = header.Filename, file
	}
	d, err := s.app.AttachDocument(r.Context(), a, slug, in)
	var ve *model.ValidationError
	switch {
	case errors.As(err, &ve):
		s.documentsRefused(w, r, upperFirst(ve.Errors[0].Message)+".")
	case err != nil:
		s.pageError(w, r, err)
	default:
		setFlash(w, r, "Document « "+d.Name+" » joint ("+document.SizeText(d.Size)+").")
		http.Redirect(w, r, documentsReturn(r, slug), http.StatusSeeOther)
	}
}

// documentsRefused shows the documents page with why nothing was written.
func (s *Server) documentsRefused(w http.ResponseWriter, r *http.Request, msg string) {
	if v, d := s.documentsData(w, r); d != nil {
		d.Error = "Rien n'a été enregistré : " + msg
		s.render(w, r, http.StatusUnprocessableEntity, "documents.html", page{Title: "Documents", Conv: v, Nav: "documents", Data: d})
	}
}

// downloadDocument sends a document to a member of the convention.
func (s *Server) downloadDocument(w http.ResponseWriter, r *http.Request) {
	a := s.signedIn(w, r)
	if a == nil {
		return
	}
	d, data, err := s.app.DocumentFile(r.Context(), a, r.PathValue("slug"), r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	sendDocument(w, d, data)
}

// sendDocument answers with a document's content as an attachment, of the
// type found in its bytes, which the browser must not second-guess.
func sendDocument(w http.ResponseWriter, d *model.Document, data []byte) {
	h := w.Header()
	h.Set("Content-Type", d.ContentType)
	h.Set("Content-Disposition", attachment(d.Name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("Cache-Control", "private, no-store")
	_, _ = w.Write(data)
}

// removeDocument removes a document, once confirmed.
func (s *Server) removeDocument(w http.ResponseWriter, r *http.Request) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	slug, id := r.PathValue("slug"), r.PathValue("id")
	if r.PostFormValue("confirm") != "oui" {
		v, d := s.documentsData(w, r)
		if d == nil {
			return
		}
		doc, _, err := s.app.DocumentFile(r.Context(), a, slug, id)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		if !app.CanAttach(a, slug, doc.OwnerKind, doc.OwnerKey) {
			s.forbidden(w, r)
			return
		}
		d.Confirm, d.ConfirmOwner, d.Return = doc, app.DocumentOwnerLabel(v.Convention, doc.OwnerKind, doc.OwnerKey), documentsReturn(r, slug)
		s.render(w, r, http.StatusOK, "documents.html", page{Title: "Documents", Conv: v, Nav: "documents", Data: d})
		return
	}
	if err := s.app.RemoveDocument(r.Context(), a, slug, id); err != nil {
		s.pageError(w, r, err)
		return
	}
	setFlash(w, r, "Document retiré. L'historique garde son nom, sa taille et son empreinte.")
	http.Redirect(w, r, documentsReturn(r, slug), http.StatusSeeOther)
}

// apiUpload reads the multipart/form-data body of an API upload of a
// file (what names it) of at most limit bytes, whose form has the given
// fields; false when the answer is written: 413 beyond the limit, 400
// for a body of another kind.
func apiUpload(w http.ResponseWriter, r *http.Request, what string, limit int64, fields string) bool {
	err := parseUpload(w, r)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		msg := fmt.Sprintf("%d Mo au plus", limit>>20)
		writeJSON(w, http.StatusRequestEntityTooLarge, apiError{Error: what + " trop volumineux : " + msg,
			Details: []model.FieldError{{Path: "file", Message: msg}}})
	case err != nil:
		writeJSON(w, http.StatusBadRequest, apiError{Error: "corps multipart/form-data attendu (champs " + fields + ")"})
	}
	return err == nil
}

// apiDocuments lists the documents of a convention, without their content.
func (s *Server) apiDocuments(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
		return
	}
	list, err := s.app.Documents(r.Context(), a, r.PathValue("slug"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if list == nil {
		list = []model.Document{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"documents": list})
}

func (s *Server) apiDocument(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
		return
	}
	d, data, err := s.app.DocumentFile(r.Context(), a, r.PathValue("slug"), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	sendDocument(w, d, data)
}

// apiAttachDocument stores a file sent as multipart/form-data (fields
// file, owner_kind, owner_key, title).
func (s *Server) apiAttachDocument(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
		return
	}
	if !apiUpload(w, r, "fichier", app.MaxDocumentSize, "file, owner_kind, owner_key, title") {
		return
	}
	in := app.DocumentInput{OwnerKind: model.OwnerKind(r.FormValue("owner_kind")), OwnerKey: r.FormValue("owner_key"), Title: r.FormValue("title")}
	file, header, err := r.FormFile("file")
	if err == nil {
		defer file.Close()
		in.Name, in.Content = header.Filename, file
	}
	d, err := s.app.AttachDocument(r.Context(), a, r.PathValue("slug"), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/conventions/"+d.Convention+"/documents/"+d.ID)
	writeJSON(w, http.StatusCreated, d)
}

func (s *Server) apiRemoveDocument(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
		return
	}
	if err := s.app.RemoveDocument(r.Context(), a, r.PathValue("slug"), r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
