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

// tlsConfig builds the client TLS config: the certificate is checked
// against the system roots, or the CA PEM, or only the pinned fingerprint.
// The check is made here rather than by crypto/tls, so that the
// certificate's fingerprint is known even when it is refused, to be shown.
func tlsConfig(host, caPEM, pinned string, seen *certSeen) (*tls.Config, error) {
	cfg := &tls.Config{
		ServerName:         host,
		MinVersion:         tls.VersionTLS12,
		ClientSessionCache: tls.NewLRUClientSessionCache(16),
		InsecureSkipVerify: true, // VerifyPeerCertificate below checks
	}
	var roots *x509.CertPool // nil: the system's
	if caPEM != "" {
		roots = x509.NewCertPool()
		if !roots.AppendCertsFromPEM([]byte(caPEM)) {
			return nil, errors.New("the CA certificate is not a PEM certificate")
		}
	}
	want := normalFingerprint(pinned)
	cfg.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
		if len(raw) == 0 {
			return errors.New("the server sent no certificate")
		}
		got := Fingerprint(raw[0])
		seen.set(got)
		if pinned != "" {
			if normalFingerprint(got) != want {
				return fmt.Errorf("the server's certificate fingerprint %s does not match the pinned one", got)
			}
			return nil
		}
		return verifyChain(raw, host, roots)
	}
	return cfg, nil
}

// verifyChain checks the server's certificate chain against roots for
// host, as crypto/tls would.
func verifyChain(raw [][]byte, host string, roots *x509.CertPool) error {
	certs := make([]*x509.Certificate, len(raw))
	for i, der := range raw {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return fmt.Errorf("the server's certificate cannot be read: %w", err)
		}
		certs[i] = c
	}
	opts := x509.VerifyOptions{Roots: roots, DNSName: host, Intermediates: x509.NewCertPool()}
	for _, c := range certs[1:] {
		opts.Intermediates.AddCert(c)
	}
	_, err := certs[0].Verify(opts)
	return err
}
