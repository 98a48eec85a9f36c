package files

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/conntest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}

// folderConn opens a "folder" connection on dir, as the files root, with
// extra values: connection fields go to its config, flow fields to the
// options of the test flow that uses it.
func folderConn(t *testing.T, dir string, values map[string]any) *flowConn {
	t.Helper()
	v := map[string]any{FieldFolder: "."}
	for k, x := range values {
		v[k] = x
	}
	env := connectors.Env{Logger: quiet, DataDir: t.TempDir(), Files: connectors.FilesRoot{Dir: dir}}
	return openFlowConn(t, "folder", v, nil, env)
}

// flowConn is a file connection as one test flow uses it: a request
// without options carries the flow's.
type flowConn struct {
	*Conn
	readOpts, writeOpts connectors.Config
}

// Read implements [connectors.Reader] with the flow's read options.
func (f *flowConn) Read(ctx context.Context, req connectors.ReadRequest) (connectors.PageStream, error) {
	if req.Options.Values == nil {
		req.Options = f.readOpts
	}
	return f.Conn.Read(ctx, req)
}

// Write implements [connectors.Writer] with the flow's write options.
func (f *flowConn) Write(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	if req.Options.Values == nil {
		req.Options = f.writeOpts
	}
	return f.Conn.Write(ctx, req)
}

// openFlowConn opens a connection of the named connector for a test flow:
// values are split into the connection's config and the flow's read and
// write options, each resolved and validated as the app does. Files are
// taken at once (a settle time of 0s) unless values set one: the tests of
// the settle time set theirs.
func openFlowConn(t *testing.T, connector string, values map[string]any, secrets map[string]string, env connectors.Env) *flowConn {
	t.Helper()
	reg, _ := connectors.Lookup(connector)
	conn, read, write := splitValues(reg.Spec, values)
	if _, set := read[FieldSettleTime]; !set {
		read[FieldSettleTime] = "0s"
	}
	cfg, err := reg.Spec.ResolveAndValidate(conn, secrets, env)
	if err != nil {
		t.Fatal(err)
	}
	f := &flowConn{}
	if f.readOpts, err = reg.Spec.ResolveAndValidateFlow(connectors.UseRead, read, cfg, env); err != nil {
		t.Fatal(err)
	}
	if f.writeOpts, err = reg.Spec.ResolveAndValidateFlow(connectors.UseWrite, write, cfg, env); err != nil {
		t.Fatal(err)
	}
	c, err := reg.New(cfg, env)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	f.Conn = c.(*Conn)
	return f
}

// splitValues sorts values into connection fields and the flow fields of
// each use; anything else goes to the connection, to be refused there.
func splitValues(spec connectors.Spec, values map[string]any) (conn, read, write map[string]any) {
	conn, read, write = map[string]any{}, map[string]any{}, map[string]any{}
	for k, v := range values {
		f, ok := spec.FlowField(k)
		if !ok {
			conn[k] = v
			continue
		}
		if f.Use&connectors.UseRead != 0 {
			read[k] = v
		}
		if f.Use&connectors.UseWrite != 0 {
			write[k] = v
		}
	}
	return conn, read, write
}

func write(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// tree lists the files under dir as "path" lines, claim times cut off.
func tree(t *testing.T, dir string) string {
	t.Helper()
	var out []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			if i := strings.Index(rel, claimMark); i > 0 {
				rel = rel[:i] + claimMark + "*"
			}
			out = append(out, rel)
		}
		return nil
	})
	sort.Strings(out)
	return strings.Join(out, " ")
}

// run is the outcome of reading pages as the engine does.
type run struct {
	records []string // "key data" or "key ERR message"
	cursor  string
}

// read reads every page from cursor. With ackUpTo >= 0 it stops after
// that many pages without acknowledging the last one, as a crash would.
func read(t *testing.T, c *flowConn, cursor string, pageSize int, crashAfter int) run {
	t.Helper()
	stream, err := c.Read(ctx(t), connectors.ReadRequest{Entity: connectors.Product, Cursor: cursor, PageSize: pageSize})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	defer stream.Close()
	out := run{cursor: cursor}
	for pages := 1; ; pages++ {
		page, err := stream.Next(ctx(t))
		if errors.Is(err, connectors.ErrEndOfInput) {
			return out
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		out.records = append(out.records, keys(page.Records)...)
		out.cursor = page.Cursor // committed
		if pages == crashAfter {
			return out
		}
		if page.Ack != nil {
			if err := page.Ack(ctx(t)); err != nil {
				t.Fatalf("Ack: %v", err)
			}
		}
	}
}

// keys renders records as "key data" or "key ERR message".
func keys(records []connectors.Record) []string {
	var out []string
	for _, r := range records {
		if r.Err != nil {
			out = append(out, r.Key+" ERR "+r.Err.Error())
		} else {
			out = append(out, r.Key+" "+render(r.Data))
		}
	}
	return out
}

// readRequest asks for pages of n product records.
func readRequest(n int) connectors.ReadRequest {
	return connectors.ReadRequest{Entity: connectors.Product, PageSize: n}
}

func render(m map[string]any) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%v", k, m[k]))
	}
	return strings.Join(parts, ",")
}

