package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
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

// twoServers serves the bundled convention from a server whose store
// counts its statements, and returns a second service on the same
// SQLite file, as another ctg serve would be, with its store.
func twoServers(t testing.TB) (*httptest.Server, store.Store, *atomic.Int64, *app.Service, store.Store) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ctg.db")
	statements := &atomic.Int64{}
	st, err := store.OpenCounting(ctx, path, statements)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc, err := app.New(st)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.LoadExampleIfEmpty(ctx); err != nil {
		t.Fatal(err)
	}
	h, err := New(svc, slog.New(slog.NewTextHandler(io.Discard, nil)), "test")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	other, otherStore := apptest.Empty(t, path)
	return srv, st, statements, other, otherStore
}

// viewer signs in a platform administrator on st and returns a function
// that requests a page as them, with the statements it sent and its body.
func viewer(t testing.TB, srv *httptest.Server, st store.Store, statements *atomic.Int64) func(path string) (int64, string) {
	t.Helper()
	return signedInCounter(t, srv, st, statements, "plateforme@exemple.fr")
}

// A convention's overview viewed again without change reads its revision
// rather than the whole convention; a change made by another server on
// the same database shows at the next view.
func TestOverviewReadsTheConventionOncePerChange(t *testing.T) {
	srv, st, statements, other, otherStore := twoServers(t)
	view := viewer(t, srv, st, statements)
	page := "/c/" + examples.ForcalquierSlug
	first, _ := view(page)
	second, body := view(page)
	if second >= first || second > 8 {
		t.Errorf("vue d'ensemble : %d requêtes SQL la première fois, %d la deuxième (8 au plus attendues)", first, second)
	}
	if !strings.Contains(body, "Convention territoriale globale (Ctg) 2022-2024") {
		t.Fatalf("vue d'ensemble :\n%s", body)
	}
	if n, _ := view(page + "/indicateurs"); n > 6 {
		t.Errorf("indicateurs après la vue d'ensemble : %d requêtes SQL, 6 au plus attendues", n)
	}

	c, err := other.Convention(context.Background(), auth.System, examples.ForcalquierSlug)
	if err != nil {
		t.Fatal(err)
	}
	apptest.Amend(t, other, otherStore, examples.ForcalquierSlug, "convention", c.ID, map[string]string{"title": "Titre changé par l'autre serveur"})
	changed, body := view(page)
	if !strings.Contains(body, "Titre changé par l&#39;autre serveur") {
		t.Errorf("vue d'ensemble après le changement de l'autre serveur : titre absent\n%s", body)
	}
	if changed <= second {
		t.Errorf("vue d'ensemble après un changement : %d requêtes SQL, autant qu'une vue sans changement", changed)
	}
}

// BenchmarkConventionPagesKept serves the overview and the dashboard of
// the bundled convention, alternately right after a change (an entry of
// its history written by another server: the convention is read whole
// again, as every view did before it was kept) and unchanged, and prints
// how many times cheaper the unchanged view is, and the overview's cost
// against the dashboard's.
func BenchmarkConventionPagesKept(b *testing.B) {
	srv, st, _, _, otherStore := twoServers(b)
	h := srv.Config.Handler
	cookie := ""
	{
		// The viewer's session, reused without the network.
		u := &auth.User{Email: "bench@exemple.fr", Name: "Bench", PasswordHash: "x", PlatformAdmin: true}
		if err := st.CreateUser(context.Background(), u); err != nil {
			b.Fatal(err)
		}
		var err error
		if cookie, _, err = st.CreateSession(context.Background(), u.ID, time.Hour); err != nil {
			b.Fatal(err)
		}
	}
	serve := func(path string) time.Duration {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
		rec := httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(rec, req)
		d := time.Since(start)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s : statut %d", path, rec.Code)
		}
		return d
	}
	change := func() {
		if err := otherStore.AppendAudit(context.Background(), model.AuditEntry{Convention: examples.ForcalquierSlug,
			Actor: "bench", Action: "comment", ObjectType: "convention"}); err != nil {
			b.Fatal(err)
		}
	}
	overview, dashboard := "/c/"+examples.ForcalquierSlug, "/c/"+examples.ForcalquierSlug+"/indicateurs"
	serve(overview)
	serve(dashboard)
	var overviewRead, overviewKept, dashboardRead, dashboardKept time.Duration
	b.ResetTimer()
	for range b.N {
		change()
		overviewRead += serve(overview)
		overviewKept += serve(overview)
		change()
		dashboardRead += serve(dashboard)
		dashboardKept += serve(dashboard)
	}
	b.StopTimer()
	n := time.Duration(b.N)
	b.ReportMetric(float64(overviewRead)/float64(overviewKept), "vue-relue/gardée")
	b.ReportMetric(float64(dashboardRead)/float64(dashboardKept), "indicateurs-relus/gardés")
	b.ReportMetric(float64(overviewKept)/float64(dashboardKept), "vue/indicateurs")
	b.Logf("vue d'ensemble : relue %v, gardée %v ; indicateurs : relus %v, gardés %v (moyennes sur %d tours)",
		overviewRead/n, overviewKept/n, dashboardRead/n, dashboardKept/n, b.N)
}

// A dashboard viewed again without change reads no value; values removed
// by another server on the same database are gone at the next view.
func TestDashboardFiguresFollowAnotherServer(t *testing.T) {
	srv, st, statements, other, _ := twoServers(t)
	view := viewer(t, srv, st, statements)
	page := "/c/" + examples.ForcalquierSlug + "/indicateurs"
	first, body := view(page)
	second, _ := view(page)
	if second >= first {
		t.Errorf("tableau de bord : %d requêtes SQL la première fois, %d la deuxième", first, second)
	}
	if !strings.Contains(body, "fictive") {
		t.Fatalf("tableau de bord de l'exemple sans ses valeurs fictives :\n%s", body)
	}
	if n, err := other.RemoveDemo(context.Background(), examples.ForcalquierSlug); err != nil || n == 0 {
		t.Fatalf("retrait des valeurs fictives : %d, %v", n, err)
	}
	if _, body := view(page); strings.Contains(body, "fictive") {
		t.Error("tableau de bord après le retrait des valeurs fictives par l'autre serveur : elles y sont encore")
	}
}
