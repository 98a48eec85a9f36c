// Command switchboard is the Switchboard appliance: PocketBase with
// Switchboard's engine, connectors and admin UI, in one binary.
package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/cmd"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/plugins/migratecmd"
	"github.com/spf13/cobra"

	"github.com/switchboard-app/switchboard/app"
	"github.com/switchboard-app/switchboard/app/demo"
	"github.com/switchboard-app/switchboard/app/instance"
	"github.com/switchboard-app/switchboard/app/profiling"
	"github.com/switchboard-app/switchboard/app/secrets"
	_ "github.com/switchboard-app/switchboard/connectors/all"
	_ "github.com/switchboard-app/switchboard/pb_migrations"
	"github.com/switchboard-app/switchboard/ui"
)

// Set at build time with -ldflags "-X main.version=...".
var (
	version = "dev"
	commit  = "none"
	date    = "unknown"
)

func main() {
	if err := start(); err != nil {
		var failed commandFailed
		if !errors.As(err, &failed) { // a command's own error is printed by the command
			slog.Error("switchboard stopped", "error", err)
		}
		os.Exit(1)
	}
}

// commandFailed is the error a command returned, which it has printed.
type commandFailed struct{ err error }

func (c commandFailed) Error() string { return c.err.Error() }
func (c commandFailed) Unwrap() error { return c.err }

// execute is pocketbase.Execute, which drops the command's error: a serve
// that could not bind its address, or a command that refused its
// arguments, exited 0, so systemd's Restart=on-failure left the service
// down and scripts saw success. It returns that error.
func execute(pb *pocketbase.PocketBase) error {
	if err := pb.Bootstrap(); err != nil {
		return err
	}
	done := make(chan error, 2)
	go func() { // stop gracefully on an interrupt, as PocketBase does
		signals := make(chan os.Signal, 1)
		signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
		sig := <-signals
		slog.Info("stopping", slog.String("signal", sig.String()))
		done <- nil
	}()
	go func() {
		if err := pb.RootCmd.Execute(); err != nil {
			done <- commandFailed{err}
			return
		}
		done <- nil
	}()
	err := <-done
	terminated := pb.OnTerminate().Trigger(&core.TerminateEvent{App: pb}, func(e *core.TerminateEvent) error {
		return e.App.ResetBootstrapState()
	})
	return errors.Join(err, terminated)
}

func start() error {
	app.Version, app.Commit, app.Date = version, commit, date
	app.TuneGC(os.Getenv)
	// The environment file of a packaged install is read first: it may
	// set the data folder and the engine's settings.
	where, envErr := instance.Locate()
	engine, err := app.ConfigFromEnv()
	if err != nil {
		return fmt.Errorf("switchboard cannot start: %w", err)
	}
	stderr, err := app.StderrLog(os.Stderr)
	if err != nil {
		return fmt.Errorf("switchboard cannot start: %w", err)
	}
	slog.SetDefault(slog.New(stderr))
	profiles := strings.TrimSpace(os.Getenv(profiling.EnvAddress))
	if profiles != "" {
		if err := profiling.CheckAddress(profiles); err != nil {
			return fmt.Errorf("switchboard cannot start: %w", err)
		}
	}
	pb := pocketbase.NewWithConfig(pocketbase.Config{DefaultDataDir: where.Dir, DBConnect: app.DBConnect})
	// PocketBase's error writer colours through a library that prints to
	// standard output: an error would land in "backup -"'s archive.
	pb.RootCmd.SetErr(os.Stderr)
	asJSON := app.LogsAsJSON()
	serve := cmd.NewServeCommand(pb, !asJSON)
	if asJSON {
		logServing(pb, serve)
	} else if !isTerminal(os.Stdout) {
		hideInstallerLink(pb)
	}
	originsGiven := func() bool { return serve.PersistentFlags().Changed("origins") }
	opts := app.Options{Engine: engine, Stderr: stderr, OriginsGiven: originsGiven, ServesTLS: func() bool { return servesTLS(serve) }}
	sb, err := build(pb, serve, opts)
	if err != nil {
		return err
	}
	if profiles != "" {
		serveProfiles(pb, profiles, sb.FromOwnConnection)
	}
	use := app.DataUseOf(pb.RootCmd, os.Args[1:])
	if use == app.DataNone {
		return asCommandError(pb.RootCmd.Execute())
	}
	if envErr != nil {
		fmt.Fprintln(os.Stderr, "switchboard:", envErr)
	}
	from := where.From
	if pb.RootCmd.PersistentFlags().Changed("dir") {
		from = "--dir"
	}
	if err := app.PrepareData(slog.Default(), pb.DataDir(), from, where); err != nil {
		return err
	}
	warnUnknownSettings(where.EnvFile)
	if use == app.DataFolder {
		return asCommandError(pb.RootCmd.Execute())
	}
	if err := app.CheckDataFiles(pb.DataDir()); err != nil {
		return err
	}
	return execute(pb)
}

