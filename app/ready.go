package app

import (
	"context"
	"net/http"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

// readyTimeout bounds the database check of a readiness call.
const readyTimeout = 5 * time.Second

// Readiness is the answer of GET /api/switchboard/ready: whether the
// appliance takes work, and which check failed, in one word each.
type Readiness struct {
	Ready  bool              `json:"ready"`
	Checks map[string]string `json:"checks"`
}

// The results of one readiness check.
const (
	checkOK     = "ok"
	checkFailed = "failed"
)

// readiness checks the database, the secret key and the engine.
func (s *Switchboard) readiness(ctx context.Context) Readiness {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	var one int
	dbErr := s.app.DB().NewQuery("SELECT 1").WithContext(ctx).Row(&one)
	checks := map[string]string{
		"database":   result(dbErr == nil),
		"secret_key": result(s.Ready() == nil),
		"engine":     result(s.engine.running()),
	}
	r := Readiness{Ready: true, Checks: checks}
	for _, v := range checks {
		r.Ready = r.Ready && v == checkOK
	}
	return r
}

func result(ok bool) string {
	if ok {
		return checkOK
	}
	return checkFailed
}

// handleReady answers 200 when the appliance takes work and 503 when not,
// for a load balancer; /api/health only says the server answers.
func (s *Switchboard) handleReady(e *core.RequestEvent) error {
	r := s.readiness(e.Request.Context())
	if !r.Ready {
		return e.JSON(http.StatusServiceUnavailable, r)
	}
	return e.JSON(http.StatusOK, r)
}

// registerOpsRoutes adds the readiness answer, the metrics and the
// webhook metrics middleware. Scrapes and probes leave no entry in
// PocketBase's request log unless they fail.
func (s *Switchboard) registerOpsRoutes(e *core.ServeEvent) {
	e.Router.GET(APIPrefix+"/ready", s.handleReady).Bind(apis.SkipSuccessActivityLog())
	e.Router.GET(MetricsPath, s.handleMetrics).Bind(apis.SkipSuccessActivityLog())
	e.Router.BindFunc(s.metrics.observeWebhooks)
}
