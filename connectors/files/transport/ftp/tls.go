package ftp

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// TLS modes.
const (
	TLSNone     = "none"
	TLSExplicit = "explicit"
	TLSImplicit = "implicit"
)

// Fingerprint returns the SHA-256 fingerprint of a DER certificate as
// colon-separated upper-case hex, the way browsers and openssl show it.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	parts := make([]string, 0, len(sum))
	for i := 0; i < len(h); i += 2 {
		parts = append(parts, h[i:i+2])
	}
	return strings.Join(parts, ":")
}

// normalFingerprint strips separators and case from a configured
// fingerprint.
func normalFingerprint(s string) string {
	s = strings.TrimPrefix(strings.TrimSpace(s), "SHA256:")
	return strings.ToUpper(strings.NewReplacer(":", "", " ", "", "-", "").Replace(s))
}

// certSeen remembers the server certificate's fingerprint for "test
// connection".
type certSeen struct {
	mu sync.Mutex
	fp string
}

func (c *certSeen) set(fp string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fp == "" {
		c.fp = fp
	}
}

func (c *certSeen) get() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fp
}

// tlsConfig builds the client TLS config: system roots, or the CA PEM, or
// only the pinned certificate.
func tlsConfig(host, caPEM, pinned string, seen *certSeen) (*tls.Config, error) {
	cfg := &tls.Config{
		ServerName:         host,
		MinVersion:         tls.VersionTLS12,
		ClientSessionCache: tls.NewLRUClientSessionCache(16),
	}
	if caPEM != "" {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(caPEM)) {
			return nil, errors.New("the CA certificate is not a PEM certificate")
		}
		cfg.RootCAs = pool
	}
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) > 0 {
			seen.set(Fingerprint(cs.PeerCertificates[0].Raw))
		}
		return nil
	}
	if pinned == "" {
		return cfg, nil
	}
	want := normalFingerprint(pinned)
	cfg.InsecureSkipVerify = true // the pin below replaces chain checks
	cfg.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
		if len(raw) == 0 {
			return errors.New("the server sent no certificate")
		}
		got := Fingerprint(raw[0])
		seen.set(got)
		if normalFingerprint(got) != want {
			return fmt.Errorf("the server's certificate fingerprint %s does not match the pinned one", got)
		}
		return nil
	}
	return cfg, nil
}
