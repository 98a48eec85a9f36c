package app

import (
	"fmt"

	"github.com/pocketbase/dbx"
)

// walCheckpointPages copies the write-ahead log into the database every
// 2,000 pages (8 MB) instead of SQLite's 1,000: the commit that passes it
// copies them before it returns, and every webhook call waits behind it.
// At 8,000 pages those copies took 55 to 85 ms and set the intake's p99;
// at 2,000 they take a quarter of that, for as much CPU a record
// (docs/performance.md, change 29). PocketBase still truncates the log
// periodically.
const walCheckpointPages = 2000

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
