package sftp

import (
	"bytes"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors/files/transport"
)

// freezingProxy forwards TCP connections to a server until it is frozen:
// then it stops passing bytes either way without closing anything, as a
// cut network or a hung server does.
type freezingProxy struct {
	ln     net.Listener
	frozen chan struct{}
	once   sync.Once
	mu     sync.Mutex
	conns  []net.Conn
}

func newFreezingProxy(t *testing.T, target string) *freezingProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &freezingProxy{ln: ln, frozen: make(chan struct{})}
	t.Cleanup(p.cut)
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				_ = in.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, in, out)
			p.mu.Unlock()
			go p.pipe(in, out)
			go p.pipe(out, in)
		}
	}()
	return p
}

// cut closes the proxy and every connection through it.
func (p *freezingProxy) cut() {
	_ = p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		_ = c.Close()
	}
}

func (p *freezingProxy) freeze() { p.once.Do(func() { close(p.frozen) }) }

func (p *freezingProxy) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		select {
		case <-p.frozen:
			return // the bytes are held back for ever; nothing is closed
		default:
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// TestASilentServerFailsAReadInsteadOfHangingIt: a server that stops
// answering in the middle of a download (a cut network, a hung server)
// fails the read within about the connection's timeout, as FTP's idle
// timeout does, instead of leaving it waiting for ever.
func TestASilentServerFailsAReadInsteadOfHangingIt(t *testing.T) {
	cfg, _ := server(t)
	proxy := newFreezingProxy(t, cfg.Addr)
	cfg.Addr = proxy.ln.Addr().String()
	cfg.Timeout = 2 * time.Second
	tr := fresh(t, cfg)
	defer func() { _ = tr.Close() }()
	body := bytes.Repeat([]byte("0123456789abcdef"), 1<<19) // 8 MiB
	if err := transport.Put(ctx(t), tr, "big.csv", bytes.NewReader(body)); err != nil {
		t.Fatal(err)
	}
	r, err := tr.Open(ctx(t), "big.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close() }()
	if _, err := io.ReadFull(r, make([]byte, 1)); err != nil {
		t.Fatal(err)
	}
	proxy.freeze()
	done := make(chan error, 1)
	go func() {
		_, err := io.Copy(io.Discard, r)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("the read ended without an error on a silent server")
		}
	case <-time.After(30 * time.Second):
		proxy.cut() // lets the closes below end
		t.Fatal("the read still waits on a silent server 30 seconds later, with a timeout of 2 seconds")
	}
}
