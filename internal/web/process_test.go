package web

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/app/apptest"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/store"
)

// A static file is the same for everyone: serving it never reads the
// database, even when the request carries a session cookie or an API
// token, while a page does read it for the same caller.
func TestStaticFilesNeverTouchTheDatabase(t *testing.T) {
	ctx := context.Background()
	srv, _, st, statements := countingServer(t)
	u := &auth.User{Email: "coord@exemple.fr", Name: "Coordinatrice", PasswordHash: "x"}
	if err := st.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	session, _, err := st.CreateSession(ctx, u.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := st.CreateAPIToken(ctx, u.ID, "tableur", time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string, auth func(*http.Request)) int64 {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		auth(req)
		before := statements.Load()
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s : statut %d", path, resp.StatusCode)
		}
		return statements.Load() - before
	}
	withCookie := func(r *http.Request) { r.AddCookie(&http.Cookie{Name: sessionCookie, Value: session}) }
	withToken := func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }

	for name, auth := range map[string]func(*http.Request){"session": withCookie, "jeton": withToken} {
		if n := get("/static/style.css", auth); n != 0 {
			t.Errorf("fichier statique avec %s : %d requêtes à la base, aucune attendue", name, n)
		}
	}
	// The counter sees what a page reads for the same callers.
	if n := get("/compte", withCookie); n == 0 {
		t.Error("page du compte avec session : aucune requête comptée")
	}
	if n := get("/api/v1/conventions", withToken); n == 0 {
		t.Error("API avec jeton : aucune requête comptée")
	}
}

// The metrics are not a page of the site: its handler answers 404 to
// /metrics, even for a platform administrator; ctg serve exposes them on
// an address of their own when asked to (--metrics-addr).
func TestSiteDoesNotServeMetrics(t *testing.T) {
	e := newEnv(t)
	for _, role := range []string{"anonyme", "plateforme"} {
		if resp, _ := e.do(t, role, http.MethodGet, "/metrics", nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("/metrics (%s) : statut %d, 404 attendu", role, resp.StatusCode)
		}
	}
	srv := httptest.NewServer(e.srv.Config.Handler.(*Server).MetricsHandler())
	t.Cleanup(srv.Close)
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `ctg_http_request_duration_seconds_count{route="other",status="4xx"} 2`) {
		t.Errorf("métriques : statut %d\n%s", resp.StatusCode, body)
	}
}

// A server whose metrics are not served builds no collector of the Go
// runtime, the process or the pools: they are registered when the
// metrics' handler is made (ctg serve --metrics-addr), once.
func TestMetricsCollectorsOnlyWhenServed(t *testing.T) {
	e := newEnv(t)
	s := e.srv.Config.Handler.(*Server)
	families := func() map[string]bool {
		t.Helper()
		got, err := s.metrics.registry.Gather()
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]bool{}
		for _, f := range got {
			names[f.GetName()] = true
		}
		return names
	}
	if f := families(); f["go_goroutines"] || f["process_resident_memory_bytes"] || f["ctg_mail_outbox_waiting"] {
		t.Errorf("collecteurs créés sans que les métriques soient servies : %v", f)
	}
	s.MetricsHandler()
	s.MetricsHandler()
	if f := families(); !f["go_goroutines"] || !f["process_resident_memory_bytes"] || !f["ctg_mail_outbox_waiting"] {
		t.Errorf("collecteurs absents une fois les métriques servies : %v", f)
	}
}

// countingServer serves the bundled convention over a store that counts
// every SQL statement it sends.
func countingServer(t *testing.T) (*httptest.Server, *app.Service, store.Store, *atomic.Int64) {
	t.Helper()
	statements := &atomic.Int64{}
	svc, st := apptest.NewCounting(t, statements)
	h, err := New(svc, slog.New(slog.NewTextHandler(io.Discard, nil)), "test")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, svc, st, statements
}

// importCopies imports n copies of the bundled convention, ctg-01 to
// ctg-NN.
func importCopies(t testing.TB, svc *app.Service, n int) {
	t.Helper()
	for i := 1; i <= n; i++ {
		text := strings.Replace(string(examples.Forcalquier), "slug: "+examples.ForcalquierSlug, fmt.Sprintf("slug: ctg-%02d", i), 1)
		if _, err := svc.Import(context.Background(), []byte(text), false); err != nil {
			t.Fatal(err)
		}
	}
}

