package app

import (
	"crypto/subtle"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/switchboard-app/switchboard/app/metrics"
)

// EnvMetricsToken is the bearer token that GET /metrics asks for. Without
// one, only callers on the loopback interface that no proxy forwarded may
// read the metrics.
const EnvMetricsToken = "SWITCHBOARD_METRICS_TOKEN"

// MetricsPath is where the metrics are served, outside /api/ so that a
// proxy in front can leave it out by path.
const MetricsPath = "/metrics"

// appMetrics are the appliance's metrics: counters fed by the engine as it
// commits, and gauges read from the database at every scrape.
type appMetrics struct {
	reg            *metrics.Registry
	token          string
	read           *metrics.CounterVec
	written        *metrics.CounterVec
	failed         *metrics.CounterVec
	retried        *metrics.CounterVec
	skipped        *metrics.CounterVec
	txSeconds      *metrics.HistogramVec
	runSeconds     *metrics.HistogramVec
	webhookCalls   *metrics.CounterVec
	webhookSeconds *metrics.HistogramVec
	ckptFrames     *metrics.CounterVec
	ckptSeconds    *metrics.HistogramVec
}

func newAppMetrics(s *Switchboard) *appMetrics {
	reg := &metrics.Registry{}
	m := &appMetrics{
		reg:   reg,
		token: strings.TrimSpace(os.Getenv(EnvMetricsToken)),
		read: reg.Counter("switchboard_records_read_total",
			"Records read from a flow's source connection into the inbox (runs and webhooks).", "flow", "connection"),
		written: reg.Counter("switchboard_records_written_total",
			"Records written to a flow's target connection.", "flow", "connection"),
		failed: reg.Counter("switchboard_records_failed_total",
			"Records that failed for good (a permanent error, or retries ran out).", "flow", "connection"),
		retried: reg.Counter("switchboard_records_retried_total",
			"Transient failures that were scheduled for a retry, by the connection that failed.", "flow", "connection"),
		skipped: reg.Counter("switchboard_records_skipped_total",
			"Records skipped by a rule or as unchanged since the last sync.", "flow"),
		txSeconds: reg.Histogram("switchboard_transaction_duration_seconds",
			"Time a worker took for one record: map, rules, write.", metrics.DurationBuckets, "flow"),
		runSeconds: reg.Histogram("switchboard_run_duration_seconds",
			"Time a run took to read its source into the inbox.", metrics.DurationBuckets, "flow", "trigger"),
		webhookCalls: reg.Counter("switchboard_webhook_requests_total",
			"Webhook calls by flow and answer (flow is empty for an address no flow takes).", "flow", "code"),
		webhookSeconds: reg.Histogram("switchboard_webhook_duration_seconds",
			"Time from a webhook call's arrival to its answer, its commit included.", metrics.DurationBuckets, "flow"),
		ckptFrames: reg.Counter("switchboard_db_checkpointed_frames_total",
			"Pages of the write-ahead log copied into the database by the checkpointer beside the writer.", "database"),
		ckptSeconds: reg.Histogram("switchboard_db_checkpoint_duration_seconds",
			"Time a checkpoint that copied pages took, its fsyncs included.", metrics.DurationBuckets, "database"),
	}
	m.registerGauges(s)
	return m
}

// recordsRead counts records committed to the inbox from a flow's source.
func (m *appMetrics) recordsRead(rt *flowRuntime, n int) {
	m.read.Add(float64(n), rt.flow.Id, rt.source.Id)
}

// runDone records a run's duration.
func (m *appMetrics) runDone(rt *flowRuntime, trigger string, took time.Duration) {
	m.runSeconds.Observe(took.Seconds(), rt.flow.Id, trigger)
}

// checkpointed counts a checkpoint of database that copied frames pages.
func (m *appMetrics) checkpointed(database string, frames int, took time.Duration) {
	m.ckptFrames.Add(float64(frames), database)
	m.ckptSeconds.Observe(took.Seconds(), database)
}

