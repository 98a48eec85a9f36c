package app

import (
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/pocketbase/pocketbase/core"
)

// APIPrefix is where Switchboard's own routes live.
const APIPrefix = "/api/switchboard"

// testTimeout bounds a "test connection" call.
const testTimeout = 30 * time.Second

func (s *Switchboard) registerRoutes(e *core.ServeEvent) {
	g := e.Router.Group(APIPrefix)
	g.GET("/status", s.handleStatus)
	g.GET("/connectors", s.handleConnectors).BindFunc(requireRole(anyRole))
	g.GET("/activity", s.handleActivity).BindFunc(requireRole(anyRole))
	g.GET("/model", s.handleModel).BindFunc(requireRole(anyRole))
	g.GET("/functions", s.handleFunctions).BindFunc(requireRole(anyRole))
	g.GET("/integrations/{id}/export", s.handleExport).BindFunc(requireRole(editorUp))
	g.POST("/integrations/import", s.handleImport).BindFunc(requireRole(editorUp))
	g.POST("/connections/{id}/test", s.handleConnectionTest).BindFunc(requireRole(operatorUp))
	g.GET("/oauth/{connection}/start", s.handleOAuthStart).BindFunc(requireRole(editorUp))
	g.GET("/oauth/callback", s.handleOAuthCallback)
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
	result, err := s.TestConnectionByID(e.Request.Context(), e.Request.PathValue("id"))
	if err != nil {
		return e.NotFoundError("No such connection.", nil)
	}
	return e.JSON(http.StatusOK, result)
}

// truncate shortens a message to at most n bytes, ending in "...", and
// cuts it between characters, so that a note, an error or a status shown to
// people never ends in half a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - 3
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// truncateKey shortens a key or an id to at most n bytes, ending in "...",
// cut at the byte as keys were always stored, so that a long key read again
// finds the transactions stored before. Two keys that begin alike are cut
// alike: what tells records apart takes fitKey.
func truncateKey(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}
