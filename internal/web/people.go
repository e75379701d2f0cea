package web

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
)

// shownLink is a link just created, as a page shows it to pass on.
type shownLink struct {
	*app.Link
	URL string
}

// linkPaths are the pages where a link is used, by purpose.
var linkPaths = map[auth.LinkPurpose]string{auth.LinkInvitation: "/invitation", auth.LinkReset: "/reinitialisation"}

// showLink builds the address of a link on this site, as the browser
// reached it. The token goes in the query string, which the request log
// leaves out.
func showLink(r *http.Request, l *app.Link) *shownLink {
	if l == nil {
		return nil
	}
	scheme := "http"
	if secure(r) {
		scheme = "https"
	}
	u := url.URL{Scheme: scheme, Host: r.Host, Path: linkPaths[l.Purpose], RawQuery: url.Values{"jeton": {l.Token}}.Encode()}
	return &shownLink{Link: l, URL: u.String()}
}

func fieldErrors(ve *model.ValidationError) map[string]string {
	out := map[string]string{}
	for _, fe := range ve.Errors {
		if _, ok := out[fe.Path]; !ok {
			out[fe.Path] = fe.Message
		}
	}
	return out
}

type adminAccountsData struct {
	Accounts []auth.User
	Roles    []auth.Role
	// Organizations are the Caf and MSA of the directory, proposed to
	// the account's organization field.
	Organizations []model.DirectoryEntry
	Form          app.NewAccount
	Errors        map[string]string
	// Link is the invitation or reset link just created.
	Link *shownLink
	// Done confirms an action; Error says why one was refused.
	Done, Error string
}

// platformAdmin returns the actor if they administer the platform; it
// answers otherwise (sign-in page or 403) and returns nil.
func (s *Server) platformAdmin(w http.ResponseWriter, r *http.Request, post bool) *auth.Actor {
	a := s.signedIn(w, r)
	if a == nil {
		return nil
	}
	if !a.PlatformAdmin || (post && !s.validCSRF(r)) {
		s.forbidden(w, r)
		return nil
	}
	return a
}

func (s *Server) renderAdminAccounts(w http.ResponseWriter, r *http.Request, a *auth.Actor, status int, d adminAccountsData) {
	list, err := s.app.Accounts(r.Context(), a)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d.Accounts, d.Roles = list, auth.Roles
	if d.Organizations, err = s.app.DirectoryEntries(r.Context(), a, model.KindCaf, model.KindMSA); err != nil {
		s.pageError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "admin_accounts.html", page{Title: "Comptes de la plateforme", Data: d})
}

func (s *Server) adminAccounts(w http.ResponseWriter, r *http.Request) {
	a := s.platformAdmin(w, r, false)
	if a == nil {
		return
	}
	d := adminAccountsData{}
	switch r.URL.Query().Get("fait") {
	case "desactive":
		d.Done = "Compte désactivé : ses sessions sont fermées, ses jetons d'API et ses liens ne fonctionnent plus."
	case "reactive":
		d.Done = "Compte réactivé."
	}
	s.renderAdminAccounts(w, r, a, http.StatusOK, d)
}

func (s *Server) adminCreateAccount(w http.ResponseWriter, r *http.Request) {
	a := s.platformAdmin(w, r, true)
	if a == nil {
		return
	}
	in := app.NewAccount{Email: r.PostFormValue("email"), Organization: r.PostFormValue("organization"), PlatformAdmin: r.PostFormValue("platform_admin") == "1",
		Directory: r.PostFormValue("directory"), OrganizationRole: auth.Role(r.PostFormValue("organization_role"))}
	l, err := s.app.CreateAccount(r.Context(), a, in)
	var ve *model.ValidationError
	switch {
	case errors.As(err, &ve):
		s.renderAdminAccounts(w, r, a, http.StatusUnprocessableEntity, adminAccountsData{Form: in, Errors: fieldErrors(ve)})
	case err != nil:
		s.pageError(w, r, err)
	default:
		s.renderAdminAccounts(w, r, a, http.StatusOK, adminAccountsData{Link: showLink(r, l)})
	}
}

