package cli

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func getBody(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var healthCount = regexp.MustCompile(`(?m)^ctg_http_request_duration_seconds_count\{route="GET /healthz",status="2xx"\} (\d+)$`)

// With --metrics-addr, ctg serve exposes its Prometheus metrics on that
// address, never on the site's: request durations by route, the
// database pools, the outbox, the Go runtime and the process.
func TestServeExposesMetricsOnTheirOwnAddress(t *testing.T) {
	addr, metricsAddr := freeAddr(t), freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	errb := &lockedBuffer{}
	go func() {
		done <- Run(ctx, Env{Stdout: &bytes.Buffer{}, Stderr: errb}, []string{"serve", "--db", filepath.Join(t.TempDir(), "m.db"),
			"--addr", addr, "--metrics-addr", metricsAddr})
	}()
	defer func() { cancel(); <-done }()
	base := "http://" + addr
	var err error
	for i := 0; i < 100; i++ {
		var resp *http.Response
		if resp, err = http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("serveur injoignable : %v\n%s", err, errb.String())
	}
	if code, _ := getBody(t, base+"/metrics"); code != http.StatusNotFound {
		t.Errorf("/metrics sur l'adresse du site : statut %d, 404 attendu", code)
	}
	scrape := func() string {
		t.Helper()
		code, body := getBody(t, "http://"+metricsAddr+"/metrics")
		if code != http.StatusOK {
			t.Fatalf("/metrics : statut %d", code)
		}
		return body
	}
	body := scrape()
	for _, family := range []string{
		"ctg_http_request_duration_seconds_bucket",
		`ctg_db_connections_open{pool="read"}`, `ctg_db_connections_in_use{pool="write"}`, `ctg_db_connections_idle{pool="read"}`,
		`ctg_db_wait_count_total{pool="write"}`, `ctg_db_wait_duration_seconds_total{pool="read"}`,
		"ctg_mail_outbox_waiting 0", "ctg_mail_outbox_failed 0",
		"go_goroutines", "go_memstats_heap_alloc_bytes", "process_resident_memory_bytes",
	} {
		if !strings.Contains(body, family) {
			t.Errorf("%s absent des métriques", family)
		}
	}
	count := func(body string) int {
		m := healthCount.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("aucune durée comptée pour GET /healthz :\n%s", body)
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	before := count(body)
	if code, _ := getBody(t, base+"/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz : statut %d", code)
	}
	if after := count(scrape()); after != before+1 {
		t.Errorf("GET /healthz compté %d fois puis %d ; une de plus attendue", before, after)
	}
	// A path no route serves is counted under one label, not its own.
	getBody(t, base+"/nimporte/quoi-123")
	if body := scrape(); strings.Contains(body, "quoi-123") || !strings.Contains(body, `route="other",status="4xx"`) {
		t.Error("un chemin inconnu devient une étiquette")
	}
}

// An address of the metrics without a port is refused, naming the setting.
func TestServeRefusesAnInvalidMetricsAddress(t *testing.T) {
	code, _, errs := run(t, "", "serve", "--db", filepath.Join(t.TempDir(), "x.db"), "--addr", "127.0.0.1:0", "--metrics-addr", "9090")
	if code != 1 || !strings.Contains(errs, "--metrics-addr : adresse d'écoute « 9090 » invalide") {
		t.Errorf("adresse invalide : code %d, %q", code, errs)
	}
}
