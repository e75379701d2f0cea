package web

import (
	"errors"
	"net/http"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
)

type accountData struct {
	Token, TokenName, Error string
}

func (s *Server) account(w http.ResponseWriter, r *http.Request) {
	if a := s.signedIn(w, r); a != nil {
		s.render(w, r, http.StatusOK, "account.html", page{Title: "Mon compte", Data: accountData{}})
	}
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	name := r.PostFormValue("name")
	token, err := s.app.CreateToken(r.Context(), a, name)
	var ve *model.ValidationError
	if errors.As(err, &ve) {
		s.render(w, r, http.StatusUnprocessableEntity, "account.html", page{Title: "Mon compte", Data: accountData{TokenName: name, Error: ve.Errors[0].Message}})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "account.html", page{Title: "Mon compte", Data: accountData{Token: token, TokenName: name}})
}

type membersData struct {
	Members []auth.Member
	Roles   []auth.Role
	Form    auth.Membership
	Email   string
	Errors  map[string]string
	Saved   bool
}

func (s *Server) members(w http.ResponseWriter, r *http.Request) {
	v := s.conventionPage(w, r)
	if v == nil {
		return
	}
	s.renderMembers(w, r, v, http.StatusOK, membersData{Saved: r.URL.Query().Get("enregistre") == "1"})
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
