package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
)

// verifier is the app's side of a signing scheme: it rebuilds the signed
// text from the request it got and compares.
type verifier func(r *http.Request, body []byte, secret string) bool

func mac(h func() hash.Hash, secret, text string) []byte {
	m := hmac.New(h, []byte(secret))
	m.Write([]byte(text))
	return m.Sum(nil)
}

// methodPathDateBody: Authorization: HMAC <key>:<base64 HMAC-SHA256 of
// method, path, Date and the hex SHA-256 of the body, one per line>.
func methodPathDateBody(r *http.Request, body []byte, secret string) bool {
	sum := sha256.Sum256(body)
	text := r.Method + "\n" + r.URL.RequestURI() + "\n" + r.Header.Get("Date") + "\n" + hex.EncodeToString(sum[:])
	want := "HMAC key-7:" + base64.StdEncoding.EncodeToString(mac(sha256.New, secret, text))
	return r.Header.Get("Date") != "" && hmac.Equal([]byte(r.Header.Get("Authorization")), []byte(want))
}

// timestampDotBody: X-Signature: <hex HMAC-SHA512 of "<X-Timestamp>.<body>">.
func timestampDotBody(r *http.Request, body []byte, secret string) bool {
	got, err := hex.DecodeString(r.Header.Get("X-Signature"))
	return err == nil && r.Header.Get("X-Timestamp") != "" &&
		hmac.Equal(got, mac(sha512.New, secret, r.Header.Get("X-Timestamp")+"."+string(body)))
}

func TestRequestsAreSignedAsTheAppChecks(t *testing.T) {
	tests := []struct {
		name      string
		values    map[string]any
		appSecret string
		check     verifier
		ok        bool
	}{
		{"method, path, date and body hash", map[string]any{"auth": KindHMAC, "hmac_key_id": "key-7"}, "sign-secret-1", methodPathDateBody, true},
		{"timestamp and body, hex SHA-512", map[string]any{"auth": KindHMAC, "hmac_algorithm": "sha512", "hmac_encoding": "hex",
			"hmac_string": "{timestamp}.{body}", "hmac_header": "X-Signature", "hmac_value": "{signature}"}, "sign-secret-1", timestampDotBody, true},
		{"the app's secret is one byte off", map[string]any{"auth": KindHMAC, "hmac_key_id": "key-7"}, "sign-secret-2", methodPathDateBody, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				if !tt.check(r, body, tt.appSecret) {
					w.WriteHeader(http.StatusUnauthorized)
					_, _ = w.Write([]byte(`{"message":"signature does not match"}`))
					return
				}
				_, _ = w.Write([]byte(`{}`))
			}))
			defer srv.Close()
			c := client(t, srv.URL+"/api", resolve(t, tt.values, map[string]string{"hmac_secret": "sign-secret-1"}), connectors.Env{})
			_, err := c.Do(context.Background(), rest.Request{Method: "POST", Path: "orders?x=1", JSON: map[string]any{"number": "1001"}})
			if (err == nil) != tt.ok || (!tt.ok && !strings.Contains(err.Error(), "signature does not match")) {
				t.Fatalf("signed call = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}
