//go:build unix

package trytontest

import (
	"os"
	"syscall"
	"testing"
)

// lock holds the file at path locked until unlock: one test process at a
// time past it.
func lock(t testing.TB, path string) (unlock func()) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		_ = f.Close()
		t.Fatalf("locking %s: %v", path, err)
	}
	return func() { _ = f.Close() }
}
