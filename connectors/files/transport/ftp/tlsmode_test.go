package ftp

import (
	"strings"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
)

// TestAWrongTLSModeSaysSo: a connection whose TLS mode is not the
// server's (implicit TLS on a port that waits for AUTH TLS, or plain or
// explicit on an implicit-TLS port, where the server waits for a TLS
// handshake and sends no greeting) fails with the mode to set, not with
// a bare timeout or TLS record error.
func TestAWrongTLSModeSaysSo(t *testing.T) {
	plain, implicit := server(t, false), server(t, true)
	tests := []struct {
		name, addr, mode, want string
		class                  connectors.Class
	}{
		{"explicit on an implicit port", implicit.Addr, TLSExplicit, "set tls to implicit", connectors.ClassTransient},
		{"none on an implicit port", implicit.Addr, TLSNone, "set tls to implicit", connectors.ClassTransient},
		{"implicit on a plain port", plain.Addr, TLSImplicit, "set tls to explicit or none", connectors.ClassPermanent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := plain
			cfg.Addr, cfg.TLS, cfg.Timeout = tt.addr, tt.mode, 2*time.Second
			tr, err := Dial(ctx(t), cfg)
			if err == nil {
				_ = tr.Close()
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if class, _ := connectors.Classify(err); class != tt.class {
				t.Fatalf("classified %s, want %s", class, tt.class)
			}
		})
	}
}
