package app

import (
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

// The environment variables for running behind a proxy.
const (
	// EnvOrigins lists the browser origins (scheme://host[:port]) allowed
	// to call the API from other sites, comma-separated; "*" allows any.
	// Unset, only the application URL of PocketBase's settings is.
	EnvOrigins = "SWITCHBOARD_ORIGINS"
	// EnvTrustedProxyHeaders names the headers, comma-separated, from
	// which the client's address is taken behind a proxy (such as
	// X-Forwarded-For); it sets PocketBase's trusted-proxy setting at start.
	EnvTrustedProxyHeaders = "SWITCHBOARD_TRUSTED_PROXY_HEADERS"
)

// bindProxySettings narrows CORS and applies the trusted-proxy headers.
// originsGiven tells whether serve's --origins flag was given, in which
// case PocketBase's CORS stays as that flag set it.
func (s *Switchboard) bindProxySettings(e *core.ServeEvent) error {
	if err := s.applyTrustedProxy(); err != nil {
		return err
	}
	e.Router.BindFunc(s.refuseEngineFieldChanges)
	if s.originsGiven != nil && s.originsGiven() {
		return nil
	}
	origins, err := parseOrigins(os.Getenv(EnvOrigins))
	if err != nil {
		return err
	}
	e.Router.Unbind(apis.DefaultCorsMiddlewareId)
	e.Router.Bind(apis.CORS(apis.CORSConfig{
		AllowOriginFunc: func(origin string) (bool, error) { return s.originAllowed(origins, origin), nil },
		AllowMethods: []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPatch,
			http.MethodPost, http.MethodDelete},
	}))
	return nil
}

// parseOrigins reads EnvOrigins: "*" or origins such as
// https://shop.example.com; an entry that is neither is an error.
func parseOrigins(v string) ([]string, error) {
	var out []string
	for _, o := range strings.Split(v, ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		if o == "*" {
			out = append(out, o)
			continue
		}
		origin, ok := originOf(o)
		if !ok || origin != strings.ToLower(strings.TrimRight(o, "/")) {
			return nil, fmt.Errorf("%s=%s: %q is not an origin: want scheme://host[:port], such as https://sb.example.com, or *",
				EnvOrigins, v, o)
		}
		out = append(out, origin)
	}
	return out, nil
}

// originOf returns the origin (scheme://host[:port], lower case) of an
// http or https URL.
func originOf(raw string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), true
}

// originAllowed tells whether a browser page from origin may call the
// API: one of the configured origins, or else the application URL.
func (s *Switchboard) originAllowed(configured []string, origin string) bool {
	if slices.Contains(configured, "*") {
		return true
	}
	got, ok := originOf(origin)
	if !ok {
		return false
	}
	if len(configured) > 0 {
		return slices.Contains(configured, got)
	}
	app, ok := originOf(s.app.Settings().Meta.AppURL)
	return ok && app == got
}

// switchWords are values meant as a switch, not a header's name: "yes"
// would trust a header named Yes, which no proxy sets.
var switchWords = []string{"yes", "no", "true", "false", "on", "off", "1", "0", "y", "n"}

// validHeaderName reports whether h is a header name: letters, digits and
// the token characters of RFC 9110.
func validHeaderName(h string) bool {
	for _, r := range h {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", r)) {
			return false
		}
	}
	return h != ""
}

// trustedProxyFromEnvKey is the sb_meta key that remembers the headers
// EnvTrustedProxyHeaders last set, comma-separated, so that they are
// cleared again when it is removed.
const trustedProxyFromEnvKey = "trusted_proxy_headers_from_env"

// applyTrustedProxy sets PocketBase's trusted-proxy headers from the
// environment, saving the settings when they change. While the variable
// is set it wins over the dashboard; once it is removed, the headers it
// set are cleared, unless an admin changed them in the dashboard since.
func (s *Switchboard) applyTrustedProxy() error {
	v := strings.TrimSpace(os.Getenv(EnvTrustedProxyHeaders))
	if v == "" {
		return s.clearTrustedProxyFromEnv()
	}
	headers, err := parseTrustedProxyHeaders(v)
	if err != nil {
		return err
	}
	settings := s.app.Settings()
	if !slices.Equal(settings.TrustedProxy.Headers, headers) {
		settings.TrustedProxy.Headers = headers
		if err := s.app.Save(settings); err != nil {
			return fmt.Errorf("saving the trusted-proxy headers from %s: %w", EnvTrustedProxyHeaders, err)
		}
		s.logger().Info("client addresses are taken from the proxy's headers", slog.String("headers", strings.Join(headers, ",")))
	}
	joined := strings.Join(headers, ",")
	if remembered, _ := readMeta(s.app, trustedProxyFromEnvKey); remembered != joined {
		if err := writeMeta(s.app, trustedProxyFromEnvKey, joined); err != nil {
			return fmt.Errorf("remembering the trusted-proxy headers from %s: %w", EnvTrustedProxyHeaders, err)
		}
	}
	return nil
}

// parseTrustedProxyHeaders reads EnvTrustedProxyHeaders' value v: header
// names, comma-separated, in canonical form.
func parseTrustedProxyHeaders(v string) ([]string, error) {
	var headers []string
	for _, h := range strings.Split(v, ",") {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		if !validHeaderName(h) || slices.Contains(switchWords, strings.ToLower(h)) {
			return nil, fmt.Errorf("%s takes the names of the headers the proxy sets, such as X-Forwarded-For, not %q",
				EnvTrustedProxyHeaders, h)
		}
		headers = append(headers, http.CanonicalHeaderKey(h))
	}
	return headers, nil
}

// clearTrustedProxyFromEnv clears the trusted-proxy headers that
// EnvTrustedProxyHeaders set at an earlier start, now that it is removed:
// a client could otherwise still give itself any address through them.
// Headers an admin set in the dashboard since are theirs and stay.
func (s *Switchboard) clearTrustedProxyFromEnv() error {
	remembered, err := readMeta(s.app, trustedProxyFromEnvKey)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && remembered == "") {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading the trusted-proxy headers %s set: %w", EnvTrustedProxyHeaders, err)
	}
	settings := s.app.Settings()
	if strings.Join(settings.TrustedProxy.Headers, ",") == remembered {
		settings.TrustedProxy.Headers = nil
		if err := s.app.Save(settings); err != nil {
			return fmt.Errorf("clearing the trusted-proxy headers %s set: %w", EnvTrustedProxyHeaders, err)
		}
		s.logger().Info("client addresses are no longer taken from a proxy's headers: "+EnvTrustedProxyHeaders+" was removed",
			slog.String("headers", remembered))
	}
	if err := writeMeta(s.app, trustedProxyFromEnvKey, ""); err != nil {
		return fmt.Errorf("forgetting the trusted-proxy headers %s set: %w", EnvTrustedProxyHeaders, err)
	}
	return nil
}
