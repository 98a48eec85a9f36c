package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/connectors"
)

// The Connect button of an OAuth2 connection: GET
// /api/switchboard/oauth/{connection}/start sends the person to the app's
// consent page; the app sends the browser back to GET
// /api/switchboard/oauth/callback with a code, which is traded for tokens
// that are kept sealed in the connection's secrets.
//
// A connect is bound to the browser session that started it: the start
// sets a cookie holding a random session key, and the callback takes only
// the state of a connect started with that key (and, when the callback
// request is signed in, by the same user). A state is good once and for
// ten minutes: a forged, replayed or stale state is refused.
const (
	oauthCookie   = "sb_oauth_session"
	connectTTL    = 10 * time.Minute
	maxConnecting = 1000 // connects waiting for their callback at once
)

// connecting is a connect waiting for its callback.
type connecting struct {
	conn     string
	user     string
	users    string   // the collection of user: users, or superusers
	session  [32]byte // SHA-256 of the browser session key
	verifier string   // the PKCE verifier
	redirect string
	returnTo string // the page to go back to once connected; "" for a page of its own
	expires  time.Time
}

// connects holds the connects waiting for their callback, by state.
type connects struct {
	mu      sync.Mutex
	byState map[string]connecting
}

func (c *connects) put(state string, p connecting) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byState == nil {
		c.byState = map[string]connecting{}
	}
	now := time.Now()
	for s, old := range c.byState {
		if now.After(old.expires) {
			delete(c.byState, s)
		}
	}
	if len(c.byState) >= maxConnecting {
		return errTooManyConnects
	}
	c.byState[state] = p
	return nil
}

// take returns the connect of a state started in the given browser
// session, and forgets it: a state is good once. A state of another
// session is left alone, so that a forged callback cannot spoil it.
func (c *connects) take(state string, session [32]byte) (connecting, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.byState[state]
	switch {
	case !ok || time.Now().After(p.expires):
		delete(c.byState, state)
		return connecting{}, errUnknownState
	case subtle.ConstantTimeCompare(p.session[:], session[:]) != 1:
		return connecting{}, errOtherSession
	}
	delete(c.byState, state)
	return p, nil
}

var (
	errTooManyConnects = errors.New("too many connects are waiting for the app; try again in a few minutes")
	errUnknownState    = fmt.Errorf("this connect is unknown, expired or already used: press Connect again")
	errOtherSession    = fmt.Errorf("this connect was started in another browser session: press Connect again in this browser")
	errConnectRevoked  = errors.New("the person who pressed Connect may no longer change this connection " +
		"(disabled, given another role or removed since): nothing was saved")
)

// stillAllowed checks, as a connect ends, that the person who started it
// may still change connections: the callback carries no sign-in of its
// own, and a user disabled, given a lower role or removed in the
// meantime must not have the tokens saved for them.
func stillAllowed(app core.App, p connecting) error {
	user, err := app.FindRecordById(p.users, p.user)
	if err != nil || !hasRole(user, editorUp) {
		return errConnectRevoked
	}
	return nil
}

// handleOAuthStart answers the consent page's address (JSON {"url"}), or
// sends a browser there (302) when it asks for a page.
func (s *Switchboard) handleOAuthStart(e *core.RequestEvent) error {
	authURL, err := s.StartConnect(e, e.Request.PathValue("connection"), "")
	var nf *connectNotFound
	switch {
	case errors.As(err, &nf):
		return e.NotFoundError("No such connection.", nil)
	case errors.Is(err, errTooManyConnects):
		return e.TooManyRequestsError(err.Error(), nil)
	case err != nil:
		return e.BadRequestError(err.Error(), nil)
	}
	if strings.Contains(e.Request.Header.Get("Accept"), "text/html") {
		return e.Redirect(http.StatusFound, authURL)
	}
	return e.JSON(http.StatusOK, map[string]string{"url": authURL})
}

// connectNotFound is StartConnect's answer for a connection that does not
// exist.
type connectNotFound struct{ id string }

