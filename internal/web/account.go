package web

import (
	"errors"
	"net/http"
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
	// Name and NameError are the name typed and what is wrong with it.
	Name, NameError string
	// Access lists the account's roles, conventions and organizations by name.
	Access []app.Access
	// Feeds are the account's calendar feeds; FeedURL the secret address
	// just created or renewed, shown once, and FeedConvention its convention.
	Feeds                   []app.CalendarFeed
	FeedURL, FeedConvention string
}

// renderAccount shows the account page with the actor's tokens.
func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, a *auth.Actor, status int, d accountData) {
	tokens, err := s.app.Tokens(r.Context(), a, a.UserID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Tokens = tokens
	if d.Access, err = s.app.MyAccess(r.Context(), a); err != nil {
		s.serverError(w, r, err)
		return
	}
	if d.Feeds, err = s.app.CalendarFeeds(r.Context(), a); err != nil {
		s.serverError(w, r, err)
		return
	}
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

// rename changes the signed-in person's name.
func (s *Server) rename(w http.ResponseWriter, r *http.Request) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	err := s.app.Rename(r.Context(), a, r.PostFormValue("name"))
	var ve *model.ValidationError
	switch {
	case errors.As(err, &ve):
		s.renderAccount(w, r, a, http.StatusUnprocessableEntity, accountData{NameError: ve.Errors[0].Message, Name: r.PostFormValue("name")})
	case err != nil:
		s.pageError(w, r, err)
	default:
		setFlash(w, r, "Enregistré : votre nom est désormais « "+strings.Join(strings.Fields(r.PostFormValue("name")), " ")+" ».")
		http.Redirect(w, r, "/compte", http.StatusSeeOther)
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
	// RemoveError says why an access could not be removed, or a link
	// not created.
	RemoveError string
	// ConfirmRemove is the address whose access removal awaits confirmation.
	ConfirmRemove string
	// Invited tells what the invitation just sent did; Link is the
	// invitation or reset link just created, to pass on.
	Invited *app.InviteResult
	Link    *shownLink
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
	if d.Form.Role == "" {
		// The least powerful role unless chosen otherwise.
		d.Form.Role = auth.RoleReader
	}
	s.render(w, r, status, "members.html", page{Title: "Membres", Conv: v, Nav: "members", Data: d})
}

func (s *Server) grant(w http.ResponseWriter, r *http.Request) {
	v := s.membersPost(w, r)
	if v == nil {
		return
	}
	m := auth.Membership{Convention: v.Slug, Role: auth.Role(r.PostFormValue("role")), Organization: r.PostFormValue("organization")}
	email := r.PostFormValue("email")
	res, err := s.app.Invite(r.Context(), actorOf(r), email, m)
	var ve *model.ValidationError
	if errors.As(err, &ve) {
		d := membersData{Form: m, Email: email, Errors: fieldErrors(ve)}
		s.renderMembers(w, r, v, http.StatusUnprocessableEntity, d)
		return
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if res.Link == nil && !res.AwaitingOther {
		http.Redirect(w, r, "/c/"+v.Slug+"/membres?enregistre=1", http.StatusSeeOther)
		return
	}
	s.renderMembers(w, r, v, http.StatusOK, membersData{Invited: res, Link: showLink(r, res.Link)})
}

func (s *Server) removeMember(w http.ResponseWriter, r *http.Request) {
	v := s.membersPost(w, r)
	if v == nil {
		return
	}
	// Removing an access is asked twice, as removing a record is.
	if r.PostFormValue("confirm") != "oui" {
		s.renderMembers(w, r, v, http.StatusOK, membersData{ConfirmRemove: r.PostFormValue("email")})
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

// membersPost returns the convention of a form posted to manage its
// members, with a valid CSRF token, by one of its administrators;
// otherwise it answers and returns nil.
func (s *Server) membersPost(w http.ResponseWriter, r *http.Request) *convView {
	v := s.conventionPage(w, r)
	if v != nil && (!s.validCSRF(r) || !v.CanAdmin()) {
		s.forbidden(w, r)
		return nil
	}
	return v
}
