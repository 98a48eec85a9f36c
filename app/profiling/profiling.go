// Package profiling serves Go's runtime profiles (net/http/pprof) on a
// loopback address, for measuring the running binary.
package profiling

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"strings"
	"time"
)

// EnvAddress names the setting that turns the profile listener on: a
// loopback host and port such as 127.0.0.1:6060.
const EnvAddress = "SWITCHBOARD_PPROF"

// CheckAddress tells whether addr is a host and port on loopback: the
// profiles show the process's insides and are never served elsewhere.
func CheckAddress(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return fmt.Errorf("%s=%s: want a loopback host and port, such as 127.0.0.1:6060", EnvAddress, addr)
	}
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%s=%s: the profiles are served on loopback only (127.0.0.1 or ::1), not on %q", EnvAddress, addr, host)
	}
	return nil
}

// Handler serves the pprof index and profiles under /debug/pprof/.
func Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// refusing answers 403 to the requests whose remote address refuse tells
// true of, and passes the others to h.
func refusing(h http.Handler, refuse func(remoteAddr string) bool) http.Handler {
	if refuse == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if refuse(r.RemoteAddr) {
			http.Error(w, "the profiles are for people and programs on this machine, not for the appliance's own connections",
				http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// Server is a running profile listener.
type Server struct {
	srv  *http.Server
	addr net.Addr
}

// Start listens on addr, which must be on loopback, and serves the
// profiles until Stop. A request for which refuse (when not nil) tells
// true of its remote address is answered 403: the appliance passes its own
// connections' calls, so that a connection pointed at this listener reads
// no profile.
func Start(addr string, log *slog.Logger, refuse func(remoteAddr string) bool) (*Server, error) {
	if err := CheckAddress(addr); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listening for profiles on %s: %w", addr, err)
	}
	s := &Server{srv: &http.Server{Handler: refusing(Handler(), refuse), ReadHeaderTimeout: 10 * time.Second}, addr: ln.Addr()}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("serving profiles", slog.String("error", err.Error()))
		}
	}()
	log.Info("serving profiles", slog.String("address", "http://"+ln.Addr().String()+"/debug/pprof/"))
	return s, nil
}

// Addr is the address the listener is on.
func (s *Server) Addr() net.Addr { return s.addr }

// Stop closes the listener.
func (s *Server) Stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.srv.Shutdown(ctx)
}