// signedInCounter signs in a new platform administrator of address email
// on st and returns a function that requests path as them — with their
// session, or their API token for /api/ paths — and gives the statements
// it sent and its body.
func signedInCounter(t testing.TB, srv *httptest.Server, st store.Store, statements *atomic.Int64, email string) func(path string) (int64, string) {
	t.Helper()
	ctx := context.Background()
	u := &auth.User{Email: email, Name: "Plateforme", PasswordHash: "x", PlatformAdmin: true}
	if err := st.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	session, _, err := st.CreateSession(ctx, u.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := st.CreateAPIToken(ctx, u.ID, "mesure", time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return func(path string) (int64, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if strings.HasPrefix(path, "/api/") {
			req.Header.Set("Authorization", "Bearer "+token)
		} else {
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: session})
		}
		before := statements.Load()
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s : statut %d\n%s", path, resp.StatusCode, body)
		}
		return statements.Load() - before, string(body)
	}
}

// Pages are parsed on their first rendering, not when the server starts;
// every page parses, and a missing one is an error.
func TestEveryPageParses(t *testing.T) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil || len(names) < 10 {
		t.Fatalf("gabarits : %v %v", names, err)
	}
	ps := newPageSet()
	for _, n := range names {
		name := strings.TrimPrefix(n, "templates/")
		if name == "layout.html" {
			continue
		}
		if _, err := ps.get(name); err != nil {
			t.Errorf("%s : %v", name, err)
		}
	}
	for _, name := range []string{"absent.html", "layout.html", "partials/nav.html"} {
		if _, err := ps.get(name); err == nil {
			t.Errorf("%s accepté comme page", name)
		}
	}
}

func TestPagesAreParsedOnFirstRendering(t *testing.T) {
	svc := apptest.New(t)
	h, err := New(svc, slog.New(slog.NewTextHandler(io.Discard, nil)), "test")
	if err != nil {
		t.Fatal(err)
	}
	parsed := func() []string {
		h.pages.mu.Lock()
		defer h.pages.mu.Unlock()
		return slices.Sorted(maps.Keys(h.pages.byName))
	}
	if p := parsed(); len(p) != 0 {
		t.Fatalf("pages lues au démarrage : %v", p)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	for _, path := range []string{"/healthz", "/connexion", "/connexion"} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s : %d", path, res.StatusCode)
		}
	}
	if p := parsed(); len(p) != 1 {
		t.Errorf("pages lues après /healthz et deux fois /connexion : %v", p)
	}
}

// A header count past its life is shown at once while it is counted
// again in the background; the page after shows the new count. No page
// waits for a recount of a count it already had.
func TestTaskCountPastItsLifeIsRecountedInTheBackground(t *testing.T) {
	svc, _ := apptest.NewWithStore(t)
	srv, err := New(svc, slog.New(slog.NewTextHandler(io.Discard, nil)), "test")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2024, 5, 6, 9, 0, 0, 0, time.UTC)
	srv.now = func() time.Time { return now }
	a := &auth.Actor{UserID: "u", PlatformAdmin: true}
	r := httptest.NewRequest(http.MethodGet, "/conventions", nil)
	r = r.WithContext(context.WithValue(r.Context(), actorKey, a))
	want, err := svc.TaskCount(context.Background(), a, model.DateOf(now))
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.taskCount(r); n != want {
		t.Fatalf("premier compte : %d, attendu %d", n, want)
	}
	// Kept past its life with another value: shown as is, then counted
	// again.
	srv.taskCounts.set("u", want+100, now)
	now = now.Add(taskCountLife + time.Second)
	if n := srv.taskCount(r); n != want+100 {
		t.Fatalf("compte périmé : %d, le compte gardé (%d) attendu sans attendre", n, want+100)
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		if n, fresh, _ := srv.taskCounts.get("u", now); fresh && n == want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("le compte n'a pas été refait en arrière-plan")
		}
	}
	if n := srv.taskCount(r); n != want {
		t.Errorf("après le recompte : %d, attendu %d", n, want)
	}
}