func TestConformance(t *testing.T) {
	dir := t.TempDir()
	reg, _ := connectors.Lookup("folder")
	conntest.Run(t, conntest.Suite{
		Registration: reg,
		Config:       map[string]any{FieldFolder: "."},
		ReadOptions:  map[string]any{FieldSubFolder: "in", FieldPattern: "*.csv", FieldKeyField: "sku", FieldSettleTime: "0s"},
		WriteOptions: map[string]any{FieldSubFolder: "out", FieldFormat: FormatJSON},
		Env:          connectors.Env{Logger: quiet, DataDir: t.TempDir(), Files: connectors.FilesRoot{Dir: dir}},
		Entity:       connectors.Product,
		Seed: func(t *testing.T, n int) {
			var b strings.Builder
			b.WriteString("sku;name\n")
			for i := 1; i <= n; i++ {
				fmt.Fprintf(&b, "S%d;Product %d\n", i, i)
			}
			write(t, dir, "in/products.csv", b.String())
			write(t, dir, "products.csv", "sku\nnot-in-the-flows-folder\n")
			write(t, dir, "in/products.txt", "sku\nnot-matching-the-flows-pattern\n")
		},
		Sample: map[string]any{"sku": "S1", "name": "Chair"},
	})
}

func TestReadLifecycle(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.csv", "sku;price\nA1;12,50\nA2;1;extra\nA3;3\n")
	write(t, dir, "b.csv", "sku;price\nB1;1\n")
	write(t, dir, "notes.txt", "not matched")
	c := folderConn(t, dir, map[string]any{FieldPattern: "*.csv", FieldKeyField: "sku", FieldDecimalComma: "price"})
	got := read(t, c, "", 10, 1) // stops before acknowledging the first file
	want := []string{"A1 price=12.50,sku=A1", "a.csv:3 ERR a.csv line 3: 3 fields where the header has 2", "A3 price=3,sku=A3"}
	if strings.Join(got.records, "|") != strings.Join(want, "|") {
		t.Fatalf("records\n%s\nwant\n%s", strings.Join(got.records, "\n"), strings.Join(want, "\n"))
	}
	if tr := tree(t, dir); tr != "b.csv notes.txt processing/a.csv"+claimMark+"*" {
		t.Fatalf("before the ack: %s", tr)
	}
	// the run stopped after committing a.csv: the next run archives it
	// without reading it again, then reads b.csv
	again := read(t, folderConn(t, dir, map[string]any{FieldPattern: "*.csv"}), got.cursor, 10, -1)
	if strings.Join(again.records, "|") != "b.csv:2 price=1,sku=B1" {
		t.Fatalf("second run read %q", again.records)
	}
	if tr := tree(t, dir); tr != "archive/a.csv archive/b.csv notes.txt" {
		t.Fatalf("after the second run: %s", tr)
	}
}

func TestResumeInsideAFile(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("n\n")
	for i := 1; i <= 10; i++ {
		fmt.Fprintf(&b, "%d\n", i)
	}
	write(t, dir, "big.csv", b.String())
	first := read(t, folderConn(t, dir, nil), "", 4, 1) // one page of 4 committed, then a crash
	second := read(t, folderConn(t, dir, nil), first.cursor, 4, -1)
	all := append(first.records, second.records...)
	if len(all) != 10 || all[4] != "big.csv:6 n=5" {
		t.Fatalf("records over two runs: %q", all)
	}
	if tr := tree(t, dir); tr != "archive/big.csv" {
		t.Fatalf("after: %s", tr)
	}
}

