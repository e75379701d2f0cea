package web

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
)

type accountData struct {
	Token, TokenName, Error string
	// TokenExpires is when the token just created expires.
	TokenExpires time.Time
	Tokens       []auth.APIToken
	Revoked      bool
	// PasswordErrors gives the problem of each field of the password form.
	PasswordErrors map[string]string
	PasswordError  string
	PasswordSaved  bool
	// Accesses are the actor's conventions, named, with their organization's name.
	Accesses []accessRow
}

// accessRow is one access of the account page, in words.
type accessRow struct {
	Slug, Title, Organization string
	Role                      auth.Role
}

// renderAccount shows the account page with the actor's tokens.
func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, a *auth.Actor, status int, d accountData) {
	tokens, err := s.app.Tokens(r.Context(), a, a.UserID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Tokens = tokens
	for _, m := range a.Memberships {
		row := accessRow{Slug: m.Convention, Title: m.Convention, Organization: m.Organization, Role: m.Role}
		if c, err := s.app.Convention(r.Context(), a, m.Convention); err == nil {
			row.Title, row.Organization = c.Title, orgName(c, m.Organization)
		}
		d.Accesses = append(d.Accesses, row)
	}
	slices.SortFunc(d.Accesses, func(x, y accessRow) int { return strings.Compare(x.Title, y.Title) })
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "account.html", page{Title: "Mon compte", Data: d})
}

func (s *Server) account(w http.ResponseWriter, r *http.Request) {
	if a := s.signedIn(w, r); a != nil {
		q := r.URL.Query()
		s.renderAccount(w, r, a, http.StatusOK, accountData{Revoked: q.Get("revoque") == "1", PasswordSaved: q.Get("mot-de-passe") == "1"})
	}
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	name := r.PostFormValue("name")
	token, expires, err := s.app.CreateToken(r.Context(), a, name)
	var ve *model.ValidationError
	if errors.As(err, &ve) {
		s.renderAccount(w, r, a, http.StatusUnprocessableEntity, accountData{TokenName: name, Error: ve.Errors[0].Message})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.renderAccount(w, r, a, http.StatusOK, accountData{Token: token, TokenName: name, TokenExpires: expires})
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	if err := s.app.RevokeToken(r.Context(), a, a.UserID, r.PathValue("id")); err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/compte?revoque=1", http.StatusSeeOther)
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	in := app.PasswordChange{Current: r.PostFormValue("current_password"), New: r.PostFormValue("new_password"),
		Confirm: r.PostFormValue("confirm"), Client: clientAddress(r)}
	if c, err := r.Cookie(sessionCookie); err == nil {
		in.KeepSession = c.Value
	}
	err := s.app.ChangeOwnPassword(r.Context(), a, in)
	var ve *model.ValidationError
	var tooMany *app.TooManyAttempts
	switch {
	case errors.As(err, &ve):
		d := accountData{PasswordErrors: map[string]string{}}
		for _, fe := range ve.Errors {
			d.PasswordErrors[fe.Path] = fe.Message
		}
		s.renderAccount(w, r, a, http.StatusUnprocessableEntity, d)
	case errors.As(err, &tooMany):
		s.renderAccount(w, r, a, http.StatusTooManyRequests, accountData{PasswordError: s.tooManyAttempts(w, tooMany.Until)})
	case err != nil:
		s.serverError(w, r, err)
	default:
		http.Redirect(w, r, "/compte?mot-de-passe=1", http.StatusSeeOther)
	}
}

type membersData struct {
	Members []auth.Member
	Roles   []auth.Role
	Form    auth.Membership
	Email   string
	Errors  map[string]string
	Saved   bool
	Removed bool
	// RemoveError says why an access could not be removed.
	RemoveError string
}

func (s *Server) members(w http.ResponseWriter, r *http.Request) {
	v := s.conventionPage(w, r)
	if v == nil {
		return
	}
	q := r.URL.Query()
	s.renderMembers(w, r, v, http.StatusOK, membersData{Saved: q.Get("enregistre") == "1", Removed: q.Get("retire") == "1"})
}

func (s *Server) renderMembers(w http.ResponseWriter, r *http.Request, v *convView, status int, d membersData) {
	list, err := s.app.Members(r.Context(), actorOf(r), v.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d.Members, d.Roles = list, auth.Roles
	s.render(w, r, status, "members.html", page{Title: "Membres", Conv: v, Nav: "members", Data: d})
}

func (s *Server) grant(w http.ResponseWriter, r *http.Request) {
	v := s.conventionPage(w, r)
	if v == nil {
		return
	}
	if !s.validCSRF(r) || !v.CanAdmin() {
		s.forbidden(w, r)
		return
	}
	m := auth.Membership{Convention: v.Slug, Role: auth.Role(r.PostFormValue("role")), Organization: r.PostFormValue("organization")}
	email := r.PostFormValue("email")
	err := s.app.Grant(r.Context(), actorOf(r), email, m)
	var ve *model.ValidationError
	if errors.As(err, &ve) {
		d := membersData{Form: m, Email: email, Errors: map[string]string{}}
		for _, fe := range ve.Errors {
			d.Errors[fe.Path] = fe.Message
		}
		s.renderMembers(w, r, v, http.StatusUnprocessableEntity, d)
		return
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/c/"+v.Slug+"/membres?enregistre=1", http.StatusSeeOther)
}

func (s *Server) removeMember(w http.ResponseWriter, r *http.Request) {
	v := s.conventionPage(w, r)
	if v == nil {
		return
	}
	if !s.validCSRF(r) || !v.CanAdmin() {
		s.forbidden(w, r)
		return
	}
	err := s.app.RemoveMember(r.Context(), actorOf(r), r.PostFormValue("email"), v.Slug)
	var ve *model.ValidationError
	if errors.As(err, &ve) {
		s.renderMembers(w, r, v, http.StatusUnprocessableEntity, membersData{RemoveError: ve.Errors[0].Message})
		return
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/c/"+v.Slug+"/membres?retire=1", http.StatusSeeOther)
}
