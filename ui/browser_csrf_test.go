package ui

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserLinkFromAnotherSiteKeepsTheFormToken: a page opened from a
// link on another site (an alert mail read in webmail) keeps the
// browser's form token, so the forms of the pages open in other tabs still
// post. A token cookie the browser did not send on such a navigation was
// made anew, and every form open elsewhere was refused as out of date.
func TestBrowserLinkFromAnotherSiteKeepsTheFormToken(t *testing.T) {
	e := newEnv(t, false, true)
	srv := httptest.NewServer(e.mux)
	t.Cleanup(srv.Close)
	// Another site: "localhost" is a site of its own beside 127.0.0.1.
	ln, err := net.Listen("tcp", "localhost:0")
	if err != nil {
		t.Fatal(err)
	}
	mail := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>mail</title><a id="go" href="%s/activity?status=failed">failures</a>`, srv.URL)
	}))
	_ = mail.Listener.Close()
	mail.Listener = ln
	mail.Start()
	t.Cleanup(mail.Close)
	mailURL := "http://" + strings.Replace(ln.Addr().String(), "127.0.0.1", "localhost", 1)

	b := newBrowser(t, srv.URL)
	b.open("/login")
	b.submit("signing in", map[string]string{"#email": "operator@example.com", "#password": password}, "button.primary")
	b.open("/activity")
	var before, after string
	b.run("reading the form token", chromedp.Value(`input[name="csrf"]`, &before, chromedp.ByQuery))
	b.run("following the mail's link", chromedp.Navigate(mailURL),
		chromedp.Click("#go", chromedp.ByQuery), chromedp.WaitReady("footer", chromedp.ByQuery),
		chromedp.Value(`input[name="csrf"]`, &after, chromedp.ByQuery))
	if before == "" || after != before {
		t.Fatalf("the form token was %q, after the link from another site %q: the forms of other tabs are refused", before, after)
	}
}
