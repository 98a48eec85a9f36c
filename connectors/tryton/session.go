package tryton

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
)

// session is a login to a Tryton database, shared by every open instance
// of the connection (connectors.Env.Shared): it logs in at the first call
// and again once when Tryton refuses the session (it expired, or the
// server restarted). It implements rest.Authorizer and rest.Renewer.
// Logins go out on a client of their own, which does not wait for the
// connection's pacer: they run for calls that hold their turns already.
type session struct {
	login    *rpc
	user     string
	password string

	mu     sync.Mutex
	uid    int64
	key    string
	prefs  map[string]any // the user's context: company, language
	failed error          // a refused login, not tried again with the same password
}

// sessionFor returns the connection's shared session.
func sessionFor(shared *connectors.Shared, login *rpc, user, password string) *session {
	sum := sha256.Sum256([]byte(login.client.BaseURL().String() + "\x00" + login.database + "\x00" + user + "\x00" + password))
	return shared.Load("tryton/session/"+hex.EncodeToString(sum[:8]), func() any {
		return &session{login: login, user: user, password: password}
	}).(*session)
}

// Authorize logs in when there is no session yet and sends the session.
func (s *session) Authorize(ctx context.Context, req *http.Request, _ []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.key == "" {
		if err := s.open(ctx); err != nil {
			return err
		}
	}
	req.Header.Set("Authorization", sessionHeader(s.user, s.uid, s.key))
	return nil
}

// Renew logs in again after Tryton refused a session (401), unless
// another call did since the refused one was sent.
func (s *session) Renew(ctx context.Context, refused *http.Request) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.key != "" && refused != nil && refused.Header.Get("Authorization") != sessionHeader(s.user, s.uid, s.key) {
		return true, nil
	}
	s.key = ""
	return true, s.open(ctx)
}

// context returns the user's context (company, language), logging in
// first when needed.
func (s *session) context(ctx context.Context) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.key == "" {
		if err := s.open(ctx); err != nil {
			return nil, err
		}
	}
	out := make(map[string]any, len(s.prefs))
	for k, v := range s.prefs {
		out[k] = v
	}
	return out, nil
}

// open logs in and reads the user's context; s.mu is held. A refused
// password is not tried again: Tryton refuses every login for minutes
// after five failed ones.
func (s *session) open(ctx context.Context) error {
	if s.failed != nil {
		return s.failed
	}
	res, err := s.login.call(ctx, "common.db.login", s.user, map[string]any{"password": s.password}, "en")
	if err != nil {
		return s.refused(err)
	}
	pair, _ := res.([]any)
	if len(pair) != 2 {
		return connectors.Permanent(fmt.Errorf("logging in to Tryton: the answer %v is not a user and a session", res))
	}
	uid, _ := toInt(pair[0])
	key, _ := pair[1].(string)
	prefs, err := s.login.callWith(ctx, http.Header{"Authorization": {sessionHeader(s.user, uid, key)}},
		"model.res.user.get_preferences", true, map[string]any{})
	if err != nil {
		return fmt.Errorf("reading the user's preferences: %w", err)
	}
	s.uid, s.key = uid, key
	s.prefs, _ = prefs.(map[string]any)
	return nil
}

// refused words a failed login.
func (s *session) refused(err error) error {
	var se *rest.StatusError
	switch {
	case errors.As(err, &se) && se.Status == http.StatusUnauthorized:
		s.failed = connectors.Permanent(fmt.Errorf("login refused: Tryton refused the user name %q or its password for database %q", s.user, s.login.database))
		return s.failed
	case errors.As(err, &se) && se.Status == http.StatusTooManyRequests:
		return connectors.RateLimited(fmt.Errorf("Tryton refuses logins of %q for a few minutes after failed ones; fix the password, then wait", s.user), 5*time.Minute)
	}
	return fmt.Errorf("logging in to Tryton: %w", err)
}
