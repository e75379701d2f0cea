package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/model"
	"golang.org/x/sync/singleflight"
)

// taskCountLife is how long the header shows a count before counting
// again: counting reads every convention of the person, which every page
// would otherwise pay. The person's own changes count again at once;
// other people's show within that time (and one page: a count past its
// life is shown while it is counted again), and at once on "Mes tâches".
const taskCountLife = 30 * time.Second

// taskCounts keeps recent task counts by account.
type taskCounts struct {
	mu     sync.Mutex
	counts map[string]taskCountAt
	// flight counts once for the concurrent requests of one account;
	// gens counts the account's own changes, so that a count begun before
	// one is neither kept nor shared after it.
	flight singleflight.Group
	gens   map[string]uint64
}

type taskCountAt struct {
	count int
	at    time.Time
}

// get returns the count kept for the account, if any, and whether it is
// still fresh.
func (c *taskCounts) get(user string, now time.Time) (count int, fresh, kept bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	x, ok := c.counts[user]
	if !ok {
		return 0, false, false
	}
	return x.count, now.Sub(x.at) <= taskCountLife && !now.Before(x.at), true
}

// gen returns the number of the account's changes forgotten so far.
func (c *taskCounts) gen(user string) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gens[user]
}

// setAt keeps a count begun at generation gen, unless the account changed
// something since.
func (c *taskCounts) setAt(user string, gen uint64, count int, now time.Time) {
	c.mu.Lock()
	stale := c.gens[user] != gen
	c.mu.Unlock()
	if !stale {
		c.set(user, count, now)
	}
}

func (c *taskCounts) set(user string, count int, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil {
		c.counts = map[string]taskCountAt{}
	}
	// Entries of people gone quiet are dropped now and then.
	if len(c.counts) > 10000 {
		clear(c.counts)
	}
	c.counts[user] = taskCountAt{count, now}
}

func (c *taskCounts) forget(user string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.counts, user)
	if c.gens == nil || len(c.gens) > 10000 {
		c.gens = map[string]uint64{}
	}
	c.gens[user]++
}

// taskCount counts what the signed-in person has to do today, for the
// header, from the cache when it is fresh; 0 for a visitor, or when it
// cannot be counted (the page still shows). A page shown as of another
// day (?au=) does not change what there is to do today.
func (s *Server) taskCount(r *http.Request) int {
	a := actorOf(r)
	if a == nil {
		return 0
	}
	now := s.now()
	n, fresh, kept := s.taskCounts.get(a.UserID, now)
	if fresh {
		return n
	}
	gen := s.taskCounts.gen(a.UserID)
	key := a.UserID + "|" + strconv.FormatUint(gen, 10)
	count := func() (any, error) {
		n, err := s.app.TaskCount(context.WithoutCancel(r.Context()), a, model.DateOf(now.In(paris)))
		if err == nil {
			s.taskCounts.setAt(a.UserID, gen, n, now)
		} else {
			s.log.Error("tâches", "error", err)
		}
		return n, err
	}
	if kept {
		// A count past its life is shown while it is counted again in
		// the background: no page waits for it. (A change of the person's
		// own forgets the count: the next page waits for the new one.)
		s.taskCounts.flight.DoChan(key, count)
		return n
	}
	// Concurrent pages of one person wait for a single count.
	v, err, _ := s.taskCounts.flight.Do(key, count)
	if err != nil {
		return 0
	}
	return v.(int)
}

// draftsForm is the "submit-drafts" form: an organization's drafts of a
// year, submitted in one action; Return names the page to come back to.
type draftsForm struct {
	Slug, CSRF, Return, Organization, OrganizationName string
	Year, Count                                        int
	// Compact shortens the button, in a table that names the organization.
	Compact bool
}

// pendingForm is the "pending-values" form: submitted values to check,
// validated or returned together.
type pendingForm struct {
	Slug, CSRF, Return string
	Year               int
	Values             []app.TaskValue
}

// conventionTasksView is one convention's tasks with their forms.
type conventionTasksView struct {
	app.ConventionTasks
	Submits []draftsForm
	Pending pendingForm
}

type tasksData struct {
	Conventions []conventionTasksView
	Count       int
	Today       model.Date
	// Done says what the last action did; Errors why it did nothing.
	Done   string
	Errors []model.FieldError
	// ErrorSlug is the convention the errors are about.
	ErrorSlug string
	// Quiet counts the conventions read where nothing waits for the
	// person, not listed.
	Quiet int
}

