package files

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/files/transport"
)

// sharedTransport is one transport that every open instance of a
// connection uses at once, whichever flow or run: the connections to the
// server are then bounded per connection, not per instance. It is closed
// when the last instance lets it go.
type sharedTransport struct {
	mu   sync.Mutex
	tr   transport.Transport
	refs int
}

// sharedOf returns the shared transport of a connection with the given
// settings: another config (a host or password changed) gets another one.
// Without shared state (a connector on its own) nothing is shared.
func sharedOf(shared *connectors.Shared, kind string, settings any) *sharedTransport {
	if shared == nil {
		return nil
	}
	sum := sha256.Sum256(fmt.Appendf(nil, "%#v", settings))
	key := "files:" + kind + ":" + hex.EncodeToString(sum[:8])
	return shared.Load(key, func() any { return &sharedTransport{} }).(*sharedTransport)
}

// acquire returns the transport, dialling it when nobody holds it.
func (s *sharedTransport) acquire(ctx context.Context, dial func(context.Context) (transport.Transport, error)) (transport.Transport, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tr == nil {
		tr, err := dial(ctx)
		if err != nil {
			return nil, err
		}
		s.tr = tr
	}
	s.refs++
	return s.tr, nil
}

// release lets the transport go; the last one closes it.
func (s *sharedTransport) release() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refs--; s.refs > 0 || s.tr == nil {
		return nil
	}
	err := s.tr.Close()
	s.tr = nil
	return err
}
