package sftp

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/files/transport"
	"github.com/switchboard-app/switchboard/connectors/files/transport/transporttest"
)

// server reads the test server's settings; see .ci/servers/sshd.sh.
func server(t *testing.T) (Config, string) {
	t.Helper()
	env := transporttest.RequireEnv(t, "SWITCHBOARD_IT_SFTP_ADDR", "SWITCHBOARD_IT_SFTP_USER",
		"SWITCHBOARD_IT_SFTP_PASS", "SWITCHBOARD_IT_SFTP_KEY", "SWITCHBOARD_IT_SFTP_DIR")
	key, err := os.ReadFile(env["SWITCHBOARD_IT_SFTP_KEY"])
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Addr: env["SWITCHBOARD_IT_SFTP_ADDR"], User: env["SWITCHBOARD_IT_SFTP_USER"],
		Password: env["SWITCHBOARD_IT_SFTP_PASS"], Folder: env["SWITCHBOARD_IT_SFTP_DIR"],
		DataDir: t.TempDir(), Timeout: 10 * time.Second}
	return cfg, string(key)
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func fresh(t *testing.T, cfg Config) transport.Transport {
	t.Helper()
	root, err := Dial(ctx(t), cfg)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	dir := transporttest.UniqueName("it")
	if err := root.Mkdir(ctx(t), dir); err != nil {
		t.Fatalf("Mkdir: %v", err)
	}
	_ = root.Close()
	cfg.Folder += "/" + dir
	tr, err := Dial(ctx(t), cfg)
	if err != nil {
		t.Fatalf("Dial on %s: %v", dir, err)
	}
	return tr
}

func TestConformance(t *testing.T) {
	base, key := server(t)
	auths := []struct {
		name string
		set  func(c *Config)
	}{
		{"password", func(c *Config) {}},
		{"private key", func(c *Config) { c.Password = ""; c.PrivateKey = key }},
	}
	for _, a := range auths {
		t.Run(a.name, func(t *testing.T) {
			cfg := base
			a.set(&cfg)
			transporttest.Run(t, func(t *testing.T) transport.Transport { return fresh(t, cfg) })
		})
	}
}

func TestHostKeyPinning(t *testing.T) {
	cfg, _ := server(t)
	first, err := Dial(ctx(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	fp, pinned := first.HostKey()
	_ = first.Close()
	if !strings.HasPrefix(fp, "SHA256:") || !pinned {
		t.Fatalf("first use: fingerprint %q pinned %v", fp, pinned)
	}
	again, err := Dial(ctx(t), cfg)
	if err != nil {
		t.Fatalf("second use with the pinned key: %v", err)
	}
	if _, pinnedNow := again.HostKey(); pinnedNow {
		t.Fatal("pinned again on second use")
	}
	_ = again.Close()

	// another key pinned for the address: the server's key has "changed"
	file := filepath.Join(cfg.DataDir, HostKeyFile)
	pins, _ := os.ReadFile(file)
	changed := strings.Replace(string(pins), fp, "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 1)
	if err := os.WriteFile(file, []byte(changed), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Dial(ctx(t), cfg)
	if !errors.Is(err, ErrHostKeyChanged) || !strings.Contains(err.Error(), fp) {
		t.Fatalf("changed key: %v, want ErrHostKeyChanged naming %s", err, fp)
	}
	if class, _ := connectors.Classify(err); class != connectors.ClassPermanent {
		t.Fatalf("classified %s", class)
	}

	configured := cfg
	configured.HostKeyFingerprint = fp
	if tr, err := Dial(ctx(t), configured); err != nil {
		t.Fatalf("configured fingerprint: %v", err)
	} else {
		_ = tr.Close()
	}
	configured.HostKeyFingerprint = "SHA256:wrong"
	if _, err := Dial(ctx(t), configured); !errors.Is(err, ErrHostKeyChanged) {
		t.Fatalf("wrong configured fingerprint: %v", err)
	}
}

func TestRefusals(t *testing.T) {
	base, _ := server(t)
	tests := []struct {
		name   string
		change func(c *Config)
		want   string
		class  connectors.Class
	}{
		{"wrong password", func(c *Config) { c.Password = "wrong-password" }, "refused", connectors.ClassPermanent},
		{"bad key", func(c *Config) { c.Password = ""; c.PrivateKey = "not a key" }, "private key cannot be read", connectors.ClassPermanent},
		{"missing folder", func(c *Config) { c.Folder = "no/such" }, "does not exist", connectors.ClassPermanent},
		{"nothing listening", func(c *Config) { c.Addr = "127.0.0.1:1" }, "connecting", connectors.ClassTransient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base
			tt.change(&cfg)
			_, err := Dial(ctx(t), cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if class, _ := connectors.Classify(err); class != tt.class {
				t.Fatalf("classified %s, want %s", class, tt.class)
			}
			if strings.Contains(err.Error(), base.Password) {
				t.Fatal("the error shows the password")
			}
		})
	}
}
