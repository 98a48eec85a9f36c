package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/switchboard-app/switchboard/connectors"
)

// AuthCode is the authorization code flow with PKCE: a person connects the
// connection once (the engine's start and callback routes call
// AuthCodeURL and ExchangeCode), and the access token is then refreshed
// before it expires and kept, sealed, with the refresh token the app
// rotates. A refresh token the app refuses (revoked, expired) is an error
// wrapping connectors.ErrReconnectNeeded: a person must connect again.
// It implements rest.Authorizer, rest.Renewer and
// connectors.OAuth2Connector.
type AuthCode struct {
	conf   oauth2.Config
	client *http.Client
	shared *connectors.Shared
	saver  connectors.SecretSaver
	*tokens
}

// sharedOAuth2 is where the connection's token is kept in its shared state.
const sharedOAuth2 = "rest/auth/oauth2"

// NewAuthCode builds the flow from the connection's config; client sends the
// token requests.
func NewAuthCode(cfg connectors.Config, env connectors.Env, client *http.Client) *AuthCode {
	o := &AuthCode{conf: oauth2.Config{ClientID: cfg.String("oauth_client_id"), ClientSecret: cfg.Secret("oauth_client_secret"),
		Endpoint: endpoint(cfg, cfg.String("oauth_auth_url")), Scopes: strings.Fields(cfg.String("oauth_scopes"))},
		client: client, shared: env.Shared, saver: env.Secrets}
	tok, info := storedTokens(cfg)
	o.tokens = env.Shared.Load(sharedOAuth2, func() any { return o.newTokens(tok, info, env) }).(*tokens)
	o.tokens.mu.Lock()
	current := o.tokens.info.Key
	// The token outlives a change of the config (a renewed client secret,
	// another token URL or scopes): it is refreshed with the config as it
	// is now, not as it was when the connection was first opened.
	// The config may be corrected since a refusal: ask again.
	o.tokens.fetch = o.refresh
	o.tokens.failure.clear()
	o.tokens.mu.Unlock()
	if current != info.Key { // a person connected again since: take up the new token
		o.tokens = o.newTokens(tok, info, env)
		env.Shared.Store(sharedOAuth2, o.tokens)
	}
	return o
}

func (o *AuthCode) newTokens(tok *oauth2.Token, info tokenInfo, env connectors.Env) *tokens {
	log := env.Logger
	if log == nil {
		log = discard
	}
	return &tokens{tok: tok, info: info, fetch: o.refresh, saver: env.Secrets, log: log}
}

// refresh trades the refresh token for a new access token (and, when the
// app rotates them, a new refresh token).
func (o *AuthCode) refresh(ctx context.Context, current *oauth2.Token) (*oauth2.Token, error) {
	if current == nil || current.AccessToken == "" {
		return nil, connectors.Permanent(fmt.Errorf("%w: the connection is not connected yet; press Connect", connectors.ErrReconnectNeeded))
	}
	if current.RefreshToken == "" {
		return nil, connectors.Permanent(fmt.Errorf("%w: the access token expired and the app gave no refresh token; connect the connection again", connectors.ErrReconnectNeeded))
	}
	tok, err := o.conf.TokenSource(withClient(ctx, o.client), &oauth2.Token{RefreshToken: current.RefreshToken}).Token()
	return tok, tokenError("refreshing the OAuth2 token", err, true)
}

// AuthCodeURL returns the address of the app's consent page for a
// connect, with state and a new PKCE verifier, which the callback must
// hand to ExchangeCode.
func (o *AuthCode) AuthCodeURL(redirectURL, state string) (string, string, error) {
	if o.conf.Endpoint.AuthURL == "" || o.conf.Endpoint.TokenURL == "" {
		return "", "", errors.New("the connection has no OAuth2 authorization and token URLs")
	}
	conf := o.conf
	conf.RedirectURL = redirectURL
	verifier := oauth2.GenerateVerifier()
	return conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)), verifier, nil
}

// ExchangeCode trades the code the app sent back for tokens, takes them
// up, and returns the secrets that keep them. The connection's shared
// token takes them in place, after any refresh under way: every open
// instance uses them at once, and a refresh of the tokens before cannot
// be kept after them.
func (o *AuthCode) ExchangeCode(ctx context.Context, redirectURL, code, verifier string) (map[string]string, error) {
	conf := o.conf
	conf.RedirectURL = redirectURL
	tok, err := conf.Exchange(withClient(ctx, o.client), code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, tokenError("exchanging the code for a token", err, false)
	}
	info := tokenInfo{Type: tok.TokenType, Expiry: tok.Expiry, Obtained: time.Now(), Key: newKey()}
	t := o.shared.Load(sharedOAuth2, func() any { return o.tokens }).(*tokens)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.tok, t.info, t.unsaved, t.refusedToken = tok, info, false, ""
	t.failure.clear()
	return tokenSecrets(tok, info), nil
}

var _ connectors.OAuth2Connector = (*AuthCode)(nil)
