package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
)

// login signs in with a request of its own (POST credentials, take the
// token and its lifetime from the answer by paths), reuses the token until
// it expires, and signs in again once when the app refuses it (401).
type login struct {
	client                 *rest.Client
	path, body             string
	user, password         string
	tokenPath, expiresPath string
	lifetime               time.Duration
	header, prefix         string
	state                  *loginState
	saver                  connectors.SecretSaver
	log                    *slog.Logger
}

// loginState is the token of one set of credentials, shared by every open
// instance of the connection.
type loginState struct {
	mu       sync.Mutex
	key      string // which credentials the token belongs to
	token    string
	obtained time.Time
	expires  time.Time
	// failure is the last failed login of these credentials that is
	// answered again without a login for a while: apps lock an account
	// after a few refused logins, and ask to be left alone for a time.
	failure held
	// refusedToken is a token the app refused on the call sent again
	// with it right after the login for an earlier 401, and refusedAt
	// when: it is not logged in for again until refusalPause has passed.
	refusedToken string
	refusedAt    time.Time
}

// fresh reports whether the token may still be used at now.
func (st *loginState) fresh(now time.Time) bool {
	return st.token != "" && now.Add(margin(st.expires.Sub(st.obtained))).Before(st.expires)
}

// loginInfo is what is kept, sealed, besides the token.
type loginInfo struct {
	Obtained time.Time `json:"obtained"`
	Expires  time.Time `json:"expires"`
	Key      string    `json:"key"`
}

func newLogin(cfg connectors.Config, env connectors.Env, deps Deps) (*login, error) {
	// A login is not paced: it runs for a call that holds a turn already,
	// and the calls waiting for its token hold the others.
	client, err := rest.New(rest.Options{BaseURL: deps.BaseURL, HTTPClient: deps.HTTPClient, Logger: deps.Logger})
	if err != nil {
		return nil, err
	}
	l := &login{
		client: client, path: cfg.String("login_path"), body: cfg.String("login_body"),
		user: cfg.String("username"), password: cfg.Secret("password"),
		tokenPath: cfg.String("login_token_path"), expiresPath: cfg.String("login_expires_path"),
		lifetime: cfg.Duration("login_lifetime"), header: cfg.String("login_header"), prefix: cfg.String("login_prefix"),
		saver: env.Secrets, log: deps.Logger,
	}
	if l.lifetime <= 0 {
		l.lifetime = time.Hour
	}
	key := l.credentialKey()
	l.state = env.Shared.Load("rest/auth/login/"+key, func() any { return storedLogin(cfg, key) }).(*loginState)
	return l, nil
}

// credentialKey names the credentials without showing them: a new user or
// password, another login address, or another login body (which may name
// a company, a tenant or a database to sign in to) is another token.
func (l *login) credentialKey() string {
	return hashKey(l.client.BaseURL().String(), l.path, l.body, l.user, l.password)
}

// credentialHash names a secret text without showing it.
func credentialHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

// storedLogin takes up the token kept in the connection's secrets, when it
// belongs to the same credentials.
func storedLogin(cfg connectors.Config, key string) *loginState {
	st := &loginState{key: key}
	var info loginInfo
	if json.Unmarshal([]byte(cfg.Secret(LoginInfoSecret)), &info) == nil && info.Key == key {
		st.token, st.obtained, st.expires = cfg.Secret(LoginTokenSecret), info.Obtained, info.Expires
	}
	return st
}

// Authorize puts the token in its header, signing in first when there is
// none or it is about to expire.
func (l *login) Authorize(ctx context.Context, req *http.Request, _ []byte) error {
	l.state.mu.Lock()
	defer l.state.mu.Unlock()
	if !l.state.fresh(time.Now()) {
		if err := l.signIn(ctx); err != nil {
			return err
		}
	}
	req.Header.Set(l.header, tokenValue(l.prefix, l.state.token))
	return nil
}

// tokenValue is the header's value for a token: the prefix, then the
// token. A prefix that ends in a letter or digit is an authentication
// scheme ("Bearer", as a form that trims what is typed keeps it), which
// HTTP separates from its credentials by a space; any other prefix
// ("Bearer ", "token=") is put before the token as it is.
func tokenValue(prefix, token string) string {
	if prefix == "" {
		return token
	}
	if last := prefix[len(prefix)-1]; 'a' <= last && last <= 'z' || 'A' <= last && last <= 'Z' || '0' <= last && last <= '9' {
		return prefix + " " + token
	}
	return prefix + token
}

// Renew signs in again after a 401, unless another caller already did
// since the refused request was sent. A token the app refused on the
// call sent again with it right after its login is not logged in for
// again for refusalPause: the app refuses the way the token is sent, not
// the token, and a login per call would not help.
func (l *login) Renew(ctx context.Context, refused *http.Request) (bool, error) {
	l.state.mu.Lock()
	defer l.state.mu.Unlock()
	if refused != nil && refused.Header.Get(l.header) != tokenValue(l.prefix, l.state.token) {
		return true, nil
	}
	if l.state.token != "" && l.state.token == l.state.refusedToken && time.Since(l.state.refusedAt) < refusalPause {
		return false, l.refusedAgain(refused)
	}
	return true, l.signIn(ctx)
}

// RenewalRefused marks the token the app refused on the call sent again
// right after its login.
func (l *login) RenewalRefused(retried *http.Request) {
	l.state.mu.Lock()
	defer l.state.mu.Unlock()
	if l.state.token != "" && retried.Header.Get(l.header) == tokenValue(l.prefix, l.state.token) {
		l.state.refusedToken, l.state.refusedAt = l.state.token, time.Now()
	}
}