func (s *Server) adminAccountState(w http.ResponseWriter, r *http.Request) {
	a := s.platformAdmin(w, r, true)
	if a == nil {
		return
	}
	disable := r.PostFormValue("etat") == "desactiver"
	err := s.app.SetDisabled(r.Context(), a, r.PostFormValue("email"), disable)
	var ve *model.ValidationError
	switch {
	case errors.As(err, &ve):
		s.renderAdminAccounts(w, r, a, http.StatusUnprocessableEntity, adminAccountsData{Error: ve.Errors[0].Message})
	case err != nil:
		s.pageError(w, r, err)
	case disable:
		http.Redirect(w, r, "/admin/comptes?fait=desactive", http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/admin/comptes?fait=reactive", http.StatusSeeOther)
	}
}

func (s *Server) adminAccountLink(w http.ResponseWriter, r *http.Request) {
	a := s.platformAdmin(w, r, true)
	if a == nil {
		return
	}
	l, err := s.app.NewLink(r.Context(), a, r.PostFormValue("email"), "")
	var ve *model.ValidationError
	switch {
	case errors.As(err, &ve):
		s.renderAdminAccounts(w, r, a, http.StatusUnprocessableEntity, adminAccountsData{Error: ve.Errors[0].Message})
	case err != nil:
		s.pageError(w, r, err)
	default:
		s.renderAdminAccounts(w, r, a, http.StatusOK, adminAccountsData{Link: showLink(r, l)})
	}
}

// memberLink creates, for a convention's administrator, the reset link
// of a member (or a new invitation link for one who has not accepted yet).
func (s *Server) memberLink(w http.ResponseWriter, r *http.Request) {
	v := s.membersPost(w, r)
	if v == nil {
		return
	}
	l, err := s.app.NewLink(r.Context(), actorOf(r), r.PostFormValue("email"), v.Slug)
	var ve *model.ValidationError
	switch {
	case errors.As(err, &ve):
		s.renderMembers(w, r, v, http.StatusUnprocessableEntity, membersData{RemoveError: ve.Errors[0].Message})
	case err != nil:
		s.pageError(w, r, err)
	default:
		s.renderMembers(w, r, v, http.StatusOK, membersData{Link: showLink(r, l)})
	}
}

type linkData struct {
	Purpose auth.LinkPurpose
	Token   string
	Info    *app.LinkInfo
	Name    string
	Errors  map[string]string
}

var linkTitles = map[auth.LinkPurpose]string{auth.LinkInvitation: "Activer votre compte", auth.LinkReset: "Choisir un nouveau mot de passe"}

// linkHeaders keep the page of a link out of caches and its address
// (which holds the token) out of the Referer header.
func linkHeaders(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
}

// linkFailed answers a link that cannot serve: 404 when unknown, 410 when
// it expired or served already, with what to do.
func (s *Server) linkFailed(w http.ResponseWriter, r *http.Request, purpose auth.LinkPurpose, err error) bool {
	var le *app.LinkError
	if !errors.As(err, &le) {
		return false
	}
	status := http.StatusNotFound
	if le.Gone {
		status = http.StatusGone
	}
	s.render(w, r, status, "error.html", page{Title: linkTitles[purpose], Data: le.Message})
	return true
}

func (s *Server) linkPage(purpose auth.LinkPurpose) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		linkHeaders(w)
		token := r.URL.Query().Get("jeton")
		info, err := s.app.OpenLink(r.Context(), token, purpose)
		if s.linkFailed(w, r, purpose, err) {
			return
		}
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		s.render(w, r, http.StatusOK, "link.html", page{Title: linkTitles[purpose], Data: linkData{Purpose: purpose, Token: token, Info: info, Name: info.Name}})
	}
}

func (s *Server) useLink(purpose auth.LinkPurpose) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		linkHeaders(w)
		in := app.LinkUseInput{Token: r.PostFormValue("jeton"), Name: r.PostFormValue("name"), Password: r.PostFormValue("password"), Confirm: r.PostFormValue("confirm")}
		token, _, err := s.app.UseLink(r.Context(), purpose, in)
		var ve *model.ValidationError
		switch {
		case s.linkFailed(w, r, purpose, err):
		case errors.As(err, &ve):
			info, err := s.app.OpenLink(r.Context(), in.Token, purpose)
			if s.linkFailed(w, r, purpose, err) {
				return
			}
			if err != nil {
				s.pageError(w, r, err)
				return
			}
			s.render(w, r, http.StatusUnprocessableEntity, "link.html", page{Title: linkTitles[purpose],
				Data: linkData{Purpose: purpose, Token: in.Token, Info: info, Name: in.Name, Errors: fieldErrors(ve)}})
		case err != nil:
			s.pageError(w, r, err)
		default:
			http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: secure(r),
				SameSite: http.SameSiteLaxMode, MaxAge: int(app.SessionTTL.Seconds())})
			// A newcomer lands where a sign-in would take them: the
			// portfolio of an adviser, what they have to do otherwise.
			next := "/taches"
			if purpose == auth.LinkReset {
				next = "/compte?mot-de-passe=1"
			} else if a, _, err := s.app.ActorForSession(r.Context(), token); err == nil {
				if landing := s.landing(r, a); landing == "/portefeuille" {
					next = landing
				}
			}
			http.Redirect(w, r, next, http.StatusSeeOther)
		}
	}
}

// accessChange describes, in the history, a change of someone's access
// (roles, invitations, links); "" for any other entry. Roles and
// organizations appear by their names.
func accessChange(e model.AuditEntry) string {
	role := func(m map[string]string) string {
		out := auth.RoleLabels[auth.Role(m["role"])]
		if org := m["organization_name"]; org != "" {
			out += " (" + org + ")"
		}
		return out
	}
	until := func() string {
		t, err := time.Parse(time.RFC3339, e.After["expires_at"])
		if err != nil {
			return ""
		}
		return ", lien valable jusqu'au " + frenchTime(t)
	}
	switch e.Action {
	case "grant":
		return "accès accordé : " + role(e.After)
	case "revoke":
		return "accès retiré : " + role(e.Before)
	case "invite":
		if e.After["role"] == "" {
			return "lien d'invitation créé" + until()
		}
		return "invitation : " + role(e.After) + until()
	case "reset_link":
		return "lien de réinitialisation du mot de passe créé" + until()
	case "invitation_accept":
		return "invitation acceptée"
	case "password_reset":
		return "mot de passe réinitialisé par lien"
	}
	return ""
}
