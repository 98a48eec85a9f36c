package connectors

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// FilesRootError explains why the files root dir cannot be used, given
// the error of making or opening it, and says what to do: a bare "mkdir
// /home/bob: permission denied" does not tell an administrator that the
// packaged service's unit hides the home folders, nor how to let it in.
// The error wraps err.
func FilesRootError(dir string, err error) error {
	msg := fmt.Sprintf("the files root %s (%s) cannot be used: ", dir, FilesRootSetting)
	switch {
	case errors.Is(err, syscall.EROFS):
		msg += fmt.Sprintf("it is on a file system that is read-only for Switchboard (%v). The packaged service "+
			"may write only in its state folder (ProtectSystem=strict): make the folder, owned by the user %s, "+
			"and add a drop-in (systemctl edit switchboard) with ReadWritePaths=%s", err, processUser(), dir)
	case errors.Is(err, fs.ErrPermission) && underHomes(dir):
		msg += fmt.Sprintf("%s is closed to the user %s (%v). The packaged service's unit hides /home, /root "+
			"and /run/user (ProtectHome=yes): choose a folder outside them, or add a drop-in (systemctl edit "+
			"switchboard) with ProtectHome=tmpfs and BindPaths=%s, the folder owned by that user",
			blockedAt(dir), processUser(), err, dir)
	case errors.Is(err, fs.ErrPermission):
		msg += fmt.Sprintf("%s is closed to the user %s (%v): give that user the folder, or access to it",
			blockedAt(dir), processUser(), err)
	default:
		msg += err.Error()
	}
	return &filesRootError{msg: msg + " (docs/operations.md)", err: err}
}

// FilesRootSetting is the environment variable that sets the files root.
const FilesRootSetting = "SWITCHBOARD_FILES_ROOT"

type filesRootError struct {
	msg string
	err error
}

func (e *filesRootError) Error() string { return e.msg }

func (e *filesRootError) Unwrap() error { return e.err }

// underHomes reports whether dir is in the folders ProtectHome=yes hides.
func underHomes(dir string) bool {
	for _, home := range []string{"/home", "/root", "/run/user"} {
		if dir == home || strings.HasPrefix(dir, home+"/") {
			return true
		}
	}
	return false
}

// blockedAt returns the folder on dir's path that this process may not
// look into: the last one whose entry it can look up, when the next one's
// lookup is refused; dir itself when every lookup works (dir exists but
// cannot be read or written).
func blockedAt(dir string) string {
	parts := strings.Split(filepath.Clean(dir), string(filepath.Separator))
	cur := string(filepath.Separator)
	for _, part := range parts {
		if part == "" {
			continue
		}
		next := filepath.Join(cur, part)
		if _, err := os.Lstat(next); err != nil {
			if errors.Is(err, fs.ErrPermission) {
				return cur
			}
			return dir
		}
		cur = next
	}
	return dir
}

// processUser names the user this process runs as.
func processUser() string {
	uid := os.Geteuid()
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		return u.Username
	}
	return "with id " + strconv.Itoa(uid)
}
