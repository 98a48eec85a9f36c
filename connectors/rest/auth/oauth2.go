package auth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/switchboard-app/switchboard/connectors"
)

// tokens is an OAuth2 token that is used until shortly before it expires,
// then renewed by fetch; shared by every open instance of a connection and
// kept, sealed, in its secrets after each renewal, before it is used: an
// app that rotates refresh tokens drops the old one when the new one is
// first used, so a token that was never kept is never used, and a crash
// (or a failed save) between the renewal and the save leaves the kept,
// older token working.
type tokens struct {
	mu      sync.Mutex
	tok     *oauth2.Token
	info    tokenInfo
	unsaved bool // tok was renewed and is not kept yet: not to be used
	// failure is the authorization server's last refusal (a wrong client
	// secret, a revoked refresh token), or its answer that told to wait,
	// answered again without a token request for a while.
	failure held
	// refusedToken is an access token the app refused on the call sent
	// again with it right after its renewal for an earlier 401, and
	// refusedAt when: it is not renewed again until refusalPause has
	// passed.
	refusedToken string
	refusedAt    time.Time
	fetch        func(ctx context.Context, current *oauth2.Token) (*oauth2.Token, error)
	saver        connectors.SecretSaver
	log          *slog.Logger
}

// tokenInfo is kept, sealed, beside the tokens.
type tokenInfo struct {
	Type     string    `json:"type,omitempty"`
	Expiry   time.Time `json:"expiry,omitzero"`
	Obtained time.Time `json:"obtained"`
	// Key names what the token belongs to: a connect (a new key each time
	// a person connects) or a client's credentials.
	Key string `json:"key"`
}

// storedTokens reads the token kept in a connection's secrets.
func storedTokens(cfg connectors.Config) (*oauth2.Token, tokenInfo) {
	var info tokenInfo
	_ = json.Unmarshal([]byte(cfg.Secret(TokenInfoSecret)), &info)
	access := cfg.Secret(AccessTokenSecret)
	if access == "" {
		return nil, info
	}
	return &oauth2.Token{AccessToken: access, RefreshToken: cfg.Secret(RefreshTokenSecret),
		TokenType: info.Type, Expiry: info.Expiry}, info
}

// Authorize puts the access token in the Authorization header, renewing it
// first when it is about to expire; a renewed token is kept before it is
// used.
func (t *tokens) Authorize(ctx context.Context, req *http.Request, _ []byte) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.fresh(time.Now()) {
		if err := t.renew(ctx); err != nil {
			return err
		}
	}
	if err := t.keep(ctx); err != nil {
		return err
	}
	t.tok.SetAuthHeader(req)
	return nil
}

// Renew renews the token after a 401, unless another caller already did
// since the refused request was sent. A token the app refused on the call
// sent again with it right after its renewal is not renewed again for
// refusalPause: the app refuses such tokens (their scopes, their issuer),
// and a renewal per call would not help.
func (t *tokens) Renew(ctx context.Context, refused *http.Request) (bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok != nil && refused != nil && refused.Header.Get("Authorization") != t.tok.Type()+" "+t.tok.AccessToken {
		return true, nil
	}
	if t.tok != nil && t.tok.AccessToken == t.refusedToken && time.Since(t.refusedAt) < refusalPause {
		return false, tokenRefusedAgain(refused)
	}
	if err := t.renew(ctx); err != nil {
		return true, err
	}
	return true, t.keep(ctx)
}

// RenewalRefused marks the access token the app refused on the call sent
// again right after its renewal.
func (t *tokens) RenewalRefused(retried *http.Request) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok != nil && t.tok.AccessToken != "" && retried.Header.Get("Authorization") == t.tok.Type()+" "+t.tok.AccessToken {
		t.refusedToken, t.refusedAt = t.tok.AccessToken, time.Now()
	}
}

// tokenRefusedAgain is the error of a call whose access token the app
// refused on the call sent again with it right after its renewal.
func tokenRefusedAgain(refused *http.Request) error {
	call := "a call"
	if refused != nil {
		call = refused.Method + " " + refused.URL.Path
	}
	return connectors.Permanent(fmt.Errorf("%s: 401 Unauthorized with an access token just renewed; "+
		"check that oauth_scopes grant this call and that the app takes the tokens of oauth_token_url", call))
}

// fresh reports whether the token may be used at now: it expires after
// now plus a margin (a quarter of its lifetime, at most a minute). t.mu is
// held.
func (t *tokens) fresh(now time.Time) bool {
	if t.tok == nil || t.tok.AccessToken == "" {
		return false
	}
	if t.tok.Expiry.IsZero() {
		return true
	}
	early := min(time.Minute, t.tok.Expiry.Sub(t.info.Obtained)/4)
	return now.Add(early).Before(t.tok.Expiry)
}

// renew fetches a new token, to be kept before it is used; t.mu is held.
// A refusal in the last minute, or an answer that told to wait until a
// time still to come, is answered again without a request.
func (t *tokens) renew(ctx context.Context) error {
	if err := t.failure.at(time.Now()); err != nil {
		return err
	}
	tok, err := t.fetch(ctx, t.tok)
	if err != nil {
		t.failure.hold(err, time.Now())
		return err
	}
	t.failure.clear()
	t.tok, t.unsaved = tok, true
	t.info.Type, t.info.Expiry, t.info.Obtained = tok.TokenType, tok.Expiry, time.Now()
	return nil
}