func (e *connectNotFound) Error() string { return "no connection " + e.id }

// StartConnect starts the Connect of an OAuth2 connection for the signed-in
// user of e: it returns the app's consent page to send the browser to, and
// binds the connect to the browser session with a cookie. Once connected,
// the callback sends the browser to returnTo (a path of this appliance),
// or shows a page of its own when it is "". The REST route and the web
// UI's Connect button both use it. Its errors are in words, secrets
// redacted.
func (s *Switchboard) StartConnect(e *core.RequestEvent, connID, returnTo string) (string, error) {
	rec, err := e.App.FindRecordById(connectionsCollection, connID)
	if err != nil {
		return "", &connectNotFound{id: connID}
	}
	conn, err := s.OpenConnection(rec)
	if err != nil {
		return "", errors.New(s.redactorOf(rec).text(err.Error()))
	}
	defer func() { _ = conn.Close() }()
	oc, ok := conn.(connectors.OAuth2Connector)
	if !ok {
		return "", fmt.Errorf("connection %q does not connect with OAuth2", rec.GetString("name"))
	}
	state, key := randomKey(), sessionKey(e.Request)
	redirect := callbackURL(e)
	authURL, verifier, err := oc.AuthCodeURL(redirect, state)
	if err != nil {
		return "", errors.New(s.redactorOf(rec).text(err.Error()))
	}
	p := connecting{conn: rec.Id, user: e.Auth.Id, users: e.Auth.Collection().Id, session: sha256.Sum256([]byte(key)), verifier: verifier,
		redirect: redirect, returnTo: localPath(returnTo), expires: time.Now().Add(connectTTL)}
	if err := s.connects.put(state, p); err != nil {
		return "", err
	}
	e.SetCookie(&http.Cookie{Name: oauthCookie, Value: key, Path: APIPrefix + "/oauth/", MaxAge: int(connectTTL.Seconds()),
		HttpOnly: true, Secure: strings.HasPrefix(redirect, "https://"), SameSite: http.SameSiteLaxMode})
	return authURL, nil
}

// localPath keeps a path of this appliance ("/connections/x"), so that a
// connect cannot send the browser to another site afterwards.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.Contains(p, "\\") {
		return ""
	}
	return p
}

// sessionKey is the browser session's key: the one its cookie holds, or a
// new one.
func sessionKey(r *http.Request) string {
	if c, err := r.Cookie(oauthCookie); err == nil && len(c.Value) >= 43 {
		return c.Value
	}
	return randomKey()
}

// callbackURL is where the app sends the browser back: this request's
// host, where the browser holds the session cookie; with the scheme of
// PocketBase's app URL when that names the same host (TLS ended by a
// proxy in front).
func callbackURL(e *core.RequestEvent) string {
	scheme := "http"
	if e.Request.TLS != nil {
		scheme = "https"
	}
	if app, err := url.Parse(e.App.Settings().Meta.AppURL); err == nil && app.Host == e.Request.Host && app.Scheme != "" {
		scheme = app.Scheme
	}
	return scheme + "://" + e.Request.Host + APIPrefix + "/oauth/callback"
}

