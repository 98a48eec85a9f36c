package app

import (
	"crypto/tls"
	"net/http"
	"testing"
)

// TestWebhooksAreAddressedWhereTheApplianceServes: the address a flow's
// webhooks are sent to, and the link of its alert mails, are the
// Application URL once an admin sets one; until then they are the address
// serve listens on, not PocketBase's default http://localhost:8090
// whatever --http said, nor a link without a host.
func TestWebhooksAreAddressedWhereTheApplianceServes(t *testing.T) {
	tests := []struct {
		name, appURL string
		served       *http.Server
		tls          bool // serve serves HTTPS
		want         string
	}{
		{"no Application URL, a loopback address", defaultAppURL, &http.Server{Addr: "127.0.0.1:18501"}, false, "http://127.0.0.1:18501"},
		{"no Application URL, every interface", defaultAppURL, &http.Server{Addr: "0.0.0.0:9090"}, false, "http://localhost:9090"},
		{"an empty Application URL, a port alone", "", &http.Server{Addr: ":9000"}, false, "http://localhost:9000"},
		{"no Application URL, over TLS", defaultAppURL, &http.Server{Addr: "[::]:8443", TLSConfig: &tls.Config{}}, true, "https://localhost:8443"},
		{"no Application URL, plain HTTP by PocketBase's server, which has a TLS config", defaultAppURL,
			&http.Server{Addr: "127.0.0.1:8091", TLSConfig: &tls.Config{}}, false, "http://127.0.0.1:8091"},
		{"an Application URL", "https://sb.example.com/", &http.Server{Addr: "127.0.0.1:18501"}, false, "https://sb.example.com"},
		{"not served yet", defaultAppURL, nil, false, defaultAppURL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			e := env.sb.engine
			env.app.Settings().Meta.AppURL = tt.appURL
			e.servedAt.Store(nil)
			e.serving(tt.served, tt.tls)
			if got := e.hookURL("f1"); got != tt.want+"/hooks/f1" {
				t.Errorf("hookURL = %q, want %q", got, tt.want+"/hooks/f1")
			}
			if got, want := e.alerts.activityLink("f1"), tt.want+"/activity?flow=f1&status=failed"; got != want {
				t.Errorf("the alert mail's link = %q, want %q", got, want)
			}
		})
	}
}
