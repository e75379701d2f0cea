package cli

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/store"
	"github.com/ctg-territoires/ctg/internal/store/pgtest"
)

var pg *pgtest.Server

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, &pg)) }

// databases returns a fresh SQLite path and, when available, a fresh
// PostgreSQL URL: the CLI is tested on both.
func databases(t *testing.T) map[string]string {
	dbs := map[string]string{"sqlite": filepath.Join(t.TempDir(), "ctg.db")}
	if pg != nil {
		dsn, err := pg.CreateDatabase(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		dbs["postgres"] = dsn
	}
	return dbs
}

func run(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(context.Background(), Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb}, args)
	return code, out.String(), errb.String()
}

func exampleFile(t *testing.T) string {
	path := filepath.Join(t.TempDir(), "ctg-forcalquier-2022.yaml")
	if err := os.WriteFile(path, examples.Forcalquier, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestImportExportRoundTripIsByteIdentical(t *testing.T) {
	for name, db := range databases(t) {
		t.Run(name, func(t *testing.T) {
			code, out, errs := run(t, "", "import", "--db", db, exampleFile(t))
			if code != 0 || strings.TrimSpace(out) != examples.ForcalquierSlug {
				t.Fatalf("import : code %d, sortie %q, erreurs %q", code, out, errs)
			}
			first := filepath.Join(t.TempDir(), "first.yaml")
			if code, _, errs := run(t, "", "export", "--db", db, "-o", first); code != 0 {
				t.Fatalf("export : %s", errs)
			}
			// Import the export into a second database, then export again.
			other := filepath.Join(t.TempDir(), "other.db")
			if code, _, errs := run(t, "", "import", first, "--db", other); code != 0 {
				t.Fatalf("réimport : %s", errs)
			}
			code, second, errs := run(t, "", "export", "--db", other, "--convention", examples.ForcalquierSlug)
			if code != 0 {
				t.Fatalf("second export : %s", errs)
			}
			firstBytes, _ := os.ReadFile(first)
			if !bytes.Equal(firstBytes, []byte(second)) || !bytes.Equal(firstBytes, examples.Forcalquier) {
				t.Fatal("import → export → import → export ne redonne pas le même fichier")
			}
		})
	}
}

func TestBadFileWritesNothing(t *testing.T) {
	for name, db := range databases(t) {
		t.Run(name, func(t *testing.T) {
			if code, _, errs := run(t, "", "import", "--db", db, exampleFile(t)); code != 0 {
				t.Fatal(errs)
			}
			before := counts(t, db)
			bad := strings.Replace(string(examples.Forcalquier), "slug: ctg-forcalquier-2022", "slug: autre-convention", 1)
			bad = strings.Replace(bad, `commune: "04206"`, `commune: "04999"`, 1)
			code, _, errs := run(t, bad, "import", "--db", db, "-")
			if code != 1 || !strings.Contains(errs, "rien n'a été enregistré") || !strings.Contains(errs, "equipments[7].commune") || !strings.Contains(errs, "ligne ") {
				t.Fatalf("code %d, erreurs :\n%s", code, errs)
			}
			// The same slug again is a conflict, explained, and writes nothing either.
			code, _, errs = run(t, "", "import", "--db", db, exampleFile(t))
			if code != 1 || !strings.Contains(errs, "existe déjà") || !strings.Contains(errs, "--replace") {
				t.Fatalf("code %d, erreurs :\n%s", code, errs)
			}
			after := counts(t, db)
			for table, n := range before {
				if after[table] != n {
					t.Errorf("%s : %d → %d lignes", table, n, after[table])
				}
			}
		})
	}
}

func counts(t *testing.T, db string) map[string]int {
	t.Helper()
	s, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := s.Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"import"}, {"export", "extra"}, {"serve", "--addr"}, {"frobnicate"}, {}} {
		if code, _, _ := run(t, "", args...); code != 2 {
			t.Errorf("%v : code %d, 2 attendu", args, code)
		}
	}
	code, _, errs := run(t, "", "import", "--db", filepath.Join(t.TempDir(), "x.db"), "/nonexistent.yaml")
	if code != 1 || !strings.Contains(errs, "/nonexistent.yaml") {
		t.Errorf("fichier absent : code %d, %q", code, errs)
	}
	code, _, errs = run(t, "", "serve", "--db", filepath.Join(t.TempDir(), "x.db"), "--addr", "nimportequoi")
	if code != 1 || !strings.Contains(errs, "--addr") {
		t.Errorf("adresse invalide : code %d, %q", code, errs)
	}
	if code, out, _ := run(t, "", "version"); code != 0 || !strings.HasPrefix(out, "ctg ") {
		t.Errorf("version : %d %q", code, out)
	}
}

