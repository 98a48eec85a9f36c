package ui

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserLongNamesFitASmallScreen: names and keys with no place to
// break (an SKU, a file name with underscores) keep every page within a
// phone's width: no page scrolls sideways, and no table has to.
func TestBrowserLongNamesFitASmallScreen(t *testing.T) {
	e := newEnv(t, false, true)
	txID := e.failedTx().Id
	long := strings.Repeat("Tuinmeubelen_en_barbecues_", 8)
	for _, q := range []struct{ sql, name string }{
		{"UPDATE flows SET name = {:name}", "Flow " + long},
		{"UPDATE integrations SET name = {:name}", "Integration " + long},
		{"UPDATE connections SET name = {:name} || id", "Connection " + long},
		{"UPDATE transactions SET key = {:name}, flow_name = 'Flow " + long + "' WHERE id = '" + txID + "'", long + ".csv:6"},
	} {
		if _, err := e.app.DB().NewQuery(q.sql).Bind(map[string]any{"name": q.name}).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(e.mux)
	t.Cleanup(srv.Close)
	b := newBrowser(t, srv.URL)
	b.open("/login")
	b.submit("signing in", map[string]string{"#email": "admin@example.com", "#password": password}, "button.primary")
	b.run("a phone's width", chromedp.EmulateViewport(375, 900))
	flow := "/flows/" + e.demo.FlowID
	for _, path := range []string{"/", "/activity", "/activity/" + txID, "/integrations", "/connections",
		"/connections/" + e.demo.SupplierID, flow, flow + "/edit", flow + "/mapping", flow + "/rules",
		"/integrations/" + e.demo.IntegrationID + "/edit", "/settings", "/usage"} {
		b.open(path)
		var wide []string
		b.run("measuring "+path, chromedp.Evaluate(`(function () {
			var out = [];
			if (document.documentElement.scrollWidth > window.innerWidth) {
				out.push("the page, " + document.documentElement.scrollWidth + " px");
			}
			document.querySelectorAll(".table-wrap").forEach(function (w) {
				if (w.scrollWidth > w.clientWidth + 1) { out.push("a table, " + w.scrollWidth + " px"); }
			});
			return out;
		})()`, &wide))
		if len(wide) > 0 {
			t.Errorf("%s at 375 px scrolls sideways: %s", path, strings.Join(wide, "; "))
		}
	}
}
