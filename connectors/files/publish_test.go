package files

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/switchboard-app/switchboard/connectors"
)

// hidden lists the hidden files under dir and the files in dataDir's
// journal and buffer folders: what a crash may leave behind.
func leftBehind(t *testing.T, dir, dataDir string) []string {
	t.Helper()
	var out []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasPrefix(d.Name(), ".") {
			out = append(out, p)
		}
		return nil
	})
	for _, sub := range []string{"uploads", "buffers"} {
		names, _ := filepath.Glob(filepath.Join(dataDir, sub, "*"))
		out = append(out, names...)
	}
	return out
}

func writeOrders(t *testing.T, c *flowConn, from, to int) {
	t.Helper()
	for i := from; i <= to; i++ {
		req := connectors.WriteRequest{Entity: connectors.Order, Key: fmt.Sprint("SO-", i), IdempotencyKey: fmt.Sprint("tx", i),
			Data: map[string]any{"number": fmt.Sprint("SO-", i)}}
		if _, err := c.Write(ctx(t), req); err != nil {
			t.Fatal(err)
		}
	}
}

// TestAPreparedFileIsVisibleOnlyOncePublished: Prepare uploads under a
// hidden temporary name; Publish renames it into place and leaves nothing
// behind.
func TestAPreparedFileIsVisibleOnlyOncePublished(t *testing.T) {
	dir, dataDir := t.TempDir(), t.TempDir()
	c := connOf(t, dir, dataDir, "", map[string]any{FieldOutputFolder: "out", FieldFileName: "orders.csv"})
	writeOrders(t, c, 1, 3)
	p, err := c.Prepare(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if tr := tree(t, filepath.Join(dir, "out")); !strings.HasPrefix(tr, ".orders.csv.") || strings.Contains(tr, " ") {
		t.Fatalf("after Prepare: %q, want one hidden temporary", tr)
	}
	if err := c.Publish(ctx(t), p); err != nil {
		t.Fatal(err)
	}
	if err := c.Publish(ctx(t), p); err != nil {
		t.Fatalf("publishing again: %v", err)
	}
	if tr := tree(t, dir); tr != "out/orders.csv" {
		t.Fatalf("after Publish: %s", tr)
	}
	if left := leftBehind(t, dir, dataDir); len(left) != 0 {
		t.Fatalf("left behind: %q", left)
	}
}

// TestRecoverFinishesWhatWasCommittedAndRemovesTheRest: a process that is
// gone prepared one file that the engine committed and one it did not, and
// left a per-record upload and a buffered file; the next start publishes
// the first and removes everything else.
func TestRecoverFinishesWhatWasCommittedAndRemovesTheRest(t *testing.T) {
	dir, dataDir := t.TempDir(), t.TempDir()
	perRun := map[string]any{FieldOutputFolder: "out", FieldFileName: "orders-{number}.csv"}
	gone := connOf(t, dir, dataDir, "0badf00d", perRun)
	writeOrders(t, gone, 1, 2)
	committed, err := gone.Prepare(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	writeOrders(t, gone, 3, 4)
	if _, err := gone.Prepare(ctx(t)); err != nil { // never committed
		t.Fatal(err)
	}
	writeOrders(t, gone, 5, 6) // buffered, never prepared
	record := connOf(t, dir, dataDir, "0badf00d", map[string]any{FieldOutputFolder: "out", FieldWriteMode: "per_record"})
	writeOrders(t, record, 7, 7) // uploaded, never prepared
	// the process is killed here

	next := connOf(t, dir, dataDir, "", perRun)
	if err := next.Recover(ctx(t), []connectors.Prepared{committed}); err != nil {
		t.Fatal(err)
	}
	if tr := tree(t, dir); tr != "out/orders-1.csv" {
		t.Fatalf("files after the start: %s", tr)
	}
	body, _ := os.ReadFile(filepath.Join(dir, "out", "orders-1.csv"))
	if string(body) != "number\nSO-1\nSO-2\n" {
		t.Fatalf("published file: %q", body)
	}
	if left := leftBehind(t, dir, dataDir); len(left) != 0 {
		t.Fatalf("left behind: %q", left)
	}
}

// TestAPerRecordFileIsNamedByItsTransaction: in per-record mode the default
// name comes from the transaction, so writing the record again replaces
// its file instead of adding one.
func TestAPerRecordFileIsNamedByItsTransaction(t *testing.T) {
	dir := t.TempDir()
	c := folderConn(t, dir, map[string]any{FieldWriteMode: "per_record"})
	for range 2 {
		writeOrders(t, c, 1, 1)
		if err := c.Flush(ctx(t)); err != nil {
			t.Fatal(err)
		}
	}
	if tr := tree(t, dir); tr != "order-tx1.csv" {
		t.Fatalf("files: %s", tr)
	}
}

// TestAFileOfALongKeyIsNamedToFit: a record whose key makes its file name
// longer than file systems take is written under a shortened name, the
// same each time, instead of a name whose publishing fails for ever.
func TestAFileOfALongKeyIsNamedToFit(t *testing.T) {
	dir := t.TempDir()
	c := folderConn(t, dir, map[string]any{FieldWriteMode: "per_record", FieldFileName: "{key}.csv"})
	long := strings.Repeat("ü", 200) // 400 bytes
	var names []string
	for range 2 {
		res, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Key: long, IdempotencyKey: "tx1",
			Data: map[string]any{"number": "SO-1"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Flush(ctx(t)); err != nil {
			t.Fatalf("publishing %s: %v", res.TargetID, err)
		}
		names = append(names, strings.TrimPrefix(res.TargetID, recordIDPrefix))
	}
	if names[0] != names[1] || len(names[0]) > maxNameBytes || !strings.HasSuffix(names[0], ".csv") ||
		!strings.HasPrefix(names[0], "üü") || !utf8.ValidString(names[0]) {
		t.Fatalf("names %q", names)
	}
	if tr := tree(t, dir); tr != names[0] {
		t.Fatalf("files: %s", tr)
	}
}

// TestOneFileThatCannotBePublishedHoldsNoOtherBack: the other files of a
// batch are published, and the one that failed is published when tried
// again.
func TestOneFileThatCannotBePublishedHoldsNoOtherBack(t *testing.T) {
	dir := t.TempDir()
	c := folderConn(t, dir, map[string]any{FieldWriteMode: "per_record"})
	writeOrders(t, c, 1, 3)
	p, err := c.Prepare(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	blocker := filepath.Join(dir, "order-tx2.csv", "in-the-way")
	if err := os.MkdirAll(blocker, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := c.Publish(ctx(t), p); err == nil {
		t.Fatal("a file whose name is taken by a folder was published")
	}
	for _, name := range []string{"order-tx1.csv", "order-tx3.csv"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Fatalf("%s, after another file failed: %v", name, err)
		}
	}
	if err := os.RemoveAll(filepath.Dir(blocker)); err != nil {
		t.Fatal(err)
	}
	if err := c.Publish(ctx(t), p); err != nil {
		t.Fatalf("tried again: %v", err)
	}
	if tr := tree(t, dir); tr != "order-tx1.csv order-tx2.csv order-tx3.csv" {
		t.Fatalf("files: %s", tr)
	}
}

// TestATargetFolderRenamedOrRemadeIsOpenedAgain: a target connection keeps
// its folder open from one run to the next; when the folder it names is
// renamed and made again, or removed and made again, the next files go to
// the folder it names, not into the old one nor failing until a restart.
func TestATargetFolderRenamedOrRemadeIsOpenedAgain(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	c := folderConn(t, dir, map[string]any{FieldFolder: "out", FieldWriteMode: "per_record"})
	writeAndFlush := func(n int) {
		t.Helper()
		writeOrders(t, c, n, n)
		if err := c.Flush(ctx(t)); err != nil {
			t.Fatalf("order %d: %v", n, err)
		}
	}
	writeAndFlush(1)
	if err := os.Rename(out, out+".old"); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	writeAndFlush(2)
	if tr := tree(t, out); tr != "order-tx2.csv" {
		t.Fatalf("after the folder was renamed and made again, out holds: %q", tr)
	}
	if err := os.RemoveAll(out); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	writeAndFlush(3)
	if tr := tree(t, out); tr != "order-tx3.csv" {
		t.Fatalf("after the folder was removed and made again, out holds: %q", tr)
	}
}
