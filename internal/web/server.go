// Package web serves ctg over HTTP: the HTML application in French and
// the JSON API. Handlers translate HTTP to calls of the app service and
// back; no business rule lives here.
package web

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/secrecy"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Server is the HTTP handler of ctg.
type Server struct {
	app     *app.Service
	log     *slog.Logger
	pages   map[string]*template.Template
	version string
	mux     *http.ServeMux
	// limiter counts failed sign-ins per e-mail; ipLimiter per client address.
	limiter   *limiter
	ipLimiter *limiter
	// Secrecy protects small counts in what leaves the authenticated scope.
	Secrecy secrecy.Rule
	now     func() time.Time
}

// New builds the handler; templates are parsed here, once.
func New(svc *app.Service, log *slog.Logger, version string) (*Server, error) {
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	s := &Server{app: svc, log: log, pages: pages, version: version, mux: http.NewServeMux(),
		limiter: newLimiter(5, 15*time.Minute), ipLimiter: newLimiter(30, 15*time.Minute), now: time.Now, Secrecy: secrecy.Default}
	s.routes()
	return s, nil
}

// parsePages parses every page with the shared layout.
func parsePages() (map[string]*template.Template, error) {
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimPrefix(n, "templates/")
		if name == "layout.html" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, fmt.Errorf("%s : %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// route is one entry of the routing table. API routes are also listed in
// the OpenAPI document, which a test checks against this table.
type route struct {
	method, pattern string
	handler         http.HandlerFunc
}

func (s *Server) routeTable() []route {
	return []route{
		{"GET", "/{$}", s.home},
		{"GET", "/healthz", s.health},
		{"GET", "/static/", s.static},
		{"GET", "/connexion", s.loginForm},
		{"POST", "/connexion", s.login},
		{"POST", "/deconnexion", s.logout},
		{"GET", "/compte", s.account},
		{"POST", "/compte/jetons", s.createToken},
		{"GET", "/conventions", s.conventionsPage},
		{"GET", "/c/{slug}", s.overview},
		{"GET", "/c/{slug}/diagnostic", s.diagnostic},
		{"GET", "/c/{slug}/plan", s.plan},
		{"GET", "/c/{slug}/fiches/{code}", s.fiche},
		{"GET", "/c/{slug}/equipements", s.equipments},
		{"GET", "/c/{slug}/equipements.csv", s.equipmentsCSV},
		{"GET", "/c/{slug}/gouvernance", s.governance},
		{"GET", "/c/{slug}/texte", s.text},
		{"GET", "/c/{slug}/recherche", s.search},
		{"GET", "/c/{slug}/historique", s.history},
		{"GET", "/c/{slug}/indicateurs", s.dashboard},
		{"GET", "/c/{slug}/indicateurs.csv", s.valuesCSV},
		{"POST", "/c/{slug}/indicateurs/import", s.importValues},
		{"GET", "/c/{slug}/bilan.pdf", s.bilan("pdf")},
		{"GET", "/c/{slug}/bilan.xlsx", s.bilan("xlsx")},
		{"GET", "/c/{slug}/collecte", s.collection},
		{"GET", "/c/{slug}/collecte.csv", s.collectionCSV},
		{"GET", "/c/{slug}/collecte/formulaire.xlsx", s.collectionForm},
		{"POST", "/c/{slug}/collecte/import", s.importForm},
		{"GET", "/c/{slug}/collecte/saisie", s.browserForm},
		{"POST", "/c/{slug}/collecte/saisie", s.saveBrowserForm},
		{"GET", "/c/{slug}/indicateurs/{code}", s.indicatorPage},
		{"POST", "/c/{slug}/indicateurs/{code}", s.saveValue},
		{"POST", "/c/{slug}/valeurs/{id}/{action}", s.valueAction},
		{"GET", "/c/{slug}/controles", s.checks},
		{"GET", "/c/{slug}/controles.csv", s.checksCSV},
		{"GET", "/c/{slug}/membres", s.members},
		{"POST", "/c/{slug}/membres", s.grant},
		{"GET", "/c/{slug}/modifier/{kind}/{id}", s.editForm},
		{"POST", "/c/{slug}/modifier/{kind}/{id}", s.editSubmit},
		{"GET", "/c/{slug}/ajouter/{kind}", s.createForm},
		{"POST", "/c/{slug}/ajouter/{kind}", s.createSubmit},
		{"POST", "/c/{slug}/supprimer/{kind}/{id}", s.deleteSubmit},
		{"GET", "/api/openapi.json", s.openAPI},
		{"GET", "/api/v1/schema", s.schema},
		{"GET", "/api/v1/conventions", s.apiConventions},
		{"GET", "/api/v1/conventions/{slug}", s.apiConvention},
		{"GET", "/api/v1/conventions/{slug}/export", s.apiExport},
		{"GET", "/api/v1/conventions/{slug}/history", s.apiHistory},
		{"GET", "/api/v1/conventions/{slug}/checks", s.apiChecks},
		{"GET", "/api/v1/conventions/{slug}/values", s.apiValues},
		{"POST", "/api/v1/conventions/{slug}/indicators/{code}/values", s.apiSaveValue},
		{"POST", "/api/v1/conventions/{slug}/values/{id}/{action}", s.apiValueAction},
		{"GET", "/api/v1/conventions/{slug}/records/{kind}/{id}", s.apiRecord},
		{"PATCH", "/api/v1/conventions/{slug}/records/{kind}/{id}", s.apiEdit},
		{"POST", "/api/v1/conventions/{slug}/records/{kind}", s.apiCreate},
		{"DELETE", "/api/v1/conventions/{slug}/records/{kind}/{id}", s.apiDelete},
	}
}

func (s *Server) routes() {
	for _, r := range s.routeTable() {
		s.mux.HandleFunc(r.method+" "+r.pattern, r.handler)
	}
}

type ctxKey int

const (
	actorKey ctxKey = iota
	csrfKey
)

// actorOf returns who made the request, or nil for an anonymous visitor.
func actorOf(r *http.Request) *auth.Actor {
	a, _ := r.Context().Value(actorKey).(*auth.Actor)
	return a
}

func csrfOf(r *http.Request) string {
	c, _ := r.Context().Value(csrfKey).(string)
	return c
}

// ServeHTTP identifies the caller, applies the common headers, refuses
// cross-site form posts and logs the request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
	if secure(r) {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	r = s.identify(r)
	// Handlers get this copy of the request: net/http removes the temporary
	// files of the original's multipart form only, so remove this one's.
	defer func() {
		if r.MultipartForm != nil {
			_ = r.MultipartForm.RemoveAll()
		}
	}()
	if r.Method != http.MethodGet && r.Method != http.MethodHead && !sameOrigin(r) && !strings.HasPrefix(r.URL.Path, "/api/") {
		http.Error(rec, "Requête refusée : elle ne vient pas de ce site.", http.StatusForbidden)
	} else {
		s.mux.ServeHTTP(rec, r)
	}
	user := ""
	if a := actorOf(r); a != nil {
		user = a.UserID
	}
	s.log.Info("requête", "méthode", r.Method, "chemin", r.URL.Path, "statut", rec.status, "utilisateur", user,
		"durée_ms", time.Since(start).Milliseconds())
}

// identify attaches the actor of the session cookie or bearer token.
func (s *Server) identify(r *http.Request) *http.Request {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		if a, err := s.app.ActorForToken(ctx, strings.TrimPrefix(h, "Bearer ")); err == nil {
			return r.WithContext(context.WithValue(ctx, actorKey, a))
		}
		return r
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		if a, csrf, err := s.app.ActorForSession(ctx, c.Value); err == nil {
			ctx = context.WithValue(ctx, actorKey, a)
			return r.WithContext(context.WithValue(ctx, csrfKey, csrf))
		}
	}
	return r
}

// sameOrigin accepts a state-changing request only when the browser says
// it comes from this site (Origin or Referer), or says nothing at all.
func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		origin = r.Header.Get("Referer")
	}
	if origin == "" || origin == "null" {
		return origin == ""
	}
	rest, ok := strings.CutPrefix(origin, "http://")
	if !ok {
		rest, ok = strings.CutPrefix(origin, "https://")
	}
	host, _, _ := strings.Cut(rest, "/")
	return ok && host == r.Host
}

func secure(r *http.Request) bool {
	return r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.FileServerFS(staticFS).ServeHTTP(w, r)
}
