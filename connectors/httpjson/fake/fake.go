// Package fake is an in-memory app that follows the http connector's REST
// convention, for tests and benchmarks: it serves records to read, keeps
// what is written, honours Idempotency-Key, can be made to fail, and can
// limit its rate as real APIs do.
package fake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
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
	readFails failure           // how to fail reads
	limit     rateLimit
}

// failure is how many calls to fail, and with which status.
type failure struct {
	status, count int // count < 0: every call
}

// next reports the status to fail a call with, 0 for none, and counts it.
func (f *failure) next() int {
	if f.count == 0 {
		return 0
	}
	if f.count > 0 {
		f.count--
	}
	return f.status
}

// fail answers a failed call; 429s ask to wait a second.
func fail(w http.ResponseWriter, status int) {
	if status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "1")
	}
	writeJSON(w, status, map[string]any{"message": http.StatusText(status)})
}

// rateLimit is the fake's rate limit: calls per calendar second, counted
// as they arrive.
type rateLimit struct {
	perSecond int
	arrivals  map[int64]int // Unix second -> calls that arrived in it
	refused   int
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

// FailWrites answers the next n writes (n < 0: every write) with status;
// 429 answers ask to wait a second (Retry-After: 1).
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

// FailReads answers the next n reads (n < 0: every read) with status;
// 429 answers ask to wait a second (Retry-After: 1).
func (s *Server) FailReads(status, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.readFails = failure{status: status, count: n}
}

// LimitRate makes the app take at most n calls per calendar second, as
// many APIs do: each answer carries X-RateLimit-Limit, -Remaining and
// -Reset (the Unix time the second ends), and a call beyond the limit is
// answered 429 with Retry-After. Every call that arrives is counted.
func (s *Server) LimitRate(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limit = rateLimit{perSecond: n, arrivals: map[int64]int{}}
}

// MostInOneSecond returns the most calls that arrived in one calendar
// second while a rate limit was set.
func (s *Server) MostInOneSecond() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	most := 0
	for _, n := range s.limit.arrivals {
		most = max(most, n)
	}
	return most
}

// RateLimited returns how many calls were answered 429.
func (s *Server) RateLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limit.refused
}

// admit counts a call against the rate limit, sets the rate-limit headers
// and reports whether the call may be served.
func (s *Server) admit(w http.ResponseWriter, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.limit.perSecond <= 0 {
		return true
	}
	sec := now.Unix()
	s.limit.arrivals[sec]++
	n := s.limit.arrivals[sec]
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(s.limit.perSecond))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(max(0, s.limit.perSecond-n)))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(sec+1, 10))
	if n <= s.limit.perSecond {
		return true
	}
	s.limit.refused++
	h.Set("Retry-After", "1")
	return false
}

// ServeHTTP implements the convention.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.admit(w, time.Now()) {
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"message": "rate limit exceeded"})
		return
	}
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
	if status := s.readFails.next(); status != 0 {
		s.mu.Unlock()
		fail(w, status)
		return
	}
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
		fail(w, s.failWith)
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
