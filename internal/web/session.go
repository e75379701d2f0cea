package web

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
)

const sessionCookie = "ctg_session"

// clientAddress is the network address the sign-in limits count per: the
// IPv4 address, or the /64 network of an IPv6 address (what one host
// usually holds).
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil || ip.To4() != nil {
		return host
	}
	return (&net.IPNet{IP: ip.Mask(net.CIDRMask(64, 128)), Mask: net.CIDRMask(64, 128)}).String()
}

// safeNext keeps a post-sign-in destination only when it is a path of this
// site, rebuilt from its parsed path and query; anything else (another
// origin, a scheme, a backslash, control characters or spaces that a
// browser would drop or reinterpret) gives the conventions list.
func safeNext(next string) string {
	const home = "/conventions"
	if hasControlOrSpace(next) || strings.Contains(next, "\\") {
		return home
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return home
	}
	if !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") || strings.Contains(u.Path, "\\") || hasControlOrSpace(u.Path) {
		return home
	}
	// The query cannot change the origin; it may hold encoded spaces (a
	// search) but no control characters.
	if q, err := url.QueryUnescape(u.RawQuery); err != nil || strings.IndexFunc(q, unicode.IsControl) >= 0 {
		return home
	}
	return (&url.URL{Path: u.Path, RawQuery: u.RawQuery}).String()
}

// nextOrHome is where sign-in leads: the page asked for, kept local by
// safeNext, or the home page, which leads each person to their landing
// page, when none was asked for.
func nextOrHome(next string) string {
	if next == "" {
		return "/"
	}
	return safeNext(next)
}

func hasControlOrSpace(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) || r == utf8.RuneError }) >= 0
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	if actorOf(r) != nil {
		http.Redirect(w, r, nextOrHome(r.URL.Query().Get("suite")), http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "login.html", page{Title: "Connexion", Data: loginData{Next: nextOrHome(r.URL.Query().Get("suite"))}})
}

type loginData struct {
	Email, Next, Error string
}

// tooManyAttempts sets Retry-After and returns the message telling how
// long to wait before another attempt.
func (s *Server) tooManyAttempts(w http.ResponseWriter, until time.Time) string {
	wait := max(until.Sub(s.now()), time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	return fmt.Sprintf("Trop de tentatives de connexion : réessayez dans %d minute(s).", int(math.Ceil(wait.Minutes())))
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	email := strings.TrimSpace(r.PostFormValue("email"))
	data := loginData{Email: email, Next: nextOrHome(r.PostFormValue("suite"))}
	token, _, err := s.app.SignIn(r.Context(), email, r.PostFormValue("password"), clientAddress(r))
	var tooMany *app.TooManyAttempts
	switch {
	case errors.As(err, &tooMany):
		data.Error = s.tooManyAttempts(w, tooMany.Until)
		s.render(w, r, http.StatusTooManyRequests, "login.html", page{Title: "Connexion", Data: data})
		return
	case errors.Is(err, app.ErrBusy):
		w.Header().Set("Retry-After", "5")
		data.Error = "Le serveur vérifie déjà beaucoup de connexions : réessayez dans quelques secondes."
		s.render(w, r, http.StatusServiceUnavailable, "login.html", page{Title: "Connexion", Data: data})
		return
	case errors.Is(err, app.ErrBadCredentials):
		data.Error = "Adresse ou mot de passe incorrect."
		s.render(w, r, http.StatusUnauthorized, "login.html", page{Title: "Connexion", Data: data})
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: secure(r),
		SameSite: http.SameSiteLaxMode, MaxAge: int(app.SessionTTL.Seconds())})
	http.Redirect(w, r, data.Next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if !s.validCSRF(r) {
		s.forbidden(w, r)
		return
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.app.SignOut(r.Context(), c.Value); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: secure(r), SameSite: http.SameSiteLaxMode, MaxAge: -1})
	http.Redirect(w, r, "/connexion", http.StatusSeeOther)
}

// validCSRF checks the form's CSRF token against the session's.
func (s *Server) validCSRF(r *http.Request) bool {
	want := csrfOf(r)
	got := r.PostFormValue("csrf")
	return want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

// signedIn returns the actor, or redirects to the sign-in page and
// returns nil.
func (s *Server) signedIn(w http.ResponseWriter, r *http.Request) *auth.Actor {
	a := actorOf(r)
	if a == nil {
		http.Redirect(w, r, "/connexion?suite="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
	}
	return a
}

// signedPost returns the actor of a form post carrying a valid CSRF token;
// otherwise it answers (sign-in page or 403) and returns nil.
func (s *Server) signedPost(w http.ResponseWriter, r *http.Request) *auth.Actor {
	a := s.signedIn(w, r)
	if a != nil && !s.validCSRF(r) {
		s.forbidden(w, r)
		return nil
	}
	return a
}

// uploader returns the actor of a file upload to a convention (a
// multipart form with a valid CSRF token, from a member who may change
// something); otherwise it answers and returns nil.
func (s *Server) uploader(w http.ResponseWriter, r *http.Request) *auth.Actor {
	a := s.signedIn(w, r)
	if a == nil {
		return nil
	}
	slug := r.PathValue("slug")
	if !a.CanRead(slug) {
		s.notFound(w, r)
		return nil
	}
	err := parseUpload(w, r)
	if err != nil || !s.validCSRF(r) || !a.CanEditSomething(slug) {
		discardUpload(r)
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			s.render(w, r, http.StatusRequestEntityTooLarge, "error.html", page{Title: "Fichier trop volumineux",
				Data: fmt.Sprintf("Le fichier envoyé est trop volumineux : %d Mo au plus.", uploadLimit(r)>>20)})
			return nil
		}
		s.forbidden(w, r)
		return nil
	}
	return a
}

// parseUpload parses a multipart request, its body bounded before it is
// parsed (a *http.MaxBytesError when it is larger). Parts over 1 Mio go to
// temporary files, removed here on failure, by the caller on refusal
// (discardUpload) and by ServeHTTP otherwise.
func parseUpload(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, uploadLimit(r)+1<<20)
	err := r.ParseMultipartForm(1 << 20)
	if err != nil {
		discardUpload(r)
	}
	return err
}

// discardUpload removes the temporary files of a refused upload.
func discardUpload(r *http.Request) {
	if r.MultipartForm != nil {
		_ = r.MultipartForm.RemoveAll()
		r.MultipartForm = nil
	}
}

// uploadLimit is the largest file a multipart request may carry: a
// document attached to a convention (POST …/documents), a logo (POST
// …/communication/logos), the PDF of a signed convention (/brouillon) or
// its text sent again (/brouillon/…),
// or else a values file. Its body is bounded to that plus 1 Mio of form fields.
func uploadLimit(r *http.Request) int64 {
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/documents") {
		return app.MaxDocumentSize
	}
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/communication/logos") {
		return app.MaxLogoSize
	}
	if r.URL.Path == "/brouillon" {
		return app.MaxDraftPDF
	}
	if strings.HasPrefix(r.URL.Path, "/brouillon") {
		return app.MaxDraftText
	}
	return app.MaxImportSize
}
