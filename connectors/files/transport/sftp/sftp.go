package sftp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/files/transport"
)

// Config says how to reach the server.
type Config struct {
	// Addr is host:port.
	Addr string
	// User logs in with Password, PrivateKey (PEM, OpenSSH format) or both.
	User, Password, PrivateKey string
	// Passphrase decrypts PrivateKey, if it is encrypted.
	Passphrase string
	// Folder is the base folder, relative to the login folder unless it
	// starts with a slash.
	Folder string
	// DataDir is where host keys are pinned; "" pins nothing.
	DataDir string
	// HostKeyFingerprint, when set, is the only host key accepted
	// ("SHA256:..."), instead of pinning on first use.
	HostKeyFingerprint string
	// Timeout bounds connecting (default 30s).
	Timeout time.Duration
	// MakeFolder makes Folder, with its parents, when it is missing,
	// instead of refusing it.
	MakeFolder bool
}

// Transport is an SFTP session rooted at a folder.
type Transport struct {
	cfg    Config
	keys   *hostKeys
	ssh    *ssh.Client
	client *sftp.Client
	base   string
	real   string // base as the server resolves it; "" when it cannot

	done      chan struct{} // closed by Close: the keepalive ends
	closeOnce sync.Once
}

// Dial connects, checks the host key, logs in and checks the folder.
func Dial(ctx context.Context, cfg Config) (*Transport, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	t := &Transport{cfg: cfg, keys: &hostKeys{config: cfg.HostKeyFingerprint}, done: make(chan struct{})}
	if cfg.DataDir != "" {
		t.keys.file = filepath.Join(cfg.DataDir, HostKeyFile)
	}
	sshCfg, err := t.clientConfig()
	if err != nil {
		return nil, connectors.Permanent(fmt.Errorf("sftp: %w", err))
	}
	if t.ssh, err = t.connectPinned(ctx, sshCfg); err != nil {
		return nil, err
	}
	go t.keepAlive(max(t.cfg.Timeout/2, 100*time.Millisecond))
	t.client, err = sftp.NewClient(t.ssh, sftp.UseConcurrentReads(true), sftp.UseConcurrentWrites(true))
	if err != nil {
		_ = t.ssh.Close()
		return nil, connectors.Permanent(fmt.Errorf("sftp: the server offers no SFTP: %w", err))
	}
	if err := t.setBase(); err != nil {
		_ = t.Close()
		return nil, err
	}
	return t, nil
}

// HostKey returns the fingerprint of the server's host key and whether it
// was pinned by this connection (first use).
func (t *Transport) HostKey() (fingerprint string, pinnedNow bool) { return t.keys.state() }

func (t *Transport) clientConfig() (*ssh.ClientConfig, error) {
	callback, algos, err := t.keys.callback(t.cfg.Addr)
	if err != nil {
		return nil, err
	}
	auth, err := t.auth()
	if err != nil {
		return nil, err
	}
	return &ssh.ClientConfig{User: t.cfg.User, Auth: auth, HostKeyCallback: callback,
		HostKeyAlgorithms: algos, Timeout: t.cfg.Timeout}, nil
}

func (t *Transport) auth() ([]ssh.AuthMethod, error) {
	var methods []ssh.AuthMethod
	if t.cfg.PrivateKey != "" {
		signer, err := parseKey(t.cfg.PrivateKey, t.cfg.Passphrase)
		if err != nil {
			return nil, err
		}
		methods = append(methods, ssh.PublicKeys(signer))
	}
	if pw := t.cfg.Password; pw != "" {
		methods = append(methods, ssh.Password(pw),
			ssh.KeyboardInteractive(func(_, _ string, questions []string, _ []bool) ([]string, error) {
				answers := make([]string, len(questions))
				for i := range answers {
					answers[i] = pw
				}
				return answers, nil
			}))
	}
	if len(methods) == 0 {
		return nil, errors.New("set a password or a private key")
	}
	return methods, nil
}

func parseKey(pemKey, passphrase string) (ssh.Signer, error) {
	var signer ssh.Signer
	var err error
	if passphrase != "" {
		signer, err = ssh.ParsePrivateKeyWithPassphrase([]byte(pemKey), []byte(passphrase))
	} else {
		signer, err = ssh.ParsePrivateKey([]byte(pemKey))
	}
	var missing *ssh.PassphraseMissingError
	if errors.As(err, &missing) {
		return nil, errors.New("the private key is encrypted: set its passphrase")
	}
	if err != nil {
		return nil, fmt.Errorf("the private key cannot be read (paste it in OpenSSH or PEM format): %w", err)
	}
	return signer, nil
}

