// Command switchboard is the Switchboard appliance: PocketBase with
// Switchboard's engine, connectors and admin UI, in one binary.
package main

import (
	"log/slog"
	"os"

	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/plugins/migratecmd"

	"github.com/switchboard-app/switchboard/app"
	"github.com/switchboard-app/switchboard/app/demo"
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

// defaultDataDir is the data folder, relative to the working directory.
const defaultDataDir = "./sb_data"

func main() {
	app.Version, app.Commit, app.Date = version, commit, date
	engine, err := app.ConfigFromEnv()
	if err != nil {
		slog.Error("switchboard cannot start", "error", err)
		os.Exit(1)
	}
	pb := pocketbase.NewWithConfig(pocketbase.Config{DefaultDataDir: defaultDataDir})
	pb.RootCmd.Use = "switchboard"
	pb.RootCmd.Short = "Switchboard: connects webshops, ERPs, marketplaces and files"
	pb.RootCmd.Version = version
	migratecmd.MustRegister(pb, pb.RootCmd, migratecmd.Config{Dir: "pb_migrations", Automigrate: false})
	sb := app.Register(pb, app.Options{Engine: engine})
	var withDemo bool
	pb.RootCmd.PersistentFlags().BoolVar(&withDemo, "demo", false,
		"with serve: create a demo integration on local folders and run it (see docs/demo.md)")
	demo.Register(sb, func() bool { return withDemo })
	if _, err := ui.Register(sb); err != nil {
		slog.Error("starting the UI", "error", err)
		os.Exit(1)
	}
	pb.RootCmd.AddCommand(sb.Commands()...)
	pb.RootCmd.AddCommand(demo.Command(sb))
	if err := pb.Start(); err != nil {
		slog.Error("switchboard stopped", "error", err)
		os.Exit(1)
	}
}