// refusedAgain is the error of a call whose token the app refused on
// the call sent again with it right after its login.
func (l *login) refusedAgain(refused *http.Request) error {
	call := "a call"
	if refused != nil {
		call = refused.Method + " " + refused.URL.Path
	}
	return connectors.Permanent(fmt.Errorf("%s: 401 Unauthorized with a token the login has just given; "+
		"check that the app reads it in login_header %q after login_prefix %q", call, l.header, l.prefix))
}

// signIn posts the credentials and keeps the token; l.state.mu is held.
// A permanent failure of the same credentials in the last minute (a
// refusal, whatever its status, or an answer without the token), or an
// answer that told to wait until a time still to come, is answered again,
// without a login.
func (l *login) signIn(ctx context.Context) error {
	l.state.token = ""
	if err := l.state.failure.at(time.Now()); err != nil {
		return err
	}
	body := fill(l.body, map[string]string{"{username}": jsonText(l.user), "{password}": jsonText(l.password)})
	res, err := l.client.Do(ctx, rest.Request{Method: http.MethodPost, Path: l.path, Body: []byte(body),
		ContentType: "application/json", NoAuth: true})
	if err != nil {
		return l.failed(loginError(err))
	}
	var answer any
	if res.Decode(&answer) != nil {
		// Not quoted: a text answer may be the session token itself.
		ctype := res.Header.Get("Content-Type")
		if ctype == "" {
			ctype = "no content type"
		}
		return l.failed(connectors.Permanent(fmt.Errorf("login: the answer of POST %s is not JSON (%s); the token is looked for at %q in a JSON answer",
			res.URL.Path, ctype, l.tokenPath)))
	}
	token := rest.LookupString(answer, l.tokenPath)
	if token == "" {
		return l.failed(connectors.Permanent(fmt.Errorf("login: the answer holds no token at %q%s", l.tokenPath, refusalWords(answer))))
	}
	now := time.Now()
	l.state.failure.clear()
	l.state.token, l.state.obtained, l.state.expires = token, now, l.expiry(answer, now)
	l.save(ctx)
	return nil
}

// refusalKeys are where an app that refuses a login with a 200 puts its
// words, in the order they are looked for.
var refusalKeys = []string{"error_description", "message", "error", "detail", "msg", "description"}

// refusalWords are the app's words in a login answer without a token
// ({"success": false, "message": "Invalid password"}), after ": "; only
// a text at one of refusalKeys, never anything else the answer holds,
// which may be a session at another path.
func refusalWords(answer any) string {
	obj, ok := answer.(map[string]any)
	if !ok {
		return ""
	}
	for _, k := range refusalKeys {
		if words, ok := obj[k].(string); ok && strings.TrimSpace(words) != "" {
			return connectors.ShortBody([]byte(words))
		}
	}
	return ""
}

// loginError words a failed login: refused credentials are permanent; a
// rate limit (a 403 that says to wait among them) keeps its wait.
func loginError(err error) error {
	var se *rest.StatusError
	if _, limited := connectors.IsRateLimited(err); limited { // a 403 that says to wait
		return fmt.Errorf("login: %w", err)
	}
	if errors.As(err, &se) && (se.Status == http.StatusUnauthorized || se.Status == http.StatusForbidden) {
		return connectors.Permanent(fmt.Errorf("login refused: %w", se))
	}
	return fmt.Errorf("login: %w", err)
}

// failed returns a login's error, and holds it when the same login would
// fail the same way for a while; l.state.mu is held.
func (l *login) failed(err error) error {
	l.state.failure.hold(err, time.Now())
	return err
}

// unixTimeFrom is the least number of seconds read as a Unix time (an end,
// "expires_at") rather than a lifetime: 2001-09-09, or a lifetime of 31
// years, which no token has. From unixMilliFrom on it is in milliseconds.
const (
	unixTimeFrom  = 1e9
	unixMilliFrom = 1e12
)

// expiry reads the token's lifetime (seconds) or end (a date and time, or
// a Unix time in seconds or milliseconds) from the answer; the configured
// lifetime when it says neither, or names an end that is not after now
// (the app's clock, a local time written as UTC), which would make every
// call log in again: the token works, and a 401 says when it no longer
// does.
func (l *login) expiry(answer any, now time.Time) time.Time {
	v := rest.LookupString(answer, l.expiresPath)
	end := time.Time{}
	if secs, err := strconv.ParseFloat(v, 64); err == nil && secs > 0 {
		switch {
		case secs >= unixMilliFrom:
			end = time.UnixMilli(int64(secs))
		case secs >= unixTimeFrom:
			end = time.Unix(int64(secs), 0)
		default:
			return now.Add(time.Duration(secs * float64(time.Second)))
		}
	} else if at, err := time.Parse(time.RFC3339, v); err == nil {
		end = at
	}
	if end.After(now) {
		return end
	}
	return now.Add(l.lifetime)
}

func (l *login) save(ctx context.Context) {
	if l.saver == nil {
		return
	}
	info, _ := json.Marshal(loginInfo{Obtained: l.state.obtained, Expires: l.state.expires, Key: l.state.key})
	if err := l.saver.SaveSecrets(ctx, map[string]string{LoginTokenSecret: l.state.token, LoginInfoSecret: string(info)}); err != nil {
		l.log.Warn("keeping the login token", slog.String("error", err.Error()))
	}
}

// margin is how long before its end a token is renewed: a tenth of its
// lifetime, at most 30 seconds.
func margin(lifetime time.Duration) time.Duration { return min(30*time.Second, lifetime/10) }

// jsonText is s escaped for the inside of a JSON string.
func jsonText(s string) string {
	b, _ := json.Marshal(s)
	return strings.TrimSuffix(strings.TrimPrefix(string(b), `"`), `"`)
}
