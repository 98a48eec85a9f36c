package app

// Security tests: the requests that make the appliance send a mail to an
// account are limited per client, so that nobody, signed in or not, can
// use its mail server to flood an address.

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// accountMailsPerMinute is the limit docs/SECURITY.md promises for
// password-reset and the other account mails.
const accountMailsPerMinute = 5

func TestAccountMailsAreLimited(t *testing.T) {
	tests := []struct {
		name, path, role string
		body             func(i int) string
	}{
		{"password reset", "/api/collections/users/request-password-reset", "",
			func(int) string { return `{"email":"viewer@example.com"}` }},
		{"verification", "/api/collections/users/request-verification", "",
			func(int) string { return `{"email":"viewer@example.com"}` }},
		{"e-mail change", "/api/collections/users/request-email-change", RoleViewer,
			func(i int) string { return fmt.Sprintf(`{"newEmail":"someone-%d@example.net"}`, i) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			mux := servedMux(t, env)
			limited := 0
			for i := range 3 * accountMailsPerMinute {
				req := httptest.NewRequest(http.MethodPost, tt.path, strings.NewReader(tt.body(i)))
				req.Header.Set("Content-Type", "application/json")
				if tt.role != "" {
					req.Header.Set("Authorization", env.tokens[tt.role])
				}
				rec := httptest.NewRecorder()
				mux.ServeHTTP(rec, req)
				if rec.Code == http.StatusTooManyRequests {
					limited++
				}
			}
			if want := 2 * accountMailsPerMinute; limited != want {
				t.Fatalf("%d of %d requests were refused with 429, want %d: at most %d a minute may go through",
					limited, 3*accountMailsPerMinute, want, accountMailsPerMinute)
			}
		})
	}
}
