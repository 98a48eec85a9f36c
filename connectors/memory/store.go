package memory

import (
	"fmt"
	"sync"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
)

// Store is a named set of records per entity, in insertion order.
type Store struct {
	name string

	mu      sync.Mutex
	token   string
	seq     int
	records map[connectors.Entity][]stored
	writes  int
	faults  []error
	outage  error
	refused int // calls the outage refused
	delay   time.Duration
	gate    chan struct{} // while set, reads and writes wait until it is closed
	waiting int           // calls waiting at the gate
	log     []WriteLog
}

// WriteLog is one write the store accepted, in order.
type WriteLog struct {
	Entity connectors.Entity
	ID     string
	Data   map[string]any // the record as the writer was given it; read it, do not change it
}

type stored struct {
	seq    int
	id     string
	entity connectors.Entity
	data   map[string]any
}

var (
	storesMu sync.Mutex
	stores   = map[string]*Store{}
)

// Open returns the store with the given name, creating it when new.
func Open(name string) *Store {
	storesMu.Lock()
	defer storesMu.Unlock()
	s, ok := stores[name]
	if !ok {
		s = &Store{name: name, records: map[connectors.Entity][]stored{}}
		stores[name] = s
	}
	return s
}

// SetToken makes the store refuse connections without this token.
func (s *Store) SetToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = token
}

// Token returns the store's token.
func (s *Store) Token() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token
}

// Add appends a source record with the given id, as if the app created it.
func (s *Store) Add(entity connectors.Entity, id string, data map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	s.records[entity] = append(s.records[entity], stored{seq: s.seq, id: id, entity: entity, data: connectors.CloneData(data)})
}

// Get returns a copy of the record with the given target id.
func (s *Store) Get(entity connectors.Entity, id string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.records[entity] {
		if r.id == id {
			return connectors.CloneData(r.data), true
		}
	}
	return nil, false
}

// Len returns the number of records of every entity.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, recs := range s.records {
		n += len(recs)
	}
	return n
}

// Writes returns how many writes the store accepted.
func (s *Store) Writes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writes
}

// FailNext makes the next len(errs) reads or writes fail with errs, in order.
func (s *Store) FailNext(errs ...error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, errs...)
}

// SetOutage makes every call fail with err, tests included, until it is
// called with nil: the app is down.
func (s *Store) SetOutage(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outage = err
}

// SetDelay makes every read page and write take d, like a slow app.
func (s *Store) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// Hold makes every read page and write wait until release is called, like
// an app that has not answered yet; calls already waiting go on then.
// Release may be called more than once.
func (s *Store) Hold() (release func()) {
	gate := make(chan struct{})
	s.mu.Lock()
	s.gate = gate
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			if s.gate == gate {
				s.gate = nil
			}
			s.mu.Unlock()
			close(gate)
		})
	}
}

// Waiting returns how many read pages and writes wait for a Hold's release.
func (s *Store) Waiting() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.waiting
}

// Refused returns how many calls (tests, read pages, writes) the outage
// set by SetOutage refused.
func (s *Store) Refused() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused
}

// Log returns the writes the store accepted, in order.
func (s *Store) Log() []WriteLog {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]WriteLog(nil), s.log...)
}

// Reset forgets every record, fault, outage and token.
func (s *Store) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq, s.writes, s.token, s.faults, s.outage, s.log, s.delay, s.refused = 0, 0, "", nil, nil, nil, 0, 0
	s.records = map[connectors.Entity][]stored{}
}

func (s *Store) takeFault() error {
	s.mu.Lock()
	delay, gate := s.delay, s.gate
	s.mu.Unlock()
	time.Sleep(delay)
	s.wait(gate)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.outage != nil {
		s.refused++
		return s.outage
	}
	if len(s.faults) == 0 {
		return nil
	}
	err := s.faults[0]
	s.faults = s.faults[1:]
	return err
}

// wait waits until gate, when set, is closed.
func (s *Store) wait(gate chan struct{}) {
	if gate == nil {
		return
	}
	s.mu.Lock()
	s.waiting++
	s.mu.Unlock()
	<-gate
	s.mu.Lock()
	s.waiting--
	s.mu.Unlock()
}

func (s *Store) write(req connectors.WriteRequest) (string, error) {
	if err := s.takeFault(); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes++
	id := s.upsert(req)
	s.log = append(s.log, WriteLog{Entity: req.Entity, ID: id, Data: req.Data})
	return id, nil
}

// upsert updates the record with req.TargetID, or adds one; s.mu is held.
// The store keeps req.Data itself, which a writer may keep, and never
// changes it (Get and reads hand out copies).
func (s *Store) upsert(req connectors.WriteRequest) string {
	recs := s.records[req.Entity]
	if req.TargetID != "" {
		for i := range recs {
			if recs[i].id == req.TargetID {
				recs[i].data = req.Data
				return req.TargetID
			}
		}
	}
	s.seq++
	id := req.TargetID
	if id == "" {
		id = fmt.Sprintf("%s-%d", req.Entity, s.seq)
	}
	s.records[req.Entity] = append(recs, stored{seq: s.seq, id: id, entity: req.Entity, data: req.Data})
	return id
}

// findByKey returns the id of the record of entity whose key is key.
func (s *Store) findByKey(entity connectors.Entity, key string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.records[entity] {
		if keyOf(r.data, "") == key {
			return r.id, true
		}
	}
	return "", false
}

// after returns up to n records of entity with a sequence above seq, and the
// last sequence returned.
func (s *Store) after(entity connectors.Entity, seq, n int) ([]connectors.Record, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []connectors.Record
	last := seq
	for _, r := range s.records[entity] {
		if r.seq <= seq {
			continue
		}
		if len(out) == n {
			break
		}
		out = append(out, connectors.Record{ID: r.id, Key: keyOf(r.data, r.id), Data: connectors.CloneData(r.data)})
		last = r.seq
	}
	return out, last
}

func keyOf(data map[string]any, fallback string) string {
	for _, k := range []string{"number", "sku", "email", "key"} {
		if v, ok := data[k]; ok && v != nil {
			return fmt.Sprint(v)
		}
	}
	return fallback
}

func (s *Store) outageErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.outage != nil {
		s.refused++
	}
	return s.outage
}
