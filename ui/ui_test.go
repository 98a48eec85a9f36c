package ui

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"github.com/switchboard-app/switchboard/app"
	_ "github.com/switchboard-app/switchboard/pb_migrations"
)

// servedUI starts a fresh data folder with the UI registered; broken makes
// its secret-key check fail, as a wrong key does.
func servedUI(t *testing.T, broken bool) http.Handler {
	t.Helper()
	t.Setenv("SWITCHBOARD_SECRET_KEY", "")
	ta, err := tests.NewTestAppWithConfig(core.BaseAppConfig{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ta.Cleanup)
	if err := ta.RunAllMigrations(); err != nil {
		t.Fatal(err)
	}
	if broken {
		meta, _ := ta.FindCollectionByNameOrId("sb_meta")
		canary := core.NewRecord(meta)
		canary.Set("key", "secret_canary")
		canary.Set("value", "sb1:kzz9:bm90IHNlYWxlZCB3aXRoIHRoaXMga2V5")
		if err := ta.Save(canary); err != nil {
			t.Fatal(err)
		}
	}
	sb := app.Register(ta, app.Options{})
	if _, err := Register(sb); err != nil {
		t.Fatal(err)
	}
	r, err := apis.NewRouter(ta)
	if err != nil {
		t.Fatal(err)
	}
	var mux http.Handler
	err = ta.OnServe().Trigger(&core.ServeEvent{App: ta, Router: r}, func(e *core.ServeEvent) error {
		mux, err = e.Router.BuildMux()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Engine().Stop)
	return mux
}

func get(h http.Handler, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

// TestPagesCarrySecurityHeaders: no inline script may run and no other
// site may frame the UI or learn its addresses from the referrer.
func TestPagesCarrySecurityHeaders(t *testing.T) {
	h := servedUI(t, false)
	for _, path := range []string{"/", "/static/switchboard.css"} {
		rec := get(h, path)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s = %d", path, rec.Code)
		}
		csp := rec.Header().Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") ||
			!strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("GET %s: Content-Security-Policy %q", path, csp)
		}
		if got := rec.Header().Get("Referrer-Policy"); got != "same-origin" {
			t.Errorf("GET %s: Referrer-Policy %q", path, got)
		}
	}
}

// TestHomeTellsVisitorsNoKeyDetails: a failed key check is told to an
// anonymous visitor as "needs attention", without key ids or paths.
func TestHomeTellsVisitorsNoKeyDetails(t *testing.T) {
	rec := get(servedUI(t, true), "/")
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, "needs attention") {
		t.Fatalf("home = %d %s", rec.Code, body)
	}
	for _, detail := range []string{"kzz9", "secret.key", "SWITCHBOARD_SECRET_KEY", "sealed"} {
		if strings.Contains(body, detail) {
			t.Errorf("the public home page shows %q:\n%s", detail, body)
		}
	}
}