// lockedBuffer is written by the server goroutine and read by the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var passwordRE = regexp.MustCompile(`mot de passe : (\S+)`)

// TestServeGivesANewcomerAWayIn follows the README: serve an empty
// database, sign in with the account it prints, read the bundled
// convention, then stop with a signal.
func TestServeGivesANewcomerAWayIn(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int)
	errb := &lockedBuffer{}
	go func() {
		done <- Run(ctx, Env{Stdout: &bytes.Buffer{}, Stderr: errb}, []string{"serve", "--db", filepath.Join(t.TempDir(), "s.db"), "--addr", addr})
	}()
	base := "http://" + addr
	for i := 0; i < 100; i++ {
		if _, err = http.Get(base + "/healthz"); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("serveur injoignable : %v", err)
	}
	m := passwordRE.FindStringSubmatch(errb.String())
	if m == nil || !strings.Contains(errb.String(), firstAdminEmail) {
		t.Fatalf("aucun compte annoncé au démarrage :\n%s", errb.String())
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	resp, err := client.PostForm(base+"/connexion", url.Values{"email": {firstAdminEmail}, "password": {m[1]}, "suite": {"/c/" + examples.ForcalquierSlug + "/fiches/2.2"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Fiche action 2.2") {
		t.Fatalf("après connexion : statut %d", resp.StatusCode)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("arrêt : code %d\n%s", code, errb.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("le serveur ne s'arrête pas")
	}
	if !strings.Contains(errb.String(), "serveur arrêté") {
		t.Errorf("journal :\n%s", errb.String())
	}
}

func TestUserCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "u.db")
	if code, _, errs := run(t, "", "import", "--db", db, exampleFile(t)); code != 0 {
		t.Fatal(errs)
	}
	code, out, errs := run(t, "", "user", "add", "--db", db, "--email", "Coord@Exemple.fr", "--name", "Coordinatrice")
	if code != 0 || !strings.Contains(out, "compte créé : coord@exemple.fr") || !strings.Contains(out, "mot de passe : ") {
		t.Fatalf("add : %d %q %q", code, out, errs)
	}
	if code, _, errs := run(t, "un mot de passe solide\n", "user", "add", "--db", db, "--email", "pas-une-adresse", "--name", "X", "--password-stdin"); code != 1 ||
		!strings.Contains(errs, "email : adresse électronique") {
		t.Errorf("adresse invalide : %d %q", code, errs)
	}
	if code, _, errs := run(t, "court\n", "user", "add", "--db", db, "--email", "a@exemple.fr", "--name", "A", "--password-stdin"); code != 1 ||
		!strings.Contains(errs, "password : mot de passe trop court") {
		t.Errorf("mot de passe court : %d %q", code, errs)
	}
	if code, _, errs := run(t, "", "user", "grant", "--db", db, "--email", "coord@exemple.fr", "--convention", examples.ForcalquierSlug, "--role", "contributor"); code != 1 ||
		!strings.Contains(errs, "organization") {
		t.Errorf("contributeur sans organisation : %d %q", code, errs)
	}
	if code, out, errs := run(t, "", "user", "grant", "--db", db, "--email", "coord@exemple.fr", "--convention", examples.ForcalquierSlug, "--role", "editor"); code != 0 {
		t.Errorf("grant : %d %q %q", code, out, errs)
	}
	if code, _, errs := run(t, "un nouveau mot de passe\n", "user", "password", "--db", db, "--email", "coord@exemple.fr"); code != 0 {
		t.Errorf("password : %d %q", code, errs)
	}
	code, out, _ = run(t, "", "user", "token", "--db", db, "--email", "coord@exemple.fr", "--name", "tableur")
	if code != 0 || !strings.HasPrefix(out, "ctg_") {
		t.Errorf("token : %d %q", code, out)
	}
	if code, out, _ := run(t, "", "user", "list", "--db", db); code != 0 || !strings.Contains(out, "coord@exemple.fr\tCoordinatrice") {
		t.Errorf("list : %d %q", code, out)
	}
}

func TestLintFileAndStoredConventionAgree(t *testing.T) {
	for name, db := range databases(t) {
		t.Run(name, func(t *testing.T) {
			file := exampleFile(t)
			if code, _, errs := run(t, "", "import", "--db", db, file); code != 0 {
				t.Fatal(errs)
			}
			codeFile, fromFile, errs := run(t, "", "lint", "--at", "2026-11-27", "--format", "json", file)
			if codeFile != 1 {
				t.Fatalf("code %d (1 attendu : la convention a des erreurs) %s", codeFile, errs)
			}
			codeDB, fromDB, errs := run(t, "", "lint", "--db", db, "--convention", examples.ForcalquierSlug, "--at", "2026-11-27", "--format", "json")
			if codeDB != 1 || fromDB != fromFile {
				t.Fatalf("résultats différents (code %d %s) :\n%s\n---\n%s", codeDB, errs, fromFile, fromDB)
			}
			for _, rule := range []string{"AUTH-DATE-MISSING", "FICHES-PROMISED-OVERDUE", "FICHE-TITLE-MISMATCH"} {
				if !strings.Contains(fromFile, `"rule": "`+rule+`"`) {
					t.Errorf("%s absent", rule)
				}
			}
		})
	}
	code, out, _ := run(t, "", "lint", "--at", "2022-12-01", exampleFile(t))
	if code != 1 || strings.Contains(out, "FICHES-PROMISED-OVERDUE") || !strings.Contains(out, "Contrôle de ctg-forcalquier-2022 au 2022-12-01") {
		t.Errorf("au 1er décembre 2022, l'échéance du 31 mars 2023 n'est pas dépassée :\n%s", out)
	}
	if code, _, errs := run(t, "", "lint", "--at", "27/11/2026", exampleFile(t)); code != 1 || !strings.Contains(errs, "--at") {
		t.Errorf("date invalide : %d %q", code, errs)
	}
}

func TestReportWritesPDFAndXLSX(t *testing.T) {
	db := filepath.Join(t.TempDir(), "r.db")
	if code, _, errs := run(t, "", "import", "--db", db, exampleFile(t)); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := run(t, "", "demo", "--db", db); code != 0 {
		t.Fatal(errs)
	}
	out := filepath.Join(t.TempDir(), "bilan-2024.pdf")
	code, stdout, errs := run(t, "", "report", "--db", db, "--year", "2024", "-o", out)
	if code != 0 || !strings.Contains(stdout, "Bilan annuel 2024") || !strings.Contains(stdout, "données fictives") {
		t.Fatalf("report : %d %q %q", code, stdout, errs)
	}
	pdf, err := os.ReadFile(out)
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("PDF : %v", err)
	}
	if xlsx, err := os.ReadFile(strings.TrimSuffix(out, ".pdf") + ".xlsx"); err != nil || !bytes.HasPrefix(xlsx, []byte("PK")) {
		t.Fatalf("XLSX : %v", err)
	}
	if code, _, errs := run(t, "", "report", "--db", db, "--year", "2031", "-o", out); code != 1 || !strings.Contains(errs, "hors de la convention") {
		t.Errorf("année hors période : %d %q", code, errs)
	}
	if code, _, errs := run(t, "", "report", "--db", db, "-o", "bilan.docx"); code != 1 || !strings.Contains(errs, "-o") {
		t.Errorf("extension : %d %q", code, errs)
	}
}

