//go:build !unix

package instance

import "errors"

// LockFileName is the file in the data folder that a serving appliance
// holds locked, so that a restore does not replace data in use.
const LockFileName = "switchboard.lock"

// Locking is true where Lock takes a lock that other processes see.
const Locking = false

// ErrInUse is returned by Lock while another process holds the lock.
var ErrInUse = errors.New("an appliance is running on this data folder")

// Lock takes no lock where flock is not available: stop the appliance
// before a restore.
func Lock(string) (func(), error) { return func() {}, nil }
