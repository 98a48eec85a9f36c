package ui

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserPreviewSaysWhenItFails: the mapping editor's live preview
// that gets no answer (the user was signed out meanwhile) says so in
// place of the preview, instead of leaving the last one standing as if it
// showed what was typed since.
func TestBrowserPreviewSaysWhenItFails(t *testing.T) {
	e := newEnv(t, false, true)
	srv := httptest.NewServer(e.mux)
	t.Cleanup(srv.Close)
	b := newBrowser(t, srv.URL)
	b.open("/login")
	b.submit("signing in", map[string]string{"#email": "editor@example.com", "#password": password}, "button.primary")
	b.open("/flows/" + e.demo.FlowID + "/mapping")
	if _, err := e.app.DB().NewQuery("DELETE FROM ui_sessions").Execute(); err != nil {
		t.Fatal(err)
	}
	b.run("typing an expression", chromedp.SendKeys(`[name="e.name"]`, " + \"!\"", chromedp.ByQuery))
	deadline := time.Now().Add(20 * time.Second)
	for {
		var state string
		b.run("reading the preview", chromedp.Evaluate(
			`(document.querySelector("#preview [data-preview-state]") || {}).textContent || ""`, &state))
		if strings.Contains(state, "could not be updated") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the preview that got no answer shows %q", truncated(state))
		}
		time.Sleep(200 * time.Millisecond)
	}
}
