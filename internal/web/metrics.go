package web

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ctg-territoires/ctg/internal/app"
)

// metrics are the Prometheus metrics of a server: request durations by
// route, the database's connection pools, the mail outbox, and the Go
// runtime and process.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.HistogramVec
	// patterns are the routes of the table: a request that matches none
	// (an unknown path, a redirect to a cleaned path) is counted under
	// "other", so that no path sent by a client becomes a label.
	patterns map[string]bool
	// collect registers, on the first MetricsHandler, what is read only
	// at a scrape: the pools and outbox, the Go runtime and the process.
	// A server whose metrics are not served never builds those
	// collectors.
	collect func()
}

func newMetrics(svc *app.Service, routes []route) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ctg_http_request_duration_seconds",
			Help:    "Durée des requêtes HTTP, par route et classe de statut.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "status"}),
		patterns: map[string]bool{},
	}
	for _, r := range routes {
		m.patterns[r.method+" "+r.pattern] = true
	}
	m.registry.MustRegister(m.requests)
	m.collect = sync.OnceFunc(func() {
		m.registry.MustRegister(storeCollector{svc: svc},
			collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	})
	return m
}

// observe records the duration of a request answered with status.
func (m *metrics) observe(pattern string, status int, d time.Duration) {
	if !m.patterns[pattern] {
		pattern = "other"
	}
	m.requests.WithLabelValues(pattern, strconv.Itoa(status/100)+"xx").Observe(d.Seconds())
}

// MetricsHandler serves the metrics in the Prometheus text format. It is
// not among the routes of the site: ctg serve exposes it on a listener of
// its own (--metrics-addr) when asked to.
func (s *Server) MetricsHandler() http.Handler {
	s.metrics.collect()
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{}))
	return mux
}

var (
	poolLabels       = []string{"pool"}
	poolOpenDesc     = prometheus.NewDesc("ctg_db_connections_open", "Connexions ouvertes du pool.", poolLabels, nil)
	poolInUseDesc    = prometheus.NewDesc("ctg_db_connections_in_use", "Connexions du pool en cours d'utilisation.", poolLabels, nil)
	poolIdleDesc     = prometheus.NewDesc("ctg_db_connections_idle", "Connexions du pool inactives.", poolLabels, nil)
	poolMaxDesc      = prometheus.NewDesc("ctg_db_connections_max", "Nombre maximal de connexions du pool (0 : sans limite).", poolLabels, nil)
	poolWaitsDesc    = prometheus.NewDesc("ctg_db_wait_count_total", "Attentes d'une connexion libre.", poolLabels, nil)
	poolWaitTimeDesc = prometheus.NewDesc("ctg_db_wait_duration_seconds_total", "Temps passé à attendre une connexion libre.", poolLabels, nil)
	mailWaitingDesc  = prometheus.NewDesc("ctg_mail_outbox_waiting", "Courriels en attente d'envoi (à envoyer ou en cours d'envoi).", nil, nil)
	mailFailedDesc   = prometheus.NewDesc("ctg_mail_outbox_failed", "Courriels abandonnés après leurs tentatives.", nil, nil)
)

// storeCollector reads the pools' statistics and, with one query, the
// outbox's backlog, at each scrape.
type storeCollector struct{ svc *app.Service }

func (c storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolOpenDesc, poolInUseDesc, poolIdleDesc, poolMaxDesc, poolWaitsDesc, poolWaitTimeDesc, mailWaitingDesc, mailFailedDesc} {
		ch <- d
	}
}

func (c storeCollector) Collect(ch chan<- prometheus.Metric) {
	for pool, st := range c.svc.PoolStats() {
		ch <- prometheus.MustNewConstMetric(poolOpenDesc, prometheus.GaugeValue, float64(st.OpenConnections), pool)
		ch <- prometheus.MustNewConstMetric(poolInUseDesc, prometheus.GaugeValue, float64(st.InUse), pool)
		ch <- prometheus.MustNewConstMetric(poolIdleDesc, prometheus.GaugeValue, float64(st.Idle), pool)
		ch <- prometheus.MustNewConstMetric(poolMaxDesc, prometheus.GaugeValue, float64(st.MaxOpenConnections), pool)
		ch <- prometheus.MustNewConstMetric(poolWaitsDesc, prometheus.CounterValue, float64(st.WaitCount), pool)
		ch <- prometheus.MustNewConstMetric(poolWaitTimeDesc, prometheus.CounterValue, st.WaitDuration.Seconds(), pool)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	waiting, failed, err := c.svc.MailBacklog(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(mailWaitingDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(mailWaitingDesc, prometheus.GaugeValue, float64(waiting))
	ch <- prometheus.MustNewConstMetric(mailFailedDesc, prometheus.GaugeValue, float64(failed))
}
