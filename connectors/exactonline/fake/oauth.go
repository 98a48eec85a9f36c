package fake

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// accessLifetime is how long an access token lives, as in Exact Online.
const accessLifetime = 10 * time.Minute

// grant is one pair of tokens. Exact Online rotates refresh tokens: a
// refresh returns a new pair, and when a pair is first used (its access
// token for a call, or its refresh token for a refresh) every older
// refresh token dies. A pair that was never used leaves the older ones
// working.
type grant struct {
	access, refresh string
	issued          time.Time
	used            bool
	dead            bool // its refresh token can no longer be used
}

// authorize is the consent page: the user agrees at once and the browser
// goes back to the app with a code.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect := q.Get("redirect_uri")
	if q.Get("client_id") != s.opts.ClientID || q.Get("response_type") != "code" ||
		!strings.HasPrefix(redirect, s.opts.RedirectBase) || s.opts.RedirectBase == "" {
		http.Error(w, "invalid client or redirect address", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	code := randomToken()
	s.codes[code] = redirect
	s.mu.Unlock()
	back, _ := url.Parse(redirect)
	v := back.Query()
	v.Set("code", code)
	v.Set("state", q.Get("state"))
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// token trades a code or a refresh token for a new pair.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != s.opts.ClientID || secret != s.opts.ClientSecret {
		tokenError(w, http.StatusBadRequest, "invalid_client", "The client credentials are not valid.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		s.exchange(w, r.PostForm.Get("code"), r.PostForm.Get("redirect_uri"))
	case "refresh_token":
		s.refresh(w, r.PostForm.Get("refresh_token"))
	default:
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type", "")
	}
}

func (s *Server) exchange(w http.ResponseWriter, code, redirect string) {
	want, ok := s.codes[code]
	delete(s.codes, code)
	if !ok || want != redirect {
		tokenError(w, http.StatusBadRequest, "invalid_grant", "The authorization code is not valid.")
		return
	}
	for _, g := range s.grants {
		g.dead = true // a new connect starts a new chain
	}
	s.issue(w)
}

func (s *Server) refresh(w http.ResponseWriter, token string) {
	s.stats.Refreshes++
	for i, g := range s.grants {
		if g.refresh == token && !g.dead {
			s.use(i)
			s.issue(w)
			return
		}
	}
	s.stats.RefreshRefused++
	tokenError(w, http.StatusBadRequest, "invalid_grant", "Old refresh token used.")
}

// use marks a grant used: every older refresh token dies.
func (s *Server) use(i int) {
	s.grants[i].used = true
	for _, older := range s.grants[:i] {
		older.dead = true
	}
}

func (s *Server) issue(w http.ResponseWriter) {
	g := &grant{access: randomToken(), refresh: randomToken(), issued: s.now()}
	s.grants = append(s.grants, g)
	writeJSON(w, http.StatusOK, map[string]any{"access_token": g.access, "token_type": "bearer",
		"expires_in": "600", "refresh_token": g.refresh}) // Exact sends the lifetime as text
}

// authorized checks a call's bearer token; s.mu is held.
func (s *Server) authorized(r *http.Request) bool {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return false
	}
	for i, g := range s.grants {
		if g.access == token {
			if s.now().Sub(g.issued) >= accessLifetime {
				return false
			}
			s.use(i)
			return true
		}
	}
	return false
}

// ExpireAccessTokens makes every access token issued so far expire, as
// ten minutes passing would: the next call is refused until the app
// refreshes.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireAccessTokens()
}

// ExpireAccessTokensAfter makes the access tokens expire once the API has
// answered n more calls: the calls after it are refused until the app
// refreshes, in the middle of a run.
func (s *Server) ExpireAccessTokensAfter(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireAt = s.stats.Calls + n
}

func (s *Server) expireAccessTokens() {
	for _, g := range s.grants {
		g.issued = g.issued.Add(-accessLifetime)
	}
}

// RevokeAll drops every token, as a user who disconnects the app does.
func (s *Server) RevokeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.grants {
		g.dead = true
		g.issued = time.Time{}
	}
}

func tokenError(w http.ResponseWriter, status int, code, description string) {
	body := map[string]any{"error": code}
	if description != "" {
		body["error_description"] = description
	}
	writeJSON(w, status, body)
}

func randomToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
