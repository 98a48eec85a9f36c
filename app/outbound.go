package app

import (
	"net/http"
	"time"
)

// outboundIdleConns is how many idle connections to one app's host are
// kept for reuse at least; more when the engine runs more workers.
const outboundIdleConns = 64

// newOutboundTransport returns the HTTP transport of every call the
// connections make to their apps: one for Switchboard, so that calls to an
// app reuse its connections (and their TLS sessions) across flows, runs
// and workers. Go's default keeps two idle connections per host: with more
// workers writing to one app at once, every call beyond two would open a
// connection and close it again.
func newOutboundTransport(workers int) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = max(outboundIdleConns, workers)
	t.MaxIdleConns = 4 * t.MaxIdleConnsPerHost
	t.IdleConnTimeout = 90 * time.Second
	return t
}
