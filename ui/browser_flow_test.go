package ui

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserWebhookCopyButtons: where the page's script runs, a webhook
// flow's Copy buttons show (without it they are hidden, and the secret is
// read under "Show the signing secret"), and the page logs no problem.
func TestBrowserWebhookCopyButtons(t *testing.T) {
	e := newEnv(t, false, true)
	if _, err := e.app.DB().NewQuery("UPDATE flows SET webhook = TRUE WHERE id = {:id}").
		Bind(map[string]any{"id": e.demo.FlowID}).Execute(); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.mux)
	t.Cleanup(srv.Close)
	b := newBrowser(t, srv.URL)
	b.open("/login")
	b.submit("signing in", map[string]string{"#email": "editor@example.com", "#password": password}, "button.primary")
	b.open("/flows/" + e.demo.FlowID)
	var hidden []bool
	b.run("reading the Copy buttons", chromedp.Evaluate(
		`Array.from(document.querySelectorAll("[data-copy]")).map(function (b) { return b.hidden; })`, &hidden))
	if len(hidden) != 2 || hidden[0] || hidden[1] {
		t.Fatalf("the Copy buttons' hidden flags with the script: %v", hidden)
	}
	b.checkProblems("the webhook flow's page")
}

// TestBrowserTypingACronExpressionPicksOther: typing in a flow's cron
// field ticks "Other", so that the expression typed is the one saved
// instead of the preset left ticked.
func TestBrowserTypingACronExpressionPicksOther(t *testing.T) {
	e := newEnv(t, false, true)
	srv := httptest.NewServer(e.mux)
	t.Cleanup(srv.Close)
	b := newBrowser(t, srv.URL)
	b.open("/login")
	b.submit("signing in", map[string]string{"#email": "editor@example.com", "#password": password}, "button.primary")
	for _, path := range []string{"/flows/" + e.demo.FlowID, "/flows/" + e.demo.FlowID + "/edit"} {
		b.open(path)
		b.run("picking a preset", chromedp.Click(`input[name="schedule"][value="@hourly"]`, chromedp.ByQuery))
		b.run("typing a cron expression", chromedp.Evaluate(`document.querySelector("#custom").value = ""`, nil),
			chromedp.SendKeys("#custom", "30 6 * * 1-5", chromedp.ByQuery))
		var picked string
		b.run("reading the choice", chromedp.Evaluate(
			`document.querySelector('input[name="schedule"]:checked').value`, &picked))
		if picked != "custom" {
			t.Errorf("%s: after typing a cron expression the schedule picked is %q", path, picked)
		}
		b.checkProblems(path)
	}
}

// TestBrowserPickerInserts: where the page's script runs, the mapping
// editor's picker buttons are on and put a field into the expression last
// typed in (without the script they are off: they would do nothing).
func TestBrowserPickerInserts(t *testing.T) {
	e := newEnv(t, false, true)
	srv := httptest.NewServer(e.mux)
	t.Cleanup(srv.Close)
	b := newBrowser(t, srv.URL)
	b.open("/login")
	b.submit("signing in", map[string]string{"#email": "editor@example.com", "#password": password}, "button.primary")
	b.open("/flows/" + e.demo.FlowID + "/mapping")
	var off int
	b.run("counting the picker buttons that are off", chromedp.Evaluate(
		`document.querySelectorAll("[data-insert][disabled], [data-insert][hidden]").length`, &off))
	if off != 0 {
		t.Fatalf("%d picker buttons are off with the script", off)
	}
	var value string
	b.run("picking a field", chromedp.Evaluate(`document.querySelector('[name="e.name"]').value = ""`, nil),
		chromedp.Focus(`[name="e.name"]`, chromedp.ByQuery),
		chromedp.Click(`[data-insert="Omschrijving"]`, chromedp.ByQuery),
		chromedp.Value(`[name="e.name"]`, &value, chromedp.ByQuery))
	if value != "Omschrijving" {
		t.Fatalf("the expression after picking Omschrijving: %q", value)
	}
	b.checkProblems("the mapping editor")
}

// TestBrowserEnterInTheMappingSearchSavesNothing: Enter in the mapping
// editor's "find a field" box only filters; it used to submit the form
// around it, saving the mapping as it was typed.
func TestBrowserEnterInTheMappingSearchSavesNothing(t *testing.T) {
	e := newEnv(t, false, true)
	srv := httptest.NewServer(e.mux)
	t.Cleanup(srv.Close)
	b := newBrowser(t, srv.URL)
	b.open("/login")
	b.submit("signing in", map[string]string{"#email": "editor@example.com", "#password": password}, "button.primary")
	b.open("/flows/" + e.demo.FlowID + "/mapping")
	before := fmt.Sprint(mappingOf(t, e))
	b.run("changing an expression, then searching", chromedp.SendKeys(`[name="e.name"]`, ` + "!"`, chromedp.ByQuery),
		chromedp.SendKeys("#find", "name\r", chromedp.ByQuery))
	time.Sleep(time.Second)
	var location string
	b.run("reading the address", chromedp.Location(&location))
	if after := fmt.Sprint(mappingOf(t, e)); after != before || !strings.HasSuffix(location, "/mapping") {
		t.Fatalf("Enter in the search box: at %s, the mapping\n%s\nbecame\n%s", location, before, after)
	}
	var shown, all int
	b.run("counting the rows the search shows", chromedp.Evaluate(
		`Array.from(document.querySelectorAll("#map-rows tbody tr")).filter(function (tr) { return !tr.hidden; }).length`, &shown),
		chromedp.Evaluate(`document.querySelectorAll("#map-rows tbody tr").length`, &all))
	if shown == 0 || shown >= all {
		t.Fatalf("searching for name shows %d rows of %d", shown, all)
	}
}

// mappingOf is the demo flow's stored mapping.
func mappingOf(t *testing.T, e *env) any {
	t.Helper()
	flow, err := e.app.FindRecordById("flows", e.demo.FlowID)
	if err != nil {
		t.Fatal(err)
	}
	return flow.Get("mapping")
}
