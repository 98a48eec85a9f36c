//go:build unix

package instance

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// RunAsOwner makes a command run by root act as the owner of the data
// folder dir, so that it leaves no file root-owned that the service could
// not open. It returns the user id it switched to, or -1 when it stayed
// who it was: not root, or root's own folder. On a packaged install a
// data folder that does not exist yet under a root-owned parent is
// refused: the service creates it on its first start.
func RunAsOwner(dir string, packaged bool) (int, error) {
	if os.Geteuid() != 0 {
		return -1, nil
	}
	uid, gid, exists, err := folderOwner(dir)
	if err != nil {
		return -1, err
	}
	if uid == 0 {
		if packaged && !exists {
			return -1, fmt.Errorf("the data folder %s does not exist yet: start the service once "+
				"(systemctl start switchboard), which creates it as its own user, then run this again", dir)
		}
		return -1, nil
	}
	if err := switchUser(uid, gid); err != nil {
		return -1, fmt.Errorf("switching to the data folder's owner (user id %d) so as to leave no root-owned files "+
			"in %s: %w; run the command as that user", uid, dir, err)
	}
	return uid, nil
}

// folderOwner returns the owner of dir, or of its nearest existing parent
// when dir does not exist.
func folderOwner(dir string) (uid, gid int, exists bool, err error) {
	path, err := filepath.Abs(dir)
	if err != nil {
		return 0, 0, false, fmt.Errorf("finding the data folder %s: %w", dir, err)
	}
	exists = true
	for {
		info, statErr := os.Stat(path)
		if statErr == nil {
			st, ok := info.Sys().(*syscall.Stat_t)
			if !ok {
				return 0, 0, exists, nil
			}
			return int(st.Uid), int(st.Gid), exists, nil
		}
		if !errors.Is(statErr, fs.ErrNotExist) || filepath.Dir(path) == path {
			return 0, 0, exists, fmt.Errorf("looking at the data folder %s: %w", dir, statErr)
		}
		exists, path = false, filepath.Dir(path)
	}
}

// switchUser drops root for uid and gid, in every thread of the process.
func switchUser(uid, gid int) error {
	if err := syscall.Setgroups([]int{gid}); err != nil {
		return fmt.Errorf("setting groups: %w", err)
	}
	if err := syscall.Setgid(gid); err != nil {
		return fmt.Errorf("setting group id %d: %w", gid, err)
	}
	if err := syscall.Setuid(uid); err != nil {
		return fmt.Errorf("setting user id %d: %w", uid, err)
	}
	return nil
}
