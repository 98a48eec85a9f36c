package app

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/switchboard-app/switchboard/connectors"
)

// APIPrefix is where Switchboard's own routes live.
const APIPrefix = "/api/switchboard"

// testTimeout bounds a "test connection" call.
const testTimeout = 30 * time.Second

func (s *Switchboard) registerRoutes(e *core.ServeEvent) {
	g := e.Router.Group(APIPrefix)
	g.GET("/status", s.handleStatus)
	g.GET("/connectors", s.handleConnectors).BindFunc(requireRole(anyRole))
	g.POST("/connections/{id}/test", s.handleConnectionTest).BindFunc(requireRole(operatorUp))
}

// Status is the appliance's state as GET /api/switchboard/status tells it.
type Status struct {
	Version    string `json:"version"`
	Commit     string `json:"commit"`
	FlowsReady bool   `json:"flows_ready"`
	Problem    string `json:"problem,omitempty"`
}

// PublicStatus is the health answer anybody may read: whether the
// appliance works, and nothing about why not.
type PublicStatus struct {
	Status string `json:"status"`
}

// The public health states.
const (
	StatusHealthy        = "ok"
	StatusNeedsAttention = "needs attention"
)

// handleStatus answers a public health check without details, and the
// version and the problem in words to signed-in users.
func (s *Switchboard) handleStatus(e *core.RequestEvent) error {
	ready := s.Ready()
	if !hasRole(e.Auth, anyRole) {
		if ready != nil {
			return e.JSON(http.StatusServiceUnavailable, PublicStatus{Status: StatusNeedsAttention})
		}
		return e.JSON(http.StatusOK, PublicStatus{Status: StatusHealthy})
	}
	st := Status{Version: Version, Commit: Commit, FlowsReady: true}
	if ready != nil {
		st.FlowsReady, st.Problem = false, ready.Error()
	}
	return e.JSON(http.StatusOK, st)
}

func (s *Switchboard) handleConnectors(e *core.RequestEvent) error {
	return e.JSON(http.StatusOK, s.registry.Specs())
}

func (s *Switchboard) handleConnectionTest(e *core.RequestEvent) error {
	rec, err := e.App.FindRecordById(connectionsCollection, e.Request.PathValue("id"))
	if err != nil {
		return e.NotFoundError("No such connection.", nil)
	}
	ctx, cancel := context.WithTimeout(e.Request.Context(), testTimeout)
	defer cancel()
	result := s.TestConnection(ctx, rec)
	if err := s.saveConnectionStatus(rec, result); err != nil {
		s.logger().Warn("saving connection status", "connection", rec.Id, "error", err)
	}
	return e.JSON(http.StatusOK, result)
}

// TestConnection opens the connection and asks its app for a verdict, with
// the connection's secrets redacted (an app may quote them in an error).
// It never fails: what went wrong is the verdict.
func (s *Switchboard) TestConnection(ctx context.Context, rec *core.Record) connectors.TestResult {
	return s.redactorOf(rec).testResult(s.testConnection(ctx, rec))
}

func (s *Switchboard) testConnection(ctx context.Context, rec *core.Record) connectors.TestResult {
	conn, err := s.OpenConnection(rec)
	if err != nil {
		return connectors.TestResult{OK: false, Message: err.Error()}
	}
	defer func() { _ = conn.Close() }()
	result, err := conn.Test(ctx)
	if err != nil {
		msg := err.Error()
		if errors.Is(err, context.DeadlineExceeded) {
			msg = "no answer within " + testTimeout.String() + ": " + msg
		}
		return connectors.TestResult{OK: false, Message: msg}
	}
	return result
}

func (s *Switchboard) saveConnectionStatus(rec *core.Record, result connectors.TestResult) error {
	status := "ok"
	if !result.OK {
		status = "failing"
	}
	rec.Set("status", status)
	rec.Set("status_message", truncate(result.Message, 2000))
	rec.Set("checked", types.NowDateTime())
	return s.app.Save(rec)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}
