package app

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// TestCORSOriginsNarrowedToTheAppURL: by default only the application URL
// may call the API from a browser page of another origin; a list set in
// the environment replaces it, and "*" opens it to any.
func TestCORSOriginsNarrowedToTheAppURL(t *testing.T) {
	for _, tc := range []struct {
		name, env, origin string
		allowed           bool
	}{
		{"the app URL", "", "https://sb.example.com", true},
		{"the app URL in another case", "", "HTTPS://SB.example.com", true},
		{"another site", "", "https://evil.example", false},
		{"the app URL's host on another port", "", "https://sb.example.com:8443", false},
		{"a listed origin", "https://shop.example.com, https://erp.example.com", "https://erp.example.com", true},
		{"the app URL when a list is set", "https://shop.example.com", "https://sb.example.com", false},
		{"any, when asked", "*", "https://evil.example", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvOrigins, tc.env)
			env := newTestEnv(t)
			env.app.Settings().Meta.AppURL = "https://sb.example.com/"
			mux := servedMux(t, env)
			req := httptest.NewRequest(http.MethodOptions, APIPrefix+"/status", nil)
			req.Header.Set("Origin", tc.origin)
			req.Header.Set("Access-Control-Request-Method", http.MethodPost)
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, req)
			got := rec.Header().Get("Access-Control-Allow-Origin")
			if tc.allowed != (got != "") || got == "*" && tc.env != "*" {
				t.Fatalf("Access-Control-Allow-Origin = %q for %s, want allowed %v", got, tc.origin, tc.allowed)
			}
		})
	}
}

func TestParseOrigins(t *testing.T) {
	for _, tc := range []struct {
		in    string
		want  []string
		fails bool
	}{
		{"", nil, false},
		{"*", []string{"*"}, false},
		{"https://A.example.com/, http://b.example:8080", []string{"https://a.example.com", "http://b.example:8080"}, false},
		{"https://a.example.com/path", nil, true},
		{"a.example.com", nil, true},
		{"ftp://a.example.com", nil, true},
	} {
		got, err := parseOrigins(tc.in)
		if (err != nil) != tc.fails || !slices.Equal(got, tc.want) {
			t.Errorf("parseOrigins(%q) = %v, %v", tc.in, got, err)
		}
		if err != nil && !strings.Contains(err.Error(), EnvOrigins) {
			t.Errorf("the error %q does not name %s", err, EnvOrigins)
		}
	}
}

// TestTrustedProxyHeadersFromTheEnvironment: the client's address is
// taken from the proxy's header once the setting names it.
// TestTrustedProxyHeadersMustBeHeaderNames: a value meant as a switch, or
// not a header's name, stops the start with the variable named, instead
// of trusting a header no proxy sets.
func TestTrustedProxyHeadersMustBeHeaderNames(t *testing.T) {
	for _, value := range []string{"yes", "true", "1", "X-Forwarded-For, on", "X Forwarded For"} {
		t.Run(value, func(t *testing.T) {
			t.Setenv(EnvTrustedProxyHeaders, value)
			env := newTestEnv(t)
			err := env.sb.applyTrustedProxy()
			if err == nil || !strings.Contains(err.Error(), EnvTrustedProxyHeaders) {
				t.Fatalf("%q: %v", value, err)
			}
			if got := env.app.Settings().TrustedProxy.Headers; len(got) != 0 {
				t.Fatalf("%q: trusted %v", value, got)
			}
		})
	}
}

func TestTrustedProxyHeadersFromTheEnvironment(t *testing.T) {
	t.Setenv(EnvTrustedProxyHeaders, "x-forwarded-for")
	env := newTestEnv(t)
	servedMux(t, env)
	if got := env.app.Settings().TrustedProxy.Headers; !slices.Equal(got, []string{"X-Forwarded-For"}) {
		t.Fatalf("trusted-proxy headers = %v", got)
	}
}

// TestTrustedProxyHeadersAcrossStarts: the environment wins while it is
// set; removed, the headers it set are cleared at the next start (a
// client could otherwise still give itself any address), but headers an
// admin set in the dashboard stay.
func TestTrustedProxyHeadersAcrossStarts(t *testing.T) {
	start := func(t *testing.T, env *testEnv, value string) []string {
		t.Helper()
		t.Setenv(EnvTrustedProxyHeaders, value)
		if err := env.app.ReloadSettings(); err != nil {
			t.Fatal(err)
		}
		if err := env.sb.applyTrustedProxy(); err != nil {
			t.Fatal(err)
		}
		if err := env.app.ReloadSettings(); err != nil {
			t.Fatal(err)
		}
		return env.app.Settings().TrustedProxy.Headers
	}
	setInDashboard := func(t *testing.T, env *testEnv, headers ...string) {
		t.Helper()
		settings := env.app.Settings()
		settings.TrustedProxy.Headers = headers
		if err := env.app.Save(settings); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("removed from the environment, its headers are cleared", func(t *testing.T) {
		env := newTestEnv(t)
		if got := start(t, env, "X-Forwarded-For"); !slices.Equal(got, []string{"X-Forwarded-For"}) {
			t.Fatalf("first start trusts %v", got)
		}
		if got := start(t, env, ""); len(got) != 0 {
			t.Fatalf("after the variable was removed, %v are still trusted", got)
		}
	})
	t.Run("the environment wins over the dashboard while it is set", func(t *testing.T) {
		env := newTestEnv(t)
		setInDashboard(t, env, "X-Real-Ip")
		if got := start(t, env, "X-Forwarded-For"); !slices.Equal(got, []string{"X-Forwarded-For"}) {
			t.Fatalf("start trusts %v", got)
		}
	})
	t.Run("headers set in the dashboard stay", func(t *testing.T) {
		env := newTestEnv(t)
		setInDashboard(t, env, "X-Real-Ip")
		if got := start(t, env, ""); !slices.Equal(got, []string{"X-Real-Ip"}) {
			t.Fatalf("without the variable, start trusts %v", got)
		}
	})
	t.Run("headers an admin changed after the environment set them stay", func(t *testing.T) {
		env := newTestEnv(t)
		start(t, env, "X-Forwarded-For")
		setInDashboard(t, env, "X-Real-Ip")
		if got := start(t, env, ""); !slices.Equal(got, []string{"X-Real-Ip"}) {
			t.Fatalf("after the variable was removed, start trusts %v", got)
		}
		if got := start(t, env, ""); !slices.Equal(got, []string{"X-Real-Ip"}) {
			t.Fatalf("at a third start, %v", got)
		}
	})
}
