package files

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
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

// dialFunc opens the connection's transport; with mkdir set, it makes the
// connection's folder when it is missing.
type dialFunc func(ctx context.Context, mkdir bool) (transport.Transport, error)

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
	run    string           // {run} of per-record files
	owner  owner            // names this process in claims and temporaries
	share  *sharedTransport // the transport every instance of the connection shares, if any
	buffer string           // the folder of local buffers, "" for the system's

	parsedMu sync.Mutex
	parsed   map[connectors.Use]parsedOptions // by use, the options last parsed

	mu      sync.Mutex
	tr      transport.Transport
	w       *fileWriter   // the file being written
	ready   []*fileWriter // closed files waiting for upload
	lost    error         // why a file with writes could not be finished: the next Prepare fails with it
	staged  []staged      // per-record files uploaded, waiting for Prepare
	seq     int
	stageMu sync.RWMutex // per-record uploads share it; Prepare takes it alone
	journal *journal     // the temporaries uploads make
	skips   *skipBook    // what the last listings left out (skipped.go)
}

// NewFolder builds a "folder" connection on a folder of the files root.
func NewFolder(cfg connectors.Config, env connectors.Env) (connectors.Connector, error) {
	dir := cfg.String(FieldFolder)
	c := newConn(env, "folder "+dir, func(context.Context, bool) (transport.Transport, error) {
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
		Fingerprint: cfg.String(FieldTLSFingerprint), Timeout: cfg.Duration(FieldTimeout), Sessions: int(cfg.Int(FieldSessions))}
	c := newConn(env, fmt.Sprintf("%s as %s", addr, fc.User), func(ctx context.Context, mkdir bool) (transport.Transport, error) {
		fc := fc
		fc.MakeFolder = mkdir
		return ftp.Dial(ctx, fc)
	})
	// one transport for every flow and run on the connection, so that the
	// sessions to the server stay within fc.Sessions
	c.share = sharedOf(env.Shared, "ftp", fc)
	return c, nil
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
	return newConn(env, fmt.Sprintf("%s as %s", addr, sc.User), func(ctx context.Context, mkdir bool) (transport.Transport, error) {
		sc := sc
		sc.MakeFolder = mkdir
		return sftp.Dial(ctx, sc)
	}), nil
}

func newConn(env connectors.Env, where string, dial dialFunc) *Conn {
	logger := env.Logger
	if logger == nil {
		logger = slog.Default()
	}
	by := ownerOf(env.DataDir)
	return &Conn{dial: dial, where: where, logger: logger, run: runID(), parsed: map[connectors.Use]parsedOptions{},
		owner: by, buffer: bufferDir(env.DataDir), journal: newJournal(env.DataDir, by), skips: skipBookOf(env.Shared)}
}

// runID names a run in written file names: one per per-run file, one
// per connection for per-record files.
func runID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// transport returns the open transport, connecting on first use and
// again when a local folder moved (transport.Local.Moved); with mkdir
// set, a missing connection folder is made.
func (c *Conn) transport(ctx context.Context, mkdir bool) (transport.Transport, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if local, ok := c.tr.(*transport.Local); ok && local.Moved() {
		_ = c.tr.Close()
		c.tr = nil
	}
	if c.tr != nil {
		return c.tr, nil
	}
	var tr transport.Transport
	var err error
	if c.share != nil {
		tr, err = c.share.acquire(ctx, func(ctx context.Context) (transport.Transport, error) { return c.dial(ctx, mkdir) })
	} else {
		tr, err = c.dial(ctx, mkdir)
	}
	if err != nil {
		return nil, err
	}
	c.tr = tr
	return tr, nil
}

// broke drops the transport after an error that may be its connection's
// (a server restarted, a network cut), so that the next use dials again:
// a target's connection is kept for many runs. A transport every instance
// shares mends itself, and a permanent error says nothing of the
// connection.
func (c *Conn) broke(tr transport.Transport, err error) {
	if err == nil || c.share != nil {
		return
	}
	if class, _ := connectors.Classify(err); class != connectors.ClassTransient {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tr == nil || c.tr != tr {
		return // dialled again already
	}
	_ = c.tr.Close()
	c.tr = nil
}

// flowFolder returns the transport on a flow's sub-folder, connecting on
// first use, once a folder connection's folders for use pass their checks.
func (c *Conn) flowFolder(ctx context.Context, o options, use connectors.Use) (transport.Transport, error) {
	if err := c.confine(o, use); err != nil {
		return nil, err
	}
	tr, err := c.transport(ctx, o.mkdirBase && use == connectors.UseWrite)
	if err != nil {
		return nil, err
	}
	sub, err := transport.Sub(tr, o.dir)
	if err != nil {
		return nil, connectors.Permanent(fmt.Errorf("files: sub-folder: %w", err))
	}
	return sub, nil
}

// Test connects, lists the folder, writes and removes a probe file there
// (reading moves files and writing makes them: both need to write), and
// reports what it found, with the server's certificate or host key
// fingerprint.
func (c *Conn) Test(ctx context.Context) (connectors.TestResult, error) {
	tr, err := c.transport(ctx, false)
	if err != nil {
		return connectors.TestResult{OK: false, Message: err.Error()}, nil
	}
	list, err := tr.List(ctx, ".", "*")
	if err != nil {
		return connectors.TestResult{OK: false, Message: err.Error()}, nil
	}
	res := connectors.TestResult{OK: true, Details: map[string]string{},
		Message: fmt.Sprintf("Connected to %s: %d file(s) in the folder; Switchboard can write there", c.where, len(list))}
	if err := probeWrite(ctx, tr); err != nil {
		res.OK = false
		res.Message = fmt.Sprintf("Connected to %s: %d file(s) in the folder, but Switchboard cannot write there (%v): "+
			"it needs to, to claim and archive the files it reads and to make the files it writes", c.where, len(list), err)
	}
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

// probeWrite writes a small hidden file in the folder and removes it.
func probeWrite(ctx context.Context, tr transport.Transport) error {
	name := ".switchboard-probe-" + randomHex(4)
	if err := upload(ctx, tr, name, strings.NewReader("switchboard write test\n")); err != nil {
		return err
	}
	return tr.Remove(ctx, name)
}

// Close ends the transport's connection. Writes that were not prepared
// are dropped.
func (c *Conn) Close() error {
	c.dropStaged()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.w != nil {
		c.w.discard()
		c.w = nil
	}
	for _, w := range c.ready {
		w.discard()
	}
	c.ready, c.lost = nil, nil
	if c.tr == nil {
		return nil
	}
	var err error
	if c.share != nil {
		err = c.share.release()
	} else {
		err = c.tr.Close()
	}
	c.tr = nil
	return err
}

var (
	_ connectors.Reader  = (*Conn)(nil)
	_ connectors.Writer  = (*Conn)(nil)
	_ connectors.Flusher = (*Conn)(nil)
)
