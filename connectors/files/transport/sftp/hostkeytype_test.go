package sftp

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
	"golang.org/x/crypto/ssh"
)

// TestAHostKeyOfAnotherTypeIsAChangedKey: a server reinstalled with keys
// of another type than the pinned one (the pin an ECDSA key, the server now
// with Ed25519 only) is refused as a changed host key, with both
// fingerprints and permanently, not as a handshake failure tried again for
// ever.
func TestAHostKeyOfAnotherTypeIsAChangedKey(t *testing.T) {
	cfg, _ := server(t)
	const old = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	pins, _ := json.Marshal(map[string]pin{cfg.Addr: {Type: ssh.KeyAlgoECDSA256, Fingerprint: old}})
	if err := os.WriteFile(filepath.Join(cfg.DataDir, HostKeyFile), pins, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Dial(ctx(t), cfg)
	if !errors.Is(err, ErrHostKeyChanged) || !strings.Contains(err.Error(), old) || strings.Count(err.Error(), "SHA256:") < 2 {
		t.Fatalf("got %v, want ErrHostKeyChanged naming both fingerprints", err)
	}
	if class, _ := connectors.Classify(err); class != connectors.ClassPermanent {
		t.Fatalf("classified %s", class)
	}
}
