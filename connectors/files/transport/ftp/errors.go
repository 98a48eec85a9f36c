package ftp

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net/textproto"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
)

// fail wraps err with what was being done and classifies it: a refused
// login, a missing file or folder and an untrusted certificate are
// permanent; a full disk, a busy server and network trouble transient.
func (t *Transport) fail(op string, err error) error {
	wrapped := fmt.Errorf("ftp: %s: %w", op, err)
	var perr *textproto.Error
	if errors.As(err, &perr) {
		return classifyReply(op, perr, err)
	}
	if isTLSTrust(err) {
		return connectors.Permanent(fmt.Errorf("ftp: %s: the server's TLS certificate is not trusted (%s): %w", op, trustAdvice(t.seen.get()), err))
	}
	return connectors.Transient(wrapped)
}

func classifyReply(op string, perr *textproto.Error, err error) error {
	msg := strings.ToLower(perr.Msg)
	switch {
	case perr.Code == 530:
		return connectors.Permanent(fmt.Errorf("ftp: %s: login refused: %w", op, err))
	case perr.Code == 452 || perr.Code == 552:
		return connectors.Transient(fmt.Errorf("ftp: %s: the server's disk is full: %w", op, err))
	case perr.Code == 550 && strings.Contains(msg, "permission"):
		return connectors.Permanent(fmt.Errorf("ftp: %s: %w (%w)", op, err, fs.ErrPermission))
	case perr.Code == 550:
		return connectors.Permanent(fmt.Errorf("ftp: %s: %w (%w)", op, err, fs.ErrNotExist))
	case perr.Code == 522:
		return connectors.Permanent(fmt.Errorf("ftp: %s: the server requires TLS session reuse: %w", op, err))
	case perr.Code >= 500:
		return connectors.Permanent(fmt.Errorf("ftp: %s: %w", op, err))
	}
	return connectors.Transient(fmt.Errorf("ftp: %s: %w", op, err))
}

// trustAdvice says how to trust a refused certificate: by its CA, or by
// pinning its fingerprint, named when it is known.
func trustAdvice(fingerprint string) string {
	if fingerprint == "" {
		return "set the CA certificate or pin the certificate's fingerprint"
	}
	return "set the CA certificate or pin its fingerprint " + fingerprint
}

func isTLSTrust(err error) bool {
	var unknown x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	return errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid) ||
		errors.As(err, &verify) || strings.Contains(err.Error(), "does not match the pinned")
}
