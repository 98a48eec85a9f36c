package rest

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/conntest"
)

func newClient(t *testing.T, url string, opts Options) *Client {
	t.Helper()
	opts.BaseURL = url
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func answer(status int, ctype, body string, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		if ctype != "" {
			w.Header().Set("Content-Type", ctype)
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

func TestStatusErrorsAreClassifiedWithTheAppsMessage(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		body        string
		header      []string
		class       connectors.Class
		rateLimited bool
		wait        time.Duration
		message     string
	}{
		{"server error", 500, `{"message":"database is down"}`, nil, connectors.ClassTransient, false, 0, "500 Internal Server Error: database is down"},
		{"unavailable with Retry-After", 503, `maintenance`, []string{"Retry-After", "7"}, connectors.ClassTransient, false, 7 * time.Second, "503 Service Unavailable: maintenance"},
		{"request timeout", 408, ``, nil, connectors.ClassTransient, false, 0, "408 Request Timeout"},
		{"too early", 425, ``, nil, connectors.ClassTransient, false, 0, "425 Too Early"},
		{"rate limited", 429, `{"error":"slow down"}`, []string{"Retry-After", "3"}, connectors.ClassTransient, true, 3 * time.Second, "429 Too Many Requests: slow down"},
		{"validation, errors list", 422, `{"errors":[{"field":"email","message":"is not valid"}]}`, nil, connectors.ClassPermanent, false, 0, "422 Unprocessable Entity: email: is not valid"},
		{"validation, JSON:API errors with pointers", 400, `{"errors":[{"status":"400","detail":"This value should not be blank.","source":{"pointer":"/0/name"}},` +
			`{"status":"400","detail":"This value should be of type int.","source":{"pointer":"/0/stock"}}]}`, nil, connectors.ClassPermanent, false, 0,
			"400 Bad Request: /0/name: This value should not be blank.; /0/stock: This value should be of type int."},
		{"validation, a parameter named", 400, `{"error":{"type":"invalid_request_error","message":"Invalid integer: abc","param":"quantity"}}`, nil, connectors.ClassPermanent, false, 0,
			"400 Bad Request: quantity: Invalid integer: abc"},
		{"validation, a location", 422, `{"detail":[{"loc":["body","items",0,"sku"],"msg":"field required"}]}`, nil, connectors.ClassPermanent, false, 0,
			"422 Unprocessable Entity: body.items.0.sku: field required"},
		{"validation, the field in the message already", 400, `{"code":"rest_invalid_param","message":"Invalid parameter(s): regular_price","data":{"params":{"regular_price":"is not of type string"}}}`,
			nil, connectors.ClassPermanent, false, 0, "400 Bad Request: Invalid parameter(s): regular_price"},
		{"validation, errors by field", 422, `{"errors":{"email":["is not valid"]}}`, nil, connectors.ClassPermanent, false, 0, "422 Unprocessable Entity: email is not valid"},
		{"OData's error", 400, `{"error":{"code":"","message":{"lang":"","value":"Item not found: SKU-9"}}}`, nil, connectors.ClassPermanent, false, 0, "400 Bad Request: Item not found: SKU-9"},
		{"oauth style", 400, `{"error":"invalid_grant","error_description":"the code expired"}`, nil, connectors.ClassPermanent, false, 0, "400 Bad Request: the code expired"},
		{"problem details", 404, `{"type":"about:blank","title":"Not Found","detail":"no order 12"}`, nil, connectors.ClassPermanent, false, 0, "404 Not Found: no order 12"},
		{"error object", 403, `{"error":{"code":17,"message":"scope orders:write missing"}}`, nil, connectors.ClassPermanent, false, 0, "403 Forbidden: scope orders:write missing"},
		{"plain text", 400, `bad sku`, nil, connectors.ClassPermanent, false, 0, "400 Bad Request: bad sku"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(answer(tt.status, "application/json", tt.body, tt.header...))
			defer srv.Close()
			res, err := newClient(t, srv.URL, Options{}).Do(context.Background(), Request{Method: "POST", Path: "orders", JSON: map[string]any{"n": 1}})
			class, wait := connectors.Classify(err)
			_, limited := connectors.IsRateLimited(err)
			if err == nil || class != tt.class || limited != tt.rateLimited || wait != tt.wait {
				t.Fatalf("Do = %v: class %s, rate limited %v, wait %s; want %s, %v, %s", err, class, limited, wait, tt.class, tt.rateLimited, tt.wait)
			}
			if want := "POST /orders: " + tt.message; err.Error() != want {
				t.Fatalf("message %q, want %q", err.Error(), want)
			}
			var se *StatusError
			if !errors.As(err, &se) || se.Status != tt.status || res == nil || res.Status != tt.status {
				t.Fatalf("want a *StatusError and the response with status %d, got %v, %+v", tt.status, se, res)
			}
		})
	}
}

func TestCallsWithoutAnAnswerAreTransient(t *testing.T) {
	closed := httptest.NewServer(nil)
	refused := closed.URL
	closed.Close()
	hang := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-hang:
		}
	}))
	defer slow.Close()
	defer close(hang)
	dropped := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(200)
		_, _ = w.Write([]byte(`{"records":[`))
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	}))
	defer dropped.Close()
	tests := []struct {
		name, url string
		opts      Options
		want      string
	}{
		{"refused", refused, Options{}, "nothing answers at that address"},
		{"host not found", "http://no-such-host.invalid", Options{}, "host not found"},
		{"no answer within the request timeout", slow.URL, Options{Timeout: 50 * time.Millisecond}, "no answer in time"},
		{"connection dropped mid-answer", dropped.URL, Options{}, "reading the answer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newClient(t, tt.url, tt.opts).Do(context.Background(), Request{Path: "orders"})
			if class, _ := connectors.Classify(err); err == nil || class != connectors.ClassTransient || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Do = %v (%s), want transient %q", err, class, tt.want)
			}
		})
	}
}

