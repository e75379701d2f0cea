package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/ctg-territoires/ctg/internal/model"
)

// token returns a personal access token of a role's account.
func (e *testEnv) token(t *testing.T, role string) string {
	t.Helper()
	ctx := context.Background()
	u, err := e.st.UserByEmail(ctx, role+"@exemple.fr")
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.st.Actor(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := e.svc.CreateToken(ctx, a, "client "+role)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// raw sends a request with the given headers and body, and returns the
// status and the body of the answer.
func (e *testEnv) raw(t *testing.T, method, path string, headers map[string]string, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// cookie is the Cookie header of a role's session.
func (e *testEnv) cookie(role string) string {
	return sessionCookie + "=" + e.sessions[role].token
}

func TestAPIAuthorizationHeaderOtherThanBearerDisablesNoCheck(t *testing.T) {
	e := newEnv(t)
	f := e.record(t, "fiche", fiche22)
	path := "/api/v1/conventions/" + slug + "/records/fiche/" + f.Target.Meta.ID
	body := `{"version": ` + strconv.Itoa(f.Version) + `, "fields": {"title": "Titre imposé par un autre site"}}`
	cases := map[string]map[string]string{
		"autre site": {"Cookie": e.cookie("editeur"), "Authorization": "Basic x", "Origin": "https://site-malveillant.example",
			"Content-Type": "application/json"},
		"sans jeton CSRF": {"Cookie": e.cookie("editeur"), "Authorization": "Basic x", "Content-Type": "application/json"},
		"jeton Bearer invalide": {"Cookie": e.cookie("editeur"), "Authorization": "Bearer faux", "Origin": "https://site-malveillant.example",
			"Content-Type": "application/json"},
	}
	for name, headers := range cases {
		t.Run(name, func(t *testing.T) {
			status, answer := e.raw(t, "PATCH", path, headers, body)
			if status != http.StatusForbidden && status != http.StatusUnauthorized {
				t.Errorf("statut %d : %s", status, answer)
			}
		})
	}
	if got := e.record(t, "fiche", fiche22); got.Version != f.Version || got.Values["title"] != f.Values["title"] {
		t.Errorf("la fiche a été modifiée : %q", got.Values["title"])
	}
}

func TestCrossSiteRequestsAreRefused(t *testing.T) {
	e := newEnv(t)
	step := e.record(t, "step", step22)
	// A browser says where a request comes from with Sec-Fetch-Site even
	// when it sends no Origin.
	form := url.Values{"version": {strconv.Itoa(step.Version)}, "status": {"done"}, "csrf": {e.sessions["editeur"].csrf}}
	status, body := e.raw(t, "POST", "/c/"+slug+"/modifier/step/"+step.Target.Meta.ID, map[string]string{
		"Cookie": e.cookie("editeur"), "Sec-Fetch-Site": "cross-site", "Content-Type": "application/x-www-form-urlencoded"}, form.Encode())
	if status != http.StatusForbidden || !strings.Contains(body, "elle ne vient pas de ce site") {
		t.Errorf("formulaire envoyé depuis un autre site : statut %d\n%s", status, body)
	}
	// A session's API call carrying its CSRF token is still refused from
	// another site.
	path := "/api/v1/conventions/" + slug + "/records/step/" + step.Target.Meta.ID
	patch := `{"version": ` + strconv.Itoa(step.Version) + `, "fields": {"status": "done"}}`
	status, body = e.raw(t, "PATCH", path, map[string]string{"Cookie": e.cookie("editeur"), "X-CSRF-Token": e.sessions["editeur"].csrf,
		"Origin": "https://site-malveillant.example", "Content-Type": "application/json"}, patch)
	if status != http.StatusForbidden || !strings.Contains(body, `"error"`) {
		t.Errorf("appel de l'API depuis un autre site : statut %d\n%s", status, body)
	}
	if got := e.record(t, "step", step22); got.Version != step.Version {
		t.Fatal("l'étape a été modifiée")
	}
	// The same call from the site itself goes through.
	status, body = e.raw(t, "PATCH", path, map[string]string{"Cookie": e.cookie("editeur"), "X-CSRF-Token": e.sessions["editeur"].csrf,
		"Origin": e.srv.URL, "Content-Type": "application/json"}, patch)
	if status != http.StatusOK {
		t.Fatalf("appel de l'API depuis le site : statut %d\n%s", status, body)
	}
	// A client with a token may call from anywhere.
	step = e.record(t, "step", step22)
	patch = `{"version": ` + strconv.Itoa(step.Version) + `, "fields": {"status": "in_progress"}}`
	status, body = e.raw(t, "PATCH", path, map[string]string{"Authorization": "Bearer " + e.token(t, "editeur"),
		"Origin": "https://outil-de-suivi.example", "Sec-Fetch-Site": "cross-site", "Content-Type": "application/json"}, patch)
	if status != http.StatusOK {
		t.Errorf("appel avec un jeton depuis un autre site : statut %d\n%s", status, body)
	}
}

func TestInvalidUTF8IsRefusedAtTheEdge(t *testing.T) {
	e := newEnv(t)
	f := e.record(t, "fiche", fiche22)
	token := e.token(t, "editeur")
	path := "/api/v1/conventions/" + slug + "/records/fiche/" + f.Target.Meta.ID
	bodies := map[string]string{
		"octets invalides": `{"version": ` + strconv.Itoa(f.Version) + `, "fields": {"title": "Caf ` + "\xff\xfe" + `"}}`,
		"caractère NUL":    `{"version": ` + strconv.Itoa(f.Version) + `, "fields": {"title": "Caf \u0000"}}`,
	}
	for name, body := range bodies {
		t.Run("API "+name, func(t *testing.T) {
			status, answer := e.raw(t, "PATCH", path, map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/json"}, body)
			var out apiError
			if err := json.Unmarshal([]byte(answer), &out); err != nil {
				t.Fatalf("réponse illisible : %s", answer)
			}
			if status != http.StatusBadRequest || len(out.Details) != 1 || out.Details[0].Path != "fields.title" ||
				!strings.Contains(out.Details[0].Message, "UTF-8 attendu") {
				t.Errorf("statut %d : %s", status, answer)
			}
		})
	}
	t.Run("formulaire", func(t *testing.T) {
		form := url.Values{"version": {strconv.Itoa(f.Version)}, "title": {"Caf \xff"}}
		resp, body := e.do(t, "editeur", "POST", "/c/"+slug+"/modifier/fiche/"+f.Target.Meta.ID, form)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "le champ « title » contient des caractères invalides (UTF-8 attendu)") {
			t.Errorf("statut %d\n%s", resp.StatusCode, body)
		}
	})
	t.Run("paramètre d'une suppression", func(t *testing.T) {
		status, answer := e.raw(t, "DELETE", path+"?version=1&motif=%00", map[string]string{"Authorization": "Bearer " + token}, "")
		if status != http.StatusBadRequest || !strings.Contains(answer, "motif") {
			t.Errorf("statut %d : %s", status, answer)
		}
	})
	t.Run("champ d'un envoi de fichier", func(t *testing.T) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		_ = mw.WriteField("csrf", e.sessions["editeur"].csrf)
		_ = mw.WriteField("annee", "2024\xc3")
		fw, _ := mw.CreateFormFile("fichier", "valeurs.csv")
		_, _ = fw.Write([]byte("Code;Période;Ventilation;Valeur;Texte;Source;Commentaire\r\n"))
		mw.Close()
		status, answer := e.raw(t, "POST", "/c/"+slug+"/indicateurs/import", map[string]string{"Cookie": e.cookie("editeur"),
			"Content-Type": mw.FormDataContentType()}, body.String())
		if status != http.StatusBadRequest || !strings.Contains(answer, "le champ « annee » contient des caractères invalides") {
			t.Errorf("statut %d\n%s", status, answer)
		}
	})
	if got := e.record(t, "fiche", fiche22); got.Version != f.Version || got.Values["title"] != f.Values["title"] {
		t.Errorf("la fiche a été modifiée : %q", got.Values["title"])
	}
}

func TestBilanYearIsCheckedNotACrash(t *testing.T) {
	e := newEnv(t)
	for _, q := range []string{"", "?annee=", "?annee=deux-mille", "?annee=1990"} {
		for _, format := range []string{"pdf", "xlsx"} {
			resp, body := e.do(t, "lecteur", "GET", "/c/"+slug+"/bilan."+format+q, nil)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "année") {
				t.Errorf("bilan.%s%s : statut %d\n%s", format, q, resp.StatusCode, body)
			}
		}
	}
	if resp, _ := e.do(t, "lecteur", "GET", "/c/"+slug+"/bilan.xlsx?annee=2023", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("bilan 2023 : statut %d", resp.StatusCode)
	}
}

func TestConcurrentValueSavesConflictRatherThanFail(t *testing.T) {
	e := newEnv(t)
	if _, err := e.svc.RemoveDemo(context.Background(), slug); err != nil {
		t.Fatal(err)
	}
	token := e.token(t, "editeur")
	path := "/api/v1/conventions/" + slug + "/indicators/4.1-1/values"
	headers := map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/json"}
	race := func(body func(i int) string) map[int]int {
		statuses := map[int]int{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				status := 0
				req, _ := http.NewRequest("POST", e.srv.URL+path, strings.NewReader(body(i)))
				for k, v := range headers {
					req.Header.Set(k, v)
				}
				if resp, err := http.DefaultClient.Do(req); err == nil {
					status = resp.StatusCode
					resp.Body.Close()
				}
				mu.Lock()
				statuses[status]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		return statuses
	}
	// The same new value, entered by several people at once.
	got := race(func(i int) string { return `{"period": "2023", "value": "` + strconv.Itoa(i+1) + `"}` })
	if got[http.StatusCreated] != 1 || got[http.StatusConflict] != 11 {
		t.Errorf("saisies simultanées : %v", got)
	}
	vs, err := e.st.Values(context.Background(), slug, "4.1-1")
	if err != nil || len(vs) != 1 {
		t.Fatalf("%d valeur(s), %v", len(vs), err)
	}
	// The same correction of it, by several people at once.
	v := vs[0]
	got = race(func(i int) string {
		return `{"id": "` + v.ID + `", "version": ` + strconv.Itoa(v.Version) + `, "period": "2023", "value": "` + strconv.Itoa(i+10) + `"}`
	})
	if got[http.StatusOK] != 1 || got[http.StatusConflict] != 11 {
		t.Errorf("corrections simultanées : %v", got)
	}
}

func TestUnknownPathsAnswerInFrench(t *testing.T) {
	e := newEnv(t)
	resp, body := e.do(t, "lecteur", "GET", "/nulle-part", nil)
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "Page introuvable") || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("page inconnue : %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	resp, body = e.do(t, "lecteur", "GET", "/static/absent.css", nil)
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "Page introuvable") {
		t.Errorf("fichier statique inconnu : %d\n%s", resp.StatusCode, body)
	}
	resp, body = e.do(t, "lecteur", "GET", "/api/v1/nulle-part", nil)
	var out apiError
	if resp.StatusCode != http.StatusNotFound || json.Unmarshal([]byte(body), &out) != nil || out.Error == "" || strings.Contains(body, "page not found") {
		t.Errorf("route d'API inconnue : %d\n%s", resp.StatusCode, body)
	}
	resp, body = e.do(t, "lecteur", "PUT", "/conventions", nil)
	if resp.StatusCode != http.StatusMethodNotAllowed || strings.Contains(body, "Method Not Allowed") {
		t.Errorf("méthode non prise en charge : %d\n%s", resp.StatusCode, body)
	}
}

func TestAPIErrorsShowNoInternalDetail(t *testing.T) {
	e := newEnv(t)
	token := e.token(t, "editeur")
	f := e.record(t, "fiche", fiche22)
	path := "/api/v1/conventions/" + slug + "/records/fiche/" + f.Target.Meta.ID
	status, body := e.raw(t, "PATCH", path, map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/json"},
		`{"version": 1, "champs": {}}`)
	if status != http.StatusBadRequest || strings.Contains(body, "json:") || !strings.Contains(body, "champs") {
		t.Errorf("champ inconnu : %d %s", status, body)
	}
	status, body = e.raw(t, "PATCH", path, map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/json"},
		`{"version": "un"}`)
	if status != http.StatusBadRequest || strings.Contains(body, "json:") || strings.Contains(body, "Go struct") {
		t.Errorf("type inattendu : %d %s", status, body)
	}
}

func TestErrorsMapToStatusAndSafeFrenchMessage(t *testing.T) {
	var logged bytes.Buffer
	s, err := New(nil, slog.New(slog.NewTextHandler(&logged, nil)), "test")
	if err != nil {
		t.Fatal(err)
	}
	driver := errors.New("pq: duplicate key value violates unique constraint \"indicator_values_key\"")
	cases := []struct {
		err    error
		status int
		shown  string
	}{
		// What the store returns to the loser of a concurrent correction.
		{fmt.Errorf("valeur : %w", model.ErrStale), http.StatusConflict, "modifié entre-temps"},
		{errors.Join(fmt.Errorf("une valeur existe déjà pour 4.1-1, période 2023 : %w", model.ErrConflict), driver), http.StatusConflict,
			"une valeur existe déjà pour 4.1-1, période 2023"},
		{fmt.Errorf("lecture : %w", model.ErrNotFound), http.StatusNotFound, "introuvable"},
		{&model.ValidationError{Errors: []model.FieldError{{Path: "period", Message: "période « 2031 » hors de la convention"}}},
			http.StatusUnprocessableEntity, "période « 2031 » hors de la convention"},
		{driver, http.StatusInternalServerError, "erreur interne du serveur"},
	}
	for _, c := range cases {
		logged.Reset()
		for _, path := range []string{"/api/v1/conventions", "/conventions"} {
			w := httptest.NewRecorder()
			r := httptest.NewRequest("POST", path, nil)
			if strings.HasPrefix(path, "/api/") {
				s.writeError(w, r, c.err)
			} else {
				s.pageError(w, r, c.err)
			}
			body := strings.ToLower(strings.ReplaceAll(w.Body.String(), "&#39;", "'"))
			if w.Code != c.status || !strings.Contains(body, strings.ToLower(c.shown)) {
				t.Errorf("%s, %v : statut %d\n%s", path, c.err, w.Code, body)
			}
			if strings.Contains(body, "pq:") || strings.Contains(body, "duplicate key") {
				t.Errorf("%s, %v : la cause interne est montrée\n%s", path, c.err, body)
			}
		}
		if c.status == http.StatusInternalServerError && !strings.Contains(logged.String(), "duplicate key") {
			t.Errorf("%v : cause absente du journal : %s", c.err, logged.String())
		}
	}
}
