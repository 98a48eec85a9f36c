package rest

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// logCall writes one debug line per request: method, address, status,
// size and time taken. Headers and bodies are never logged; query values
// under credential-like names are masked, and the connection's logger
// redacts its secrets from the rest.
func (c *Client) logCall(ctx context.Context, req *http.Request, start time.Time, status, size int, err error) {
	if !c.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", req.Method),
		slog.String("url", maskedURL(req.URL)),
		slog.Int64("ms", time.Since(start).Milliseconds()),
	}
	if status != 0 {
		attrs = append(attrs, slog.Int("status", status), slog.Int("bytes", size))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "http request", attrs...)
}

// credentialWords mark query parameters whose values are credentials.
var credentialWords = []string{"key", "token", "secret", "password", "signature", "sig", "auth", "credential"}

// maskedURL is the address with the values of credential-like query
// parameters replaced, and without user info.
func maskedURL(u *url.URL) string {
	m := *u
	m.User = nil
	if m.RawQuery == "" {
		return m.String()
	}
	q := m.Query()
	for name := range q {
		if isCredentialName(name) {
			q[name] = []string{"[redacted]"}
		}
	}
	m.RawQuery = q.Encode()
	return m.String()
}

func isCredentialName(name string) bool {
	lower := strings.ToLower(name)
	for _, w := range credentialWords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}
