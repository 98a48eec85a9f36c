package files

import (
	"strings"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
)

// connOf opens a folder connection on dir as one Switchboard whose
// connection keeps its private files in dataDir; process, when set, names
// the process it runs in, as another (stopped) process would be named.
func connOf(t *testing.T, dir, dataDir, process string, values map[string]any) *flowConn {
	t.Helper()
	v := map[string]any{FieldFolder: "."}
	for k, x := range values {
		v[k] = x
	}
	env := connectors.Env{Logger: quiet, DataDir: dataDir, Files: connectors.FilesRoot{Dir: dir}}
	c := openFlowConn(t, "folder", v, nil, env)
	if process != "" {
		c.owner.process = process
		c.journal.by = c.owner
	}
	return c
}

// TestClaimsOfAProcessThatIsGoneAreTakenUpAtOnce: a file claimed by a
// process that stopped before committing anything of it is read by the
// next run at once, not after the claim timeout; one claimed by another
// Switchboard waits for the timeout; one claimed by a run of this process
// that ended is read at once.
func TestClaimsOfAProcessThatIsGoneAreTakenUpAtOnce(t *testing.T) {
	tests := []struct {
		name    string
		claimer func(t *testing.T, dir, dataDir string) *flowConn
		readNow bool
	}{
		{"a stopped process of this Switchboard", func(t *testing.T, dir, dataDir string) *flowConn {
			return connOf(t, dir, dataDir, "0badf00d", nil)
		}, true},
		{"an ended run of this process", func(t *testing.T, dir, dataDir string) *flowConn {
			return connOf(t, dir, dataDir, "", nil)
		}, true},
		{"another Switchboard", func(t *testing.T, dir, _ string) *flowConn {
			return connOf(t, dir, t.TempDir(), "", nil)
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, dataDir := t.TempDir(), t.TempDir()
			write(t, dir, "a.csv", "n\n1\n2\n")
			if got := read(t, tt.claimer(t, dir, dataDir), "", 1, 1); len(got.records) != 1 {
				t.Fatalf("first run read %q", got.records)
			} // killed before its first page was committed: the cursor stays ""
			got := read(t, connOf(t, dir, dataDir, "", nil), "", 10, -1)
			if tt.readNow != (strings.Join(got.records, "|") == "a.csv:2 n=1|a.csv:3 n=2") {
				t.Fatalf("the next run read %q; want the file read: %v", got.records, tt.readNow)
			}
		})
	}
}