// outcomes counts a committed batch of outcomes.
func (m *appMetrics) outcomes(batch []outcome) {
	for _, o := range batch {
		flow, target := o.tx.Flow, ""
		if o.flow != nil {
			target = o.flow.target.Id
		}
		switch o.status {
		case StatusSucceeded:
			m.written.Add(1, flow, target)
		case StatusFailed:
			m.failed.Add(1, flow, target)
		case StatusRetrying:
			m.retried.Add(1, flow, cmpOr(o.blame, target))
		case StatusSkipped:
			m.skipped.Add(1, flow)
		}
		m.txSeconds.Observe(o.duration.Seconds(), flow)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// webhookFlowKey is where the webhook handler notes, on the request, the
// id of the flow that takes the call: the only flow label the webhook
// metrics use.
const webhookFlowKey = "switchboardWebhookFlow"

// observeWebhooks is router middleware that counts webhook calls by answer
// and times them.
func (m *appMetrics) observeWebhooks(e *core.RequestEvent) error {
	if !strings.HasPrefix(e.Request.URL.Path, "/hooks/") {
		return e.Next()
	}
	start := time.Now()
	err := e.Next()
	// The flow that took the call; "" for an address or a method no flow
	// takes, so that a caller's guesses never become label values.
	flow, _ := e.Get(webhookFlowKey).(string)
	code := e.Status()
	var apiErr *router.ApiError
	if errors.As(err, &apiErr) {
		code = apiErr.Status
	} else if err != nil {
		code = http.StatusInternalServerError
	}
	m.webhookCalls.Add(1, flow, strconv.Itoa(code))
	m.webhookSeconds.Observe(time.Since(start).Seconds(), flow)
	return err
}

// handleMetrics serves the metrics to a caller with the token, or without
// a token set, to a loopback caller that no proxy forwarded and that is
// none of the appliance's own connections (one pointed here by an editor).
func (s *Switchboard) handleMetrics(e *core.RequestEvent) error {
	if !s.metrics.allowed(e.Request) || s.FromOwnConnection(e.Request.RemoteAddr) {
		return e.ForbiddenError("The metrics need the bearer token set in "+EnvMetricsToken+
			", or, without one, a call from this machine that no proxy forwarded.", nil)
	}
	e.Response.Header().Set("Content-Type", metrics.ContentType)
	e.Response.WriteHeader(http.StatusOK)
	return s.metrics.reg.Write(e.Response)
}

func (m *appMetrics) allowed(r *http.Request) bool {
	if m.token != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		return ok && subtle.ConstantTimeCompare([]byte(got), []byte(m.token)) == 1
	}
	for _, h := range []string{"X-Forwarded-For", "Forwarded", "X-Real-IP"} {
		if r.Header.Get(h) != "" {
			return false
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	ip := net.ParseIP(host)
	return err == nil && ip != nil && ip.IsLoopback()
}

// registerGauges adds the gauges read at scrape time.
func (m *appMetrics) registerGauges(s *Switchboard) {
	m.reg.GaugeFunc("switchboard_build_info", "The running build.", func(emit metrics.Emit) {
		emit(1, Version, Commit, runtime.Version())
	}, "version", "commit", "goversion")
	m.reg.GaugeFunc("switchboard_secret_key_ok", "1 when the secret key opens this data folder's secrets and flows may run.",
		func(emit metrics.Emit) { emit(boolValue(s.Ready() == nil)) })
	m.reg.GaugeFunc("switchboard_inbox_records", "Records waiting in the inbox (pending, running or retrying).",
		func(emit metrics.Emit) { s.inboxGauge(emit, false) }, "flow")
	m.reg.GaugeFunc("switchboard_inbox_oldest_age_seconds", "Age of the oldest record waiting in the inbox.",
		func(emit metrics.Emit) { s.inboxGauge(emit, true) }, "flow")
	m.reg.GaugeFunc("switchboard_failed_records", "Failed transactions not yet retried or resolved.",
		s.failedGauge, "flow")
	m.reg.GaugeFunc("switchboard_connection_up", "1 unless the connection is down, failed its last test or must be connected again.",
		s.connectionGauge, "connection", "name", "status")
	m.reg.GaugeFunc("switchboard_flow_info", "Each flow's name and entity; 1 when it is enabled.",
		s.flowGauge, "flow", "name", "entity")
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// inboxGaugeSQL counts each flow's unfinished transactions, in the index
// that holds them alone.
var inboxGaugeSQL = `SELECT flow, COUNT(*) AS n, MIN(created) AS oldest FROM transactions
	WHERE ` + openStatuses + ` GROUP BY flow`

func (s *Switchboard) inboxGauge(emit metrics.Emit, age bool) {
	var rows []struct {
		Flow   string `db:"flow"`
		N      int    `db:"n"`
		Oldest string `db:"oldest"`
	}
	err := s.app.DB().NewQuery(inboxGaugeSQL).All(&rows)
	if err != nil {
		s.logger().Warn("reading the inbox for the metrics", slog.String("error", err.Error()))
		return
	}
	for _, r := range rows {
		if !age {
			emit(float64(r.N), r.Flow)
		} else if t, err := types.ParseDateTime(r.Oldest); err == nil {
			emit(time.Since(t.Time()).Seconds(), r.Flow)
		}
	}
}

func (s *Switchboard) failedGauge(emit metrics.Emit) {
	var rows []struct {
		Flow string `db:"flow"`
		N    int    `db:"n"`
	}
	err := s.app.DB().NewQuery(`SELECT flow, COUNT(*) AS n FROM transactions WHERE status = 'failed' GROUP BY flow`).All(&rows)
	if err != nil {
		s.logger().Warn("counting failed records for the metrics", slog.String("error", err.Error()))
		return
	}
	for _, r := range rows {
		emit(float64(r.N), r.Flow)
	}
}

func (s *Switchboard) connectionGauge(emit metrics.Emit) {
	recs, err := s.app.FindAllRecords(connectionsCollection)
	if err != nil {
		s.logger().Warn("reading connections for the metrics", slog.String("error", err.Error()))
		return
	}
	for _, r := range recs {
		status := cmpOr(r.GetString("status"), ConnUnknown)
		emit(boolValue(!ConnNeedsAttention(status)), r.Id, r.GetString("name"), status)
	}
}

func (s *Switchboard) flowGauge(emit metrics.Emit) {
	recs, err := s.app.FindAllRecords(flowsCollection)
	if err != nil {
		s.logger().Warn("reading flows for the metrics", slog.String("error", err.Error()))
		return
	}
	for _, r := range recs {
		emit(boolValue(r.GetBool("enabled")), r.Id, r.GetString("name"), r.GetString("entity"))
	}
}
