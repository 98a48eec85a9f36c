package erp

import (
	"sync"

	"github.com/switchboard-app/switchboard/connectors"
)

// Keys serialises work on one business key (an order's number, a
// customer's e-mail address) across every worker and flow of a
// connection: the look-up and the create that follows it run for one key
// at a time, so that two transactions of one key, written at once, do not
// both create it.
type Keys struct {
	mu    sync.Mutex
	locks map[string]*keyLock
}

type keyLock struct {
	mu    sync.Mutex
	users int
}

// KeysFor returns the connection's keys of a kind ("orders",
// "customers"), kept in its shared state; one of its own when shared is
// nil.
func KeysFor(shared *connectors.Shared, kind string) *Keys {
	return shared.Load("erp/keys/"+kind, func() any { return &Keys{locks: map[string]*keyLock{}} }).(*Keys)
}

// Lock waits until no one else works on key, and returns the unlock.
func (k *Keys) Lock(key string) (unlock func()) {
	k.mu.Lock()
	l, ok := k.locks[key]
	if !ok {
		l = &keyLock{}
		k.locks[key] = l
	}
	l.users++
	k.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		k.mu.Lock()
		if l.users--; l.users == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
}
