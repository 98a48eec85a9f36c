package app

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// Password sign-ins are limited per account as well as per client
// address: an attacker who spreads guesses for one account over many
// addresses is held too. After AccountSignInFailures failed sign-ins for
// one e-mail address within AccountSignInWindow, further sign-ins for it
// are refused until that window ends, whether the address belongs to a
// user or not, so the refusal tells nobody which addresses exist.
const (
	AccountSignInFailures = 10
	AccountSignInWindow   = 15 * time.Minute
	// familiarFor is how long a client address from which an account
	// signed in stays exempt from that account's lock.
	familiarFor = 30 * 24 * time.Hour
	// maxTrackedAccounts and maxFamiliar bound the guard's memory.
	maxTrackedAccounts = 100000
	maxFamiliar        = 100000
)

// SignInGuard counts failed password sign-ins per account, for the web
// UI's sign-in form and the API's auth-with-password on users alike.
//
// A lock cannot keep a user out for good: it ends with its window, and a
// client address from which the account signed in within familiarFor is
// not held by it (only by the per-address limit), so an attacker who keeps
// renewing the lock does not keep the user out where they usually sign in.
// The counts live in memory: a restart clears them.
type SignInGuard struct {
	mu       sync.Mutex
	accounts map[string]*accountFailures
	familiar map[string]time.Time // account and client address -> last sign-in
}

type accountFailures struct {
	start time.Time
	n     int
}

// newSignInGuard returns an empty guard.
func newSignInGuard() *SignInGuard {
	return &SignInGuard{accounts: map[string]*accountFailures{}, familiar: map[string]time.Time{}}
}

// accountKey is the identity as the guard counts it: PocketBase finds
// e-mail addresses without regard to case.
func accountKey(identity string) string {
	return strings.ToLower(strings.TrimSpace(identity))
}

func familiarKey(account, client string) string { return account + "\x00" + client }

// Check tells whether a password sign-in for identity from client may be
// tried at now; when not, wait is how long until it may.
func (g *SignInGuard) Check(identity, client string, now time.Time) (wait time.Duration, ok bool) {
	key := accountKey(identity)
	g.mu.Lock()
	defer g.mu.Unlock()
	a := g.accounts[key]
	if a == nil || a.n < AccountSignInFailures {
		return 0, true
	}
	end := a.start.Add(AccountSignInWindow)
	if !now.Before(end) {
		delete(g.accounts, key)
		return 0, true
	}
	if last, ok := g.familiar[familiarKey(key, client)]; ok && now.Sub(last) < familiarFor {
		return 0, true
	}
	return end.Sub(now), false
}

// Failed counts a failed sign-in for identity at now.
func (g *SignInGuard) Failed(identity string, now time.Time) {
	key := accountKey(identity)
	g.mu.Lock()
	defer g.mu.Unlock()
	a := g.accounts[key]
	if a == nil || now.Sub(a.start) >= AccountSignInWindow {
		if a == nil && len(g.accounts) >= maxTrackedAccounts {
			g.pruneAccounts(now)
		}
		a = &accountFailures{start: now}
		g.accounts[key] = a
	}
	a.n++
}

// Succeeded clears identity's failures and remembers client as an address
// from which the account signs in.
func (g *SignInGuard) Succeeded(identity, client string, now time.Time) {
	key := accountKey(identity)
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.accounts, key)
	if len(g.familiar) >= maxFamiliar {
		g.pruneFamiliar(now)
	}
	g.familiar[familiarKey(key, client)] = now
}

// pruneAccounts forgets the counts whose window has passed and, when that
// frees nothing, one count besides, so that the map stays bounded.
func (g *SignInGuard) pruneAccounts(now time.Time) {
	for key, a := range g.accounts {
		if now.Sub(a.start) >= AccountSignInWindow {
			delete(g.accounts, key)
		}
	}
	for key := range g.accounts {
		if len(g.accounts) < maxTrackedAccounts {
			return
		}
		delete(g.accounts, key)
	}
}

// pruneFamiliar forgets the addresses not used within familiarFor and,
// when that frees nothing, the oldest one.
func (g *SignInGuard) pruneFamiliar(now time.Time) {
	oldest, oldestAt := "", now
	for key, at := range g.familiar {
		if now.Sub(at) >= familiarFor {
			delete(g.familiar, key)
		} else if at.Before(oldestAt) {
			oldest, oldestAt = key, at
		}
	}
	if len(g.familiar) >= maxFamiliar {
		delete(g.familiar, oldest)
	}
}

// WaitMinutes rounds a wait up to whole minutes, for telling a person.
func WaitMinutes(wait time.Duration) int {
	return int(math.Ceil(wait.Minutes()))
}

// minutes is n minutes in words: "a minute" for 1.
func minutes(n int) string {
	if n == 1 {
		return "a minute"
	}
	return fmt.Sprintf("%d minutes", n)
}

// SignIns is the appliance's per-account sign-in guard, shared by the web
// UI and the API.
func (s *Switchboard) SignIns() *SignInGuard { return s.signIns }

// limitPasswordSignIns holds the API's auth-with-password on users to
// the per-account limit: a locked account's sign-in is answered 429 with
// Retry-After before its password is looked at.
func (s *Switchboard) limitPasswordSignIns(e *core.RecordAuthWithPasswordRequestEvent) error {
	client := e.RealIP()
	if wait, ok := s.signIns.Check(e.Identity, client, time.Now()); !ok {
		e.Response.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		return e.TooManyRequestsError("Too many failed sign-ins for this address: wait "+minutes(WaitMinutes(wait))+
			", then try again.", nil)
	}
	err := e.Next()
	if err != nil {
		s.signIns.Failed(e.Identity, time.Now())
	} else {
		s.signIns.Succeeded(e.Identity, client, time.Now())
	}
	return err
}