// TestResumeAFileWhoseNameIsNotUTF8 checks that a file whose name is not
// UTF-8 (a Windows sender's Latin-1 "Müller.csv") is read once over runs
// stopped after a committed page: the cursor must know it by its name.
func TestResumeAFileWhoseNameIsNotUTF8(t *testing.T) {
	for _, name := range []string{"M\xfcller.csv", "Bestellung Müller (1).csv"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, name, "n\n1\n2\n3\n")
			// a claim left is taken up at once, as a stopped process's is
			values := map[string]any{FieldClaimTimeout: "1ns"}
			first := read(t, folderConn(t, dir, values), "", 2, 1)            // a page of 2 committed, then a crash
			second := read(t, folderConn(t, dir, values), first.cursor, 2, 1) // the last page committed, not acknowledged
			third := read(t, folderConn(t, dir, values), second.cursor, 2, -1)
			all := append(append(first.records, second.records...), third.records...)
			if len(all) != 3 || !strings.HasSuffix(all[2], ":4 n=3") {
				t.Fatalf("records over three runs: %q", all)
			}
			if tr := tree(t, dir); tr != "archive/"+name {
				t.Fatalf("after: %q", tr)
			}
		})
	}
}

func TestUncommittedClaimIsTakenUpAfterTimeout(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.csv", "n\n1\n")
	read(t, folderConn(t, dir, nil), "", 10, 1) // read but never committed
	if got := read(t, folderConn(t, dir, nil), "", 10, -1); len(got.records) != 0 {
		t.Fatalf("a fresh claim was taken by another run: %q", got.records)
	}
	got := read(t, folderConn(t, dir, map[string]any{FieldClaimTimeout: "1ns"}), "", 10, -1)
	if strings.Join(got.records, "|") != "a.csv:2 n=1" {
		t.Fatalf("after the claim timeout: %q", got.records)
	}
}

func TestTwoRunsNeverTakeTheSameFile(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.csv", "n\n1\n")
	write(t, dir, "b.csv", "n\n2\n")
	c1, c2 := folderConn(t, dir, nil), folderConn(t, dir, nil)
	s1, _ := c1.Read(ctx(t), connectors.ReadRequest{PageSize: 10})
	s2, _ := c2.Read(ctx(t), connectors.ReadRequest{PageSize: 10})
	defer s1.Close()
	defer s2.Close()
	seen := map[string]int{}
	for _, s := range []connectors.PageStream{s1, s2, s1, s2, s1, s2} {
		page, err := s.Next(ctx(t))
		if err != nil {
			continue
		}
		for _, r := range page.Records {
			seen[r.Key]++
		}
	}
	if len(seen) != 2 || seen["a.csv:2"] != 1 || seen["b.csv:2"] != 1 {
		t.Fatalf("records seen: %v", seen)
	}
}

func TestUnreadableFilesGoToTheErrorFolder(t *testing.T) {
	tests := []struct {
		name, file, body string
		values           map[string]any
		records          string
		reason           string
	}{
		{"billion laughs", "p.xml", `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><r><p>&b;</p></r>`,
			map[string]any{FieldFormat: FormatXML}, "", "entity declarations are refused"},
		{"truncated json after one record", "p.json", `[{"sku":"A1"},{"sku":`,
			map[string]any{FieldFormat: FormatJSON, FieldKeyField: "sku"}, "A1 sku=A1|", "unexpected EOF"},
		{"empty csv", "p.csv", "", nil, "", "no header row"},
		{"json path missing", "p.json", `{"data":{}}`, map[string]any{FieldFormat: FormatJSON, FieldRecordPath: "data.items"}, "", "not found"},
		{"xml record path missing", "p.xml", `<Inventory><Row><Sku>A</Sku></Row></Inventory>`,
			map[string]any{FieldFormat: FormatXML, FieldRecordPath: "/Stock/Item"}, "", "record path /Stock/Item not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, tt.file, tt.body)
			got := read(t, folderConn(t, dir, tt.values), "", 10, -1)
			last := got.records[len(got.records)-1]
			if !strings.HasPrefix(last, tt.file+" ERR "+tt.file+" cannot be read") || !strings.Contains(last, tt.reason) {
				t.Fatalf("last record %q, want an error for the file mentioning %q", last, tt.reason)
			}
			if prefix := strings.Join(got.records[:len(got.records)-1], "|"); prefix+"|" != tt.records && prefix != tt.records {
				t.Fatalf("records before the error: %q", got.records)
			}
			if tr := tree(t, dir); tr != "error/"+tt.file+" error/"+tt.file+".error.txt" {
				t.Fatalf("files: %s", tr)
			}
			report, _ := os.ReadFile(filepath.Join(dir, "error", tt.file+".error.txt"))
			if !strings.Contains(string(report), tt.reason) {
				t.Fatalf("report: %s", report)
			}
			if again := read(t, folderConn(t, dir, tt.values), got.cursor, 10, -1); len(again.records) != 0 {
				t.Fatalf("read again: %q", again.records)
			}
		})
	}
}

