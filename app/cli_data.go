package app

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/switchboard-app/switchboard/app/backup"
	"github.com/switchboard-app/switchboard/app/instance"
	"github.com/switchboard-app/switchboard/app/secrets"
)

// DataUse says what a command does with the data folder.
type DataUse int

// The uses of the data folder.
const (
	// DataNone: the command touches no data folder.
	DataNone DataUse = iota
	// DataFolder: the command works on the folder's files itself, with
	// PocketBase's databases not opened (backup, restore).
	DataFolder
	// DataOpen: the command opens the databases through PocketBase.
	DataOpen
)

// dataAnnotation holds a command's DataUse when it is not DataOpen.
const dataAnnotation = "switchboard/data"

var dataUseNames = map[DataUse]string{DataNone: "none", DataFolder: "folder"}

// markData records how cmd uses the data folder.
func markData(cmd *cobra.Command, use DataUse) *cobra.Command {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[dataAnnotation] = dataUseNames[use]
	return cmd
}

func markNoData(cmd *cobra.Command) *cobra.Command { return markData(cmd, DataNone) }

// DataUseOf tells how the command line args (without the program's name)
// uses the data folder. Help, the root command alone, an unknown command
// and a command that only groups others (user, secrets, demo, superuser:
// their help, or a subcommand they do not know) use none, nor do the
// commands marked so (version, connectors, docs, completion); the other
// commands open it.
func DataUseOf(root *cobra.Command, args []string) DataUse {
	cmd, _, err := root.Find(args)
	if err != nil || cmd == root || !cmd.Runnable() || cmd.HasSubCommands() {
		return DataNone
	}
	if slices.ContainsFunc(args, func(a string) bool { return a == "-h" || a == "--help" || a == "--version" }) {
		return DataNone
	}
	for c := cmd; c != nil; c = c.Parent() {
		if c.Name() == "help" {
			return DataNone
		}
		switch c.Annotations[dataAnnotation] {
		case dataUseNames[DataNone]:
			return DataNone
		case dataUseNames[DataFolder]:
			return DataFolder
		}
	}
	return DataOpen
}

// PrepareData gets a command that needs data ready to open dir: run by
// root, it switches to the owner of the data folder, and it logs which
// folder it uses, why (from), and as which user. A folder given with --dir is the
// administrator's choice and may be made by root.
func PrepareData(logger *slog.Logger, dir, from string, where instance.Where) error {
	uid, err := instance.RunAsOwner(dir, where.Packaged && from != "--dir")
	if err != nil {
		return err
	}
	attrs := []any{slog.String("path", instance.Abs(dir)), slog.String("from", from)}
	if uid >= 0 {
		attrs = append(attrs, slog.String("user", userName(uid)))
	}
	logger.Info("data folder", attrs...)
	return checkWritable(dir, uid)
}

// checkWritable refuses a data folder that exists and that this process
// cannot write, naming the folder and the user: SQLite says only "unable
// to open database file (14)".
func checkWritable(dir string, uid int) error {
	info, err := os.Stat(dir)
	if err != nil {
		return nil // made when the data is opened, or refused there
	}
	if !info.IsDir() {
		return fmt.Errorf("the data folder %s is not a folder", instance.Abs(dir))
	}
	probe, err := os.CreateTemp(dir, ".write-check-*")
	if err != nil {
		if uid < 0 {
			uid = os.Geteuid()
		}
		return fmt.Errorf("the data folder %s cannot be written by user %s (%w): give it to that user "+
			"(chown -R) or choose another folder with --dir", instance.Abs(dir), userName(uid), err)
	}
	_ = probe.Close()
	return os.Remove(probe.Name())
}

// CheckDataFiles refuses a data folder whose databases, their logs or its
// key file this process cannot open, naming the file and the user: a
// folder given to the service's user while a command run by root before
// had made its files root's was refused with SQLite's "unable to open
// database file (14)" alone. Commands that open the data call it after
// PrepareData; restore, which replaces the files, does not.
func CheckDataFiles(dir string) error {
	files := map[string]int{secrets.KeyFileName: os.O_RDONLY} // read only: it may be made read-only
	for _, db := range backup.Databases {
		files[db], files[db+"-wal"], files[db+"-shm"] = os.O_RDWR, os.O_RDWR, os.O_RDWR
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		path := filepath.Join(dir, name)
		f, err := os.OpenFile(path, files[name], 0)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("the data folder's file %s cannot be opened by user %s (%w): give the folder and its files "+
				"to that user (chown -R) or choose another folder with --dir", instance.Abs(path), userName(os.Geteuid()), err)
		}
		_ = f.Close()
	}
	return nil
}

func userName(uid int) string {
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		return u.Username
	}
	return strconv.Itoa(uid)
}
