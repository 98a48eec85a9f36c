package files

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
)

// smallDisk mounts a file system of size on a new folder and returns the
// folder; the test skips where it cannot (not root, no mount).
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a small file system")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", dir).Run() })
	return dir
}

// TestAFullTargetFolderFailsTheFlushAndLeavesNothing: a folder target on
// a disk that fills up fails its flush as a transient "disk full", leaves
// no temporary behind, and takes the records again once there is room.
func TestAFullTargetFolderFailsTheFlushAndLeavesNothing(t *testing.T) {
	dir := smallDisk(t, "64k")
	filler := filepath.Join(dir, "filler")
	if err := os.WriteFile(filler, make([]byte, 40<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	c := folderConn(t, dir, map[string]any{FieldOutputFolder: "out"})
	big := strings.Repeat("x", 8<<10)
	var recs []map[string]any
	for i := 0; i < 4; i++ {
		recs = append(recs, map[string]any{"sku": string(rune('A' + i)), "note": big})
	}
	writeAll(t, c, recs...)
	err := c.Flush(ctx(t))
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Flush = %v, want disk full", err)
	}
	if class, _ := connectors.Classify(err); class != connectors.ClassTransient {
		t.Fatalf("classified %s: %v", class, err)
	}
	if tr := tree(t, dir); tr != "filler" {
		t.Fatalf("left on the full disk: %s", tr)
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	ids := writeAll(t, c, recs...) // the engine writes them again
	if err := c.Flush(ctx(t)); err != nil {
		t.Fatalf("Flush with room: %v", err)
	}
	if tr := tree(t, dir); tr != "out/"+ids[0] {
		t.Fatalf("files: %s", tr)
	}
	assertSKUs(t, c, filepath.Join(dir, "out", ids[0]), "A B C D")
}