// knownSettings are the SWITCHBOARD_ variables an environment file may
// set: Switchboard's settings, and SWITCHBOARD_HTTP, which the service's
// unit passes to serve as --http.
var knownSettings = []string{
	"SWITCHBOARD_HTTP", instance.EnvDir, instance.EnvEnvFile, secrets.EnvKey, secrets.EnvPreviousKey,
	app.EnvMetricsToken, app.EnvLogFormat, app.EnvLogLevel, app.FilesRootEnv, app.EnvOrigins,
	app.EnvTrustedProxyHeaders, profiling.EnvAddress, app.EnvWorkers, app.EnvDownAfter, app.EnvRetentionDays,
	app.EnvRetryBase, app.EnvRetryMax, app.EnvRetryMaxAge, app.EnvProbeInterval, app.EnvAlertInterval,
	app.EnvWebhookRate, app.EnvFlushRecords, app.EnvFlushAge,
}

// warnUnknownSettings names each SWITCHBOARD_ variable of the environment
// file that Switchboard does not know: a misspelt setting would otherwise
// be ignored without a word, its default taken.
func warnUnknownSettings(file string) {
	for _, name := range instance.EnvFileSettings() {
		if !slices.Contains(knownSettings, name) {
			slog.Warn("the environment file sets a variable Switchboard does not know, which is ignored: check its spelling",
				slog.String("file", file), slog.String("variable", name))
		}
	}
}

// servesTLS tells whether PocketBase's serve command, once run, serves
// HTTPS: with --https, or with domain names, for which it listens on 443.
func servesTLS(serve *cobra.Command) bool {
	https := serve.PersistentFlags().Lookup("https")
	return https != nil && https.Value.String() != "" || len(serve.Flags().Args()) > 0
}

// asCommandError marks a command's error as printed by the command.
func asCommandError(err error) error {
	if err != nil {
		return commandFailed{err}
	}
	return nil
}

// build registers Switchboard, the UI and every command on pb, with
// PocketBase's serve command.
func build(pb *pocketbase.PocketBase, serve *cobra.Command, opts app.Options) (*app.Switchboard, error) {
	pb.RootCmd.Use = "switchboard"
	pb.RootCmd.Short = "Switchboard: connects webshops, ERPs, marketplaces and files"
	pb.RootCmd.Version = version
	migratecmd.MustRegister(pb, pb.RootCmd, migratecmd.Config{Dir: "pb_migrations", Automigrate: false})
	sb := app.Register(pb, opts)
	var withDemo bool
	pb.RootCmd.PersistentFlags().BoolVar(&withDemo, "demo", false,
		"with serve: create a demo integration on local folders and run it (see docs/demo.md)")
	demo.Register(sb, func() bool { return withDemo })
	if _, err := ui.Register(sb); err != nil {
		return nil, fmt.Errorf("starting the UI: %w", err)
	}
	pb.RootCmd.AddCommand(sb.Commands()...)
	pb.RootCmd.AddCommand(demo.Command(sb))
	// PocketBase's own commands, added here rather than by pb.Start so
	// that every command is known before deciding what data it needs.
	pb.RootCmd.AddCommand(cmd.NewSuperuserCommand(pb), serve)
	// serve applies the migrations before its OnServe hooks: the data
	// folder's lock is taken first, so that a second appliance refused by
	// it has changed nothing.
	serve.PreRunE = func(*cobra.Command, []string) error { return sb.LockDataDir() }
	refuseUnknownSubcommands(pb.RootCmd)
	describeFlags(pb.RootCmd, serve)
	return sb, nil
}

