package ftp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/jlaffaye/ftp"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/files/transport"
)

// Config says how to reach the server.
type Config struct {
	// Addr is host:port.
	Addr string
	// User and Password log in.
	User, Password string
	// Folder is the base folder; relative to the login folder unless it
	// starts with a slash. Every path the transport takes is inside it.
	Folder string
	// TLS is TLSNone, TLSExplicit or TLSImplicit.
	TLS string
	// CAPEM trusts these certificates (for example a self-signed one)
	// instead of the system roots.
	CAPEM string
	// Fingerprint pins the server certificate's SHA-256 fingerprint; the
	// chain is then not checked.
	Fingerprint string
	// Timeout bounds connecting and every wait for the server (default 30s).
	Timeout time.Duration
	// MakeFolder makes Folder, with its parents, when it is missing,
	// instead of refusing it.
	MakeFolder bool
	// Sessions is how many connections the transport opens to the server
	// at most: one for commands, the others for transfers
	// ([DefaultSessions] when zero, at least 2). Servers limit sessions per
	// user or address; transfers beyond the limit wait for their turn.
	Sessions int
}

// Transport is an FTP or FTPS connection rooted at a folder.
type Transport struct {
	cfg  Config
	tls  *tls.Config
	seen certSeen
	base string

	mu     sync.Mutex
	ctl    *ftp.ServerConn // commands; dialled again after it broke
	closed bool
	data   *pool // transfers, dialled on demand
}

// Dial connects, logs in and checks that the folder exists.
func Dial(ctx context.Context, cfg Config) (*Transport, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Sessions <= 0 {
		cfg.Sessions = DefaultSessions
	}
	t := &Transport{cfg: cfg, data: newPool(max(1, cfg.Sessions-1))}
	if cfg.TLS != "" && cfg.TLS != TLSNone {
		host, _, err := net.SplitHostPort(cfg.Addr)
		if err != nil {
			return nil, connectors.Permanent(fmt.Errorf("ftp: address %q: %w", cfg.Addr, err))
		}
		if t.tls, err = tlsConfig(host, cfg.CAPEM, cfg.Fingerprint, &t.seen); err != nil {
			return nil, connectors.Permanent(fmt.Errorf("ftp: %w", err))
		}
	}
	ctl, err := t.login(ctx)
	if err != nil {
		return nil, err
	}
	t.ctl = ctl
	if err := t.setBase(); err != nil {
		_ = ctl.Quit()
		return nil, err
	}
	return t, nil
}

// CertFingerprint returns the SHA-256 fingerprint of the server's TLS
// certificate, or "" without TLS.
func (t *Transport) CertFingerprint() string { return t.seen.get() }

// login opens one connection and logs in.
func (t *Transport) login(ctx context.Context) (*ftp.ServerConn, error) {
	opts := []ftp.DialOption{ftp.DialWithContext(ctx), ftp.DialWithDialFunc(t.dialer(ctx)),
		ftp.DialWithShutTimeout(t.cfg.Timeout)}
	switch t.cfg.TLS {
	case TLSExplicit:
		opts = append(opts, ftp.DialWithExplicitTLS(t.tls))
	case TLSImplicit:
		// the dial func does the TLS; this makes the library protect data
		// connections (PBSZ/PROT) too
		opts = append(opts, ftp.DialWithTLS(t.tls))
	}
	c, err := ftp.Dial(t.cfg.Addr, opts...)
	if err != nil {
		return nil, t.dialFailed(err)
	}
	if err := c.Login(t.cfg.User, t.cfg.Password); err != nil {
		_ = c.Quit()
		return nil, t.fail(fmt.Sprintf("logging in as %q", t.cfg.User), err)
	}
	return c, nil
}

