package app

import (
	"context"
	"net"
	"net/http"
	"sync"
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
//
// Its connections to this machine's loopback are noted in own while they
// are open, so that the listeners that trust a loopback caller (the
// metrics, the profiles) tell them from a person on the machine: a
// connection pointed at them by an editor gets what a caller from the
// network gets.
func newOutboundTransport(workers int, own *localAddrs) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = max(outboundIdleConns, workers)
	t.MaxIdleConns = 4 * t.MaxIdleConnsPerHost
	t.IdleConnTimeout = 90 * time.Second
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		return own.dial(ctx, dialer, network, addr)
	}
	return t
}

// FromOwnConnection tells whether a request that came in from remoteAddr
// (its RemoteAddr) was sent by one of the appliance's own connections,
// rather than by a person or a program on the machine: a listener that
// trusts loopback callers refuses it.
func (s *Switchboard) FromOwnConnection(remoteAddr string) bool { return s.ownCalls.has(remoteAddr) }

// localAddrs counts the open connections by their local address: the
// appliance's own connections to its machine's loopback.
type localAddrs struct {
	mu   sync.Mutex
	open map[string]int
}

// dial dials addr and, when the connection leads to loopback, notes its
// local address until it is closed.
func (l *localAddrs) dial(ctx context.Context, d *net.Dialer, network, addr string) (net.Conn, error) {
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	remote, ok := c.RemoteAddr().(*net.TCPAddr)
	if !ok || !remote.IP.IsLoopback() {
		return c, nil
	}
	local := c.LocalAddr().String()
	l.mu.Lock()
	l.open[local]++
	l.mu.Unlock()
	return &noted{Conn: c, forget: func() { l.forget(local) }}, nil
}

func newLocalAddrs() *localAddrs { return &localAddrs{open: map[string]int{}} }

func (l *localAddrs) forget(local string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[local]--; l.open[local] <= 0 {
		delete(l.open, local)
	}
}

func (l *localAddrs) has(addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open[addr] > 0
}

// noted is a connection whose local address is forgotten on Close.
type noted struct {
	net.Conn
	once   sync.Once
	forget func()
}

// Close closes the connection and forgets its local address.
func (n *noted) Close() error {
	err := n.Conn.Close()
	n.once.Do(n.forget)
	return err
}