// describeFlags says what PocketBase's --dir and serve's --origins do in
// Switchboard: the data folder is found in more places than --dir, and
// without --origins only the application URL may call the API from a
// browser, not every origin ("*") that PocketBase's help names.
func describeFlags(root, serve *cobra.Command) {
	if dir := root.PersistentFlags().Lookup("dir"); dir != nil {
		dir.Usage = "the data folder; without it " + instance.EnvDir +
			", a packaged install's, or ./sb_data in the working directory (see docs/operations.md)"
	}
	if origins := serve.PersistentFlags().Lookup("origins"); origins != nil {
		origins.Usage = "the browser origins allowed to call the API from other sites, comma-separated, or * for any; " +
			"without it " + app.EnvOrigins + ", else the application URL only"
		origins.DefValue = "[]"
	}
}

// refuseUnknownSubcommands makes every command that only groups others
// (user, secrets, demo, superuser) fail on a name it does not know: cobra
// prints such a command's help and exits 0, so a script's "demo instal"
// seemed to succeed. Called alone, the command still prints its help.
func refuseUnknownSubcommands(root *cobra.Command) {
	for _, c := range root.Commands() {
		refuseUnknownSubcommands(c)
		if c.Runnable() || !c.HasSubCommands() {
			continue
		}
		c.SilenceUsage = true
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmd.Help()
			}
			return fmt.Errorf("unknown command %q for %q; see %s --help", args[0], cmd.CommandPath(), cmd.CommandPath())
		}
	}
}

// logServing stands in for PocketBase's start banner and its hint to
// create the first superuser, which print coloured plain text on standard
// output, when the log is JSON: the server's address and the hint are
// logged instead, so that every line a collector reads is JSON. The hint
// names the command, not PocketBase's installer link, which carries a
// superuser token.
func logServing(pb *pocketbase.PocketBase, serve *cobra.Command) {
	pb.OnServe().BindFunc(func(e *core.ServeEvent) error {
		e.InstallerFunc = logNoSuperuser
		if err := e.Next(); err != nil {
			return err
		}
		scheme := "http"
		if servesTLS(serve) {
			scheme = "https"
		}
		slog.Info("server started", slog.String("address", scheme+"://"+e.Server.Addr))
		return nil
	})
}

// logNoSuperuser stands in for PocketBase's installer, which prints a link
// carrying a token that creates a superuser: it names the command instead.
func logNoSuperuser(core.App, *core.Record, string) error {
	slog.Info("no superuser yet: create one for PocketBase's dashboard (/_/) with " +
		"switchboard superuser upsert EMAIL PASSWORD; Switchboard's first admin is made on its start page")
	return nil
}

// hideInstallerLink keeps PocketBase's installer link, whose token creates
// a superuser for 30 minutes, out of an output that is no terminal: under
// systemd it went to the journal at every start while no superuser
// existed, where whoever reads the journal could take it. A terminal's
// user still gets the link.
func hideInstallerLink(pb *pocketbase.PocketBase) {
	pb.OnServe().BindFunc(func(e *core.ServeEvent) error {
		e.InstallerFunc = logNoSuperuser
		return e.Next()
	})
}

// isTerminal tells whether f is a terminal.
func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// serveProfiles starts the loopback profile listener when the server
// starts, and stops it when the server stops; it refuses the calls for
// which refuse tells true (the appliance's own connections).
func serveProfiles(pb *pocketbase.PocketBase, addr string, refuse func(remoteAddr string) bool) {
	pb.OnServe().BindFunc(func(e *core.ServeEvent) error {
		s, err := profiling.Start(addr, slog.Default(), refuse)
		if err != nil {
			return err
		}
		pb.OnTerminate().BindFunc(func(te *core.TerminateEvent) error {
			_ = s.Stop()
			return te.Next()
		})
		return e.Next()
	})
}
