// Package schema tells whether this build knows the schema of a data
// folder: a folder that a newer build has migrated records migrations in
// PocketBase's _migrations table that this build does not have, and this
// build must not run on it.
package schema

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// retired are migrations that earlier builds applied and that were taken
// out of pb_migrations since (backed out or renamed): a folder that holds
// them is no newer than this build.
var retired = []string{
	"1765324800_alert_reasons.go",
	"1765800000_status_indexes_at_rest.go",
	"1765900120_transaction_inputs.go",
}

// known returns the names of every migration this build knows:
// PocketBase's own (system) migrations, Switchboard's (pb_migrations) and
// the retired ones.
func known() map[string]bool {
	names := map[string]bool{}
	for _, list := range []core.MigrationsList{core.SystemMigrations, core.AppMigrations} {
		for _, m := range list.Items() {
			names[m.File] = true
		}
	}
	for _, name := range retired {
		names[name] = true
	}
	return names
}

// Unknown returns the migrations applied to db that this build does not
// know, sorted; none for a database without a _migrations table (a new
// one).
func Unknown(db dbx.Builder) ([]string, error) {
	var tables int
	if err := db.NewQuery("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = {:name}").
		Bind(dbx.Params{"name": core.DefaultMigrationsTable}).Row(&tables); err != nil {
		return nil, fmt.Errorf("reading the applied migrations: %w", err)
	}
	if tables == 0 {
		return nil, nil
	}
	var applied []string
	if err := db.Select("file").From(core.DefaultMigrationsTable).Column(&applied); err != nil {
		return nil, fmt.Errorf("reading the applied migrations: %w", err)
	}
	names := known()
	var unknown []string
	for _, file := range applied {
		if !names[file] {
			unknown = append(unknown, file)
		}
	}
	slices.Sort(unknown)
	return unknown, nil
}

// ErrNewer is the error of a data folder that a newer build has migrated.
var ErrNewer = errors.New("a newer build of Switchboard has migrated this data")

// Check returns an error naming the folder (what, when not ""), the
// migrations it holds that this build does not know and what to do, when
// there are any.
func Check(db dbx.Builder, what string) error {
	err := check(db)
	if err != nil && what != "" {
		return fmt.Errorf("%s: %w", what, err)
	}
	return err
}

func check(db dbx.Builder) error {
	unknown, err := Unknown(db)
	if err != nil {
		return err
	}
	if len(unknown) == 0 {
		return nil
	}
	return fmt.Errorf("%w (migrations this build does not know: %s); this build would run on a schema it "+
		"does not know, so it stops here having changed nothing: run the newer build, or restore a backup made "+
		"by this version", ErrNewer, strings.Join(unknown, ", "))
}