// dialFailed classifies a failed connection, naming the TLS mode to set
// when the server's first answer (or its silence) shows it expects
// another: a server on an implicit-TLS port waits for a TLS handshake and
// sends no greeting, and one on a plain port answers a TLS handshake with
// its plain-text greeting.
func (t *Transport) dialFailed(err error) error {
	op := "connecting to " + t.cfg.Addr
	var record tls.RecordHeaderError
	if t.cfg.TLS == TLSImplicit && errors.As(err, &record) {
		return connectors.Permanent(fmt.Errorf("ftp: %s: the server does not start with TLS (implicit TLS is for servers "+
			"on port 990): set tls to explicit or none: %w", op, err))
	}
	var opErr *net.OpError
	if t.cfg.TLS != TLSImplicit && errors.As(err, &opErr) && opErr.Op == "read" && opErr.Timeout() {
		return connectors.Transient(fmt.Errorf("ftp: %s: the server sent no greeting within %s; if it expects "+
			"implicit TLS (port 990), set tls to implicit: %w", op, t.cfg.Timeout, err))
	}
	return t.fail(op, err)
}

// dialer returns the connection factory for one ServerConn: the first
// connection is the control connection, the rest data connections. Every
// connection gets an idle timeout, and TLS where the mode asks for it.
func (t *Transport) dialer(ctx context.Context) func(network, addr string) (net.Conn, error) {
	first := true
	return func(network, addr string) (net.Conn, error) {
		d := net.Dialer{Timeout: t.cfg.Timeout}
		raw, err := d.DialContext(context.WithoutCancel(ctx), network, addr)
		if err != nil {
			return nil, err
		}
		conn := &idleConn{Conn: raw, idle: t.cfg.Timeout}
		control := first
		first = false
		if t.cfg.TLS == TLSImplicit || (t.cfg.TLS == TLSExplicit && !control) {
			conn.drain = true
			return tls.Client(conn, t.tls), nil
		}
		return conn, nil
	}
}

// setBase resolves the folder to an absolute path and checks it exists.
func (t *Transport) setBase() error {
	pwd, err := t.ctl.CurrentDir()
	if err != nil {
		return t.fail("reading the login folder", err)
	}
	t.base = path.Join(pwd, t.cfg.Folder)
	if strings.HasPrefix(t.cfg.Folder, "/") {
		t.base = path.Clean(t.cfg.Folder)
	}
	err = t.ctl.ChangeDir(t.base)
	if err != nil && t.cfg.MakeFolder {
		if err = makeDirs(t.ctl, "/", strings.TrimPrefix(t.base, "/")); err == nil {
			err = t.ctl.ChangeDir(t.base)
		}
	}
	if err != nil {
		return connectors.Permanent(fmt.Errorf("ftp: folder %s does not exist or cannot be opened: %w", t.base, err))
	}
	return nil
}

// full maps a relative path to the server path, refusing unsafe ones.
func (t *Transport) full(p string) (string, error) {
	c, err := transport.Clean(p)
	if err != nil {
		return "", connectors.Permanent(fmt.Errorf("ftp: %w", err))
	}
	return path.Join(t.base, c), nil
}

// Close logs out of every connection.
func (t *Transport) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
	err := t.data.close()
	if t.ctl != nil {
		if qerr := t.ctl.Quit(); err == nil {
			err = qerr
		}
		t.ctl = nil
	}
	return err
}

// idleConn fails a read or write that waits longer than idle.
type idleConn struct {
	net.Conn
	idle  time.Duration
	drain bool
}

func (c *idleConn) Read(p []byte) (int, error) {
	_ = c.Conn.SetDeadline(time.Now().Add(c.idle))
	return c.Conn.Read(p)
}

func (c *idleConn) Write(p []byte) (int, error) {
	_ = c.Conn.SetDeadline(time.Now().Add(c.idle))
	return c.Conn.Write(p)
}

// Close shuts the sending side first and drains what the server still
// sends (TLS session tickets, its close alert) before closing. Closing a
// socket with unread data makes the kernel reset the connection, which
// FTPS servers report as a failed upload.
func (c *idleConn) Close() error {
	tcp, ok := c.Conn.(*net.TCPConn)
	if !ok || !c.drain {
		return c.Conn.Close()
	}
	_ = tcp.CloseWrite()
	_ = tcp.SetReadDeadline(time.Now().Add(min(c.idle, time.Second)))
	_, _ = io.Copy(io.Discard, tcp)
	return tcp.Close()
}

var _ transport.Transport = (*Transport)(nil)
