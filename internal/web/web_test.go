package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/store"
)

func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "ctg.db"))
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
	return srv
}

func TestRoutes(t *testing.T) {
	srv := newServer(t)
	cases := []struct {
		path        string
		status      int
		contentType string
		contains    []string
	}{
		{"/", 200, "text/html", []string{`lang="fr"`, "ctg-forcalquier-2022", "du 1er janvier 2022 au 31 décembre 2024", "signée"}},
		{"/healthz", 200, "application/json", []string{`"status": "ok"`, `"database": "sqlite"`}},
		{"/api/v1/conventions", 200, "application/json", []string{`"slug": "ctg-forcalquier-2022"`, `"url": "/api/v1/conventions/ctg-forcalquier-2022"`}},
		{"/api/v1/conventions/ctg-forcalquier-2022", 200, "application/json", []string{`"signatory": true`, `"code": "2.2"`}},
		{"/api/v1/conventions/ctg-forcalquier-2022/export", 200, "application/yaml", []string{"slug: ctg-forcalquier-2022"}},
		{"/api/v1/conventions/inconnue", 404, "application/json", []string{`"error": "introuvable"`}},
		{"/api/v1/conventions/inconnue/export", 404, "application/json", []string{"introuvable"}},
		{"/api/v1/schema", 200, "application/schema+json", []string{`"$schema"`, "2020-12"}},
		{"/nulle-part", 404, "text/plain", nil},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			resp, err := http.Get(srv.URL + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status {
				t.Errorf("statut %d, %d attendu", resp.StatusCode, tc.status)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tc.contentType) {
				t.Errorf("Content-Type %q", ct)
			}
			if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Content-Security-Policy") == "" {
				t.Error("en-têtes de sécurité absents")
			}
			for _, want := range tc.contains {
				if !strings.Contains(string(body), want) {
					t.Errorf("%q absent de la réponse", want)
				}
			}
		})
	}
	resp, _ := http.Post(srv.URL+"/api/v1/conventions", "application/json", strings.NewReader("{}"))
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST : statut %d", resp.StatusCode)
	}
}

func TestConventionJSONMirrorsTheFile(t *testing.T) {
	srv := newServer(t)
	resp, err := http.Get(srv.URL + "/api/v1/conventions/" + examples.ForcalquierSlug)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var c model.Convention
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
		t.Fatal(err)
	}
	if len(c.Parties) != 6 || len(c.Equipments) != 15 || len(c.Committees) != 2 || len(c.Articles) != 14 || len(c.Annexes) != 6 {
		t.Errorf("parties %d, équipements %d, comités %d, articles %d, annexes %d",
			len(c.Parties), len(c.Equipments), len(c.Committees), len(c.Articles), len(c.Annexes))
	}
	if c.Territory.EPCI != "240400440" || len(c.Territory.Resolved) != 13 {
		t.Errorf("territoire : %s, %d communes", c.Territory.EPCI, len(c.Territory.Resolved))
	}
	signed := 0
	for _, tc := range c.Territory.Resolved {
		if tc.Signatory {
			signed++
		}
	}
	if signed != 3 {
		t.Errorf("%d communes signataires, 3 attendues", signed)
	}
	if c.ID == "" || c.Axes[1].Fiches[1].ID == "" || c.Axes[1].Fiches[1].Version != 1 {
		t.Error("métadonnées des enregistrements absentes du JSON")
	}
}
