// Package web serves ctg over HTTP: the HTML application in French and
// the JSON API. Handlers translate HTTP to calls of the app service and
// back; no business rule lives here.
package web

import (
	"context"
	"crypto/subtle"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/indicators"
	"github.com/ctg-territoires/ctg/internal/memo"
	"github.com/ctg-territoires/ctg/internal/model"
)

//go:embed templates/*.html templates/partials/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Server is the HTTP handler of ctg.
type Server struct {
	app     *app.Service
	log     *slog.Logger
	pages   *pageSet
	version string
	mux     *http.ServeMux
	now     func() time.Time
	// sameSite refuses state-changing requests that a browser says come
	// from another site, then serves the others.
	sameSite http.Handler
	// taskCounts keeps the header's "Mes tâches" counts for a moment.
	taskCounts taskCounts
	metrics    *metrics
	// rows keeps the rows of the conventions list's and the portfolio's
	// pages rendered lately, by the key of the page (see keptRows).
	rows *memo.Bounded[string, template.HTML]
	// dashboards keeps the dashboards' tables rendered lately, by the
	// figures the service keeps (see dashboardTables).
	dashboards *memo.Bounded[*indicators.Table, template.HTML]
}

// New builds the handler; each page's template is parsed on its first
// rendering (see pageSet).
func New(svc *app.Service, log *slog.Logger, version string) (*Server, error) {
	s := &Server{app: svc, log: log, pages: newPageSet(), version: version, mux: http.NewServeMux(),
		now: time.Now, rows: memo.New[string, template.HTML](rowsKept),
		dashboards: memo.New[*indicators.Table, template.HTML](dashboardsKept)}
	s.routes()
	s.metrics = newMetrics(svc, s.routeTable())
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.crossSite))
	s.sameSite = cop.Handler(http.HandlerFunc(s.serveChecked))
	return s, nil
}

// Warm prepares, once the server listens, what the first pages need and
// a start leaves for later: the territory reference data and the layout
// shared by the pages, so that the first visitor does not wait for them.
func (s *Server) Warm() {
	s.app.Territory.Counts()
	_, _ = s.pages.layout()
}

// pageSet holds the pages' templates, each parsed with the shared layout
// and partials on its first rendering, then kept: a process starts without
// parsing the forty-odd pages (a quarter of its start), and keeps in memory
// only those it served. TestEveryPageParses parses them all.
type pageSet struct {
	layout func() (*template.Template, error)
	mu     sync.Mutex
	byName map[string]func() (*template.Template, error)
}

