package ui

import (
	"sync"
	"time"
)

// Sign-ins through the UI are limited per client address, as PocketBase
// limits the API's (10 a minute): enough for a person who mistyped, too
// few to guess a password.
const (
	signInsPerWindow = 10
	signInWindow     = time.Minute
	// maxTrackedClients bounds the memory the limiter keeps.
	maxTrackedClients = 10000
)

// signInLimiter counts sign-in attempts per client address in fixed
// windows.
type signInLimiter struct {
	mu      sync.Mutex
	clients map[string]*signInWindowCount
}

type signInWindowCount struct {
	start time.Time
	n     int
}

func newSignInLimiter() *signInLimiter {
	return &signInLimiter{clients: map[string]*signInWindowCount{}}
}

// allow counts an attempt of client at now and tells whether it may go on.
func (l *signInLimiter) allow(client string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.clients[client]
	if c == nil || now.Sub(c.start) >= signInWindow {
		if len(l.clients) >= maxTrackedClients {
			l.prune(now)
		}
		c = &signInWindowCount{start: now}
		l.clients[client] = c
	}
	c.n++
	return c.n <= signInsPerWindow
}

// prune forgets the clients whose window has passed.
func (l *signInLimiter) prune(now time.Time) {
	for client, c := range l.clients {
		if now.Sub(c.start) >= signInWindow {
			delete(l.clients, client)
		}
	}
}
