package ftp

import (
	"context"
	"fmt"
	"sync"

	"github.com/jlaffaye/ftp"

	"github.com/switchboard-app/switchboard/connectors"
)

// DefaultSessions is how many connections a transport opens to the server
// at most when the config names no number: one for commands and three for
// transfers.
const DefaultSessions = 4

// pool keeps the transfer connections of a transport: at most max of them
// are open, idle ones are reused, and a transfer that finds all of them
// busy waits for one instead of failing.
type pool struct {
	slots  chan struct{} // one per transfer under way
	mu     sync.Mutex
	idle   []*ftp.ServerConn
	closed bool
}

func newPool(max int) *pool { return &pool{slots: make(chan struct{}, max)} }

// get returns a connection for one transfer, waiting while every one is
// busy, and dialling with dial when no idle one is left.
func (p *pool) get(ctx context.Context, dial func() (*ftp.ServerConn, error)) (*ftp.ServerConn, error) {
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, connectors.Transient(fmt.Errorf("ftp: waiting for a free transfer connection: %w", ctx.Err()))
	}
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		c := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return c, nil
	}
	p.mu.Unlock()
	c, err := dial()
	if err != nil {
		<-p.slots
		return nil, err
	}
	return c, nil
}

// put gives a connection back after its transfer; a broken one (or one
// that may be out of step with the server) is closed instead of kept.
func (p *pool) put(c *ftp.ServerConn, broken bool) {
	p.mu.Lock()
	keep := !broken && !p.closed
	if keep {
		p.idle = append(p.idle, c)
	}
	p.mu.Unlock()
	if !keep {
		_ = c.Quit()
	}
	<-p.slots
}

// close logs out of the idle connections; those busy now are closed when
// their transfer ends.
func (p *pool) close() error {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	p.mu.Unlock()
	var err error
	for _, c := range idle {
		if qerr := c.Quit(); err == nil {
			err = qerr
		}
	}
	return err
}
