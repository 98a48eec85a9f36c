package connectors

import "sync"

// Shared holds values that every open instance of one connection shares,
// across flows, runs and workers: a pacer that keeps the connection under
// its app's rate limit, a login token reused until it expires. The engine
// keeps one per connection for as long as it runs. Its methods are safe
// for concurrent use, and a nil *Shared shares nothing.
type Shared struct {
	mu     sync.Mutex
	values map[string]any
}

// NewShared returns an empty Shared.
func NewShared() *Shared { return &Shared{values: map[string]any{}} }

// Load returns the value kept under key, first storing what create returns
// when there is none. create runs at most once per key, under the lock.
// On a nil Shared it returns create().
func (s *Shared) Load(key string, create func() any) any {
	if s == nil {
		return create()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.values == nil {
		s.values = map[string]any{}
	}
	if v, ok := s.values[key]; ok {
		return v
	}
	v := create()
	s.values[key] = v
	return v
}

// Store keeps v under key, replacing what was there.
func (s *Shared) Store(key string, v any) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.values == nil {
		s.values = map[string]any{}
	}
	s.values[key] = v
}
