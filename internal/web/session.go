package web

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
)

const sessionCookie = "ctg_session"

// limiter counts failed sign-ins per key over a sliding window.
type limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	fails  map[string][]time.Time
}

func newLimiter(max int, window time.Duration) *limiter {
	return &limiter{max: max, window: window, fails: map[string][]time.Time{}}
}

// blocked returns how long key must wait, or 0.
func (l *limiter) blocked(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	recent := l.fails[key][:0]
	for _, t := range l.fails[key] {
		if now.Sub(t) < l.window {
			recent = append(recent, t)
		}
	}
	l.fails[key] = recent
	if len(recent) < l.max {
		return 0
	}
	return l.window - now.Sub(recent[0])
}

func (l *limiter) fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fails[key] = append(l.fails[key], now)
}

func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, key)
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// safeNext keeps a post-sign-in destination only when it is a local path.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/") && !strings.HasPrefix(next, "//") && !strings.HasPrefix(next, "/\\") {
		return next
	}
	return "/conventions"
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	if actorOf(r) != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("suite")), http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "login.html", page{Title: "Connexion", Data: loginData{Next: safeNext(r.URL.Query().Get("suite"))}})
}

type loginData struct {
	Email, Next, Error string
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	email := strings.TrimSpace(r.PostFormValue("email"))
	data := loginData{Email: email, Next: safeNext(r.PostFormValue("suite"))}
	// Failures count per address (5 tries) and per network address (30,
	// since a whole office may sign in from one address).
	keys := map[*limiter]string{s.limiter: strings.ToLower(email), s.ipLimiter: clientIP(r)}
	now := s.now()
	for l, k := range keys {
		if wait := l.blocked(k, now); wait > 0 {
			data.Error = fmt.Sprintf("Trop de tentatives de connexion : réessayez dans %d minute(s).", int(wait.Minutes())+1)
			s.render(w, r, http.StatusTooManyRequests, "login.html", page{Title: "Connexion", Data: data})
			return
		}
	}
	token, _, err := s.app.SignIn(r.Context(), email, r.PostFormValue("password"))
	if errors.Is(err, app.ErrBadCredentials) {
		for l, k := range keys {
			l.fail(k, now)
		}
		data.Error = "Adresse ou mot de passe incorrect."
		s.render(w, r, http.StatusUnauthorized, "login.html", page{Title: "Connexion", Data: data})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.limiter.reset(keys[s.limiter])
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
	// The body is bounded before it is parsed; parts over 1 Mio go to
	// temporary files, removed here on refusal and by ServeHTTP otherwise.
	r.Body = http.MaxBytesReader(w, r.Body, app.MaxImportSize+1<<20)
	err := r.ParseMultipartForm(1 << 20)
	if err != nil || !s.validCSRF(r) || !a.CanEditSomething(slug) {
		if r.MultipartForm != nil {
			_ = r.MultipartForm.RemoveAll()
			r.MultipartForm = nil
		}
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			s.render(w, r, http.StatusRequestEntityTooLarge, "error.html", page{Title: "Fichier trop volumineux",
				Data: fmt.Sprintf("Le fichier envoyé est trop volumineux : %d Mo au plus.", app.MaxImportSize>>20)})
			return nil
		}
		s.forbidden(w, r)
		return nil
	}
	return a
}
