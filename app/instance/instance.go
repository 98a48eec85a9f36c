// Package instance finds the appliance a command acts on: the environment
// file of a packaged install, the data folder, and the user it belongs to.
//
// A packaged install keeps its settings in /etc/switchboard/switchboard.env,
// which the service's unit loads. The command line reads the same file, so
// that `switchboard superuser upsert` run by an administrator acts on the
// service's data folder and not on a new one in the working directory.
package instance

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// The environment variables and paths that locate an appliance.
const (
	// EnvDir names the data folder.
	EnvDir = "SWITCHBOARD_DIR"
	// EnvEnvFile names the environment file to read instead of
	// DefaultEnvFile; "none" reads no file.
	EnvEnvFile = "SWITCHBOARD_ENV_FILE"
	// DefaultEnvFile is where a packaged install keeps its settings.
	DefaultEnvFile = "/etc/switchboard/switchboard.env"
	// PackagedDir is a packaged install's data folder, used when its
	// environment file does not name one.
	PackagedDir = "/var/lib/switchboard/sb_data"
	// LocalDir is the data folder anywhere else, relative to the working
	// directory.
	LocalDir = "./sb_data"
	// noEnvFile as EnvEnvFile reads no environment file.
	noEnvFile = "none"
)

// Where says which data folder a command uses and how it was chosen.
type Where struct {
	// Dir is the data folder.
	Dir string
	// From says where Dir came from: "--dir", EnvDir, the environment
	// file, or "the default".
	From string
	// EnvFile is the environment file that was found, "" when none.
	EnvFile string
	// Packaged is true when an environment file was found: the data
	// folder belongs to the service's user.
	Packaged bool
}

// Locate loads the environment file (see LoadEnvFile) and returns the data
// folder to use when no --dir is given: SWITCHBOARD_DIR, from the process
// environment or the file; PackagedDir on a packaged install; LocalDir
// elsewhere. A file that exists but cannot be read still marks a packaged
// install, and its error is returned beside the answer.
func Locate() (Where, error) {
	path := envFilePath()
	w := Where{}
	loaded, err := LoadEnvFile(path)
	if loaded || errors.Is(err, fs.ErrPermission) {
		w.EnvFile, w.Packaged = path, true
	}
	switch {
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		err = fmt.Errorf("reading the environment file %s (run the command as root; it switches to the service's user): %w", path, err)
	case err != nil && os.Getenv(EnvEnvFile) != "":
		err = fmt.Errorf("%s names %s, which does not exist: no environment file is read", EnvEnvFile, path)
	default:
		err = nil
	}
	switch dir, fromFile := dirSetting(); {
	case dir != "" && fromFile:
		w.Dir, w.From = dir, path
	case dir != "":
		w.Dir, w.From = dir, EnvDir
	case w.Packaged:
		w.Dir, w.From = PackagedDir, "the packaged default"
	default:
		w.Dir, w.From = LocalDir, "the default"
	}
	return w, err
}

// envFilePath returns the environment file to read, "" for none.
func envFilePath() string {
	v, set := os.LookupEnv(EnvEnvFile)
	switch {
	case !set || v == "":
		return DefaultEnvFile
	case v == noEnvFile:
		return ""
	}
	return v
}

// dirSetting returns SWITCHBOARD_DIR and whether it came from the
// environment file.
func dirSetting() (string, bool) {
	dir := os.Getenv(EnvDir)
	return dir, dir != "" && fromFile[EnvDir]
}

// Abs returns dir as an absolute path where it can, for messages.
func Abs(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}
