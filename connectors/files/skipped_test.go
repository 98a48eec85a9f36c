package files

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
)

// skipLog is what the connection logged about entries it does not read,
// as "name: why" lines, sorted.
func skipLog(t *testing.T, logs *bytes.Buffer) []string {
	t.Helper()
	var out []string
	for _, line := range bytes.Split(logs.Bytes(), []byte("\n")) {
		var entry map[string]any
		if len(line) == 0 {
			continue
		}
		if err := json.Unmarshal(line, &entry); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if entry["msg"] != msgSkipped {
			continue
		}
		if entry["folder"] == nil || entry["level"] != "WARN" {
			t.Fatalf("the line names no folder, or is no warning: %s", line)
		}
		out = append(out, entry["file"].(string)+": "+entry["why"].(string))
	}
	sort.Strings(out)
	return out
}

// TestAMatchingEntryThatIsNoFileIsLogged: a folder, a symbolic link or a
// name with a line break that matches the flow's pattern is not read, and
// the log says which, where and why, once while it stays (across the
// connection's instances); the flow's own
// folders (processing, archive, error) and hidden names are not named.
func TestAMatchingEntryThatIsNoFileIsLogged(t *testing.T) {
	cases := []struct {
		name    string
		pattern string
		want    []string
	}{
		{"a pattern of csv files", "*.csv", []string{
			"bad\nname.csv: its name holds a line break or another control character",
			"folder.csv: it is a folder",
			"link.csv: it is a symbolic link"}},
		{"every name", "*", []string{
			"bad\nname.csv: its name holds a line break or another control character",
			"done: it is a folder",
			"folder.csv: it is a folder",
			"link.csv: it is a symbolic link",
			"notes: it is a folder"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, "a.csv", "sku\nA1\n")
			write(t, dir, "folder.csv/inside.csv", "sku\nF1\n")
			write(t, dir, "notes/readme.txt", "not for the flow")
			write(t, dir, ".hidden/x.csv", "sku\nH1\n")
			write(t, dir, "bad\nname.csv", "sku\nB1\n")
			if err := os.MkdirAll(filepath.Join(dir, "done"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("done", filepath.Join(dir, "archive")); err != nil { // a link inside the folder works
				t.Fatal(err)
			}
			for _, own := range []string{"error", "processing"} {
				if err := os.MkdirAll(filepath.Join(dir, own), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Symlink("a.csv", filepath.Join(dir, "link.csv")); err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			// The engine opens the connection again for each run; the
			// instances share what the connection keeps.
			env := connectors.Env{Logger: slog.New(slog.NewJSONHandler(&logs, nil)), DataDir: t.TempDir(),
				Files: connectors.FilesRoot{Dir: dir}, Shared: connectors.NewShared()}
			values := map[string]any{FieldFolder: ".", FieldPattern: tc.pattern, FieldKeyField: "sku"}
			got := read(t, openFlowConn(t, "folder", values, nil, env), "", 10, -1)
			if strings.Join(got.records, "|") != "A1 sku=A1" {
				t.Fatalf("read %q", got.records)
			}
			if logged := skipLog(t, &logs); strings.Join(logged, "|") != strings.Join(tc.want, "|") {
				t.Fatalf("logged\n%s\nwant\n%s", strings.Join(logged, "\n"), strings.Join(tc.want, "\n"))
			}
			logs.Reset()
			read(t, openFlowConn(t, "folder", values, nil, env), got.cursor, 10, -1)
			if logged := skipLog(t, &logs); len(logged) != 0 {
				t.Fatalf("the next run logged them again: %q", logged)
			}
		})
	}
}
