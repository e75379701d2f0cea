package bench

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ctg-territoires/ctg/internal/auth"
)

// editTarget is an equipment whose number of places the mixed load
// increments through the API, with the version it read (optimistic
// concurrency: a write on a stale version is refused with 409).
type editTarget struct {
	slug, id string
	initial  int
	acked    atomic.Int64 // increments the API acknowledged (200)
}

// mixedStats is what a mixed load did.
type mixedStats struct {
	requests, reads, acked, conflicts, errors int64
	lastError                                 string
	elapsed                                   time.Duration
	// cpu is the CPU time of each server, of this process (the client) and
	// of the whole machine (busy time of every core) during the load.
	serverCPU, clientCPU, machineCPU time.Duration
	// databaseCPU is that of the PostgreSQL backends serving the
	// benchmark's database, when they run on this machine (-1 otherwise).
	databaseCPU time.Duration
}

func (m *mixedStats) rate() float64 { return float64(m.requests) / m.elapsed.Seconds() }

// multiInstance runs, on PostgreSQL only, a mixed load (pages read and
// records edited) against one `ctg serve`, then against two on the same
// database with the workers split between them; it prints both
// throughputs, the CPU they used, and the acknowledged edits missing from
// the database afterwards (lost updates).
func (r *runner) multiInstance(ctx context.Context) error {
	if r.cfg.PG == "" {
		return nil
	}
	workers, budget := 16, 20*time.Second
	if r.cfg.Quick {
		workers, budget = 4, 3*time.Second
	}
	targets, err := r.editTargets(ctx, 8)
	if err != nil {
		return err
	}
	r.logf("charge mixte : %d connexions, %s par mesure, %d équipements modifiés", workers, budget, len(targets))
	a, err := r.start(ctx, r.dsn)
	if err != nil {
		return err
	}
	defer a.stop()
	one := r.mixed(ctx, []*server{a}, workers, budget, targets)
	b, err := r.start(ctx, r.dsn)
	if err != nil {
		return err
	}
	two := r.mixed(ctx, []*server{a, b}, workers, budget, targets)
	b.stop()
	for _, m := range []*mixedStats{one, two} {
		if m.requests == 0 {
			return fmt.Errorf("charge mixte : aucune réponse (%s)", m.lastError)
		}
	}
	lost, extra, acked, err := r.lostUpdates(ctx, targets)
	if err != nil {
		return err
	}
	cores := strconv.Itoa(runtime.NumCPU())
	r.add(fmt.Sprintf("2 instances ctg serve sur une base PostgreSQL, charge mixte (vue d'ensemble, tableau de bord, liste, modification par l'API), %d connexions", workers),
		fmt.Sprintf("%s req/s (%s modifications/s)", perSecond(two.rate()), perSecond(float64(two.acked)/two.elapsed.Seconds())),
		fmt.Sprintf("1 instance : %s req/s (%s modifications/s)", perSecond(one.rate()), perSecond(float64(one.acked)/one.elapsed.Seconds())),
		strings.Replace(fmt.Sprintf("%.2f×", two.rate()/one.rate()), ".", ",", 1), "2× (ou la limite expliquée)")
	r.add(fmt.Sprintf("processeur pendant la charge mixte (cœurs occupés, sur %s)", cores),
		"2 instances : "+two.cpu(), "1 instance : "+one.cpu(), "", "explique la limite : serveurs, PostgreSQL et client se partagent les cœurs de la machine")
	measured := fmt.Sprintf("%d sur %d modifications acceptées (%d refusées pour conflit de version, 409)", lost, acked, one.conflicts+two.conflicts)
	if extra > 0 {
		measured += fmt.Sprintf(" ; %d écrite(s) sans accusé", extra)
	}
	if n := one.errors + two.errors; n > 0 {
		measured += fmt.Sprintf(" ; %d erreur(s), dont « %s »", n, firstNonEmpty(two.lastError, one.lastError))
	}
	r.add("mises à jour perdues, 1 puis 2 instances sur la même base", measured, "relu dans la base après la charge", "", "0")
	return nil
}