// tasks shows "Mes tâches": what the person has to do in each convention.
func (s *Server) tasks(w http.ResponseWriter, r *http.Request) {
	s.renderTasks(w, r, http.StatusOK, "", nil)
}

func (s *Server) renderTasks(w http.ResponseWriter, r *http.Request, status int, errSlug string, errs []model.FieldError) {
	a := s.signedIn(w, r)
	if a == nil {
		return
	}
	t, err := s.app.Tasks(r.Context(), a, s.today(r))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if r.URL.Query().Get("au") == "" {
		// Fresh, so that the header agrees with the page.
		s.taskCounts.set(a.UserID, t.Count(), s.now())
	}
	d := tasksData{Count: t.Count(), Today: s.today(r), Done: doneMessage(r.URL.Query()), Errors: errs, ErrorSlug: errSlug,
		Quiet: t.Quiet}
	for _, ct := range t.Conventions {
		cv := conventionTasksView{ConventionTasks: ct, Pending: pendingForm{Slug: ct.Slug, CSRF: csrfOf(r), Return: "taches", Values: ct.ToValidate}}
		for _, y := range ct.DraftYears {
			n := 0
			for _, v := range ct.Drafts {
				if strings.HasPrefix(v.Period, strconv.Itoa(y)) {
					n++
				}
			}
			cv.Submits = append(cv.Submits, draftsForm{Slug: ct.Slug, CSRF: csrfOf(r), Return: "taches", Organization: ct.Organization,
				OrganizationName: ct.OrganizationName, Year: y, Count: n})
		}
		d.Conventions = append(d.Conventions, cv)
	}
	s.render(w, r, status, "tasks.html", page{Title: "Mes tâches", Data: d})
}

// doneMessage says what a bulk action did, from the query of the page it
// redirected to.
func doneMessage(q url.Values) string {
	var parts []string
	for _, k := range []struct{ key, one, many string }{
		{"soumises", "valeur soumise pour validation", "valeurs soumises pour validation"},
		{"validees", "valeur validée", "valeurs validées"},
		{"renvoyees", "valeur renvoyée avec le motif indiqué", "valeurs renvoyées avec le motif indiqué"},
	} {
		text := q.Get(k.key)
		if text == "" {
			continue
		}
		n, err := strconv.Atoi(text)
		switch {
		case err != nil || n < 0:
			continue
		case n == 0 && k.key == "soumises":
			parts = append(parts, "Aucun brouillon à soumettre : rien n'a changé")
		case n == 0:
			parts = append(parts, "Rien n'a changé")
		case n == 1:
			parts = append(parts, "1 "+k.one)
		default:
			parts = append(parts, fmt.Sprintf("%d %s", n, k.many))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, " ; ") + "."
}

// back sends the browser, after a bulk action, to the page the form was
// on ("retour": taches, saisie or collecte), with what was done.
func back(w http.ResponseWriter, r *http.Request, key string, n int) {
	slug := r.PathValue("slug")
	q := url.Values{}
	if key != "" {
		q.Set(key, strconv.Itoa(n))
	}
	target := "/c/" + slug + "/collecte"
	switch r.PostFormValue("retour") {
	case "taches":
		target = "/taches"
	case "saisie":
		target = "/c/" + slug + "/collecte/saisie"
		q.Set("organisation", r.PostFormValue("organisation"))
	}
	if y := r.PostFormValue("annee"); y != "" && target != "/taches" {
		q.Set("annee", y)
	}
	http.Redirect(w, r, target+"?"+q.Encode(), http.StatusSeeOther)
}

// bulkFailure shows why a bulk action did nothing, on the page the form
// was on, with the status of the error.
func (s *Server) bulkFailure(w http.ResponseWriter, r *http.Request, err error) {
	var ve *model.ValidationError
	var refused *app.RefusedError
	var errs []model.FieldError
	status := http.StatusUnprocessableEntity
	switch {
	case errors.As(err, &ve):
		errs = ve.Errors
	case errors.As(err, &refused):
		errs, status = []model.FieldError{{Message: upperFirst(refused.Reason)}}, http.StatusForbidden
	default:
		s.pageError(w, r, err)
		return
	}
	if r.PostFormValue("retour") == "taches" {
		s.renderTasks(w, r, status, r.PathValue("slug"), errs)
		return
	}
	v, d := s.collectionData(w, r)
	if d == nil {
		return
	}
	d.ActionErrors = errs
	s.render(w, r, status, "collection.html", page{Title: "Collecte " + strconv.Itoa(d.Year), Conv: v, Nav: "indicators", Data: d})
}

// submitDrafts submits an organization's drafts of a year in one action.
func (s *Server) submitDrafts(w http.ResponseWriter, r *http.Request) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	year, err := strconv.Atoi(r.PostFormValue("annee"))
	if err != nil {
		s.bulkFailure(w, r, &model.ValidationError{Errors: []model.FieldError{{Path: "annee", Message: "année des brouillons à soumettre absente"}}})
		return
	}
	n, err := s.app.SubmitDrafts(r.Context(), a, r.PathValue("slug"), r.PostFormValue("organisation"), year)
	if err != nil {
		s.bulkFailure(w, r, err)
		return
	}
	back(w, r, "soumises", n)
}

