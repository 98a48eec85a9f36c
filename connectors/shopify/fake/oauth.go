package fake

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
)

// authorize plays Shopify's consent page: a known client is sent back to
// its redirect_uri at once, with a code and its state.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if q.Get("client_id") != s.opts.ClientID || s.opts.ClientID == "" || err != nil || redirect.Host == "" {
		http.Error(w, "Oauth error invalid_request: The redirect_uri and application url must have matching hosts", http.StatusBadRequest)
		return
	}
	code := randomHex()
	s.mu.Lock()
	s.codes[code] = true
	s.mu.Unlock()
	back := redirect.Query()
	back.Set("code", code)
	back.Set("state", q.Get("state"))
	back.Set("shop", s.opts.Domain)
	redirect.RawQuery = back.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

// accessToken trades a code, once, for an access token that the API then
// accepts; the client id and secret come in the body or as Basic
// authentication.
func (s *Server) accessToken(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if r.PostForm.Get("client_id") == "" && !ok {
		var body map[string]string
		_ = json.NewDecoder(r.Body).Decode(&body)
		id, secret = body["client_id"], body["client_secret"]
	}
	code := r.PostForm.Get("code")
	s.mu.Lock()
	defer s.mu.Unlock()
	if id != s.opts.ClientID || secret != s.opts.ClientSecret || !s.codes[code] {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request", "error_description": "The authorization code was not found or was already used"})
		return
	}
	delete(s.codes, code)
	token := "shpat_" + randomHex()
	s.tokens[token] = true
	writeJSON(w, http.StatusOK, map[string]any{"access_token": token, "scope": "read_orders,write_products,write_inventory,write_fulfillments"})
}

func randomHex() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