func (t *Transport) connect(ctx context.Context, cfg *ssh.ClientConfig) (*ssh.Client, error) {
	d := net.Dialer{Timeout: t.cfg.Timeout}
	conn, err := d.DialContext(ctx, "tcp", t.cfg.Addr)
	if err != nil {
		return nil, connectors.Transient(fmt.Errorf("sftp: connecting to %s: %w", t.cfg.Addr, err))
	}
	_ = conn.SetDeadline(time.Now().Add(t.cfg.Timeout))
	c, chans, reqs, err := ssh.NewClientConn(conn, t.cfg.Addr, cfg)
	if err != nil {
		_ = conn.Close()
		return nil, classifyHandshake(t.cfg, err)
	}
	_ = conn.SetDeadline(time.Time{})
	return ssh.NewClient(c, chans, reqs), nil
}

// connectPinned connects asking the server for the pinned type of host
// key. A server that has no key of that type any more (reinstalled with
// keys of another type) is asked again for any key, which the host key
// check then refuses as changed, naming both fingerprints.
func (t *Transport) connectPinned(ctx context.Context, cfg *ssh.ClientConfig) (*ssh.Client, error) {
	c, err := t.connect(ctx, cfg)
	if err == nil || cfg.HostKeyAlgorithms == nil || !strings.Contains(err.Error(), "no common algorithm for host key") {
		return c, err
	}
	anyKey := *cfg
	anyKey.HostKeyAlgorithms = nil
	return t.connect(ctx, &anyKey)
}

func classifyHandshake(cfg Config, err error) error {
	switch {
	case errors.Is(err, ErrHostKeyChanged):
		return connectors.Permanent(fmt.Errorf("sftp: refusing %s: %w", cfg.Addr, err))
	case strings.Contains(err.Error(), "unable to authenticate"):
		return connectors.Permanent(fmt.Errorf("sftp: login as %q refused: check the password or key: %w", cfg.User, err))
	}
	return connectors.Transient(fmt.Errorf("sftp: ssh handshake with %s: %w", cfg.Addr, err))
}

func (t *Transport) setBase() error {
	wd, err := t.client.Getwd()
	if err != nil {
		wd = "."
	}
	t.base = path.Join(wd, t.cfg.Folder)
	if strings.HasPrefix(t.cfg.Folder, "/") {
		t.base = path.Clean(t.cfg.Folder)
	}
	info, err := t.client.Stat(t.base)
	if errors.Is(err, fs.ErrNotExist) && t.cfg.MakeFolder {
		if err = t.client.MkdirAll(t.base); err == nil {
			info, err = t.client.Stat(t.base)
		}
	}
	if err != nil || !info.IsDir() {
		return connectors.Permanent(fmt.Errorf("sftp: folder %s does not exist or cannot be opened", t.base))
	}
	t.resolveBase()
	return nil
}

// full maps a path relative to the folder to the server path, refusing
// one that is unsafe or that a symbolic link leads out of the folder.
func (t *Transport) full(p string) (string, error) {
	c, err := transport.Clean(p)
	if err != nil {
		return "", connectors.Permanent(fmt.Errorf("sftp: %w", err))
	}
	abs := path.Join(t.base, c)
	if err := t.confine(p, abs); err != nil {
		return "", err
	}
	return abs, nil
}

// keepAlive asks the server for an answer every interval and closes the
// connection when none comes within the timeout: a server that stops
// answering (a cut network, a hung server) then fails the reads and
// writes waiting on it, which would otherwise wait for ever, as a
// transfer under way has no other deadline.
func (t *Transport) keepAlive(every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-t.done:
			return
		case <-tick.C:
		}
		if !t.answers() {
			_ = t.ssh.Close()
			return
		}
	}
}

// answers sends OpenSSH's keepalive request and reports whether the server
// answered (either way) within the timeout.
func (t *Transport) answers() bool {
	res := make(chan error, 1)
	go func() {
		_, _, err := t.ssh.SendRequest("keepalive@openssh.com", true, nil)
		res <- err
	}()
	timer := time.NewTimer(t.cfg.Timeout)
	defer timer.Stop()
	select {
	case err := <-res:
		return err == nil
	case <-timer.C:
		return false
	case <-t.done:
		return true
	}
}

// Close ends the SFTP session and the SSH connection.
func (t *Transport) Close() error {
	t.closeOnce.Do(func() { close(t.done) })
	var err error
	if t.client != nil {
		err = t.client.Close()
	}
	if t.ssh != nil {
		if cerr := t.ssh.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// readBuffer is large so that each read asks for many packets at once.
const readBuffer = 1 << 20

func buffered(f *sftp.File) *bufio.Reader { return bufio.NewReaderSize(f, readBuffer) }

var _ transport.Transport = (*Transport)(nil)
