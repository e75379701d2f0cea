// Package web serves ctg over HTTP: a landing page in French and the JSON
// read API. Handlers only translate HTTP to calls of the app service.
package web

import (
	"embed"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/ctg-territoires/ctg/internal/app"
)

//go:embed templates/*.html
var templateFS embed.FS

// Server is the HTTP handler of ctg.
type Server struct {
	app     *app.Service
	log     *slog.Logger
	pages   *template.Template
	version string
	mux     *http.ServeMux
}

// New builds the handler; templates are parsed here, once.
func New(svc *app.Service, log *slog.Logger, version string) (*Server, error) {
	pages, err := template.New("").Funcs(template.FuncMap{"date": frenchDate}).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	s := &Server{app: svc, log: log, pages: pages, version: version, mux: http.NewServeMux()}
	s.routes()
	return s, nil
}

func (s *Server) routes() {
	s.mux.HandleFunc("GET /{$}", s.home)
	s.mux.HandleFunc("GET /healthz", s.health)
	s.mux.HandleFunc("GET /api/v1/schema", s.schema)
	s.mux.HandleFunc("GET /api/v1/conventions", s.listConventions)
	s.mux.HandleFunc("GET /api/v1/conventions/{slug}", s.getConvention)
	s.mux.HandleFunc("GET /api/v1/conventions/{slug}/export", s.exportConvention)
}

// ServeHTTP applies the common headers and the access log.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'")
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	s.mux.ServeHTTP(rec, r)
	s.log.Info("requête", "méthode", r.Method, "chemin", r.URL.Path, "statut", rec.status, "durée_ms", time.Since(start).Milliseconds())
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}
