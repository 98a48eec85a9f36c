// Package authtest runs an OAuth2 authorization server in process, for
// tests, built on github.com/go-oauth2/oauth2 (a maintained server
// library): the authorization code grant with PKCE (S256 required), client
// credentials, refresh tokens that rotate (a used one is dead), revocation,
// and tokens that expire as fast as a test needs. It also serves an API
// that takes only its access tokens. Only tests import it.
package authtest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/go-oauth2/oauth2/v4"
	oerrors "github.com/go-oauth2/oauth2/v4/errors"
	"github.com/go-oauth2/oauth2/v4/manage"
	"github.com/go-oauth2/oauth2/v4/models"
	"github.com/go-oauth2/oauth2/v4/server"
	"github.com/go-oauth2/oauth2/v4/store"
)

// Options tune the server.
type Options struct {
	// ClientID and ClientSecret are the one client's credentials.
	ClientID, ClientSecret string
	// RedirectBase is the start of the addresses the client may be sent
	// back to (the client's domain).
	RedirectBase string
	// AccessTokenLifetime is how long access tokens live (1 hour when 0).
	AccessTokenLifetime time.Duration
	// API answers the API's calls that carry a valid access token, under
	// /api/ (with the prefix removed); a "who am I" answer when nil.
	API http.Handler
}

// Server is the authorization server. Its address is URL: /authorize,
// /token and /api/.
type Server struct {
	URL     string
	opts    Options
	mgr     *manage.Manager
	tokens  oauth2.TokenStore
	clients *store.ClientStore
	srv     *server.Server
	http    *httptest.Server

	mu        sync.Mutex
	refreshes int
	grants    []string // access tokens issued, in order
	refusals  int      // API calls refused for a bad token
}

// New starts a server; Close stops it.
func New(opts Options) *Server {
	if opts.AccessTokenLifetime <= 0 {
		opts.AccessTokenLifetime = time.Hour
	}
	s := &Server{opts: opts, mgr: manage.NewDefaultManager()}
	tokenCfg := &manage.Config{AccessTokenExp: opts.AccessTokenLifetime, RefreshTokenExp: 24 * time.Hour, IsGenerateRefresh: true}
	s.mgr.SetAuthorizeCodeTokenCfg(tokenCfg)
	s.mgr.SetClientTokenCfg(&manage.Config{AccessTokenExp: opts.AccessTokenLifetime})
	s.mgr.SetRefreshTokenCfg(&manage.RefreshingConfig{AccessTokenExp: opts.AccessTokenLifetime, IsGenerateRefresh: true,
		IsRemoveAccess: true, IsRemoveRefreshing: true})
	s.tokens, _ = store.NewMemoryTokenStore()
	s.mgr.MapTokenStorage(s.tokens)
	s.clients = store.NewClientStore()
	s.SetClientSecret(opts.ClientSecret)
	s.mgr.MapClientStorage(s.clients)
	s.mgr.SetValidateURIHandler(func(base, redirect string) error {
		if !strings.HasPrefix(redirect, base) {
			return oerrors.ErrInvalidRedirectURI
		}
		return nil
	})
	s.srv = server.NewServer(&server.Config{TokenType: "Bearer", ForcePKCE: true,
		AllowedResponseTypes:        []oauth2.ResponseType{oauth2.Code},
		AllowedGrantTypes:           []oauth2.GrantType{oauth2.AuthorizationCode, oauth2.ClientCredentials, oauth2.Refreshing},
		AllowedCodeChallengeMethods: []oauth2.CodeChallengeMethod{oauth2.CodeChallengeS256}}, s.mgr)
	s.srv.SetClientInfoHandler(clientInfo)
	s.srv.SetUserAuthorizationHandler(consent)
	mux := http.NewServeMux()
	mux.HandleFunc("/authorize", func(w http.ResponseWriter, r *http.Request) { _ = s.srv.HandleAuthorizeRequest(w, r) })
	mux.HandleFunc("/token", s.token)
	mux.Handle("/api/", http.StripPrefix("/api", s.guard(opts.API)))
	s.http = httptest.NewServer(mux)
	s.URL = s.http.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.http.Close() }

