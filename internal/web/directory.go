package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/edit"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// directoryData is the directory page: its organizations (filtered), the
// filter, and the form to add one.
type directoryData struct {
	Entries []model.DirectoryEntry
	Total   int
	Query   string
	Kind    string
	Kinds   []edit.Option
	Form    model.DirectoryEntry
	Errors  map[string]string
	Added   string
}

// directoryEntryData is one organization of the directory.
type directoryEntryData struct {
	Entry  *app.DirectoryView
	Roles  []auth.Role
	Email  string
	Role   auth.Role
	Errors map[string]string
	Done   string
}

// filterDirectory keeps the organizations of a kind whose name, short
// name, SIREN or INSEE code holds the query (accents and case aside).
func filterDirectory(list []model.DirectoryEntry, query, kind string) []model.DirectoryEntry {
	q := textutil.Fold(query)
	return slices.DeleteFunc(slices.Clone(list), func(e model.DirectoryEntry) bool {
		if kind != "" && string(e.Kind) != kind {
			return true
		}
		return q != "" && !strings.Contains(textutil.Fold(e.Name+" "+e.ShortName+" "+e.SIREN+" "+e.INSEE), q)
	})
}

func (s *Server) directoryPage(w http.ResponseWriter, r *http.Request) {
	a := s.platformAdmin(w, r, false)
	if a == nil {
		return
	}
	s.renderDirectory(w, r, a, http.StatusOK, directoryData{Added: r.URL.Query().Get("ajoutee")})
}

func (s *Server) renderDirectory(w http.ResponseWriter, r *http.Request, a *auth.Actor, status int, d directoryData) {
	list, err := s.app.DirectoryEntries(r.Context(), a)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	q := r.URL.Query()
	d.Query, d.Kind, d.Kinds, d.Total = q.Get("q"), q.Get("type"), edit.OrganizationKindOptions(), len(list)
	d.Entries = filterDirectory(list, d.Query, d.Kind)
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "admin_directory.html", page{Title: "Annuaire des organisations", Data: d})
}

func (s *Server) directoryCSV(w http.ResponseWriter, r *http.Request) {
	a := s.platformAdmin(w, r, false)
	if a == nil {
		return
	}
	list, err := s.app.DirectoryEntries(r.Context(), a)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	q := r.URL.Query()
	rows := [][]string{}
	for _, e := range filterDirectory(list, q.Get("q"), q.Get("type")) {
		rows = append(rows, []string{string(e.Kind), e.Name, e.ShortName, e.SIREN, e.INSEE, strings.Join(e.Parties, " "),
			strings.Join(e.Named, " "), strconv.Itoa(e.Accounts), e.ID})
	}
	w.Header().Set("Cache-Control", "no-store")
	writeCSV(w, "annuaire-organisations.csv", []string{"Type", "Nom", "Nom court", "SIREN", "Code INSEE", "Partie aux conventions",
		"Nommée dans les conventions", "Comptes", "Identifiant"}, rows)
}

func (s *Server) directoryAdd(w http.ResponseWriter, r *http.Request) {
	a := s.platformAdmin(w, r, true)
	if a == nil {
		return
	}
	in := model.DirectoryEntry{Kind: model.OrganizationKind(r.PostFormValue("kind")), Name: r.PostFormValue("name"),
		ShortName: r.PostFormValue("short_name"), SIREN: r.PostFormValue("siren"), INSEE: r.PostFormValue("insee")}
	e, err := s.app.AddDirectoryEntry(r.Context(), a, in)
	var ve *model.ValidationError
	switch {
	case errors.As(err, &ve):
		s.renderDirectory(w, r, a, http.StatusUnprocessableEntity, directoryData{Form: in, Errors: fieldErrors(ve)})
	case err != nil:
		s.pageError(w, r, err)
	default:
		http.Redirect(w, r, "/admin/organisations/"+url.PathEscape(e.ID)+"?fait=ajoutee", http.StatusSeeOther)
	}
}

func (s *Server) directoryEntryPage(w http.ResponseWriter, r *http.Request) {
	a := s.platformAdmin(w, r, false)
	if a == nil {
		return
	}
	d := directoryEntryData{Role: auth.RoleReader}
	switch r.URL.Query().Get("fait") {
	case "ajoutee":
		d.Done = "Organisation ajoutée à l'annuaire."
	case "rattache":
		d.Done = "Compte rattaché à l'organisation."
	case "detache":
		d.Done = "Compte détaché de l'organisation : il ne garde que les accès donnés dans chaque convention."
	}
	s.renderDirectoryEntry(w, r, a, http.StatusOK, d)
}

func (s *Server) renderDirectoryEntry(w http.ResponseWriter, r *http.Request, a *auth.Actor, status int, d directoryEntryData) {
	e, err := s.app.DirectoryEntry(r.Context(), a, r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d.Entry, d.Roles = e, auth.Roles
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "admin_directory_entry.html", page{Title: e.Name, Data: d})
}

// directoryAccount attaches an account to the organization with a role
// in its conventions, or detaches it.
func (s *Server) directoryAccount(w http.ResponseWriter, r *http.Request) {
	a := s.platformAdmin(w, r, true)
	if a == nil {
		return
	}
	id := r.PathValue("id")
	// The organization of the page, by its id only (not a name or a SIREN).
	if _, err := s.app.DirectoryEntry(r.Context(), a, id); err != nil {
		s.pageError(w, r, err)
		return
	}
	email, role, done := r.PostFormValue("email"), auth.Role(r.PostFormValue("role")), "rattache"
	var err error
	if r.PostFormValue("action") == "detacher" {
		role, done = "", "detache"
		err = s.app.DetachAccount(r.Context(), a, email, id)
	} else {
		err = s.app.SetAccountOrganization(r.Context(), a, email, id, role)
	}
	var ve *model.ValidationError
	switch {
	case errors.As(err, &ve):
		s.renderDirectoryEntry(w, r, a, http.StatusUnprocessableEntity, directoryEntryData{Email: email, Role: role, Errors: fieldErrors(ve)})
	case err != nil:
		s.pageError(w, r, err)
	default:
		http.Redirect(w, r, "/admin/organisations/"+url.PathEscape(id)+"?fait="+done, http.StatusSeeOther)
	}
}

// KindLabel names an organization kind in French.
func (d directoryData) KindLabel(k model.OrganizationKind) string {
	for _, o := range d.Kinds {
		if o.Value == string(k) {
			return o.Label
		}
	}
	return string(k)
}

// CSVQuery is the filter as the export link repeats it.
func (d directoryData) CSVQuery() string {
	v := url.Values{}
	if d.Query != "" {
		v.Set("q", d.Query)
	}
	if d.Kind != "" {
		v.Set("type", d.Kind)
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}
