package spectest

import (
	"encoding/json"
	"sync"
)

// Store keeps a fake app's records per collection, so that what a request
// created is there for a later read. It is safe for concurrent use;
// records go in and come out as copies.
type Store struct {
	mu   sync.Mutex
	cols map[string]*collection
}

type collection struct {
	order []string
	recs  map[string]map[string]any
	seq   int
}

// NewStore returns an empty store.
func NewStore() *Store { return &Store{cols: map[string]*collection{}} }

func (s *Store) col(name string) *collection {
	c, ok := s.cols[name]
	if !ok {
		c = &collection{recs: map[string]map[string]any{}}
		s.cols[name] = c
	}
	return c
}

// NextID returns the collection's next number, from 1: an app's
// auto-increment id.
func (s *Store) NextID(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.col(name)
	c.seq++
	return c.seq
}

// Put keeps a record under id, replacing one with that id (which keeps
// its place in the order of the collection).
func (s *Store) Put(name, id string, rec map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.col(name)
	if _, ok := c.recs[id]; !ok {
		c.order = append(c.order, id)
	}
	c.recs[id] = Copy(rec)
}

// Get returns a copy of the record with id, and whether there is one.
func (s *Store) Get(name, id string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.col(name).recs[id]
	if !ok {
		return nil, false
	}
	return Copy(rec), true
}

// Delete removes the record with id, if any.
func (s *Store) Delete(name, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.col(name)
	if _, ok := c.recs[id]; !ok {
		return
	}
	delete(c.recs, id)
	for i, k := range c.order {
		if k == id {
			c.order = append(c.order[:i], c.order[i+1:]...)
			break
		}
	}
}

// All returns copies of the collection's records in the order they were
// first put.
func (s *Store) All(name string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.col(name)
	out := make([]map[string]any, 0, len(c.order))
	for _, id := range c.order {
		out = append(out, Copy(c.recs[id]))
	}
	return out
}

// Find returns a copy of the first record match accepts, with its id.
func (s *Store) Find(name string, match func(map[string]any) bool) (string, map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.col(name)
	for _, id := range c.order {
		if match(c.recs[id]) {
			return id, Copy(c.recs[id]), true
		}
	}
	return "", nil, false
}

// Len is the number of records in the collection.
func (s *Store) Len(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.col(name).order)
}

// Copy returns a deep copy of a JSON record (maps, lists and values as
// encoding/json decodes them, json.Number included).
func Copy(rec map[string]any) map[string]any {
	if rec == nil {
		return nil
	}
	return copyValue(rec).(map[string]any)
}

func copyValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = copyValue(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = copyValue(e)
		}
		return out
	case []map[string]any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = copyValue(e)
		}
		return out
	case json.RawMessage:
		return append(json.RawMessage(nil), x...)
	}
	return v
}