// handleOAuthCallback takes the app's answer to a connect: it checks the
// state and the browser session, trades the code for tokens, keeps them
// sealed and resumes the connection's flows.
func (s *Switchboard) handleOAuthCallback(e *core.RequestEvent) error {
	q := e.Request.URL.Query()
	var session [32]byte
	if c, err := e.Request.Cookie(oauthCookie); err == nil {
		session = sha256.Sum256([]byte(c.Value))
	}
	p, err := s.connects.take(q.Get("state"), session)
	if err == nil && e.Auth != nil && e.Auth.Id != p.user {
		err = errOtherSession
	}
	if err != nil {
		return connectPage(e, http.StatusBadRequest, "Not connected", err.Error(), "")
	}
	if err := stillAllowed(e.App, p); err != nil {
		return connectPage(e, http.StatusForbidden, "Not connected", err.Error(), "")
	}
	rec, err := e.App.FindRecordById(connectionsCollection, p.conn)
	if err != nil {
		return connectPage(e, http.StatusNotFound, "Not connected", "The connection no longer exists.", "")
	}
	clean := s.redactorOf(rec)
	if refusal := q.Get("error"); refusal != "" {
		msg := strings.TrimSpace(q.Get("error_description") + " (" + refusal + ")")
		return connectPage(e, http.StatusBadRequest, "Not connected", clean.text("The app did not connect: "+msg), p.returnTo)
	}
	if err := s.connect(e.Request.Context(), rec, p, q.Get("code")); err != nil {
		s.logger().Warn("connecting", slog.String("connection", rec.GetString("name")), slog.String("error", clean.text(err.Error())))
		return connectPage(e, http.StatusBadGateway, "Not connected", clean.text(err.Error()), p.returnTo)
	}
	if p.returnTo != "" {
		return e.Redirect(http.StatusSeeOther, p.returnTo)
	}
	return connectPage(e, http.StatusOK, "Connected", fmt.Sprintf("%q is connected; its flows run now. You can close this page.", rec.GetString("name")), "")
}

// connect trades the code for tokens, keeps them and resumes the flows.
func (s *Switchboard) connect(ctx context.Context, rec *core.Record, p connecting, code string) error {
	conn, err := s.OpenConnection(rec)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }()
	oc, ok := conn.(connectors.OAuth2Connector)
	if !ok {
		return fmt.Errorf("connection %q no longer connects with OAuth2", rec.GetString("name"))
	}
	ctx, cancel := context.WithTimeout(ctx, testTimeout)
	defer cancel()
	secrets, err := oc.ExchangeCode(ctx, p.redirect, code, p.verifier)
	if err != nil {
		return fmt.Errorf("the app refused the connect: %w", err)
	}
	if err := s.saveSecrets(rec, secrets); err != nil {
		return err
	}
	s.engine.reconnects.reconnected(rec.Id)
	return nil
}

// connectPage is the callback's own page: a title and a message, and a
// link back to the page the connect started from (the web UI's connection,
// where Connect can be pressed again) when there is one.
func connectPage(e *core.RequestEvent, status int, title, msg, back string) error {
	h := e.Response.Header()
	h.Set("Content-Security-Policy", connectPagePolicy)
	h.Set("Referrer-Policy", "no-referrer") // the address holds the app's code
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-store")
	page := "<!doctype html><meta charset=utf-8><title>" + html.EscapeString(title) +
		" - Switchboard</title><h1>" + html.EscapeString(title) + "</h1><p>" + html.EscapeString(msg) + "</p>"
	if back != "" {
		page += `<p><a href="` + html.EscapeString(back) + `">Back to the connection</a></p>`
	}
	return e.HTML(status, page)
}

// connectPagePolicy is the Content-Security-Policy of the page a connect
// ends on: it loads nothing, runs nothing and is framed by nobody.
const connectPagePolicy = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// randomKey is 32 random bytes in URL-safe base64 (43 characters).
func randomKey() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ConnectsWithOAuth2 tells whether a connection is connected with the
// OAuth2 authorization code flow (a Connect button): its connector takes
// OAuth2, and when it lets the user choose the kind of authentication
// (an "auth" field, as the REST kit's connectors have), OAuth2 is chosen.
func (s *Switchboard) ConnectsWithOAuth2(rec *core.Record) bool {
	reg, ok := s.registry.Lookup(rec.GetString("connector"))
	if !ok || !slices.Contains(reg.Spec.Auth, connectors.AuthOAuth2) {
		return false
	}
	if _, chosen := reg.Spec.Field(authKindField); !chosen {
		return true
	}
	config, err := recordConfig(rec)
	return err == nil && config[authKindField] == string(connectors.AuthOAuth2)
}

// authKindField is the config field in which a connector lets the user
// choose the kind of authentication.
const authKindField = "auth"
