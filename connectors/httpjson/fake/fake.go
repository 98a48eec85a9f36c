// Package fake is an in-memory app that follows the http connector's REST
// convention, for tests and benchmarks: it serves records to read, keeps
// what is written, honours Idempotency-Key, and can be made to fail.
package fake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Server is the fake app. Its zero value is not usable; use New.
type Server struct {
	mu        sync.Mutex
	source    map[string][]map[string]any // collection -> records to read
	items     map[string]map[string]any   // id -> written record
	created   int
	writes    int
	seen      map[string]string // idempotency key -> id
	failWith  int               // status to answer writes with, 0 for none
	failCount int               // how many writes to fail; -1 forever
}

// New returns an empty fake app.
func New() *Server {
	return &Server{source: map[string][]map[string]any{}, items: map[string]map[string]any{}, seen: map[string]string{}}
}

// Seed adds records to read from a collection ("products", "orders"...).
func (s *Server) Seed(collection string, records ...map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.source[collection] = append(s.source[collection], records...)
}

// FailWrites answers the next n writes (n < 0: every write) with status.
func (s *Server) FailWrites(status, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failWith, s.failCount = status, n
}

// Created returns how many records writes created.
func (s *Server) Created() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.created
}

// Writes returns how many writes were accepted (creates and updates).
func (s *Server) Writes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writes
}

// Items returns a copy of the written records by id.
func (s *Server) Items() map[string]map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]map[string]any, len(s.items))
	for k, v := range s.items {
		out[k] = v
	}
	return out
}

// ServeHTTP implements the convention.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case r.Method == http.MethodGet && len(parts) == 1 && parts[0] == "":
		writeJSON(w, http.StatusOK, map[string]any{"ok": true})
	case r.Method == http.MethodGet && len(parts) == 1:
		s.list(w, r, parts[0])
	case r.Method == http.MethodPost && len(parts) == 1:
		s.write(w, r, "")
	case r.Method == http.MethodPut && len(parts) == 2:
		s.write(w, r, parts[1])
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, collection string) {
	from, _ := strconv.Atoi(r.URL.Query().Get("cursor"))
	limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || limit <= 0 {
		limit = 100
	}
	s.mu.Lock()
	all := s.source[collection]
	end := min(from+limit, len(all))
	page := []map[string]any{}
	if from < end {
		page = all[from:end]
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"records": page, "next_cursor": strconv.Itoa(max(end, from))})
}

func (s *Server) write(w http.ResponseWriter, r *http.Request, id string) {
	var rec map[string]any
	if err := json.NewDecoder(r.Body).Decode(&rec); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "body is not JSON"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failCount != 0 {
		if s.failCount > 0 {
			s.failCount--
		}
		writeJSON(w, s.failWith, map[string]any{"message": http.StatusText(s.failWith)})
		return
	}
	key := r.Header.Get("Idempotency-Key")
	if prev, ok := s.seen[key]; ok && key != "" {
		writeJSON(w, http.StatusOK, withID(s.items[prev], prev))
		return
	}
	if id == "" {
		s.created++
		id = fmt.Sprintf("item-%d", s.created)
	} else if _, ok := s.items[id]; !ok {
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "no such record"})
		return
	}
	s.writes++
	s.items[id] = rec
	if key != "" {
		s.seen[key] = id
	}
	writeJSON(w, http.StatusOK, withID(rec, id))
}

func withID(rec map[string]any, id string) map[string]any {
	out := make(map[string]any, len(rec)+1)
	for k, v := range rec {
		out[k] = v
	}
	out["id"] = id
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
