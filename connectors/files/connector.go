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
type Conn struct {
	opts   options
	dial   dialFunc
	where  string // for messages: "folder /srv/in", "ftp.example.com:21 as bob"
	logger *slog.Logger
	run    string

	mu    sync.Mutex
	tr    transport.Transport
	w     *fileWriter   // the file being written
	ready []*fileWriter // closed files waiting for upload
	seq   int
}

// NewFolder builds a "folder" connection on a folder of the files root.
func NewFolder(cfg connectors.Config, env connectors.Env) (connectors.Connector, error) {
	dir := cfg.String(FieldFolder)
	return newConn(cfg, env, "folder "+dir, func(context.Context) (transport.Transport, error) {
		return openFolder(cfg, env.Files)
	})
}

// openFolder checks the folder and its sub-folders again as they are now,
// since a symbolic link may have been swapped in after the connection was
// saved, and opens the folder inside the files root.
func openFolder(cfg connectors.Config, files connectors.FilesRoot) (transport.Transport, error) {
	problems := map[string]string{}
	localProblems(cfg, files, problems)
	if len(problems) > 0 {
		return nil, connectors.Permanent(&connectors.ValidationError{Connector: "folder", Fields: problems})
	}
	return transport.OpenLocal(files, cfg.String(FieldFolder))
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
	return newConn(cfg, env, fmt.Sprintf("%s as %s", addr, fc.User), func(ctx context.Context) (transport.Transport, error) {
		return ftp.Dial(ctx, fc)
	})
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
	return newConn(cfg, env, fmt.Sprintf("%s as %s", addr, sc.User), func(ctx context.Context) (transport.Transport, error) {
		return sftp.Dial(ctx, sc)
	})
}

func newConn(cfg connectors.Config, env connectors.Env, where string, dial dialFunc) (*Conn, error) {
	opts, err := parseOptions(cfg)
	if err != nil {
		return nil, err
	}
	logger := env.Logger
	if logger == nil {
		logger = slog.Default()
	}
	return &Conn{opts: opts, dial: dial, where: where, logger: logger, run: runID()}, nil
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

// Test connects, lists the folder and reports what it found, with the
// server's certificate or host key fingerprint.
func (c *Conn) Test(ctx context.Context) (connectors.TestResult, error) {
	tr, err := c.transport(ctx)
	if err != nil {
		return connectors.TestResult{OK: false, Message: err.Error()}, nil
	}
	list, err := tr.List(ctx, ".", c.opts.pattern)
	if err != nil {
		return connectors.TestResult{OK: false, Message: err.Error()}, nil
	}
	res := connectors.TestResult{OK: true, Details: map[string]string{},
		Message: fmt.Sprintf("Connected to %s: %d file(s) match %q", c.where, len(list), c.opts.pattern)}
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
