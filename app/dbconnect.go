package app

import (
	"fmt"

	"github.com/pocketbase/dbx"
)

// walCheckpointPages is how long the write-ahead log may grow before the
// writer copies it into the database itself, at the end of a commit that
// every webhook call then waits behind, fsyncs included. The checkpointer
// beside the writer (checkpoint.go) copies the log every
// walCheckpointEvery, so the writer's own copy is a safety valve: under a
// sustained load it copies what the checkpointer has not yet, and lets the
// log start again from its beginning (docs/performance.md, change 35; it
// was 2,000 pages, change 29, when the writer made every copy). PocketBase
// still truncates the log periodically.
const walCheckpointPages = 16000

// dbPragmas are the settings of every SQLite connection Switchboard opens,
// given in the connection string rather than set once by a statement:
// PocketBase closes a connection that idled for three minutes and opens a
// new one, which would come back with SQLite's defaults. They are
// PocketBase's connection settings (core.DefaultDBConnect;
// the busy timeout first, so that a connection waits before it switches
// to WAL), then Switchboard's. (A page cache smaller than PocketBase's
// 32 MB spares the writer a walk of it at each commit, 4% of the CPU
// under the benchmark's load, but reads those pages again: no faster,
// docs/performance.md.)
var dbPragmas = "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=journal_size_limit(200000000)" +
	"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)&_pragma=temp_store(MEMORY)&_pragma=cache_size(-32000)" +
	fmt.Sprintf("&_pragma=wal_autocheckpoint(%d)", walCheckpointPages)

// DBConnect opens one of the appliance's SQLite databases with
// Switchboard's connection settings; it is PocketBase's DBConnect.
func DBConnect(dbPath string) (*dbx.DB, error) {
	db, err := dbx.Open("sqlite", dbPath+dbPragmas)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", dbPath, err)
	}
	return db, nil
}
