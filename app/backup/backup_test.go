package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app/instance"
)

// dataFolder makes a data folder with a database of n rows, a key file
// and a file in the files root.
func dataFolder(t *testing.T, n int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "sb_data")
	if err := os.MkdirAll(filepath.Join(dir, "files", "in"), 0o700); err != nil {
		t.Fatal(err)
	}
	db, err := core.DefaultDBConnect(filepath.Join(dir, "data.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.NewQuery("CREATE TABLE t (n INTEGER)").Execute(); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := db.NewQuery("INSERT INTO t (n) VALUES ({:n})").Bind(map[string]any{"n": i}).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	write(t, filepath.Join(dir, "secret.key"), "key")
	write(t, filepath.Join(dir, "files", "in", "feed.csv"), "sku;qty\n")
	write(t, filepath.Join(dir, BackupsDir, "old.tar.gz"), "an older backup")
	return dir
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func rows(t *testing.T, dir string) int {
	t.Helper()
	db, err := core.DefaultDBConnect(filepath.Join(dir, "data.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.NewQuery("SELECT COUNT(*) FROM t").Row(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBackupAndRestore(t *testing.T) {
	src := dataFolder(t, 50)
	var archive bytes.Buffer
	m, err := Create(&archive, src, Manifest{Version: "v1", EnvFile: "/etc/switchboard/switchboard.env"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !m.KeyFile || strings.Contains(strings.Join(m.Files, " "), "old.tar.gz") {
		t.Fatalf("manifest %+v: want the key file and no earlier backup", m)
	}
	dst := dataFolder(t, 3) // the folder a restore replaces
	res, err := Restore(bytes.NewReader(archive.Bytes()), dst)
	if err != nil {
		t.Fatal(err)
	}
	if got := rows(t, dst); got != 50 {
		t.Fatalf("restored %d rows, want 50", got)
	}
	if data, _ := os.ReadFile(filepath.Join(dst, "files", "in", "feed.csv")); string(data) != "sku;qty\n" {
		t.Fatalf("files root not restored: %q", data)
	}
	if res.Aside == "" || rows(t, res.Aside) != 3 {
		t.Fatalf("the replaced folder was not kept aside: %+v", res)
	}
	if res.Manifest.EnvFile != "/etc/switchboard/switchboard.env" || res.Manifest.Version != "v1" {
		t.Fatalf("manifest %+v", res.Manifest)
	}
	for _, name := range []string{"data.db", "secret.key"} {
		if info, err := os.Stat(filepath.Join(dst, name)); err != nil || info.Mode().Perm() != 0o600 {
			t.Errorf("restored %s: %v, %v; want mode 0600", name, info.Mode(), err)
		}
	}
	tr := tar.NewReader(gunzip(t, archive.Bytes()))
	for hdr, err := tr.Next(); err == nil; hdr, err = tr.Next() {
		if isDatabaseFile(hdr.Name) && hdr.Mode != 0o600 {
			t.Errorf("%s archived with mode %o, want 0600", hdr.Name, hdr.Mode)
		}
	}
}

// gunzip opens a gzip stream.
func gunzip(t *testing.T, data []byte) *gzip.Reader {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return zr
}

func TestRestoreRefusesARunningAppliance(t *testing.T) {
	src := dataFolder(t, 1)
	var archive bytes.Buffer
	if _, err := Create(&archive, src, Manifest{}, nil); err != nil {
		t.Fatal(err)
	}
	unlock, err := instance.Lock(src) // as serve holds it
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	_, err = Restore(bytes.NewReader(archive.Bytes()), src)
	if !errors.Is(err, instance.ErrInUse) || !strings.Contains(err.Error(), "stop it first") {
		t.Fatalf("Restore over a running appliance = %v", err)
	}
	if rows(t, src) != 1 {
		t.Fatal("the running appliance's data changed")
	}
}

// archiveOf builds a gzipped tar of the given entries.
func archiveOf(t *testing.T, entries ...tar.Header) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, h := range entries {
		body := []byte("x")
		if h.Name == ManifestName {
			body, _ = json.Marshal(Manifest{Format: format})
		}
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(body))
		}
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			_, _ = tw.Write(body)
		}
	}
	_ = tw.Close()
	_ = zw.Close()
	return buf.Bytes()
}

func TestRestoreRefusesBadArchives(t *testing.T) {
	manifest := tar.Header{Name: ManifestName, Typeflag: tar.TypeReg, Mode: 0o600}
	for _, tc := range []struct {
		name, want string
		data       []byte
	}{
		{"not gzip", "not gzip", []byte("plain text")},
		{"no manifest first", "does not begin with", archiveOf(t, tar.Header{Name: "data.db", Typeflag: tar.TypeReg, Mode: 0o600})},
		{"a path out of the folder", "outside the data folder", archiveOf(t, manifest, tar.Header{Name: "../escape", Typeflag: tar.TypeReg, Mode: 0o600})},
		{"a link", "not a regular file", archiveOf(t, manifest, tar.Header{Name: "link", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd"})},
		{"no database", "holds no data.db", archiveOf(t, manifest)},
	} {
		t.Run(tc.name, func(t *testing.T) { assertRestoreRefused(t, tc.data, tc.want) })
	}
}

// onFirstWrite runs do once, at the first write of the archive: after the
// backup has listed the folder's files, before it reads them.
type onFirstWrite struct {
	bytes.Buffer
	do   func()
	done bool
}

func (w *onFirstWrite) Write(p []byte) (int, error) {
	if !w.done {
		w.done = true
		w.do()
	}
	return w.Buffer.Write(p)
}

// TestABackupTakesFilesMovedWhileItRuns: a live backup of an appliance
// whose flows move files in the files root (a file read moved to its
// archive folder, an upload renamed from its temporary name) failed as a
// whole when a file it had listed was gone when it came to read it; it
// leaves that file out, says so, and archives the rest.
func TestABackupTakesFilesMovedWhileItRuns(t *testing.T) {
	src := dataFolder(t, 20)
	write(t, filepath.Join(src, "files", "out", "orders.xml.part"), "<orders/>")
	moved := []string{filepath.Join("files", "in", "feed.csv"), filepath.Join("files", "out", "orders.xml.part")}
	archive := &onFirstWrite{do: func() {
		for _, name := range moved {
			if err := os.Rename(filepath.Join(src, name), filepath.Join(src, name+".moved")); err != nil {
				t.Error(err)
			}
		}
		if err := os.RemoveAll(filepath.Join(src, "files", "out")); err != nil {
			t.Error(err)
		}
	}}
	m, err := Create(archive, src, Manifest{Version: "v1"}, nil)
	if err != nil {
		t.Fatalf("a backup while files moved = %v", err)
	}
	want := []string{"files/in/feed.csv", "files/out/orders.xml.part"}
	if strings.Join(m.LeftOut, " ") != strings.Join(want, " ") {
		t.Fatalf("left out %v, want %v", m.LeftOut, want)
	}
	dst := filepath.Join(t.TempDir(), "sb_data")
	if _, err := Restore(bytes.NewReader(archive.Bytes()), dst); err != nil {
		t.Fatal(err)
	}
	if rows(t, dst) != 20 {
		t.Fatal("the database was not restored")
	}
	if data, err := os.ReadFile(filepath.Join(dst, "secret.key")); err != nil || string(data) != "key" {
		t.Fatalf("the key file was not restored: %q, %v", data, err)
	}
}

// TestABackupWithoutItsKeyFileFails: the key file, unlike the files
// root's files, is never left out: a backup that found it and then could
// not read it fails, rather than hold secrets without their key.
func TestABackupWithoutItsKeyFileFails(t *testing.T) {
	src := dataFolder(t, 1)
	archive := &onFirstWrite{do: func() { _ = os.Remove(filepath.Join(src, "secret.key")) }}
	if _, err := Create(archive, src, Manifest{}, nil); err == nil || !strings.Contains(err.Error(), "secret.key") {
		t.Fatalf("a backup whose key file went = %v, want an error naming it", err)
	}
}

// archiveWith builds a backup of the given files, its manifest first.
func archiveWith(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	manifest, _ := json.Marshal(Manifest{Format: format})
	add := func(name string, body []byte) {
		if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o600, Size: int64(len(body))}); err != nil {
			t.Fatal(err)
		}
		_, _ = tw.Write(body)
	}
	add(ManifestName, manifest)
	for name, body := range files {
		add(name, body)
	}
	_ = tw.Close()
	_ = zw.Close()
	return buf.Bytes()
}

// databaseWith makes a database file by running statements and returns
// its bytes.
func databaseWith(t *testing.T, statements ...string) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "db")
	db, err := core.DefaultDBConnect(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range append(statements, "PRAGMA wal_checkpoint(TRUNCATE)") {
		if _, err := db.NewQuery(s).Execute(); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	_ = db.Close()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestRestoreRefusesDamagedOrNewerBackups: a truncated archive, a damaged
// database (the auxiliary one among them, which was restored unchecked)
// and the backup of a data folder a newer build had migrated (which this
// build would then refuse to serve) are refused, the data folder as it
// was.
func TestRestoreRefusesDamagedOrNewerBackups(t *testing.T) {
	var whole bytes.Buffer
	if _, err := Create(&whole, dataFolder(t, 500), Manifest{}, nil); err != nil {
		t.Fatal(err)
	}
	good := databaseWith(t, "CREATE TABLE t (n INTEGER)")
	damaged := bytes.Repeat([]byte("not a database "), 512)
	for _, tc := range []struct {
		name, want string
		data       []byte
	}{
		{"truncated", "reading the backup", whole.Bytes()[:whole.Len()/2]},
		{"a damaged data.db", "data.db", archiveWith(t, map[string][]byte{"data.db": damaged})},
		{"a damaged auxiliary.db", "auxiliary.db", archiveWith(t, map[string][]byte{"data.db": good, "auxiliary.db": damaged})},
		{"from a newer build", "1799999999_newer.go", archiveWith(t, map[string][]byte{"data.db": databaseWith(t,
			"CREATE TABLE _migrations (file VARCHAR(255) PRIMARY KEY NOT NULL, applied INTEGER NOT NULL)",
			"INSERT INTO _migrations (file, applied) VALUES ('1799999999_newer.go', 1)")})},
	} {
		t.Run(tc.name, func(t *testing.T) { assertRestoreRefused(t, tc.data, tc.want) })
	}
}

// TestLeftoversOfKilledBackupsAndRestoresAreRemoved: a backup or restore
// killed midway left its copy of the databases behind (a snapshots'
// folder in the data folder, a staging folder beside it), one more on
// every such stop. The next backup removes snapshots no backup holds any
// longer, and the next restore the staging folders; a backup still
// running keeps its own, and a folder kept aside by a restore stays.
func TestLeftoversOfKilledBackupsAndRestoresAreRemoved(t *testing.T) {
	if !instance.Locking {
		t.Skip("no locks on this system: leftovers are kept")
	}
	src := dataFolder(t, 1)
	stale := filepath.Join(src, snapshotsPrefix+"killed")
	write(t, filepath.Join(stale, "data.db"), "a snapshot")
	write(t, filepath.Join(stale, instance.LockFileName), "")
	running := filepath.Join(src, snapshotsPrefix+"running")
	write(t, filepath.Join(running, "data.db"), "a snapshot being written")
	unlock, err := instance.Lock(running)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	staging := src + stagingInfix + "20260101T000000Z"
	write(t, filepath.Join(staging, "data.db"), "unpacked")
	aside := src + ".before-restore-20260101T000000Z"
	write(t, filepath.Join(aside, "data.db"), "kept aside")

	var archive bytes.Buffer
	if _, err := Create(&archive, src, Manifest{}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := Restore(bytes.NewReader(archive.Bytes()), src); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		dir  string
		kept bool
	}{{stale, false}, {staging, false}, {aside, true}} {
		if _, err := os.Stat(c.dir); (err == nil) != c.kept {
			t.Errorf("%s: kept = %v, want %v", filepath.Base(c.dir), err == nil, c.kept)
		}
	}
	// The running backup's folder moved aside with the data folder it is in.
	res, err := os.ReadDir(filepath.Dir(src))
	if err != nil {
		t.Fatal(err)
	}
	var asideNow string
	for _, e := range res {
		if strings.HasPrefix(e.Name(), "sb_data.before-restore-") && e.Name() != filepath.Base(aside) {
			asideNow = filepath.Join(filepath.Dir(src), e.Name())
		}
	}
	if _, err := os.Stat(filepath.Join(asideNow, filepath.Base(running))); err != nil {
		t.Errorf("the running backup's snapshots were removed: %v", err)
	}
}

// assertRestoreRefused restores data over a data folder of two rows and
// checks that it is refused with an error holding want, the folder left
// as it was and nothing left beside it.
func assertRestoreRefused(t *testing.T, data []byte, want string) {
	t.Helper()
	dst := dataFolder(t, 2)
	_, err := Restore(bytes.NewReader(data), dst)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Restore = %v, want an error with %q", err, want)
	}
	if rows(t, dst) != 2 {
		t.Fatal("a refused restore changed the data folder")
	}
	if leftovers, _ := filepath.Glob(dst + ".restore-*"); len(leftovers) != 0 {
		t.Fatalf("a refused restore left %v", leftovers)
	}
}