func TestConventionPDFWritesTheConsolidatedText(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	if code, _, errs := run(t, "", "import", "--db", db, exampleFile(t)); code != 0 {
		t.Fatal(errs)
	}
	out := filepath.Join(t.TempDir(), "texte.pdf")
	code, stdout, errs := run(t, "", "convention-pdf", "--db", db, "-o", out)
	if code != 0 || !strings.Contains(stdout, "texte consolidé de "+examples.ForcalquierSlug) || !strings.Contains(stdout, out) {
		t.Fatalf("convention-pdf : %d %q %q", code, stdout, errs)
	}
	if pdf, err := os.ReadFile(out); err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("PDF : %v", err)
	}
	// Without -o, the file is named after the convention, in the current directory.
	t.Chdir(t.TempDir())
	if code, _, errs := run(t, "", "convention-pdf", "--db", db, "--convention", examples.ForcalquierSlug); code != 0 {
		t.Fatalf("convention-pdf sans -o : %s", errs)
	}
	if _, err := os.Stat(examples.ForcalquierSlug + "-convention.pdf"); err != nil {
		t.Errorf("fichier par défaut : %v", err)
	}
	if code, _, errs := run(t, "", "convention-pdf", "--db", db, "--convention", "inconnue"); code != 1 || !strings.Contains(errs, "inconnue") {
		t.Errorf("convention inconnue : %d %q", code, errs)
	}
	if code, _, errs := run(t, "", "convention-pdf", "--db", db, "-o", "texte.docx"); code != 1 || !strings.Contains(errs, "-o") {
		t.Errorf("extension : %d %q", code, errs)
	}
}