// clientInfo reads the client's credentials from Basic authentication or
// from the form, as servers commonly accept both.
func clientInfo(r *http.Request) (string, string, error) {
	if id, secret, err := server.ClientBasicHandler(r); err == nil {
		return id, secret, nil
	}
	return server.ClientFormHandler(r)
}

// consent is the person at the consent page: they agree, as user
// "shop-owner", unless the request says deny=1 (through the scope "deny").
func consent(_ http.ResponseWriter, r *http.Request) (string, error) {
	if strings.Contains(r.FormValue("scope"), "deny") {
		return "", oerrors.ErrAccessDenied
	}
	return "shop-owner", nil
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if r.FormValue("grant_type") == string(oauth2.Refreshing) {
		s.mu.Lock()
		s.refreshes++
		s.mu.Unlock()
		// RFC 6749 section 6: a confidential client authenticates when it
		// refreshes, as for its other grants (which the library checks).
		if !s.clientAuthenticates(r) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"invalid_client","error_description":"client authentication failed"}`))
			return
		}
	}
	rec := httptest.NewRecorder()
	_ = s.srv.HandleTokenRequest(rec, r)
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if json.Unmarshal(rec.Body.Bytes(), &body) == nil && body.AccessToken != "" {
		s.mu.Lock()
		s.grants = append(s.grants, body.AccessToken)
		s.mu.Unlock()
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// clientAuthenticates reports whether the request carries the client's
// current id and secret.
func (s *Server) clientAuthenticates(r *http.Request) bool {
	id, secret, err := clientInfo(r)
	if err != nil {
		return false
	}
	cli, err := s.clients.GetByID(r.Context(), id)
	return err == nil && cli.GetSecret() == secret
}

// guard lets through only calls with a valid access token.
func (s *Server) guard(api http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ti, err := s.srv.ValidationBearerToken(r)
		if err != nil {
			s.mu.Lock()
			s.refusals++
			s.mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"invalid_token","error_description":"the access token is not valid"}`))
			return
		}
		if api == nil {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"name": "Shop X", "user": ti.GetUserID(), "client": ti.GetClientID()})
			return
		}
		api.ServeHTTP(w, r)
	})
}

// SetClientSecret gives the client a new secret, as an app's developer
// console does when a person renews it: the old secret is refused from
// now on, and the tokens issued so far stay valid.
func (s *Server) SetClientSecret(secret string) {
	_ = s.clients.Set(s.opts.ClientID, &models.Client{ID: s.opts.ClientID, Secret: secret, Domain: s.opts.RedirectBase})
}

// Refreshes returns how many refresh requests came in.
func (s *Server) Refreshes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refreshes
}

// Grants returns how many access tokens were issued.
func (s *Server) Grants() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.grants)
}

// Refusals returns how many API calls were refused for a bad token.
func (s *Server) Refusals() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refusals
}

// RevokeAll revokes every refresh and access token issued so far, as a
// person who disconnects the app in its settings does.
func (s *Server) RevokeAll() {
	s.mu.Lock()
	grants := append([]string(nil), s.grants...)
	s.mu.Unlock()
	ctx := context.Background()
	for _, access := range grants {
		if ti, err := s.tokens.GetByAccess(ctx, access); err == nil && ti != nil && ti.GetRefresh() != "" {
			_ = s.tokens.RemoveByRefresh(ctx, ti.GetRefresh())
		}
		_ = s.tokens.RemoveByAccess(ctx, access)
	}
}

// RevokeAccess revokes every access token issued so far but leaves the
// refresh tokens: the app's API answers 401 until the client refreshes.
func (s *Server) RevokeAccess() {
	s.mu.Lock()
	grants := append([]string(nil), s.grants...)
	s.mu.Unlock()
	for _, access := range grants {
		_ = s.tokens.RemoveByAccess(context.Background(), access)
	}
}
