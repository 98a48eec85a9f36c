package redact

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"
)

const (
	user   = "shop-api"
	secret = `tok+en/Pa=ss&"9"<x>`
)

// TestTextRedactsEveryForm: each way a request carries the secret, and
// each way an app may quote it back, comes out as one Mask.
func TestTextRedactsEveryForm(t *testing.T) {
	r := New(Credentials{Secrets: []string{secret}, Names: []string{user, "https://erp.example.com"}})
	basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + secret))
	cases := []struct{ name, form string }{
		{"plain", secret},
		{"base64 of the secret", base64.StdEncoding.EncodeToString([]byte(secret))},
		{"raw URL base64 of the secret", base64.RawURLEncoding.EncodeToString([]byte(secret))},
		{"Basic header", basic},
		{"Basic header without padding", strings.TrimRight(basic, "=")},
		{"URL base64 of user:secret", base64.URLEncoding.EncodeToString([]byte(user + ":" + secret))},
		{"base64 of secret: (the secret as the user)", base64.StdEncoding.EncodeToString([]byte(secret + ":"))},
		{"base64 of :secret (no user)", base64.RawStdEncoding.EncodeToString([]byte(":" + secret))},
		{"query-escaped", url.QueryEscape(secret)},
		{"query-escaped with lower-case hex", `tok%2ben%2fPa%3dss%26%229%22%3cx%3e`},
		{"path-escaped", url.PathEscape(secret)},
		{"user-info-escaped", `tok+en%2FPa=ss&%229%22%3Cx%3E`},
		{"JSON-escaped", `tok+en/Pa=ss\u0026\"9\"\u003cx\u003e`},
		{"JSON-escaped without HTML escapes", `tok+en/Pa=ss&\"9\"<x>`},
		{"JSON-escaped with escaped slashes", `tok+en\/Pa=ss\u0026\"9\"\u003cx\u003e`},
		{"HTML-escaped", `tok+en/Pa=ss&amp;&#34;9&#34;&lt;x&gt;`},
		{"query-escaped base64", url.QueryEscape(basic)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := "before " + c.form + " after"
			if got, want := r.Text(in), "before "+Mask+" after"; got != want {
				t.Fatalf("Text(%q) = %q, want %q", in, got, want)
			}
		})
	}
}

