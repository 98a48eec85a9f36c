package app

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app/secrets"
	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/pb_migrations"
)

// Build facts, set at link time by main.
var (
	Version = "dev"
	Commit  = "none"
	Date    = "unknown"
)

// Options configure Switchboard.
type Options struct {
	// Registry holds the connectors; connectors.Default when nil.
	Registry *connectors.Registry
	// Engine tunes the sync engine.
	Engine EngineConfig
	// Stderr, when set, receives every log line besides PocketBase's log
	// table (see StderrLog).
	Stderr slog.Handler
	// OriginsGiven, when set, tells whether serve's --origins flag was
	// given; then PocketBase's CORS is left as the flag sets it.
	OriginsGiven func() bool
	// ServesTLS, when set, tells whether serve serves HTTPS (its --https
	// flag, or domain names given); PocketBase's server carries a TLS
	// configuration either way, so that cannot tell.
	ServesTLS func() bool
}

// Switchboard is the engine attached to one PocketBase app.
type Switchboard struct {
	app      core.App
	registry *connectors.Registry
	engine   *Engine
	shared   sharedStates
	connects connects
	stderr   slog.Handler
	metrics  *appMetrics
	outbound *http.Transport // the connections' calls to their apps
	signIns  *SignInGuard    // failed password sign-ins per account
	ownCalls *localAddrs     // the outbound transport's open connections to loopback
	unlock   func()          // releases the data folder's lock; nil when not serving

	originsGiven func() bool
	servesTLS    func() bool

	mu      sync.RWMutex
	keyring *secrets.Keyring
	keyErr  error
}

// ErrNotReady is returned while the secret key has not been checked.
var ErrNotReady = errors.New("secret key not loaded yet")

// Register attaches Switchboard to app: hooks, routes and the start-up
// checks. Call it before app.Start.
func Register(app core.App, opts Options) *Switchboard {
	reg := opts.Registry
	if reg == nil {
		reg = connectors.Default
	}
	s := &Switchboard{app: app, registry: reg, keyErr: ErrNotReady, stderr: opts.Stderr, originsGiven: opts.OriginsGiven,
		servesTLS: opts.ServesTLS, signIns: newSignInGuard()}
	s.engine = newEngine(s, opts.Engine)
	s.ownCalls = newLocalAddrs()
	s.outbound = newOutboundTransport(s.engine.cfg.Workers, s.ownCalls)
	s.metrics = newAppMetrics(s)
	app.OnBootstrap().BindFunc(s.privateDataDir)
	s.bindUsers()
	s.bindConnections()
	s.bindFlows()
	s.engine.bindHooks()
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		if err := s.LockDataDir(); err != nil {
			return err
		}
		if err := s.bindProxySettings(e); err != nil {
			return err
		}
		s.checkSecrets()
		s.caseInsensitiveEmails()
		s.engine.serving(e.Server, s.servesTLS != nil && s.servesTLS())
		s.createFilesRoot()
		s.registerRoutes(e)
		s.engine.registerRoutes(e)
		s.registerOpsRoutes(e)
		if err := s.engine.Start(); err != nil {
			return fmt.Errorf("starting the engine: %w", err)
		}
		return e.Next()
	})
	app.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
		s.engine.Stop()
		if s.unlock != nil {
			s.unlock()
		}
		return e.Next()
	})
	return s
}

// Engine returns the sync engine.
func (s *Switchboard) Engine() *Engine { return s.engine }

// App returns the PocketBase app Switchboard is attached to.
func (s *Switchboard) App() core.App { return s.app }

// Registry returns the connector registry.
func (s *Switchboard) Registry() *connectors.Registry { return s.registry }

// Ready returns nil when flows may run: the secret key is loaded and opens
// this data folder's secrets. Otherwise it says what is wrong.
func (s *Switchboard) Ready() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.keyErr
}

// Keyring returns the loaded keyring, or an error saying why there is none
// that can be trusted.
func (s *Switchboard) Keyring() (*secrets.Keyring, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.keyErr != nil {
		return nil, s.keyErr
	}
	return s.keyring, nil
}

// Logger returns Switchboard's logger: PocketBase's log table, and
// standard error when Options.Stderr is set.
func (s *Switchboard) Logger() *slog.Logger {
	return slog.New(tee(s.app.Logger().Handler(), s.stderr))
}

func (s *Switchboard) logger() *slog.Logger {
	return s.Logger().With(slog.String("component", "switchboard"))
}

// LoadKeys loads the secret key and checks it against this data folder's
// canary, as serve does at its start, and returns what is wrong with it.
// A command that saves secrets without serving (demo install) calls it
// first, so that they are sealed as they are saved.
func (s *Switchboard) LoadKeys() error {
	ring, err := loadAndCheckKeys(s.app, s.logger())
	s.mu.Lock()
	s.keyring, s.keyErr = ring, err
	s.mu.Unlock()
	return err
}

// caseInsensitiveEmails makes the users' addresses unique whatever their
// case once no two differ only in case (the migration
// 1767000000_users_email_nocase.go could not, while some did), and
// names those that still do.
func (s *Switchboard) caseInsensitiveEmails() {
	clashes, err := pb_migrations.UsersEmailNoCase(s.app)
	if err != nil {
		s.logger().Error("making the users' e-mail addresses case-insensitive", slog.String("error", err.Error()))
	} else if len(clashes) > 0 {
		s.logger().Warn("users' e-mail addresses differ only in case, so an address signs in only in the case it was saved in: "+
			"remove one of each on the Users page", slog.Any("addresses", clashes))
	}
}

// checkSecrets loads the keyring and checks it against the canary; on
// failure flows are refused until the appliance restarts with the right key.
// With the right key, webhook secrets still stored in plain text are sealed.
func (s *Switchboard) checkSecrets() {
	if err := s.LoadKeys(); err != nil {
		s.logger().Error("secret key check failed: no flow will run", slog.String("error", err.Error()))
		if !LogsAsJSON() {
			fmt.Fprintf(errOut, "\nSWITCHBOARD WILL NOT RUN FLOWS: %v\n\n", err)
		}
		return
	}
	ring, _ := s.Keyring()
	n, err := sealPlainWebhookSecrets(s.app, ring)
	if err != nil {
		s.logger().Error("sealing the flows' webhook secrets; they are read unsealed until the next start",
			slog.String("error", err.Error()))
	} else if n > 0 {
		s.logger().Info("sealed the webhook secrets of flows that had them in plain text", slog.Int("flows", n))
	}
}
