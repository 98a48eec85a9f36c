package pb_migrations

import "log/slog"

// migrationLog is where migrations write their warnings: the process's
// standard error (a service's journal), which an operator reads at an
// upgrade. Not PocketBase's log table: its writer reads the settings from
// a goroutine of its own while a migration that saves a collection
// reloads them, a data race inside PocketBase.
func migrationLog() *slog.Logger {
	return slog.Default().With(slog.String("component", "migrations"))
}
