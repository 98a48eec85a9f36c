package ftp

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/files/transport"
	"github.com/switchboard-app/switchboard/connectors/files/transport/transporttest"
)

// server reads the test server's settings; see .ci/servers/vsftpd.sh.
func server(t *testing.T, implicit bool) Config {
	t.Helper()
	addrVar := "SWITCHBOARD_IT_FTP_ADDR"
	if implicit {
		addrVar = "SWITCHBOARD_IT_FTPS_IMPLICIT_ADDR"
	}
	return serverAt(t, addrVar)
}

// serverAt reads the settings of the test server whose address is in
// addrVar.
func serverAt(t *testing.T, addrVar string) Config {
	t.Helper()
	env := transporttest.RequireEnv(t, addrVar, "SWITCHBOARD_IT_FTP_USER", "SWITCHBOARD_IT_FTP_PASS", "SWITCHBOARD_IT_FTPS_CA")
	ca, err := os.ReadFile(env["SWITCHBOARD_IT_FTPS_CA"])
	if err != nil {
		t.Fatal(err)
	}
	return Config{Addr: env[addrVar], User: env["SWITCHBOARD_IT_FTP_USER"], Password: env["SWITCHBOARD_IT_FTP_PASS"],
		CAPEM: string(ca), Timeout: 10 * time.Second}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// fresh dials cfg on a new empty folder.
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
	cfg.Folder = dir
	tr, err := Dial(ctx(t), cfg)
	if err != nil {
		t.Fatalf("Dial on %s: %v", dir, err)
	}
	return tr
}

func TestConformance(t *testing.T) {
	modes := []struct {
		name    string
		tls     string
		addrVar string
	}{
		{"plain", TLSNone, "SWITCHBOARD_IT_FTP_ADDR"},
		{"explicit TLS", TLSExplicit, "SWITCHBOARD_IT_FTP_ADDR"},
		{"implicit TLS", TLSImplicit, "SWITCHBOARD_IT_FTPS_IMPLICIT_ADDR"},
		{"legacy: no MDTM, no EPSV, PASV behind NAT", TLSNone, "SWITCHBOARD_IT_FTP_LEGACY_ADDR"},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			cfg := serverAt(t, m.addrVar)
			cfg.TLS = m.tls
			transporttest.Run(t, func(t *testing.T) transport.Transport { return fresh(t, cfg) })
		})
	}
}

func certFingerprint(t *testing.T, caPEM string) string {
	block, _ := pem.Decode([]byte(caPEM))
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return Fingerprint(cert.Raw)
}

func TestTLSTrust(t *testing.T) {
	base := server(t, false)
	fp := certFingerprint(t, base.CAPEM)
	tests := []struct {
		name   string
		change func(c *Config)
		want   string // "" means success
	}{
		{"pinned fingerprint", func(c *Config) { c.CAPEM = ""; c.Fingerprint = strings.ToLower(fp) }, ""},
		{"wrong pin", func(c *Config) { c.CAPEM = ""; c.Fingerprint = strings.Repeat("AB", 32) }, "does not match the pinned"},
		{"untrusted self-signed", func(c *Config) { c.CAPEM = "" }, "not trusted (set the CA certificate or pin its fingerprint " + fp + ")"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base
			cfg.TLS = TLSExplicit
			tt.change(&cfg)
			tr, err := Dial(ctx(t), cfg)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Dial: %v", err)
				}
				defer tr.Close()
				if tr.CertFingerprint() != fp {
					t.Fatalf("fingerprint %q, want %q", tr.CertFingerprint(), fp)
				}
				if _, err := tr.List(ctx(t), ".", "*"); err != nil {
					t.Fatalf("List over TLS: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if class, _ := connectors.Classify(err); class != connectors.ClassPermanent {
				t.Fatalf("classified %s, want permanent", class)
			}
		})
	}
}

func TestRefusals(t *testing.T) {
	base := server(t, false)
	tests := []struct {
		name   string
		change func(c *Config)
		want   string
		class  connectors.Class
	}{
		{"wrong password", func(c *Config) { c.Password = "wrong-password" }, "login refused", connectors.ClassPermanent},
		{"missing folder", func(c *Config) { c.Folder = "no/such/folder" }, "does not exist", connectors.ClassPermanent},
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

func TestOpenWhileMoving(t *testing.T) {
	cfg := server(t, false)
	tr := fresh(t, cfg)
	defer tr.Close()
	c := ctx(t)
	for _, n := range []string{"a.csv", "b.csv"} {
		if err := transport.Put(c, tr, n, strings.NewReader("x\n1\n")); err != nil {
			t.Fatal(err)
		}
	}
	rc, err := tr.Open(c, "a.csv")
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Rename(c, "b.csv", "c.csv"); err != nil {
		t.Fatalf("rename during a transfer: %v", err)
	}
	second, err := tr.Open(c, "c.csv")
	if err != nil {
		t.Fatalf("a second transfer while one is open: %v", err)
	}
	if body, err := io.ReadAll(second); err != nil || string(body) != "x\n1\n" {
		t.Fatalf("second transfer read %q, %v", body, err)
	}
	_ = second.Close()
	_ = rc.Close()
	if _, err := tr.Stat(c, "b.csv"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Stat of the moved file: %v", err)
	}
}

// TestTransfersWaitForAFreeSession: more transfers at once than the
// sessions allow wait for their turn; none fails, whatever the number of
// sessions.
func TestTransfersWaitForAFreeSession(t *testing.T) {
	for _, sessions := range []int{2, 3, DefaultSessions} {
		t.Run(fmt.Sprint(sessions, " sessions"), func(t *testing.T) {
			cfg := server(t, false)
			cfg.Sessions = sessions
			tr := fresh(t, cfg)
			defer tr.Close()
			const uploads = 8
			var wg sync.WaitGroup
			errs := make(chan error, uploads)
			for i := range uploads {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- transport.Put(ctx(t), tr, fmt.Sprintf("f%d.csv", i), strings.NewReader(strings.Repeat("row\n", 1000)))
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatalf("a concurrent upload failed: %v", err)
				}
			}
			if list, err := tr.List(ctx(t), ".", "*.csv"); err != nil || len(list) != uploads {
				t.Fatalf("%d files after %d uploads (%v)", len(list), uploads, err)
			}
		})
	}
}

// TestCommandsGoOnAfterTheConnectionBroke: the command connection is
// logged in again after it broke (a server ends idle sessions), instead of
// failing every later command.
func TestCommandsGoOnAfterTheConnectionBroke(t *testing.T) {
	tr := fresh(t, server(t, false)).(*Transport)
	defer tr.Close()
	tr.mu.Lock()
	_ = tr.ctl.Quit() // as when the server ends an idle session
	tr.mu.Unlock()
	if _, err := tr.List(ctx(t), ".", "*"); err == nil {
		t.Log("the first command after the break passed")
	}
	if _, err := tr.List(ctx(t), ".", "*"); err != nil {
		t.Fatalf("a command after the connection broke: %v", err)
	}
}
