package app

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app/backup"
	"github.com/switchboard-app/switchboard/app/instance"
	"github.com/switchboard-app/switchboard/app/schema"
)

// Modes of the data folder and of the files in it: the database holds
// every connection's sealed secrets and the key file opens them, so only
// the service's own user may read them.
const (
	dataDirMode  fs.FileMode = 0o700
	dataFileMode fs.FileMode = 0o600
)

// privateDataDir creates the data folder readable by its owner only,
// before PocketBase creates it with the default mode, and after bootstrap
// makes the database files the owner's only. An existing folder that
// others can read is left as it is, with a warning: its mode may be the
// administrator's choice.
func (s *Switchboard) privateDataDir(e *core.BootstrapEvent) error {
	dir := e.App.DataDir()
	created, err := mkdirPrivate(dir)
	if err != nil {
		return fmt.Errorf("creating the data folder %s: %w", dir, err)
	}
	if err := checkSchema(dir); err != nil {
		return err
	}
	if err := e.Next(); err != nil {
		return err
	}
	if err := chmodDatabaseFiles(dir); err != nil {
		return err
	}
	if !created {
		warnIfShared(s.logger(), dir)
	}
	return nil
}

// checkSchema refuses a data folder that a newer build has migrated,
// before PocketBase opens it and applies its own migrations: this build
// would run on a schema it does not know. A folder without a database yet
// is new.
func checkSchema(dir string) error {
	path := filepath.Join(dir, backup.Databases[0])
	if _, err := os.Stat(path); err != nil {
		return nil
	}
	db, err := DBConnect(path)
	if err != nil {
		return fmt.Errorf("checking the data folder %s: %w", instance.Abs(dir), err)
	}
	defer db.Close()
	return schema.Check(db, "the data folder "+instance.Abs(dir))
}

// mkdirPrivate creates dir with mode 0700 and tells whether it did.
func mkdirPrivate(dir string) (bool, error) {
	if _, err := os.Stat(dir); err == nil {
		return false, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	if err := os.MkdirAll(dir, dataDirMode); err != nil {
		return false, err
	}
	// MkdirAll's mode passes through the umask; say it once more.
	return true, os.Chmod(dir, dataDirMode)
}

// chmodDatabaseFiles makes the SQLite files of the data folder 0600.
// SQLite gives a new write-ahead log the mode of its database, so this
// holds for the files it makes later too.
func chmodDatabaseFiles(dir string) error {
	matches, err := filepath.Glob(filepath.Join(dir, "*.db*"))
	if err != nil {
		return err
	}
	for _, path := range matches {
		if err := os.Chmod(path, dataFileMode); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("making %s private: %w", path, err)
		}
	}
	return nil
}

func warnIfShared(logger *slog.Logger, dir string) {
	info, err := os.Stat(dir)
	if err != nil || runtime.GOOS == "windows" || info.Mode().Perm()&0o077 == 0 {
		return
	}
	logger.Warn("the data folder can be read by other users of this machine; make it private with chmod 700",
		slog.String("folder", dir), slog.String("mode", info.Mode().Perm().String()))
}
