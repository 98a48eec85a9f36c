package files

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/files/transport"
	"github.com/switchboard-app/switchboard/connectors/files/transport/ftp"
	"github.com/switchboard-app/switchboard/connectors/files/transport/sftp"
)

func init() {
	connectors.Register(FolderSpec(), NewFolder)
	connectors.Register(FTPSpec(), NewFTP)
	connectors.Register(SFTPSpec(), NewSFTP)
}

// dialFunc opens the connection's transport.
type dialFunc func(ctx context.Context) (transport.Transport, error)

// Conn is one configured file connection: a reader and a writer of files
// over one transport, which it opens on first use and keeps for the run.
// What a flow reads or writes through it (sub-folder, pattern, format,
// file names) comes with each request, in the flow's options.
type Conn struct {
	local  *connectors.FilesRoot // the files root, for a folder connection
	folder string                // the connection's folder
	dial   dialFunc
	where  string // for messages: "folder /srv/in", "ftp.example.com:21 as bob"
	logger *slog.Logger
	run    string

	parsedMu sync.Mutex
	parsed   map[connectors.Use]parsedOptions // by use, the options last parsed

	mu    sync.Mutex
	tr    transport.Transport
	w     *fileWriter   // the file being written
	ready []*fileWriter // closed files waiting for upload
	seq   int
}

// NewFolder builds a "folder" connection on a folder of the files root.
func NewFolder(cfg connectors.Config, env connectors.Env) (connectors.Connector, error) {
	dir := cfg.String(FieldFolder)
	c := newConn(env, "folder "+dir, func(context.Context) (transport.Transport, error) {
		// checked again as it is now: a symbolic link may have been
		// swapped in after the connection was saved
		return transport.OpenLocal(env.Files, dir)
	})
	files := env.Files
	c.local, c.folder = &files, dir
	return c, nil
}

// confine checks, for a folder connection, the flow's sub-folder and the
// folders in it that use needs, as they are now: a symbolic link may have
// been swapped in after the flow was saved.
func (c *Conn) confine(o options, use connectors.Use) error {
	if c.local == nil {
		return nil
	}
	problems := map[string]string{}
	localProblems(*c.local, c.folder, o, use, problems)
	if len(problems) > 0 {
		return connectors.Permanent(&connectors.ValidationError{Connector: "folder", Of: connectors.FlowOptions, Fields: problems})
	}
	return nil
}

// NewFTP builds an "ftp" connection.
func NewFTP(cfg connectors.Config, env connectors.Env) (connectors.Connector, error) {
	mode := cfg.String(FieldTLS)
	port := cfg.Int(FieldPort)
	if port == 0 {
		port = 21
		if mode == ftp.TLSImplicit {
			port = 990
		}
	}
	addr := net.JoinHostPort(cfg.String(FieldHost), strconv.FormatInt(port, 10))
	fc := ftp.Config{Addr: addr, User: cfg.String(FieldUsername), Password: cfg.Secret(FieldPassword),
		Folder: cfg.String(FieldFolder), TLS: mode, CAPEM: cfg.String(FieldCACert),
		Fingerprint: cfg.String(FieldTLSFingerprint), Timeout: cfg.Duration(FieldTimeout)}
	return newConn(env, fmt.Sprintf("%s as %s", addr, fc.User), func(ctx context.Context) (transport.Transport, error) {
		return ftp.Dial(ctx, fc)
	}), nil
}

// NewSFTP builds an "sftp" connection.
func NewSFTP(cfg connectors.Config, env connectors.Env) (connectors.Connector, error) {
	port := cfg.Int(FieldPort)
	if port == 0 {
		port = 22
	}
	addr := net.JoinHostPort(cfg.String(FieldHost), strconv.FormatInt(port, 10))
	sc := sftp.Config{Addr: addr, User: cfg.String(FieldUsername), Password: cfg.Secret(FieldPassword),
		PrivateKey: cfg.Secret(FieldPrivateKey), Passphrase: cfg.Secret(FieldPassphrase),
		Folder: cfg.String(FieldFolder), DataDir: env.DataDir, HostKeyFingerprint: cfg.String(FieldHostKey),
		Timeout: cfg.Duration(FieldTimeout)}
	return newConn(env, fmt.Sprintf("%s as %s", addr, sc.User), func(ctx context.Context) (transport.Transport, error) {
		return sftp.Dial(ctx, sc)
	}), nil
}

func newConn(env connectors.Env, where string, dial dialFunc) *Conn {
	logger := env.Logger
	if logger == nil {
		logger = slog.Default()
	}
	return &Conn{dial: dial, where: where, logger: logger, run: runID(), parsed: map[connectors.Use]parsedOptions{}}
}

// runID names this run in written file names.
func runID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// transport returns the open transport, connecting on first use.
func (c *Conn) transport(ctx context.Context) (transport.Transport, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tr != nil {
		return c.tr, nil
	}
	tr, err := c.dial(ctx)
	if err != nil {
		return nil, err
	}
	c.tr = tr
	return tr, nil
}

// flowFolder returns the transport on a flow's sub-folder, connecting on
// first use, once a folder connection's folders for use pass their checks.
func (c *Conn) flowFolder(ctx context.Context, o options, use connectors.Use) (transport.Transport, error) {
	if err := c.confine(o, use); err != nil {
		return nil, err
	}
	tr, err := c.transport(ctx)
	if err != nil {
		return nil, err
	}
	sub, err := transport.Sub(tr, o.dir)
	if err != nil {
		return nil, connectors.Permanent(fmt.Errorf("files: sub-folder: %w", err))
	}
	return sub, nil
}

// Test connects, lists the folder and reports what it found, with the
// server's certificate or host key fingerprint.
func (c *Conn) Test(ctx context.Context) (connectors.TestResult, error) {
	tr, err := c.transport(ctx)
	if err != nil {
		return connectors.TestResult{OK: false, Message: err.Error()}, nil
	}
	list, err := tr.List(ctx, ".", "*")
	if err != nil {
		return connectors.TestResult{OK: false, Message: err.Error()}, nil
	}
	res := connectors.TestResult{OK: true, Details: map[string]string{},
		Message: fmt.Sprintf("Connected to %s: %d file(s) in the folder", c.where, len(list))}
	switch t := tr.(type) {
	case *ftp.Transport:
		if fp := t.CertFingerprint(); fp != "" {
			res.Details["tls_certificate_sha256"] = fp
		}
	case *sftp.Transport:
		fp, now := t.HostKey()
		res.Details["host_key"] = fp
		if now {
			res.Details["host_key_pinned"] = "now, on first use"
		}
	}
	return res, nil
}

// Close ends the transport's connection.
func (c *Conn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.w != nil {
		c.w.discard()
		c.w = nil
	}
	for _, w := range c.ready {
		w.discard()
	}
	c.ready = nil
	if c.tr == nil {
		return nil
	}
	err := c.tr.Close()
	c.tr = nil
	return err
}

var (
	_ connectors.Reader  = (*Conn)(nil)
	_ connectors.Writer  = (*Conn)(nil)
	_ connectors.Flusher = (*Conn)(nil)
)