func newPageSet() *pageSet {
	return &pageSet{byName: map[string]func() (*template.Template, error){},
		layout: sync.OnceValues(func() (*template.Template, error) {
			return template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials/*.html")
		})}
}

// get returns the template of a page ("conventions.html"), parsed once.
func (ps *pageSet) get(name string) (*template.Template, error) {
	ps.mu.Lock()
	parse, ok := ps.byName[name]
	if !ok {
		parse = sync.OnceValues(func() (*template.Template, error) { return ps.parse(name) })
		ps.byName[name] = parse
	}
	ps.mu.Unlock()
	return parse()
}

func (ps *pageSet) parse(name string) (*template.Template, error) {
	if name == "layout.html" || strings.Contains(name, "/") {
		return nil, fmt.Errorf("gabarit %s absent", name)
	}
	if _, err := fs.Stat(templateFS, "templates/"+name); err != nil {
		return nil, fmt.Errorf("gabarit %s absent", name)
	}
	layout, err := ps.layout()
	if err != nil {
		return nil, err
	}
	t, err := layout.Clone()
	if err != nil {
		return nil, err
	}
	if t, err = t.ParseFS(templateFS, "templates/"+name); err != nil {
		return nil, fmt.Errorf("%s : %w", name, err)
	}
	return t, nil
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
		{"POST", "/compte/jetons/{id}/revoquer", s.revokeToken},
		{"POST", "/compte/mot-de-passe", s.changePassword},
		{"POST", "/compte/nom", s.rename},
		{"GET", "/invitation", s.linkPage(auth.LinkInvitation)},
		{"POST", "/invitation", s.useLink(auth.LinkInvitation)},
		{"GET", "/reinitialisation", s.linkPage(auth.LinkReset)},
		{"POST", "/reinitialisation", s.useLink(auth.LinkReset)},
		{"GET", "/admin/comptes", s.adminAccounts},
		{"POST", "/admin/comptes", s.adminCreateAccount},
		{"POST", "/admin/comptes/etat", s.adminAccountState},
		{"POST", "/admin/comptes/lien", s.adminAccountLink},
		{"GET", "/admin/organisations", s.directoryPage},
		{"POST", "/admin/organisations", s.directoryAdd},
		{"GET", "/admin/organisations.csv", s.directoryCSV},
		{"GET", "/admin/organisations/{id}", s.directoryEntryPage},
		{"POST", "/admin/organisations/{id}/comptes", s.directoryAccount},
		{"GET", "/admin/courriels", s.adminMail},
		{"GET", "/admin/courriels.csv", s.adminMailCSV},
		{"GET", "/admin/courriels/{id}", s.adminMailMessage},
		{"POST", "/c/{slug}/membres/lien", s.memberLink},
		{"GET", "/conventions", s.conventionsPage},
		{"GET", "/couverture", s.coveragePage},
		{"GET", "/couverture.csv", s.coverageCSV},
		{"GET", "/api/v1/coverage", s.apiCoverage},
		{"GET", "/conventions/nouvelle", s.newConventionPage},
		{"POST", "/conventions/nouvelle", s.createConvention},
		{"POST", "/api/v1/conventions", s.apiNewConvention},
		{"GET", "/portefeuille", s.portfolioPage},
		{"GET", "/portefeuille.csv", s.portfolioCSV},
		{"GET", "/api/v1/portfolio", s.apiPortfolio},
		{"GET", "/brouillon", s.draftPage},
		{"POST", "/brouillon", s.draftUpload},
		{"POST", "/brouillon/yaml", s.draftYAML},
		{"POST", "/brouillon/creer", s.draftCreate},
		{"GET", "/c/{slug}", s.overview},
		{"GET", "/c/{slug}/diagnostic", s.diagnostic},
		{"GET", "/c/{slug}/plan", s.plan},
		{"GET", "/c/{slug}/fiches/{code}", s.fiche},
		{"POST", "/c/{slug}/fiches/{code}/appreciation", s.saveAssessment},
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
		{"GET", "/c/{slug}/convention.pdf", s.conventionPDF},
		{"GET", "/c/{slug}/collecte", s.collection},
		{"GET", "/c/{slug}/collecte.csv", s.collectionCSV},
		{"GET", "/c/{slug}/collecte/formulaire.xlsx", s.collectionForm},
		{"POST", "/c/{slug}/collecte/import", s.importForm},
		{"GET", "/c/{slug}/collecte/saisie", s.browserForm},
		{"POST", "/c/{slug}/collecte/saisie", s.saveBrowserForm},
		{"GET", "/c/{slug}/indicateurs/{code}", s.indicatorPage},
		{"POST", "/c/{slug}/indicateurs/{code}", s.saveValue},
		{"POST", "/c/{slug}/valeurs/{id}/{action}", s.valueAction},
		{"GET", "/taches", s.tasks},
		{"POST", "/c/{slug}/collecte/soumettre", s.submitDrafts},
		{"POST", "/c/{slug}/collecte/responsables", s.assignResponsible},
		{"POST", "/c/{slug}/valeurs/lot", s.bulkValues},
		{"POST", "/api/v1/conventions/{slug}/values/bulk", s.apiBulkValues},
		{"GET", "/c/{slug}/controles", s.checks},
		{"GET", "/c/{slug}/controles.csv", s.checksCSV},
		{"POST", "/c/{slug}/controles/prendre-en-compte", s.acknowledge},
		{"POST", "/c/{slug}/controles/annuler-prise-en-compte", s.unacknowledge},
		{"POST", "/api/v1/conventions/{slug}/checks/acknowledgements", s.apiAcknowledge},
		{"DELETE", "/api/v1/conventions/{slug}/checks/acknowledgements/{key}", s.apiUnacknowledge},
		{"GET", "/c/{slug}/calendrier", s.calendar},
		{"GET", "/c/{slug}/calendrier.csv", s.calendarCSV},
		{"GET", "/ical/{file}", s.icalFeed},
		{"POST", "/compte/calendriers", s.createFeed},
		{"POST", "/compte/calendriers/{id}/revoquer", s.revokeFeed},
		{"GET", "/c/{slug}/vie", s.life},
		{"POST", "/c/{slug}/vie/renouvellement", s.lifeRenewal},
		{"POST", "/c/{slug}/vie/resiliation", s.lifeTermination},
		{"GET", "/api/v1/conventions/{slug}/acts", s.apiActs},
		{"POST", "/api/v1/conventions/{slug}/renewal", s.apiRenewal},
		{"POST", "/api/v1/conventions/{slug}/termination", s.apiTermination},
		{"GET", "/c/{slug}/membres", s.members},
		{"POST", "/c/{slug}/membres", s.grant},
		{"POST", "/c/{slug}/membres/retirer", s.removeMember},
		{"GET", "/c/{slug}/modifier/{kind}/{id}", s.editForm},
		{"POST", "/c/{slug}/modifier/{kind}/{id}", s.editSubmit},
		{"GET", "/c/{slug}/ajouter/{kind}", s.createForm},
		{"POST", "/c/{slug}/ajouter/{kind}", s.createSubmit},
		{"POST", "/c/{slug}/supprimer/{kind}/{id}", s.deleteSubmit},
		{"GET", "/c/{slug}/documents", s.documents},
		{"GET", "/c/{slug}/documents.csv", s.documentsCSV},
		{"POST", "/c/{slug}/documents", s.attachDocument},
		{"GET", "/c/{slug}/documents/{id}", s.downloadDocument},
		{"POST", "/c/{slug}/documents/{id}/supprimer", s.removeDocument},
		{"GET", "/api/v1/conventions/{slug}/documents", s.apiDocuments},
		{"POST", "/api/v1/conventions/{slug}/documents", s.apiAttachDocument},
		{"GET", "/api/v1/conventions/{slug}/documents/{id}", s.apiDocument},
		{"DELETE", "/api/v1/conventions/{slug}/documents/{id}", s.apiRemoveDocument},
		{"GET", "/c/{slug}/avenants", s.amendments},
		{"POST", "/c/{slug}/avenants", s.prepareAmendment},
		{"GET", "/c/{slug}/avenants/{number}", s.amendment},
		{"POST", "/c/{slug}/avenants/{number}/autorisations", s.saveAmendmentAuthorization},
		{"POST", "/c/{slug}/avenants/{number}/signature", s.signAmendment},
		{"POST", "/c/{slug}/avenants/{number}/abandon", s.abandonAmendment},
		{"GET", "/c/{slug}/versions", s.versions},
		{"GET", "/api/v1/conventions/{slug}/amendments", s.apiAmendments},
		{"POST", "/api/v1/conventions/{slug}/amendments", s.apiPrepareAmendment},
		{"GET", "/api/v1/conventions/{slug}/amendments/{number}", s.apiAmendment},
		{"PUT", "/api/v1/conventions/{slug}/amendments/{number}/authorizations/{organization}", s.apiAmendmentAuthorization()},
		{"POST", "/api/v1/conventions/{slug}/amendments/{number}/signature", s.apiSignAmendment()},
		{"POST", "/api/v1/conventions/{slug}/amendments/{number}/abandon", s.apiAbandonAmendment()},
		{"GET", "/c/{slug}/reunions", s.meetingsPage},
		{"GET", "/c/{slug}/reunions.csv", s.meetingsCSV},
		{"GET", "/c/{slug}/reunions/nouvelle", s.newMeeting},
		{"POST", "/c/{slug}/reunions", s.createMeeting},
		{"GET", "/c/{slug}/reunions/{id}", s.meetingPage},
		{"POST", "/c/{slug}/reunions/{id}", s.updateMeeting},
		{"POST", "/c/{slug}/reunions/{id}/presences", s.recordAttendance},
		{"POST", "/c/{slug}/reunions/{id}/decisions", s.addDecision},
		{"POST", "/c/{slug}/reunions/{id}/decisions/{decision}/actions", s.saveAction},
		{"GET", "/c/{slug}/reunions/{id}/convocation.pdf", s.meetingPDF(false)},
		{"GET", "/c/{slug}/reunions/{id}/compte-rendu.pdf", s.meetingPDF(true)},
		{"GET", "/api/v1/conventions/{slug}/meetings", s.apiMeetings},
		{"POST", "/api/v1/conventions/{slug}/meetings", s.apiCreateMeeting()},
		{"GET", "/api/v1/conventions/{slug}/meetings/{id}", s.apiMeeting},
		{"PUT", "/api/v1/conventions/{slug}/meetings/{id}", s.apiUpdateMeeting()},
		{"POST", "/api/v1/conventions/{slug}/meetings/{id}/attendance", s.apiAttendance()},
		{"POST", "/api/v1/conventions/{slug}/meetings/{id}/decisions", s.apiDecision()},
		{"POST", "/api/v1/conventions/{slug}/meetings/{id}/decisions/{decision}/actions", s.apiAction()},
		{"GET", "/c/{slug}/communication", s.communicationPage},
		{"GET", "/c/{slug}/communication/logos.zip", s.logosZip},
		{"POST", "/c/{slug}/communication/logos", s.uploadLogo},
		{"GET", "/c/{slug}/communication/logos/{organization}", s.logoImage},
		{"POST", "/c/{slug}/communication/logos/{organization}/supprimer", s.removeLogo},
		{"POST", "/c/{slug}/communication/evenements", s.createEventRequest},
		{"POST", "/c/{slug}/communication/evenements/{id}/date", s.answerEventDate},
		{"POST", "/c/{slug}/communication/evenements/{id}/charte", s.answerEventCharter},
		{"POST", "/c/{slug}/communication/evenements/{id}", s.updateEventRequest},
		{"POST", "/c/{slug}/communication/evenements/{id}/accepter-date", s.acceptOtherDate},
		{"GET", "/api/v1/conventions/{slug}/communication/logos", s.apiLogos},
		{"POST", "/api/v1/conventions/{slug}/communication/logos", s.apiUploadLogo},
		{"GET", "/api/v1/conventions/{slug}/communication/logos/{organization}", s.apiLogo},
		{"DELETE", "/api/v1/conventions/{slug}/communication/logos/{organization}", s.apiRemoveLogo},
		{"GET", "/api/v1/conventions/{slug}/communication/events", s.apiEventRequests},
		{"POST", "/api/v1/conventions/{slug}/communication/events", s.apiCreateEventRequest()},
		{"PUT", "/api/v1/conventions/{slug}/communication/events/{id}", s.apiUpdateEventRequest()},
		{"PUT", "/api/v1/conventions/{slug}/communication/events/{id}/date-agreement", s.apiEventDate()},
		{"PUT", "/api/v1/conventions/{slug}/communication/events/{id}/charter-agreement", s.apiEventCharter()},
		{"GET", "/c/{slug}/echanges-donnees", s.dataRequestsPage},
		{"GET", "/c/{slug}/echanges-donnees/nouvelle", s.newDataRequest},
		{"POST", "/c/{slug}/echanges-donnees", s.createDataRequest},
		{"GET", "/c/{slug}/echanges-donnees/{id}", s.dataRequestPage},
		{"POST", "/c/{slug}/echanges-donnees/{id}/{step}", s.advanceDataRequest},
		{"GET", "/c/{slug}/registre-art30", s.registerPage},
		{"GET", "/c/{slug}/registre-art30.csv", s.registerCSV},
		{"GET", "/c/{slug}/registre-art30.pdf", s.registerPDF},
		{"GET", "/api/v1/conventions/{slug}/data-requests", s.apiDataRequests},
		{"POST", "/api/v1/conventions/{slug}/data-requests", s.apiFileDataRequest},
		{"GET", "/api/v1/conventions/{slug}/data-requests/{id}", s.apiDataRequest},
		{"POST", "/api/v1/conventions/{slug}/data-requests/{id}/{step}", s.apiAdvanceDataRequest},
		{"GET", "/api/openapi.json", s.openAPI},
		{"GET", "/api/v1/schema", s.schema},
		{"GET", "/api/v1/conventions", s.apiConventions},
		{"GET", "/api/v1/conventions/{slug}", s.apiConvention},
		{"GET", "/api/v1/conventions/{slug}/export", s.apiExport},
		{"GET", "/api/v1/conventions/{slug}/archive", s.apiArchive},
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
	tokenKey
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
// cross-site requests and unreadable text, and logs the request.
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
	// The embedded files are the same for everyone: the caller is not
	// identified for them, so that they never touch the database.
	_, pattern := s.mux.Handler(r)
	if pattern != staticPattern {
		r = s.identify(r)
	}
	r = r.WithContext(app.WithSite(r.Context(), s.siteOrigin(r)))
	if a := actorOf(r); a != nil && !safeMethod(r.Method) {
		// What the person just did may change what they have to do.
		s.taskCounts.forget(a.UserID)
	}
	if viaToken(r) {
		// A browser cannot attach a bearer token to a forged request:
		// clients holding one may call from anywhere.
		s.serveChecked(rec, r)
	} else {
		s.sameSite.ServeHTTP(rec, r)
	}
	user := ""
	if a := actorOf(r); a != nil {
		user = a.UserID
	}
	path := r.URL.Path
	if strings.HasPrefix(path, "/ical/") {
		// A feed's address is its secret: it stays out of the logs.
		path = "/ical/…"
	}
	elapsed := time.Since(start)
	s.metrics.observe(pattern, rec.status, elapsed)
	s.log.Info("requête", "method", r.Method, "path", path, "status", rec.status, "user", user,
		"duration_ms", elapsed.Milliseconds())
}

// serveChecked routes a request that passed the origin check, once its
// CSRF token and the text it carries are checked.
func (s *Server) serveChecked(w http.ResponseWriter, r *http.Request) {
	if safeMethod(r.Method) {
		s.route(w, r)
		return
	}
	// A browser session changes data through the API only with its CSRF
	// token, as the HTML forms do (those check it themselves).
	if isAPI(r) && actorOf(r) != nil && !viaToken(r) && !validCSRFHeader(r) {
		writeJSON(w, http.StatusForbidden, apiError{Error: "jeton CSRF absent ou invalide (en-tête X-CSRF-Token)"})
		return
	}
	// The server removes the temporary files of the request it was given,
	// not of this copy, whose form is parsed here or by the handler.
	defer func() {
		if r.MultipartForm != nil {
			_ = r.MultipartForm.RemoveAll()
		}
	}()
	if tooLarge(w, r) {
		s.errorPage(w, r, http.StatusRequestEntityTooLarge, "Formulaire trop volumineux",
			"Rien n'a été enregistré : un formulaire envoie 1 Mo au plus.")
		return
	}
	if field, bad := s.invalidFormText(w, r); bad {
		s.invalidText(w, r, field)
		return
	}
	s.route(w, r)
}

// route hands the request to its handler; a path or a method that no
// route serves is answered in French, as a page or as JSON under /api/.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	r, ok := s.versionDate(w, r)
	if !ok {
		return
	}
	// Handler only finds the route; ServeHTTP also sets the path values.
	if _, pattern := s.mux.Handler(r); pattern != "" {
		s.mux.ServeHTTP(w, r)
		return
	}
	s.unrouted(s.mux).ServeHTTP(w, r)
}

// unrouted replaces the plain English answers of h (404, 405) by ours;
// other answers (redirects to the canonical path) go through.
func (s *Server) unrouted(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		iw := &interceptor{ResponseWriter: w, intercept: []int{http.StatusNotFound, http.StatusMethodNotAllowed}}
		h.ServeHTTP(iw, r)
		switch iw.caught {
		case http.StatusNotFound:
			if isAPI(r) {
				writeJSON(w, http.StatusNotFound, apiError{Error: "route inconnue : consultez /api/openapi.json"})
				return
			}
			s.notFound(w, r)
		case http.StatusMethodNotAllowed:
			if isAPI(r) {
				writeJSON(w, http.StatusMethodNotAllowed, apiError{Error: "méthode non prise en charge par cette route (voir l'en-tête Allow)"})
				return
			}
			s.errorPage(w, r, http.StatusMethodNotAllowed, "Méthode non prise en charge", "Cette adresse ne prend pas en charge cette requête.")
		}
	})
}

// interceptor holds back an answer whose status is in intercept, so that
// the caller may write its own instead.
type interceptor struct {
	http.ResponseWriter
	intercept []int
	caught    int
}

func (w *interceptor) WriteHeader(code int) {
	if slices.Contains(w.intercept, code) {
		w.caught = code
		for _, k := range []string{"Content-Type", "Content-Length", "Cache-Control"} {
			w.Header().Del(k)
		}
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *interceptor) Write(b []byte) (int, error) {
	if w.caught != 0 {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// crossSite answers a request the origin check refused.
func (s *Server) crossSite(w http.ResponseWriter, r *http.Request) {
	const msg = "Requête refusée : elle ne vient pas de ce site."
	if isAPI(r) {
		writeJSON(w, http.StatusForbidden, apiError{Error: msg})
		return
	}
	s.errorPage(w, r, http.StatusForbidden, "Requête refusée", msg)
}

func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// identify attaches the actor of a valid bearer token, or else of the
// session cookie. An Authorization header holding anything but a valid
// bearer token authenticates nobody, and leaves every check of a
// session in force.
func (s *Server) identify(r *http.Request) *http.Request {
	ctx := r.Context()
	if token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		a, err := s.app.ActorForToken(ctx, token)
		if err != nil {
			// A client sending a bad token is told so (401), rather than
			// served as the session a cookie may also carry.
			return r
		}
		ctx = context.WithValue(ctx, actorKey, a)
		return r.WithContext(context.WithValue(ctx, tokenKey, true))
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		if a, csrf, err := s.app.ActorForSession(ctx, c.Value); err == nil {
			ctx = context.WithValue(ctx, actorKey, a)
			return r.WithContext(context.WithValue(ctx, csrfKey, csrf))
		}
	}
	return r
}

// invalidFormText parses the form of a state-changing request and returns
// the name of the first field, of the body or of the query string, whose
// value is not valid UTF-8 or holds a NUL character. Such text would be
// stored as sent on SQLite and refused by PostgreSQL. A multipart form is
// read as tooLarge parsed it.
func (s *Server) invalidFormText(w http.ResponseWriter, r *http.Request) (string, bool) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var body url.Values
	switch ct {
	case "application/x-www-form-urlencoded":
		_ = r.ParseForm()
		body = r.PostForm
	case "multipart/form-data":
		if r.MultipartForm != nil {
			body = r.MultipartForm.Value
		}
	}
	query, _ := url.ParseQuery(r.URL.RawQuery)
	for _, values := range []url.Values{body, query} {
		for _, name := range slices.Sorted(maps.Keys(values)) {
			if !validText(name) || slices.ContainsFunc(values[name], func(v string) bool { return !validText(v) }) {
				return name, true
			}
		}
	}
	return "", false
}

// maxFormBody bounds a form that is not a file upload: the longest record
// form, the browser entry form of a whole year, stay far below.
const maxFormBody = 1 << 20

// tooLarge reads a form within maxFormBody and reports whether it was
// larger. A multipart form is parsed (within the upload limit, its files
// aside) only for a signed-in caller, and its fields are bounded alike;
// the handler then reads the parsed form, or answers a file too large.
func tooLarge(w http.ResponseWriter, r *http.Request) bool {
	switch ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct {
	case "application/x-www-form-urlencoded":
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
		var mbe *http.MaxBytesError
		return errors.As(r.ParseForm(), &mbe)
	case "multipart/form-data":
		if actorOf(r) == nil || parseUpload(w, r) != nil {
			return false
		}
		n := 0
		for _, values := range r.MultipartForm.Value {
			for _, v := range values {
				n += len(v)
			}
		}
		return n > maxFormBody
	}
	return false
}

// validText reports whether s is valid UTF-8 without a NUL character.
func validText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// invalidText refuses a request carrying unreadable text in a field.
func (s *Server) invalidText(w http.ResponseWriter, r *http.Request, field string) {
	field = strings.ToValidUTF8(strings.ReplaceAll(field, "\x00", ""), "?")
	msg := fmt.Sprintf("le champ « %s » contient des caractères invalides (UTF-8 attendu)", field)
	if isAPI(r) {
		writeJSON(w, http.StatusBadRequest, apiError{Error: msg, Details: []model.FieldError{{Path: field, Message: "caractères invalides (UTF-8 attendu, sans caractère NUL)"}}})
		return
	}
	s.errorPage(w, r, http.StatusBadRequest, "Saisie refusée", "Rien n'a été enregistré : "+msg+".")
}

// validCSRFHeader checks the X-CSRF-Token header against the session's token.
func validCSRFHeader(r *http.Request) bool {
	want := csrfOf(r)
	return want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(r.Header.Get("X-CSRF-Token"))) == 1
}

// viaToken reports whether the caller was identified by a bearer token.
func viaToken(r *http.Request) bool {
	v, _ := r.Context().Value(tokenKey).(bool)
	return v
}

// siteOrigin is the address of the site for the links of e-mails: the
// configured public address, else the one the browser reached.
func (s *Server) siteOrigin(r *http.Request) string {
	if u := s.app.PublicURL; u != "" {
		return u
	}
	scheme := "http"
	if secure(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
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

// staticPattern is the route of the embedded files.
const staticPattern = "GET /static/"

func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	// A folder is not a page: no listing of the files.
	if strings.HasSuffix(r.URL.Path, "/") {
		s.notFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	s.unrouted(http.FileServerFS(staticFS)).ServeHTTP(w, r)
}