// TestDBDefaultsToCTGDB checks the one --db flag every command shares:
// CTG_DB is the default, --db overrides it.
func TestDBDefaultsToCTGDB(t *testing.T) {
	fromEnv := filepath.Join(t.TempDir(), "env.db")
	t.Setenv("CTG_DB", fromEnv)
	if code, _, errs := run(t, "", "import", exampleFile(t)); code != 0 {
		t.Fatalf("import sans --db : %s", errs)
	}
	if c := counts(t, fromEnv); c["conventions"] != 1 {
		t.Fatalf("CTG_DB ignoré : %d convention(s) dans %s", c["conventions"], fromEnv)
	}
	other := filepath.Join(t.TempDir(), "flag.db")
	if code, _, errs := run(t, "", "migrate", "--db", other); code != 0 {
		t.Fatalf("migrate --db : %s", errs)
	}
	if code, _, errs := run(t, "", "export", "--db", other); code != 1 || !strings.Contains(errs, "aucune convention") {
		t.Errorf("--db ne remplace pas CTG_DB : code %d, %q", code, errs)
	}
}

func TestServeRefusesSMTPSettingsThatCannotWork(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.db")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--smtp-host", "smtp.exemple.fr", "--smtp-tls", "none", "--smtp-from", "ctg@exemple.fr"}, "envoi en clair refusé vers smtp.exemple.fr"},
		{[]string{"--smtp-host", "smtp.exemple.fr"}, "--smtp-from : adresse d'expédition obligatoire"},
		{[]string{"--smtp-host", "smtp.exemple.fr", "--smtp-tls", "ssl", "--smtp-from", "ctg@exemple.fr"}, "--smtp-tls : « ssl » inconnu"},
		{[]string{"--public-url", "ctg.exemple.fr"}, "--public-url : adresse « ctg.exemple.fr » invalide"},
		{[]string{"--reminders", "30,sept"}, "--reminders : rappels : « sept » n'est pas un nombre de jours"},
	} {
		args := append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, tc.args...)
		if code, _, errs := run(t, "", args...); code != 1 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v : code %d, %q ; « %s » attendu", tc.args, code, errs, tc.want)
		}
	}
}
