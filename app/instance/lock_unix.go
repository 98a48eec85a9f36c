//go:build unix

package instance

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// LockFileName is the file in the data folder that a serving appliance
// holds locked, so that a restore does not replace data in use.
const LockFileName = "switchboard.lock"

// Locking is true where Lock takes a lock that other processes see.
const Locking = true

// ErrInUse is returned by Lock while another process holds the lock.
var ErrInUse = errors.New("an appliance is running on this data folder")

// Lock takes the data folder's lock, or returns ErrInUse while another
// process holds it. The lock goes when unlock is called or the process
// ends, however it ends.
func Lock(dataDir string) (unlock func(), err error) {
	path := filepath.Join(dataDir, LockFileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the lock file %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w (%s)", ErrInUse, dataDir)
		}
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	return func() { _ = f.Close() }, nil
}