// keep saves a renewed token in the connection's sealed secrets. Until
// that succeeds the token is not used: the call fails (transient) and the
// next one tries to keep the same token again, without another renewal;
// t.mu is held.
func (t *tokens) keep(ctx context.Context) error {
	if !t.unsaved {
		return nil
	}
	if t.saver != nil {
		if err := t.saver.SaveSecrets(ctx, tokenSecrets(t.tok, t.info)); err != nil {
			t.log.Warn("keeping the renewed OAuth2 token", slog.String("error", err.Error()))
			return connectors.Transient(fmt.Errorf("keeping the renewed OAuth2 token before using it: %w", err))
		}
	}
	t.unsaved = false
	return nil
}

// tokenSecrets are the secrets that keep a token.
func tokenSecrets(tok *oauth2.Token, info tokenInfo) map[string]string {
	data, _ := json.Marshal(info)
	return map[string]string{AccessTokenSecret: tok.AccessToken, RefreshTokenSecret: tok.RefreshToken, TokenInfoSecret: string(data)}
}

// withClient makes x/oauth2 send its requests with client.
func withClient(ctx context.Context, client *http.Client) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, client)
}

func endpoint(cfg connectors.Config, authURL string) oauth2.Endpoint {
	style := oauth2.AuthStyleAutoDetect
	switch cfg.String("oauth_auth_style") {
	case "header":
		style = oauth2.AuthStyleInHeader
	case "body":
		style = oauth2.AuthStyleInParams
	}
	return oauth2.Endpoint{AuthURL: authURL, TokenURL: cfg.String("oauth_token_url"), AuthStyle: style}
}

// newClientCredentials signs in as the client itself (OAuth2 client
// credentials) and gets a new token whenever the last one expires.
func newClientCredentials(cfg connectors.Config, env connectors.Env, deps Deps) *tokens {
	cc := &clientcredentials.Config{ClientID: cfg.String("oauth_client_id"), ClientSecret: cfg.Secret("oauth_client_secret"),
		TokenURL: cfg.String("oauth_token_url"), Scopes: strings.Fields(cfg.String("oauth_scopes")),
		AuthStyle: endpoint(cfg, "").AuthStyle}
	key := hashKey(cc.TokenURL, cc.ClientID, cc.ClientSecret, strings.Join(cc.Scopes, " "))
	return env.Shared.Load("rest/auth/oauth2-client/"+key, func() any {
		t := &tokens{saver: env.Secrets, log: deps.Logger, info: tokenInfo{Key: key}}
		if tok, info := storedTokens(cfg); tok != nil && info.Key == key {
			t.tok, t.info = tok, info
		}
		t.fetch = func(ctx context.Context, _ *oauth2.Token) (*oauth2.Token, error) {
			tok, err := cc.Token(withClient(ctx, deps.HTTPClient))
			return tok, tokenError("getting a token with the client credentials", err, false)
		}
		return t
	}).(*tokens)
}

// tokenError classifies a failed token request: an authorization server
// that limits calls (429) or has a problem of its own (408, 425, 5xx) is
// tried again later, after its Retry-After, whatever error code it adds;
// a refused grant means a person must connect again (reconnect) or fix
// the client's credentials; anything else may pass.
func tokenError(op string, err error, reconnect bool) error {
	if err == nil {
		return nil
	}
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		if noAnswer(err) {
			return connectors.Transient(fmt.Errorf("%s: %w", op, err))
		}
		return connectors.Permanent(fmt.Errorf("%s: the answer holds no token (%s); check oauth_token_url, the authorization server's token endpoint",
			op, strings.TrimPrefix(err.Error(), "oauth2: ")))
	}
	words := re.ErrorDescription
	if words == "" {
		words = re.ErrorCode
	}
	if words == "" && re.Response != nil {
		words = connectors.StatusText(re.Response.StatusCode)
	}
	if res := re.Response; res != nil {
		said := connectors.StatusText(res.StatusCode)
		if words != "" && words != said {
			said += ": " + words
		}
		if class := connectors.ClassifyStatus(errors.New(said), res.StatusCode, res.Header); !isPermanent(class) {
			return fmt.Errorf("%s: %w", op, class)
		}
	}
	switch {
	case re.ErrorCode == "invalid_grant" && reconnect:
		return connectors.Permanent(fmt.Errorf("%w: the app refused the refresh token (%s); connect the connection again", connectors.ErrReconnectNeeded, words))
	case re.ErrorCode != "" || (re.Response != nil && re.Response.StatusCode < 500):
		return connectors.Permanent(fmt.Errorf("%s: login refused: %s", op, words))
	}
	return connectors.Transient(fmt.Errorf("%s: %s", op, words))
}

// noAnswer reports whether a token request that is not the authorization
// server's refusal got no whole answer (the network, a timeout, a cut
// body), as opposed to a success answer without a token, which names no
// error of its own in x/oauth2.
func noAnswer(err error) bool {
	var ue *url.Error
	var ne net.Error
	return errors.As(err, &ue) || errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, context.Canceled) || strings.HasPrefix(err.Error(), "oauth2: cannot fetch token")
}

// isPermanent reports whether a classified error is permanent.
func isPermanent(err error) bool {
	class, _ := connectors.Classify(err)
	return class == connectors.ClassPermanent
}

func hashKey(parts ...string) string {
	return credentialHash(strings.Join(parts, "\x00"))
}

// newKey returns a key for a new connect.
func newKey() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
