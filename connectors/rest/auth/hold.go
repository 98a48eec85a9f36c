package auth

import (
	"time"

	"github.com/switchboard-app/switchboard/connectors"
)

// refusalPause is how long a refused login or token request is answered
// again instead of sending the same credentials once more.
const refusalPause = time.Minute

// held is the last failure of a login or token request that is answered
// again, without asking the app, until its end: a refusal, which would be
// the same next time, for refusalPause; an answer that told to wait (429,
// 503 with a Retry-After) until that time.
type held struct {
	err   error
	until time.Time
}

// hold keeps err, when it is such a failure, from now on.
func (h *held) hold(err error, now time.Time) {
	class, wait := connectors.Classify(err)
	switch {
	case class == connectors.ClassPermanent:
		h.err, h.until = err, now.Add(refusalPause)
	case wait > 0:
		h.err, h.until = err, now.Add(wait)
	default:
		h.err = nil
	}
}

// clear forgets the failure: the app gave a token.
func (h *held) clear() { h.err = nil }

// at returns the failure that still stands at now, if any; one that told
// to wait says how long is left.
func (h *held) at(now time.Time) error {
	if h.err == nil || !now.Before(h.until) {
		return nil
	}
	class, _ := connectors.Classify(h.err)
	if class == connectors.ClassPermanent {
		return h.err
	}
	if _, limited := connectors.IsRateLimited(h.err); limited {
		return connectors.RateLimited(h.err, h.until.Sub(now))
	}
	return connectors.TransientAfter(h.err, h.until.Sub(now))
}