// bulkValues validates or returns the values checked in a list
// ("valeur": id:version), with one reason for all when returning.
func (s *Server) bulkValues(w http.ResponseWriter, r *http.Request) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	action := r.PostFormValue("action")
	var refs []app.ValueRef
	for _, text := range r.PostForm["valeur"] {
		id, version, _ := strings.Cut(text, ":")
		n, _ := strconv.Atoi(version)
		refs = append(refs, app.ValueRef{ID: id, Version: n})
	}
	n, err := s.app.BulkValueAction(r.Context(), a, r.PathValue("slug"), action, refs, r.PostFormValue("reason"))
	if err != nil {
		s.bulkFailure(w, r, err)
		return
	}
	key := map[string]string{app.ActionValidate: "validees", app.ActionReturn: "renvoyees", app.ActionSubmit: "soumises"}[action]
	back(w, r, key, n)
}

// assignResponsible confides the checked indicators to an organization,
// or gives them back to their fiche's pilot ("pilote").
func (s *Server) assignResponsible(w http.ResponseWriter, r *http.Request) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	org := r.PostFormValue("organisation")
	if org == "" {
		s.bulkFailure(w, r, &model.ValidationError{Errors: []model.FieldError{{Path: "organisation", Message: "choisissez l'organisation à qui confier les indicateurs cochés"}}})
		return
	}
	if org == "pilote" {
		org = ""
	}
	n, err := s.app.AssignResponsible(r.Context(), a, r.PathValue("slug"), org, r.PostForm["indicateur"])
	if err != nil {
		s.bulkFailure(w, r, err)
		return
	}
	to := "au pilote de leur fiche"
	if c, err := s.app.Convention(r.Context(), a, r.PathValue("slug")); err == nil && org != "" {
		to = "à " + c.OrgName(org)
	}
	setFlash(w, r, fmt.Sprintf("Enregistré : %d indicateur(s) confié(s) %s.", n, to))
	back(w, r, "", n)
}

// bulkRequest is the body of POST …/values/bulk.
type bulkRequest struct {
	Action string         `json:"action"`
	Values []app.ValueRef `json:"values"`
	Reason string         `json:"reason"`
	// Organization and Year choose the drafts to submit, when Values is
	// empty and Action is soumettre.
	Organization string `json:"organization"`
	Year         int    `json:"year"`
}

const bulkShape = `{"action": "valider", "values": [{"id": "…", "version": n}], "reason": "motif, pour renvoyer"} ou {"action": "soumettre", "organization": "clé", "year": 2024}`

func (s *Server) apiBulkValues(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
		return
	}
	var req bulkRequest
	if !decodeBody(w, r, &req, bulkShape) {
		return
	}
	slug := r.PathValue("slug")
	var n int
	var err error
	switch {
	case len(req.Values) == 0 && req.Action == app.ActionSubmit:
		if req.Year == 0 {
			badBody(w, bulkShape, "year", "année des brouillons à soumettre, obligatoire sans liste de valeurs")
			return
		}
		n, err = s.app.SubmitDrafts(r.Context(), a, slug, req.Organization, req.Year)
	default:
		n, err = s.app.BulkValueAction(r.Context(), a, slug, req.Action, req.Values, req.Reason)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"changed": n})
}
