package files

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strings"
	"sync"
)

// owner names who claimed a file or uploaded a temporary one: the
// Switchboard instance (the connection's data folder on its machine) and
// the process. A claim or temporary of this instance made by another
// process belongs to a process that is gone: only one runs on a data
// folder. One made by another instance may be in use, and is left alone.
type owner struct {
	instance string // 8 hex digits
	process  string // 8 hex digits
}

// thisProcess names the running process in claims and temporaries.
var thisProcess = randomHex(4)

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ownerOf returns the owner of what this process does through a
// connection whose private folder is dataDir. Without one (a connector
// used on its own), the process is its own instance.
func ownerOf(dataDir string) owner {
	if dataDir == "" {
		return owner{instance: thisProcess, process: thisProcess}
	}
	host, _ := os.Hostname()
	sum := sha256.Sum256([]byte(host + "\x00" + dataDir))
	return owner{instance: hex.EncodeToString(sum[:4]), process: thisProcess}
}

// String is the owner as it appears in names: "instance-process".
func (o owner) String() string { return o.instance + "-" + o.process }

// parseOwner reads an owner written by String.
func parseOwner(s string) (owner, bool) {
	inst, proc, ok := strings.Cut(s, "-")
	if !ok || !isHex(inst, 8) || !isHex(proc, 8) {
		return owner{}, false
	}
	return owner{instance: inst, process: proc}, true
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// gone reports whether what other made is left over from a stopped
// process of the same instance as o.
func (o owner) gone(other owner) bool {
	return other.instance == o.instance && other.process != o.process
}

// claimSet holds the claims this process is reading now, so that a claim
// it made in a run that has ended is known as such.
type claimSet struct {
	mu    sync.Mutex
	names map[string]bool
}

// reading is every claim a stream of this process is reading now.
var reading = &claimSet{names: map[string]bool{}}

func (s *claimSet) add(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.names[name] = true
}

func (s *claimSet) remove(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.names, name)
}

func (s *claimSet) has(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.names[name]
}
