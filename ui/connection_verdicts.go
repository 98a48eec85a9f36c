package ui

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
)

// verdictParam names, in a connection page's address, the test verdict
// to show: "Test the connection" redirects to the page with it, so that
// the browser's Back and Reload come to that page, not to a form to send
// again.
const verdictParam = "verdict"

// verdictTTL is how long a test's verdict is kept to be shown again.
const verdictTTL = 30 * time.Minute

// maxVerdicts bounds the verdicts kept; the oldest go first.
const maxVerdicts = 200

// verdicts keeps the last tests' verdicts for the page they redirect to,
// each for the user who ran it and the connection tested.
type verdicts struct {
	mu   sync.Mutex
	kept map[string]keptVerdict
}

type keptVerdict struct {
	user, connection string
	at               time.Time
	result           connectors.TestResult
}

func newVerdicts() *verdicts { return &verdicts{kept: map[string]keptVerdict{}} }

// keep stores a verdict and returns the token that shows it again.
func (v *verdicts) keep(user, connection string, result connectors.TestResult, now time.Time) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	token := hex.EncodeToString(b[:])
	v.mu.Lock()
	defer v.mu.Unlock()
	v.prune(now)
	v.kept[token] = keptVerdict{user: user, connection: connection, at: now, result: result}
	return token
}

// find returns the verdict of token when it is the user's, of that
// connection, and not too old.
func (v *verdicts) find(token, user, connection string, now time.Time) (*connectors.TestResult, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	k, ok := v.kept[token]
	if !ok || k.user != user || k.connection != connection || now.Sub(k.at) > verdictTTL {
		return nil, false
	}
	result := k.result
	return &result, true
}

// prune drops the verdicts too old to show, and the oldest beyond
// maxVerdicts; the caller holds the lock.
func (v *verdicts) prune(now time.Time) {
	oldest := ""
	for token, k := range v.kept {
		if now.Sub(k.at) > verdictTTL {
			delete(v.kept, token)
		} else if oldest == "" || k.at.Before(v.kept[oldest].at) {
			oldest = token
		}
	}
	if len(v.kept) >= maxVerdicts && oldest != "" {
		delete(v.kept, oldest)
	}
}