func TestTextLeavesOtherTextAlone(t *testing.T) {
	r := New(Credentials{Secrets: []string{"sk_live_1234", "sk_live_123456", "ab"}, Names: []string{"u"}})
	cases := []struct{ name, in, want string }{
		{"no secret", "order 1001 failed: 422 no tax class", "order 1001 failed: 422 no tax class"},
		{"a secret that begins another: the longer one wins", "key sk_live_123456 and sk_live_1234.", "key " + Mask + " and " + Mask + "."},
		{"secrets side by side", "sk_live_1234sk_live_1234", Mask + Mask},
		{"a short secret is left in plain text", "tab ab cab", "tab ab cab"},
		{"a short secret's Basic form is redacted", "Basic " + base64.StdEncoding.EncodeToString([]byte("u:ab")), "Basic " + Mask},
		{"shorter than any form", "sk_", "sk_"},
		{"a text that does not say it was cut keeps its end", "the test env: sk_live_12", "the test env: sk_live_12"},
		{"a secret cut short before a mark of the cut", "401: got Bearer sk_live_12…", "401: got Bearer " + Mask + "…"},
		{"three dots mark a cut too", "got sk_live_1234 and sk_l...", "got " + Mask + " and " + Mask + "..."},
		{"the beginning of a secret within the text stays", "sk_live is the prefix of live keys", "sk_live is the prefix of live keys"},
		{"a cut-off piece shorter than 4 characters stays", "key sk_", "key sk_"},
		{"empty", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := r.Text(c.in); got != c.want {
				t.Fatalf("Text(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
	var none *Redactor
	if got := none.Text("sk_live_1234"); got != "sk_live_1234" {
		t.Fatalf("the nil redactor changed %q", got)
	}
}

func TestTextWithoutSecretsDoesNotAllocate(t *testing.T) {
	r := New(Credentials{Secrets: []string{secret}, Names: []string{user}})
	text := strings.Repeat("order 1001 for shop-api failed: 422 Unprocessable Entity; ", 20)
	if n := testing.AllocsPerRun(100, func() { _ = r.Text(text) }); n != 0 {
		t.Fatalf("Text allocated %.0f times on a text without secrets", n)
	}
}

func TestSensitiveKey(t *testing.T) {
	cases := []struct {
		key  string
		want bool
	}{
		{"password", true}, {"Passwd", true}, {"client_secret", true}, {"access_token", true}, {"API_KEY", true},
		{"apiKey", true}, {"x-api-key", true}, {"Authorization", true}, {"private_key", true}, {"credentials", true},
		{"X-Signature", true}, {"Set-Cookie", true},
		{"sku", false}, {"name", false}, {"api", false}, {"key", false}, {"", false},
	}
	for _, c := range cases {
		if got := SensitiveKey(c.key); got != c.want {
			t.Errorf("SensitiveKey(%q) = %v, want %v", c.key, got, c.want)
		}
	}
}

func TestRecord(t *testing.T) {
	r := New(Credentials{Secrets: []string{"sk_live_123456"}}, Credentials{Secrets: []string{"ab"}})
	in := map[string]any{
		"sku":      "A-1",
		"password": "hunter2",
		"nested":   map[string]any{"Authorization": "Bearer x", "note": "key sk_live_123456 leaked"},
		"list":     []any{"sk_live_123456", 5},
		"empty":    map[string]any{"token": ""},
	}
	out := r.Record(in)
	nested := out["nested"].(map[string]any)
	got := []any{out["password"], nested["Authorization"], nested["note"], out["list"].([]any)[0]}
	want := []any{Mask, Mask, "key " + Mask + " leaked", Mask}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("redacted %v, want %v", got, want)
	}
	if out["sku"] != "A-1" || out["empty"].(map[string]any)["token"] != "" || out["list"].([]any)[1] != 5 {
		t.Fatalf("over-redacted: %v", out)
	}
	if in["password"] != "hunter2" {
		t.Fatal("the original was changed")
	}
	clean := map[string]any{"sku": "A-1"}
	payload, plain, err := r.RecordJSON(clean)
	if err != nil || string(payload) != `{"sku":"A-1"}` || &payload[0] != &plain[0] {
		t.Fatalf("RecordJSON of a clean record = %s, %s, %v; want the same bytes twice", payload, plain, err)
	}
	if payload, plain, _ = r.RecordJSON(in); strings.Contains(string(payload), "hunter2") || !strings.Contains(string(plain), "hunter2") {
		t.Fatalf("RecordJSON = %s, plain %s", payload, plain)
	}
}

// TestHandlerRedactsLogLines: a log line carries no secret, whether it is
// in the message, a string, an error, a group, a value or an attribute
// given to With.
func TestHandlerRedactsLogLines(t *testing.T) {
	r := New(Credentials{Secrets: []string{secret}, Names: []string{user}})
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+secret))
	var buf bytes.Buffer
	log := slog.New(r.Handler(slog.NewTextHandler(&buf, nil))).With("sent", basic)
	log.Warn("the server said "+secret,
		slog.String("answer", "denied "+url.QueryEscape(secret)),
		slog.Any("error", errors.New("401: "+basic)),
		slog.Group("request", slog.String("auth", basic), slog.Int("status", 401)),
		slog.Any("config", struct{ Password string }{secret}))
	out := buf.String()
	for _, form := range []string{secret, url.QueryEscape(secret), strings.TrimPrefix(basic, "Basic "), `tok+en/Pa=ss&\"9\"<x>`} {
		if strings.Contains(out, form) {
			t.Fatalf("the log line holds %q: %s", form, out)
		}
	}
	if strings.Count(out, Mask) != 6 || !strings.Contains(out, "request.status=401") {
		t.Fatalf("the log line lost more than the secrets: %s", out)
	}
}

// BenchmarkText is the cost of redacting an error text that holds no
// secret, the common case, for a flow with three secrets.
func BenchmarkText(b *testing.B) {
	r := New(Credentials{Secrets: []string{secret, "sk_live_1234567890"}, Names: []string{user, "https://erp.example.com", "basic"}},
		Credentials{Secrets: []string{"hunter2hunter2"}, Names: []string{"ftp.example.com", "shop"}})
	text := strings.Repeat("writing order 1001: POST /orders: 422 Unprocessable Entity: {\"error\":\"no tax class\"} ", 12)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		_ = r.Text(text)
	}
}

// BenchmarkRecord is the cost of checking a typical order record.
func BenchmarkRecord(b *testing.B) {
	r := New(Credentials{Secrets: []string{secret}, Names: []string{user}})
	order := map[string]any{"number": "1001", "email": "jan@example.com", "status": "processing", "total": "121.00",
		"billing": map[string]any{"name": "Jan Jansen", "street": "Dorpsstraat 1", "city": "Utrecht", "country": "NL"},
		"lines":   []any{map[string]any{"sku": "A-1", "qty": 2, "price": "10.00"}, map[string]any{"sku": "B-2", "qty": 1, "price": "101.00"}}}
	for b.Loop() {
		_ = r.Record(order)
	}
}