// editTargets picks n equipments, spread over the first conventions (one
// of each when there are n conventions or more), and reads their places
// from the database.
func (r *runner) editTargets(ctx context.Context, n int) ([]*editTarget, error) {
	db, err := OpenDB(ctx, r.dsn)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var out []*editTarget
	for ci := 0; len(out) < n && ci < r.loaded; ci++ {
		c, err := db.Service.Convention(ctx, auth.System, r.ds.Conventions[ci].Convention.Slug)
		if err != nil {
			return nil, err
		}
		for _, e := range c.Equipments[:min(len(c.Equipments), max(1, n/max(1, r.loaded)), n-len(out))] {
			out = append(out, &editTarget{slug: c.Slug, id: e.ID, initial: e.Places})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("charge mixte : aucun équipement à modifier")
	}
	return out, nil
}

// lostUpdates reads the places of each target from the database: each
// acknowledged increment must be there. It returns the increments
// missing, those found beyond the acknowledged ones, and how many were
// acknowledged.
func (r *runner) lostUpdates(ctx context.Context, targets []*editTarget) (lost, extra, acked int64, err error) {
	db, err := OpenDB(ctx, r.dsn)
	if err != nil {
		return 0, 0, 0, err
	}
	defer db.Close()
	for _, t := range targets {
		c, err := db.Service.Convention(ctx, auth.System, t.slug)
		if err != nil {
			return 0, 0, 0, err
		}
		found := false
		for _, e := range c.Equipments {
			if e.ID != t.id {
				continue
			}
			found = true
			want := int64(t.initial) + t.acked.Load()
			if d := want - int64(e.Places); d > 0 {
				lost += d
			} else {
				extra -= d
			}
		}
		if !found {
			lost += t.acked.Load()
		}
		acked += t.acked.Load()
	}
	return lost, extra, acked, nil
}

// mixed runs the mixed load for budget: worker w sends to servers[w %
// len(servers)], in turn the overview, the dashboard and the conventions
// list (signed in), then an edit: it reads an equipment's record through
// the API (with the administrator's token) and writes its places plus one
// with the version read.
func (r *runner) mixed(ctx context.Context, servers []*server, workers int, budget time.Duration, targets []*editTarget) *mixedStats {
	// Unmeasured, as before every measure: each server reads each page
	// once (a first view computes what later ones reuse).
	for _, s := range servers {
		for _, t := range targets {
			for _, path := range []string{"/c/" + t.slug, "/c/" + t.slug + "/indicateurs", "/conventions"} {
				s.get(ctx, path, session)
			}
		}
	}
	out := &mixedStats{}
	var mu sync.Mutex
	fail := func(msg string) {
		mu.Lock()
		out.errors++
		out.lastError = msg
		mu.Unlock()
	}
	cpu0 := make([]time.Duration, len(servers))
	for i, s := range servers {
		cpu0[i] = processCPU(s.cmd.Process.Pid)
	}
	self0, machine0 := processCPU(os.Getpid()), machineBusy()
	db0 := r.backendsCPU(ctx)
	deadline := time.Now().Add(budget)
	t := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := servers[w%len(servers)]
			for i := w; time.Now().Before(deadline); i++ {
				target := targets[i%len(targets)]
				if op := i % 4; op < 3 {
					path := []string{"/c/" + target.slug, "/c/" + target.slug + "/indicateurs", "/conventions"}[op]
					if msg := s.get(ctx, path, session); msg != "" {
						fail(path + " : " + msg)
						continue
					}
					atomic.AddInt64(&out.requests, 1)
					atomic.AddInt64(&out.reads, 1)
					continue
				}
				ok, conflict, msg := s.increment(ctx, r.token, target)
				switch {
				case msg != "":
					fail(msg)
				case ok:
					atomic.AddInt64(&out.acked, 1)
					target.acked.Add(1)
				case conflict:
					atomic.AddInt64(&out.conflicts, 1)
				}
				if msg == "" {
					atomic.AddInt64(&out.requests, 2)
				}
			}
		}()
	}
	wg.Wait()
	out.elapsed = time.Since(t)
	for i, s := range servers {
		out.serverCPU += processCPU(s.cmd.Process.Pid) - cpu0[i]
	}
	out.clientCPU, out.machineCPU = processCPU(os.Getpid())-self0, machineBusy()-machine0
	out.databaseCPU = -1
	if db1 := r.backendsCPU(ctx); db0 != nil && db1 != nil {
		out.databaseCPU = 0
		for pid, t := range db1 {
			out.databaseCPU += t - db0[pid] // a backend started meanwhile counts from 0
		}
	}
	return out
}

