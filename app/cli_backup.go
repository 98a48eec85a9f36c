package app

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/switchboard-app/switchboard/app/backup"
	"github.com/switchboard-app/switchboard/app/instance"
	"github.com/switchboard-app/switchboard/app/secrets"
)

func (s *Switchboard) backupCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "backup [FILE]",
		Short: "Copies the data folder, live, into one archive (- for standard output)",
		Long: "backup takes a consistent copy of the running appliance's data folder: each database as one " +
			"transaction sees it, the key file and the other files (the files root among them). Without FILE the " +
			"archive goes into the data folder's backups/ folder; copy it off the machine. The environment file is " +
			"named in the archive, not copied: back it up too, with " + secrets.EnvKey + " if it sets it.",
		Args:         wantArgs(0, 1, "FILE, the archive to write (- for standard output)"),
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.backup(cmd.OutOrStdout(), cmd.ErrOrStderr(), args)
		},
	}
	return markData(cmd, DataFolder)
}

func (s *Switchboard) backup(stdout, stderr io.Writer, args []string) error {
	dir := s.app.DataDir()
	if err := holdsData(dir); err != nil {
		return err
	}
	target := filepath.Join(dir, backup.BackupsDir, "switchboard-"+time.Now().UTC().Format("20060102T150405Z")+".tar.gz")
	if len(args) == 1 {
		target = args[0]
	}
	out, report, closeOut, err := openTarget(target, stdout, stderr)
	if err != nil {
		return err
	}
	var self fs.FileInfo // the archive, left out when it is written into the folder
	if f, ok := out.(*os.File); ok && target != "-" {
		self, _ = f.Stat()
	}
	m, err := backup.Create(out, dir, backup.Manifest{Version: Version, EnvFile: instance.EnvFileRead(),
		KeyFromEnv: os.Getenv(secrets.EnvKey) != ""}, self)
	if cerr := closeOut(); err == nil {
		err = cerr
	}
	if err != nil {
		if target != "-" {
			_ = os.Remove(target)
		}
		return fmt.Errorf("backing up %s: %w", dir, err)
	}
	fmt.Fprintf(report, "Backed up %s to %s: %d files.\n", instance.Abs(dir), target, len(m.Files)-len(m.LeftOut))
	if len(m.LeftOut) > 0 {
		fmt.Fprintf(report, "Left out, moved or removed by the appliance while the backup ran: %s.\n", strings.Join(m.LeftOut, ", "))
	}
	keyAdvice(report, m)
	return nil
}

// holdsData refuses a folder without a database, before the backup makes
// its backups/ folder in it: a mistyped --dir, or the data folder of a
// service not started yet.
func holdsData(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, backup.Databases[0])); err != nil {
		return fmt.Errorf("%s holds no Switchboard data (no %s in it: %w): give the data folder with --dir or %s",
			instance.Abs(dir), backup.Databases[0], err, instance.EnvDir)
	}
	return nil
}

// openTarget opens where the archive goes; report is where to tell about
// it, standard error when the archive goes to standard output.
func openTarget(target string, stdout, stderr io.Writer) (io.Writer, io.Writer, func() error, error) {
	if target == "-" {
		return stdout, stderr, func() error { return nil }, nil
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
		return nil, nil, nil, fmt.Errorf("making %s: %w", filepath.Dir(target), err)
	}
	f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("creating the archive: %w", err)
	}
	return f, stdout, f.Close, nil
}

// keyAdvice says what a backup needs besides itself to open the secrets.
func keyAdvice(w io.Writer, m backup.Manifest) {
	switch {
	case m.KeyFromEnv && m.EnvFile != "":
		fmt.Fprintf(w, "The secret key is in %s (from %s), not in the backup: keep it with the backup; "+
			"without it no connection's secrets can be opened.\n", secrets.EnvKey, m.EnvFile)
	case m.KeyFromEnv:
		fmt.Fprintf(w, "The secret key is in %s, not in the backup: keep it with the backup; "+
			"without it no connection's secrets can be opened.\n", secrets.EnvKey)
	case m.KeyFile:
		fmt.Fprintln(w, "The backup holds the key file: keep it as safe as the secrets it opens.")
	}
	if m.EnvFile != "" {
		fmt.Fprintf(w, "Back up the environment file %s too.\n", m.EnvFile)
	}
}

func (s *Switchboard) restoreCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "restore FILE",
		Short: "Puts a backup in place of the data folder (- reads standard input); the appliance must be stopped",
		Long: "restore refuses while an appliance serves the data folder. It unpacks and checks the backup beside " +
			"the folder, then moves the current folder aside (it is kept, and named) and the restored one in.",
		Args:         wantArgs(1, 1, "FILE, the backup archive to restore (- for standard input)"),
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.restore(cmd.InOrStdin(), cmd.OutOrStdout(), args[0])
		},
	}
	return markData(cmd, DataFolder)
}

func (s *Switchboard) restore(stdin io.Reader, out io.Writer, source string) error {
	in := stdin
	if source != "-" {
		f, err := os.Open(source)
		if err != nil {
			return fmt.Errorf("opening the backup: %w", err)
		}
		defer f.Close()
		in = f
	}
	res, err := backup.Restore(in, s.app.DataDir())
	if err != nil {
		return fmt.Errorf("restoring %s: %w", source, err)
	}
	m := res.Manifest
	fmt.Fprintf(out, "Restored %s (made %s by Switchboard %s from %s) into %s.\n", source,
		m.Created.Format(time.RFC3339), m.Version, m.DataDir, instance.Abs(s.app.DataDir()))
	if res.Aside != "" {
		fmt.Fprintf(out, "The data folder it replaced is kept in %s.\n", res.Aside)
	}
	if m.KeyFromEnv {
		fmt.Fprintf(out, "Its secrets were sealed with the key in %s then: start Switchboard with that key.\n", secrets.EnvKey)
	}
	return nil
}
