package rest

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
)

// maxRedirects is how many redirects a request follows, as Go's default.
const maxRedirects = 10

// SameOriginRedirects is an http.Client's CheckRedirect that follows a
// redirect only on the origin of the first request (scheme, host and
// port). Go copies a request's headers to the next one, custom
// credentials such as an API key's header included, so an app's redirect
// to another host (or to another port, or from https to http) would hand
// them over; such a redirect is refused with an error that names it.
func SameOriginRedirects(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return connectors.Permanent(fmt.Errorf("%s redirected %d times, the last time to %s: a redirect loop, stopped; check the base URL and the app's redirects",
			redactedURL(via[0].URL), maxRedirects, redactedURL(req.URL)))
	}
	if first := via[0].URL; origin(req.URL) != origin(first) {
		return connectors.Permanent(fmt.Errorf("the app redirected to %s, not on %s: refused, so that the connection's credentials are not sent elsewhere",
			origin(req.URL), origin(first)))
	}
	return nil
}

// redactedURL is an address for a message: its query (which may carry a
// key) and user information left out.
func redactedURL(u *url.URL) string {
	c := *u
	c.User, c.RawQuery, c.ForceQuery, c.Fragment = nil, "", false, ""
	return c.String()
}

// origin is scheme://host:port of an address, the port written out and
// the host in lower case, as names are compared.
func origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[scheme]
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// withSameOriginRedirects returns hc, or a copy of it that follows only
// same-origin redirects when hc has no redirect policy of its own.
func withSameOriginRedirects(hc *http.Client) *http.Client {
	if hc.CheckRedirect != nil {
		return hc
	}
	c := *hc
	c.CheckRedirect = SameOriginRedirects
	return &c
}