func TestTheCallersContextBoundsTheCall(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := newClient(t, srv.URL, Options{}).Do(ctx, Request{Path: "orders"})
	if class, _ := connectors.Classify(err); !errors.Is(err, context.DeadlineExceeded) || class != connectors.ClassTransient {
		t.Fatalf("Do = %v (%s), want a transient deadline", err, class)
	}
}

func TestAnswersAreDecodedExactly(t *testing.T) {
	srv := httptest.NewServer(answer(200, "application/json; charset=utf-8", `{"id": 12345678901234567890, "total": 0.1, "lines": [{"qty": 3}]}`))
	defer srv.Close()
	var got map[string]any
	if _, err := newClient(t, srv.URL, Options{}).DoJSON(context.Background(), Request{Path: "orders/1"}, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"id": json.Number("12345678901234567890"), "total": json.Number("0.1"), "lines": []any{map[string]any{"qty": json.Number("3")}}}
	if fmt.Sprint(got) != fmt.Sprint(want) || got["id"] != want["id"] || got["total"] != want["total"] {
		t.Fatalf("decoded %#v, want %#v", got, want)
	}
}

func TestBadAnswersAreRefused(t *testing.T) {
	big := `{"records":"` + strings.Repeat("x", 2048) + `"}`
	tests := []struct {
		name, ctype, body string
		want              string
	}{
		{"a web page", "text/html", `<html>login</html>`, "the answer is text/html, not JSON: <html>login</html>"},
		{"JSON declared, something else sent", "application/json", `<html>`, "not JSON as expected"},
		{"two values", "application/json", `{"a":1} {"b":2}`, "more than one JSON value"},
		{"empty", "application/json", ``, "the answer is empty"},
		{"a charset other than UTF-8", "application/json; charset=iso-8859-1", `{}`, "not JSON"},
		{"too large", "application/json", big, "the answer is larger than 1 KB; nothing of it is used"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(answer(200, tt.ctype, tt.body))
			defer srv.Close()
			var got map[string]any
			_, err := newClient(t, srv.URL, Options{MaxBody: 1024}).DoJSON(context.Background(), Request{Path: "orders"}, &got)
			if class, _ := connectors.Classify(err); err == nil || class != connectors.ClassPermanent || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("DoJSON = %v (%s), want permanent %q", err, class, tt.want)
			}
			if got != nil {
				t.Fatalf("something was decoded from a refused answer: %v", got)
			}
		})
	}
}

