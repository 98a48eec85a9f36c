package sftp

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/crypto/ssh"
)

// ErrHostKeyChanged is wrapped by the error for a server whose host key is
// not the pinned one.
var ErrHostKeyChanged = errors.New("host key changed")

// HostKeyFile is the name of the file, in the connection's data folder,
// that holds the pinned host keys.
const HostKeyFile = "sftp_host_keys.json"

// pin is one pinned host key.
type pin struct {
	Type        string `json:"type"`
	Fingerprint string `json:"fingerprint"`
}

// hostKeys checks host keys against a configured fingerprint or the pin
// file, pinning a key the first time a host is seen.
type hostKeys struct {
	file   string // "" = no pin file
	config string // a configured fingerprint, or ""
	mu     sync.Mutex
	seen   string // fingerprint of the key the server showed
	pinned bool   // the key was pinned during this connection
}

// Fingerprint returns the SHA-256 fingerprint of a public key in OpenSSH's
// notation ("SHA256:...").
func Fingerprint(key ssh.PublicKey) string { return ssh.FingerprintSHA256(key) }

func (h *hostKeys) callback(addr string) (ssh.HostKeyCallback, []string, error) {
	pins, err := h.load()
	if err != nil {
		return nil, nil, err
	}
	known, ok := pins[addr]
	var algos []string
	if ok && h.config == "" {
		algos = algorithmsFor(known.Type)
	}
	return func(_ string, _ net.Addr, key ssh.PublicKey) error {
		fp := Fingerprint(key)
		h.mu.Lock()
		h.seen = fp
		h.mu.Unlock()
		return h.check(addr, key, fp, known, ok)
	}, algos, nil
}

func (h *hostKeys) check(addr string, key ssh.PublicKey, fp string, known pin, ok bool) error {
	switch {
	case h.config != "":
		if normal(fp) != normal(h.config) {
			return fmt.Errorf("%w: the server at %s shows %s, the configured fingerprint is %s", ErrHostKeyChanged, addr, fp, h.config)
		}
		return nil
	case ok:
		if known.Fingerprint != fp {
			return fmt.Errorf("%w: the server at %s shows %s but %s was pinned when it was first used; "+
				"if the server was really reinstalled, set its new fingerprint in the connection (or delete %s)",
				ErrHostKeyChanged, addr, fp, known.Fingerprint, HostKeyFile)
		}
		return nil
	case h.file == "":
		return nil
	}
	if err := h.save(addr, pin{Type: key.Type(), Fingerprint: fp}); err != nil {
		return fmt.Errorf("pinning the host key: %w", err)
	}
	h.mu.Lock()
	h.pinned = true
	h.mu.Unlock()
	return nil
}

// algorithmsFor makes the server show the pinned kind of key.
func algorithmsFor(keyType string) []string {
	if keyType == ssh.KeyAlgoRSA {
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	}
	return []string{keyType}
}

func normal(fp string) string {
	return strings.TrimRight(strings.TrimPrefix(strings.TrimSpace(fp), "SHA256:"), "=")
}

func (h *hostKeys) load() (map[string]pin, error) {
	pins := map[string]pin{}
	if h.file == "" {
		return pins, nil
	}
	b, err := os.ReadFile(h.file)
	if errors.Is(err, fs.ErrNotExist) {
		return pins, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading pinned host keys: %w", err)
	}
	if err := json.Unmarshal(b, &pins); err != nil {
		return nil, fmt.Errorf("reading pinned host keys %s: %w", h.file, err)
	}
	return pins, nil
}

// save adds a pin, writing the file atomically.
func (h *hostKeys) save(addr string, p pin) error {
	pins, err := h.load()
	if err != nil {
		return err
	}
	pins[addr] = p
	b, err := json.MarshalIndent(pins, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(h.file), 0o700); err != nil {
		return err
	}
	tmp := h.file + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, h.file)
}

func (h *hostKeys) state() (string, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.seen, h.pinned
}