func TestAlreadyImportedFileIsNotReadAgain(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.csv", "n\n1\n")
	stamp := time.Now().Add(-time.Hour).Truncate(time.Second)
	_ = os.Chtimes(filepath.Join(dir, "a.csv"), stamp, stamp)
	first := read(t, folderConn(t, dir, map[string]any{FieldAfterRead: "delete"}), "", 10, -1)
	// the same file dropped again, same size and time
	write(t, dir, "a.csv", "n\n1\n")
	_ = os.Chtimes(filepath.Join(dir, "a.csv"), stamp, stamp)
	again := read(t, folderConn(t, dir, nil), first.cursor, 10, -1)
	if len(first.records) != 1 || len(again.records) != 0 {
		t.Fatalf("first %q, again %q", first.records, again.records)
	}
	if tr := tree(t, dir); tr != "archive/a.csv" {
		t.Fatalf("files: %s", tr)
	}
}

// TestCorrectedFileIsReadAfterAFailedOne checks that a file sent to the
// error folder keeps out only a file that starts as it did: a corrected file
// of the same name, size and modification time (a sender that keeps times,
// an FTP server that lists them to the minute) is read, while the same
// failed file sent again is moved on unread.
func TestCorrectedFileIsReadAfterAFailedOne(t *testing.T) {
	stamp := time.Now().Add(-time.Hour).Truncate(time.Second)
	drop := func(t *testing.T, dir, body string) {
		write(t, dir, "a.csv", body)
		_ = os.Chtimes(filepath.Join(dir, "a.csv"), stamp, stamp)
	}
	tests := []struct {
		name, again string
		want        string
	}{
		{"corrected", "sku;qty\nA1;2\n", "a.csv:2 qty=2,sku=A1"},
		{"the same file again", "sku;sku\nA1;2\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			drop(t, dir, "sku;sku\nA1;2\n") // a column named twice refuses the file
			first := read(t, folderConn(t, dir, nil), "", 10, -1)
			if len(first.records) != 1 || !strings.Contains(first.records[0], "repeats the name") {
				t.Fatalf("first: %q", first.records)
			}
			drop(t, dir, tt.again)
			again := read(t, folderConn(t, dir, nil), first.cursor, 10, -1)
			if got := strings.Join(again.records, "|"); got != tt.want {
				t.Fatalf("read again: %q, want %q", got, tt.want)
			}
		})
	}
}

func TestArchiveKeepsEarlierFiles(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.csv", "n\n1\n")
	read(t, folderConn(t, dir, nil), "", 10, -1)
	write(t, dir, "a.csv", "n\n2\n")
	read(t, folderConn(t, dir, nil), "", 10, -1)
	if tr := tree(t, dir); !strings.HasPrefix(tr, "archive/a-") || !strings.HasSuffix(tr, " archive/a.csv") {
		t.Fatalf("files: %s", tr)
	}
}

// TestErrorFolderKeepsEarlierFiles checks that a file sent to the error
// folder never replaces one there: neither a failed file of the same name
// nor a failed file whose name is another's report (a.csv.error.txt).
func TestErrorFolderKeepsEarlierFiles(t *testing.T) {
	tests := []struct {
		name  string
		files []string // failed one after another
	}{
		{"the same name twice", []string{"a.csv", "a.csv"}},
		{"a file named as the report of a later one", []string{"a.csv.error.txt", "a.csv"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for i, name := range tt.files {
				body := fmt.Sprintf("sku;sku\nfile %d\n", i) // refused: a column named twice
				write(t, dir, name, body)
				read(t, folderConn(t, dir, nil), "", 10, -1)
			}
			bodies := map[string]bool{}
			entries, _ := os.ReadDir(filepath.Join(dir, "error"))
			for _, e := range entries {
				b, _ := os.ReadFile(filepath.Join(dir, "error", e.Name()))
				bodies[string(b)] = true
			}
			for i := range tt.files {
				if body := fmt.Sprintf("sku;sku\nfile %d\n", i); !bodies[body] {
					t.Fatalf("file %d is gone from the error folder: %s", i, tree(t, dir))
				}
			}
			if len(entries) != 2*len(tt.files) {
				t.Fatalf("want each file with its report: %s", tree(t, dir))
			}
		})
	}
}