func TestRequestsCarryTheirHeadersAndBody(t *testing.T) {
	var got *http.Request
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		body, _ = readLimited(r.Body, 1<<20)
		answer(201, "application/json", `{"id":"9"}`)(w, r)
	}))
	defer srv.Close()
	c := newClient(t, srv.URL+"/api/v2/", Options{IdempotencyHeader: "Idempotency-Key", Header: http.Header{"User-Agent": {"Switchboard"}}})
	_, err := c.Do(context.Background(), Request{Method: "POST", Path: "orders?expand=lines", Query: map[string][]string{"x": {"1"}},
		JSON: map[string]any{"number": "1001"}, IdempotencyKey: "tx-1", Header: http.Header{"X-Api-Version": {"3"}}})
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string][2]string{
		"path":            {got.URL.Path, "/api/v2/orders"},
		"query":           {got.URL.RawQuery, "expand=lines&x=1"},
		"idempotency key": {got.Header.Get("Idempotency-Key"), "tx-1"},
		"content type":    {got.Header.Get("Content-Type"), "application/json"},
		"accept":          {got.Header.Get("Accept"), "application/json"},
		"user agent":      {got.Header.Get("User-Agent"), "Switchboard"},
		"extra header":    {got.Header.Get("X-Api-Version"), "3"},
		"body":            {string(body), `{"number":"1001"}`},
	}
	for name, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s = %q, want %q", name, c[0], c[1])
		}
	}
}

func TestAbsoluteAddressesMustBeOnTheBaseOrigin(t *testing.T) {
	srv := httptest.NewServer(answer(200, "application/json", `{}`))
	defer srv.Close()
	c := newClient(t, srv.URL+"/api", Options{Auth: AuthorizerFunc(func(_ context.Context, r *http.Request, _ []byte) error {
		r.Header.Set("Authorization", "Bearer s3cret-token")
		return nil
	})})
	if _, err := c.Do(context.Background(), Request{Path: srv.URL + "/api/orders?page=2"}); err != nil {
		t.Fatalf("a next link on the same origin: %v", err)
	}
	_, err := c.Do(context.Background(), Request{Path: "http://attacker.example/api/orders"})
	if class, _ := connectors.Classify(err); err == nil || class != connectors.ClassPermanent || !strings.Contains(err.Error(), "not on") {
		t.Fatalf("a link to another host = %v, want a permanent refusal", err)
	}
	// A link that carries a credential in its query (an app that echoes
	// the key into its next links) is named without it.
	_, err = c.Do(context.Background(), Request{Path: "http://other.example/api/orders?page=2&access_token=app-issued-77"})
	if err == nil || strings.Contains(err.Error(), "app-issued-77") || !strings.Contains(err.Error(), "page=2") {
		t.Fatalf("a link with a credential in its query = %v, want it refused without the credential", err)
	}
}

// TestAnAbsoluteAddressIsComparedByItsOrigin: a next link that writes the
// base's origin differently (the default port written out, the host in
// other letter case) is on the origin and followed; so is a plain http
// link to the https base's host (an app behind a proxy that ends TLS
// writes its links so), followed over https; one on another port, scheme
// or host is refused.
func TestAnAbsoluteAddressIsComparedByItsOrigin(t *testing.T) {
	c := newClient(t, "https://Shop.Example.com/api", Options{})
	cases := []struct {
		link string
		ok   bool
		sent string
	}{
		{"https://shop.example.com/api/orders?page=2", true, ""},
		{"https://shop.example.com:443/api/orders?page=2", true, ""},
		{"HTTPS://SHOP.EXAMPLE.COM/api/orders?page=2", true, ""},
		{"http://shop.example.com/api/orders?page=2", true, "https://Shop.Example.com/api/orders?page=2"},
		{"http://shop.example.com:80/api/orders?page=2", true, "https://Shop.Example.com/api/orders?page=2"},
		{"https://shop.example.com:8443/api/orders", false, ""},
		{"http://shop.example.com:8080/api/orders", false, ""},
		{"ftp://shop.example.com/api/orders", false, ""},
		{"https://shop.example.com.evil.test/api/orders", false, ""},
	}
	for _, tc := range cases {
		u, err := c.resolve(Request{Path: tc.link})
		if (err == nil) != tc.ok || (tc.sent != "" && u.String() != tc.sent) {
			t.Errorf("%s: %v, err = %v, want followed %v at %q", tc.link, u, err, tc.ok, tc.sent)
		}
	}

}