// cpu tells how many cores the servers, the client and the rest (the
// database, other work of the machine) kept busy.
func (m *mixedStats) cpu() string {
	cores := func(d time.Duration) string {
		return strings.Replace(fmt.Sprintf("%.2f", d.Seconds()/m.elapsed.Seconds()), ".", ",", 1)
	}
	if m.databaseCPU < 0 {
		rest := max(0, m.machineCPU-m.serverCPU-m.clientCPU)
		return fmt.Sprintf("serveurs %s, client %s, reste (PostgreSQL, autres) %s ; machine %s", cores(m.serverCPU), cores(m.clientCPU), cores(rest), cores(m.machineCPU))
	}
	rest := max(0, m.machineCPU-m.serverCPU-m.clientCPU-m.databaseCPU)
	return fmt.Sprintf("serveurs %s, PostgreSQL %s, client %s, autres %s ; machine %s", cores(m.serverCPU), cores(m.databaseCPU), cores(m.clientCPU), cores(rest), cores(m.machineCPU))
}

// increment reads the equipment's record and writes its places plus one
// with the version read: ok when the write was acknowledged (200),
// conflict when refused because the record changed meanwhile (409); msg
// says what else went wrong.
func (s *server) increment(ctx context.Context, token string, t *editTarget) (ok, conflict bool, msg string) {
	path := "/api/v1/conventions/" + t.slug + "/records/equipment/" + t.id
	var rec struct {
		Version int               `json:"version"`
		Fields  map[string]string `json:"fields"`
	}
	status, body, err := s.api(ctx, http.MethodGet, path, token, nil)
	if err != nil || status != http.StatusOK {
		return false, false, fmt.Sprintf("GET %s : %v statut %d %s", path, err, status, body)
	}
	if err := json.Unmarshal(body, &rec); err != nil {
		return false, false, "GET " + path + " : " + err.Error()
	}
	places := 0 // an equipment without a known number of places
	if v := rec.Fields["places"]; v != "" {
		places, err = strconv.Atoi(v)
	}
	if err != nil {
		return false, false, fmt.Sprintf("GET %s : places « %s »", path, rec.Fields["places"])
	}
	edit, _ := json.Marshal(map[string]any{"version": rec.Version, "fields": map[string]string{"places": strconv.Itoa(places + 1)}})
	status, body, err = s.api(ctx, http.MethodPatch, path, token, edit)
	switch {
	case err != nil:
		return false, false, "PATCH " + path + " : " + err.Error()
	case status == http.StatusOK:
		return true, false, ""
	case status == http.StatusConflict:
		return false, true, ""
	}
	return false, false, fmt.Sprintf("PATCH %s : statut %d %s", path, status, body)
}

// api sends an API request with the token and returns the answer.
func (s *server) api(ctx context.Context, method, path, token string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, s.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.anonymous.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, data, err
}

// backendsCPU is the CPU time so far of each PostgreSQL backend connected
// to the benchmark's database, by process id, read in /proc: nil when the
// server is not on this machine or does not tell.
func (r *runner) backendsCPU(ctx context.Context) map[int]time.Duration {
	db, err := sql.Open("pgx", r.dsn)
	if err != nil {
		return nil
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
	if err != nil {
		return nil
	}
	defer rows.Close()
	out := map[int]time.Duration{}
	for rows.Next() {
		var pid int
		if rows.Scan(&pid) != nil {
			return nil
		}
		if _, err := os.Stat(fmt.Sprintf("/proc/%d/stat", pid)); err != nil {
			return nil
		}
		out[pid] = processCPU(pid)
	}
	if rows.Err() != nil {
		return nil
	}
	return out
}

// processCPU is the CPU time (user and system) a process used so far,
// from /proc/PID/stat; 0 when /proc does not tell.
func processCPU(pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command's name, which ends with ")": state is
	// the 3rd field of the line, utime and stime the 14th and 15th.
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	k, _ := strconv.ParseInt(f[12], 10, 64)
	return ticks(u + k)
}

// machineBusy is the time every core of the machine spent busy so far
// (/proc/stat: all but idle and iowait).
func machineBusy() time.Duration {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	var busy int64
	for i, v := range f[1:] {
		n, _ := strconv.ParseInt(v, 10, 64)
		if i != 3 && i != 4 && i < 8 { // idle, iowait; guest times are in user already
			busy += n
		}
	}
	return ticks(busy)
}

// ticks converts clock ticks of /proc (USER_HZ, 100 on Linux) to time.
func ticks(n int64) time.Duration { return time.Duration(n) * 10 * time.Millisecond }

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
