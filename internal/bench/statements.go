package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"sync/atomic"
	"time"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/store"
	"github.com/ctg-territoires/ctg/internal/web"
)

// stepFigures are the figures taken at each step of the loading that are
// compared between 1 convention and all of them.
type stepFigures struct {
	statements []pageStatements
	report     time.Duration
}

// pageStatements is how many SQL statements a page sent: on its first
// request after the server started, and on the next one.
type pageStatements struct {
	what, path  string
	first, next int64
}

// atStep measures, after the loading of n conventions, the statements of
// the pages and `ctg report`: at the first step it keeps them as the
// baseline, at the last it prints them against it.
func (r *runner) atStep(ctx context.Context, n int, first, last bool) error {
	if !first && !last {
		return nil
	}
	var f stepFigures
	var err error
	if f.statements, err = r.countStatements(ctx); err != nil {
		return err
	}
	if f.report, err = r.reportTime(ctx); err != nil {
		return err
	}
	if first {
		r.at1 = f
	}
	if !last {
		return nil
	}
	for i, s := range f.statements {
		b := r.at1.statements[i]
		r.add(fmt.Sprintf("instructions SQL %s (1re requête / suivante)", s.what), fmt.Sprintf("à %d : %d / %d", n, s.first, s.next),
			fmt.Sprintf("à 1 : %d / %d", b.first, b.next), countRatio(s.first, b.first), "constant")
	}
	runs := 3
	if r.cfg.Quick {
		runs = 1
	}
	r.add(fmt.Sprintf("ctg report (bilan PDF et XLSX d'une convention) à %d conventions (médiane de %d)", n, runs), ms(f.report),
		"à 1 : "+ms(r.at1.report), ratio(f.report, r.at1.report), "garder (≈ 1×)")
	return nil
}

// countStatements serves the database in this process, over a store that
// counts each statement it sends (store.OpenCounting, the real driver),
// signs in as the platform administrator and requests each page twice:
// the server is the one `ctg serve` runs (web.New), so are the counts.
func (r *runner) countStatements(ctx context.Context) ([]pageStatements, error) {
	var n atomic.Int64
	st, err := store.OpenCounting(ctx, r.dsn, &n)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	svc, err := app.New(st)
	if err != nil {
		return nil, err
	}
	h, err := web.New(svc, slog.New(slog.NewTextHandler(io.Discard, nil)), "mesure")
	if err != nil {
		return nil, err
	}
	ts := httptest.NewServer(h)
	defer ts.Close()
	client, err := r.signIn(ts.URL)
	if err != nil {
		return nil, err
	}
	slug := r.ds.Conventions[0].Convention.Slug
	pages := []pageStatements{
		{what: "de la liste des conventions", path: "/conventions"},
		{what: "de la vue d'ensemble", path: "/c/" + slug},
		{what: "du tableau de bord", path: "/c/" + slug + "/indicateurs"},
	}
	for i := range pages {
		p := &pages[i]
		for _, count := range []*int64{&p.first, &p.next} {
			n.Store(0)
			if err := fetch(ctx, client, ts.URL+p.path); err != nil {
				return nil, fmt.Errorf("%s : %w", p.path, err)
			}
			*count = n.Load()
		}
	}
	return pages, nil
}

// signIn signs in as the platform administrator through the login form
// of the server at base and returns a client holding the session.
func (r *runner) signIn(base string) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	login := &http.Client{Jar: jar, Timeout: 5 * time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := login.PostForm(base+"/connexion", url.Values{"email": {AdminEmail}, "password": {r.password}, "suite": {"/compte"}})
	if err != nil {
		return nil, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("connexion au serveur de mesure : statut %d", resp.StatusCode)
	}
	return &http.Client{Jar: jar, Timeout: 5 * time.Minute}, nil
}

// fetch GETs url and reads the whole answer, which must be a 200.
func fetch(ctx context.Context, client *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("statut %d", resp.StatusCode)
	}
	return nil
}

// reportTime runs `ctg report` of the first convention, the annual report
// of 2024 (PDF and XLSX), and returns the median wall time of 3 runs (1
// in a quick run).
func (r *runner) reportTime(ctx context.Context) (time.Duration, error) {
	runs := 3
	if r.cfg.Quick {
		runs = 1
	}
	slug := r.ds.Conventions[0].Convention.Slug
	var times []time.Duration
	for i := 0; i < runs; i++ {
		t := time.Now()
		cmd := r.command(ctx, "report", "--db", r.dsn, "--convention", slug, "--year", "2024", "-o", filepath.Join(r.cfg.Dir, "bilan-mesure.pdf"))
		if out, err := cmd.CombinedOutput(); err != nil {
			return 0, fmt.Errorf("ctg report : %w\n%s", err, out)
		}
		times = append(times, time.Since(t))
	}
	slices.Sort(times)
	return times[len(times)/2], nil
}

func countRatio(a, b int64) string {
	if b <= 0 {
		return "—"
	}
	return ratio(time.Duration(a), time.Duration(b))
}