// TestRedirectsStayOnTheOrigin: an app's redirect to another host or port
// is refused, so that a credential in a custom header (which Go copies to
// the next request) is not sent there; a redirect on the origin is
// followed.
func TestRedirectsStayOnTheOrigin(t *testing.T) {
	var stolen []string
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		stolen = append(stolen, r.Header.Get("X-Api-Key"))
	}))
	defer elsewhere.Close()
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, elsewhere.URL+"/stolen", http.StatusFound)
		case "/moved":
			http.Redirect(w, r, "/here", http.StatusMovedPermanently)
		default:
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"path":"` + r.URL.Path + `","key":"` + r.Header.Get("X-Api-Key") + `"}`))
		}
	}))
	defer app.Close()
	withKey := AuthorizerFunc(func(_ context.Context, r *http.Request, _ []byte) error {
		r.Header.Set("X-Api-Key", "KEY-abcdef-123456")
		return nil
	})
	for _, hc := range []*http.Client{nil, {Timeout: time.Minute}} {
		c := newClient(t, app.URL, Options{Auth: withKey, HTTPClient: hc})
		var got map[string]any
		if _, err := c.DoJSON(context.Background(), Request{Path: "moved"}, &got); err != nil || got["path"] != "/here" || got["key"] != "KEY-abcdef-123456" {
			t.Fatalf("a redirect on the origin = %v, %v", got, err)
		}
		_, err := c.Do(context.Background(), Request{Path: "away"})
		if err == nil || !strings.Contains(err.Error(), "redirected to") || len(stolen) != 0 {
			t.Fatalf("a redirect to another port = %v; the other server got %q", err, stolen)
		}
		// the app answered, and will answer so again: not "no answer", not retried for days
		if class, _ := connectors.Classify(err); class != connectors.ClassPermanent || strings.Contains(err.Error(), "no answer") {
			t.Fatalf("a redirect to another port = %v (%s); want a permanent error that does not say the app gave no answer", err, class)
		}
	}
}

func TestPathsStayUnderTheBaseAddress(t *testing.T) {
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.EscapedPath())
		answer(200, "application/json", `{}`)(w, r)
	}))
	defer srv.Close()
	c := newClient(t, srv.URL+"/api", Options{})
	for _, p := range []string{"orders/a%2Fb", "/orders/7/", "orders/../../admin"} {
		_, err := c.Do(context.Background(), Request{Path: p})
		if strings.Contains(p, "..") != (err != nil) {
			t.Errorf("Do(%q) = %v", p, err)
		}
	}
	if want := "[/api/orders/a%2Fb /api/orders/7/]"; fmt.Sprint(paths) != want {
		t.Fatalf("the app was called at %v, want %s", paths, want)
	}
}

func TestTheRequestLogIsAtDebugLevelWithoutCredentials(t *testing.T) {
	srv := httptest.NewServer(answer(200, "application/json", `{}`))
	defer srv.Close()
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newClient(t, srv.URL, Options{Logger: logger, Auth: AuthorizerFunc(func(_ context.Context, r *http.Request, _ []byte) error {
		r.Header.Set("Authorization", "Bearer header-token-1")
		q := r.URL.Query()
		q.Set("api_key", "query-key-2")
		r.URL.RawQuery = q.Encode()
		return nil
	})})
	if _, err := c.Do(context.Background(), Request{Path: "orders", Query: map[string][]string{"page": {"2"}}}); err != nil {
		t.Fatal(err)
	}
	line := buf.String()
	for _, want := range []string{"level=DEBUG", "http request", "method=GET", "status=200", "page=2", "api_key=%5Bredacted%5D"} {
		if !strings.Contains(line, want) {
			t.Errorf("log %q lacks %q", line, want)
		}
	}
	for _, secret := range []string{"header-token-1", "query-key-2"} {
		if strings.Contains(line, secret) {
			t.Errorf("log %q shows the credential %q", line, secret)
		}
	}
}

func TestANewClientNeedsAnHTTPAddress(t *testing.T) {
	for _, base := range []string{"", "ftp://x.example", "shop.example.com", "http://"} {
		if _, err := New(Options{BaseURL: base}); err == nil {
			t.Errorf("New(%q) = nil error, want one", base)
		}
	}
}

// TestJSONAnswersAreTakenWithABOMOrAnotherNameOfUTF8: an answer that starts
// with a UTF-8 byte order mark (as .NET and some PHP apps write it), or
// whose content type names UTF-8 as "utf8" or its subset US-ASCII, is the
// app's JSON and is decoded, in a success and in an error's message alike.
func TestJSONAnswersAreTakenWithABOMOrAnotherNameOfUTF8(t *testing.T) {
	tests := []struct{ name, ctype, body string }{
		{"a byte order mark", "application/json; charset=utf-8", "\ufeff{\"id\": 12345678901234567890}"},
		{"a byte order mark and blanks", "application/json", "\ufeff \n{\"id\": 12345678901234567890}"},
		{"charset=utf8", "application/json; charset=utf8", `{"id": 12345678901234567890}`},
		{"charset=UTF8", "application/json;charset=UTF8", `{"id": 12345678901234567890}`},
		{"charset=us-ascii", "application/json; charset=us-ascii", `{"id": 12345678901234567890}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(answer(200, tt.ctype, tt.body))
			defer srv.Close()
			var got map[string]any
			if _, err := newClient(t, srv.URL, Options{}).DoJSON(context.Background(), Request{Path: "orders/1"}, &got); err != nil {
				t.Fatalf("DoJSON = %v", err)
			}
			if got["id"] != json.Number("12345678901234567890") {
				t.Fatalf("decoded %#v", got)
			}
		})
	}
	if got := AppMessage([]byte("\ufeff{\"message\": \"email is not valid\"}")); got != "email is not valid" {
		t.Errorf("AppMessage of an answer with a byte order mark = %q", got)
	}
}

