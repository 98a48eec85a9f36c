// Package fake is an Exact Online server for tests, built from Exact's
// REST API reference and kept stateful: OAuth2 authorization code with
// 10-minute access tokens and refresh tokens that rotate (the older ones
// die when a newer one is first used), the division in every path, OData
// lists paged with __next, $filter, $select, $expand and $top, the "d"
// envelope, /Date(ms)/ dates, account codes padded to 18 characters,
// OData error bodies, and the per-minute and per-day limits with their
// X-RateLimit-* headers (resets in Unix milliseconds). Only tests import
// it.
package fake

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options tune the server.
type Options struct {
	// ClientID and ClientSecret are the one app's credentials.
	ClientID, ClientSecret string
	// RedirectBase is the start of the addresses the app may be sent
	// back to.
	RedirectBase string
	// Division is the user's current division; Divisions all the ones
	// the user may reach (Division alone when empty).
	Division  int
	Divisions []int
	// PageSize is how many records a list answers at most (60 when 0).
	PageSize int
	// PerMinute and PerDay are the limits (60 and 5,000 when 0); Minute
	// is the short window's length (a minute when 0), for tests.
	PerMinute, PerDay int
	Minute            time.Duration
}

// Server is the fake. It implements http.Handler; serve it with
// httptest.NewServer and tell it its address with SetURL.
type Server struct {
	opts Options

	mu        sync.Mutex
	url       string
	now       func() time.Time
	codes     map[string]string
	grants    []*grant
	divisions map[int]*division
	limits    limits
	stats     Stats
	expireAt  int // the API call after which access tokens expire, once
}

// Stats count what the server saw.
type Stats struct {
	// Refreshes are refresh-token requests; RefreshRefused those answered
	// invalid_grant.
	Refreshes, RefreshRefused int
	// Unauthorized are API calls refused for their token; RateLimited
	// those answered 429; Calls every API call answered otherwise.
	Unauthorized, RateLimited, Calls int
}

// New returns a server with the given options and an empty division
// (with VAT codes, a warehouse, a sales journal and a payment condition).
func New(opts Options) *Server {
	if opts.Division == 0 {
		opts.Division = 1001
	}
	if len(opts.Divisions) == 0 {
		opts.Divisions = []int{opts.Division}
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 60
	}
	if opts.PerMinute <= 0 {
		opts.PerMinute = 60
	}
	if opts.PerDay <= 0 {
		opts.PerDay = 5000
	}
	if opts.Minute <= 0 {
		opts.Minute = time.Minute
	}
	s := &Server{opts: opts, codes: map[string]string{}, divisions: map[int]*division{}}
	s.now = time.Now
	for _, d := range opts.Divisions {
		s.divisions[d] = newDivision(d)
	}
	return s
}

// SetURL tells the server its own address, for the __next links.
func (s *Server) SetURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.url = strings.TrimRight(u, "/")
}

// Stats returns the counts so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// ServeHTTP answers the OAuth2 endpoints and the REST API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/api/oauth2/auth":
		s.authorize(w, r)
	case r.URL.Path == "/api/oauth2/token":
		s.token(w, r)
	case strings.HasPrefix(r.URL.Path, "/api/v1/"):
		s.api(w, r)
	default:
		odataError(w, http.StatusNotFound, "Not found: "+r.URL.Path)
	}
}

// api answers a REST call: the token, the limits, the division, then the
// resource.
func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.authorized(r) {
		s.stats.Unauthorized++
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		odataError(w, http.StatusUnauthorized, "This request is unauthorized.")
		return
	}
	if !s.limits.take(w.Header(), s.opts, s.now()) {
		s.stats.RateLimited++
		odataError(w, http.StatusTooManyRequests, "API rate limit exceeded.")
		return
	}
	s.stats.Calls++
	if s.stats.Calls == s.expireAt {
		s.expireAccessTokens()
	}
	rest := strings.TrimPrefix(r.URL.Path, "/api/v1/")
	if rest == "current/Me" {
		s.me(w)
		return
	}
	first, resource, _ := strings.Cut(rest, "/")
	number, err := strconv.Atoi(first)
	d, ok := s.divisions[number]
	if err != nil || !ok {
		odataError(w, http.StatusForbidden, "Forbidden: division "+first+" is not available to this user.")
		return
	}
	d.serve(s, w, r, resource)
}

// me answers current/Me, the one resource without a division.
func (s *Server) me(w http.ResponseWriter) {
	writeJSON(w, http.StatusOK, map[string]any{"d": map[string]any{"results": []any{map[string]any{
		"CurrentDivision": s.opts.Division, "FullName": "Jan de Vries", "UserName": "jan@shop.example",
		"DivisionCustomerName": s.divisions[s.opts.Division].name,
	}}}})
}