// TestJSONLabelledAsTextOrAWebPageIsTheApps: a JSON object or list that
// the app labels text/html or text/plain (a PHP app's default type) is
// decoded; markup, text that is not JSON, or another charset is refused.
func TestJSONLabelledAsTextOrAWebPageIsTheApps(t *testing.T) {
	tests := []struct {
		ctype, body string
		ok          bool
	}{
		{"text/html; charset=UTF-8", `{"id": 12345678901234567890}`, true},
		{"text/plain", "\ufeff [{\"id\": 12345678901234567890}]", true},
		{"text/html", `<!doctype html><title>Sign in</title>`, false},
		{"text/plain", `12345678901234567890`, false},
		{"text/plain; charset=iso-8859-1", `{"id": 12345678901234567890}`, false},
		{"application/xml", `{"id": 12345678901234567890}`, false},
	}
	for _, tt := range tests {
		srv := httptest.NewServer(answer(200, tt.ctype, tt.body))
		var got any
		_, err := newClient(t, srv.URL, Options{}).DoJSON(context.Background(), Request{Path: "orders/1"}, &got)
		srv.Close()
		if (err == nil) != tt.ok || (tt.ok && !strings.Contains(fmt.Sprint(got), "12345678901234567890")) {
			t.Errorf("%s %q: DoJSON = %v, %v; want decoded %v", tt.ctype, tt.body, got, err, tt.ok)
		}
	}
}

// TestTheBaseURLsQueryGoesWithEveryPath: a base URL with a query (an API
// version, a company or tenant the app wants on every call) keeps it on
// every path below it, besides the path's own query and the request's.
func TestTheBaseURLsQueryGoesWithEveryPath(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.URL.Path+"?"+r.URL.RawQuery)
		answer(200, "application/json", `{}`)(w, r)
	}))
	defer srv.Close()
	c := newClient(t, srv.URL+"/api?api-version=2024-01", Options{})
	for _, r := range []Request{{Path: "orders"}, {Path: "orders/7?expand=lines"}, {Path: "orders", Query: map[string][]string{"page": {"2"}}}} {
		if _, err := c.Do(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	want := "[/api/orders?api-version=2024-01 /api/orders/7?api-version=2024-01&expand=lines /api/orders?api-version=2024-01&page=2]"
	if fmt.Sprint(got) != want {
		t.Fatalf("the app was called at %v, want %s", got, want)
	}
}

// TestA403OverTheRateLimitIsNotALoginRefused: a 403 that says to wait
// (GitHub's secondary rate limit) is a rate limit for the engine, and the
// connection test says the app is limiting calls, not that the login was
// refused; a plain 403 is a refused login.
func TestA403OverTheRateLimitIsNotALoginRefused(t *testing.T) {
	tests := []struct {
		header  []string
		limited bool
		verdict string
	}{
		{[]string{"Retry-After", "30"}, true, "the app is limiting calls, try again later: GET /user: 403 Forbidden: secondary rate limit"},
		{nil, false, "login refused: GET /user: 403 Forbidden: secondary rate limit"},
	}
	for _, tt := range tests {
		srv := httptest.NewServer(answer(403, "application/json", `{"message":"secondary rate limit"}`, tt.header...))
		_, err := newClient(t, srv.URL, Options{}).Do(context.Background(), Request{Path: "user"})
		srv.Close()
		_, limited := connectors.IsRateLimited(err)
		if msg, _ := Verdict(err); limited != tt.limited || msg != tt.verdict {
			t.Errorf("a 403 with %v = %v (rate limited %v), verdict %q; want rate limited %v, %q", tt.header, err, limited, msg, tt.limited, tt.verdict)
		}
	}
}

// TestCertificateFailuresNeedAttention: a call to an app whose certificate
// cannot be verified was "no answer", transient, and retried for days as
// an outage; it is the connection's to fix, and says what is wrong with
// the certificate of which host.
func TestCertificateFailuresNeedAttention(t *testing.T) {
	ca, stranger := conntest.NewAuthority(t, "Shop CA"), conntest.NewAuthority(t, "Stranger CA")
	now := time.Now()
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{}`)) })
	tests := []struct {
		name string
		cert tls.Certificate
		want []string
	}{
		{"expired", ca.Issue(t, now.Add(-48*time.Hour), now.Add(-time.Hour), "127.0.0.1"),
			[]string{"the certificate of 127.0.0.1 expired on " + now.Add(-time.Hour).UTC().Format("2006-01-02"), "renewed"}},
		{"not valid yet", ca.Issue(t, now.Add(time.Hour), now.Add(48*time.Hour), "127.0.0.1"),
			[]string{"the certificate of 127.0.0.1 is valid only from", "clock"}},
		{"an unknown authority", stranger.Issue(t, now.Add(-time.Hour), now.Add(time.Hour), "127.0.0.1"),
			[]string{"the certificate of 127.0.0.1 is not trusted (SHA-256 fingerprint", "by Stranger CA", "tls_ca"}},
		{"another host name", ca.Issue(t, now.Add(-time.Hour), now.Add(time.Hour), "shop.example.com"),
			[]string{"the certificate of 127.0.0.1 is not for that name", "shop.example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := conntest.ServeTLS(t, ok, tt.cert)
			hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}}}
			_, err := newClient(t, srv.URL, Options{HTTPClient: hc}).Do(context.Background(), Request{Path: "orders"})
			class, _ := connectors.Classify(err)
			if err == nil || class != connectors.ClassPermanent || !connectors.IsNeedsAttention(err) {
				t.Fatalf("Do = %v (%s, needs attention %v); want a permanent error that needs attention", err, class, connectors.IsNeedsAttention(err))
			}
			verdict, facts := Verdict(err)
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) || !strings.Contains(verdict, want) {
					t.Errorf("error %q, verdict %q; want %q in both", err, verdict, want)
				}
			}
			if !strings.HasPrefix(err.Error(), "GET /orders: ") || strings.Contains(err.Error(), "no answer") {
				t.Errorf("error %q: want the call named, and not taken for no answer", err)
			}
			if fp := Fingerprint(tt.cert.Leaf); facts["fingerprint"] != fp {
				t.Errorf("verdict's fingerprint %q, want %q", facts["fingerprint"], fp)
			}
		})
	}
	t.Run("trusted and valid", func(t *testing.T) {
		srv := conntest.ServeTLS(t, ok, ca.Issue(t, now.Add(-time.Hour), now.Add(time.Hour), "127.0.0.1"))
		hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}}}
		if _, err := newClient(t, srv.URL, Options{HTTPClient: hc}).Do(context.Background(), Request{Path: "orders"}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestARedirectLoopIsPermanent: an app that redirects in a loop was "no
// answer", transient, retried for days; it answers so every time, and the
// error names the address.
func TestARedirectLoopIsPermanent(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next := map[string]string{"/orders": "/orders/", "/orders/": "/orders"}[r.URL.Path]
		http.Redirect(w, r, next+"?key=KEY-secret-1234", http.StatusFound)
	}))
	defer srv.Close()
	_, err := newClient(t, srv.URL, Options{}).Do(context.Background(), Request{Path: "orders"})
	class, _ := connectors.Classify(err)
	if err == nil || class != connectors.ClassPermanent || strings.Contains(err.Error(), "no answer") {
		t.Fatalf("Do = %v (%s); want permanent", err, class)
	}
	for _, want := range []string{srv.URL + "/orders redirected 10 times", "redirect loop"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q; want %q in it", err, want)
		}
	}
	if strings.Contains(err.Error(), "KEY-secret") {
		t.Errorf("error %q shows the address's query", err)
	}
}
