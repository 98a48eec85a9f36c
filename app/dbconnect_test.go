package app

import (
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// TestEveryConnectionKeepsTheSettings: the reading connections and the
// single writer have PocketBase's settings and Switchboard's, and so does
// a connection opened again after PocketBase closed an idle one (a
// checkpoint interval set once by a statement went back to SQLite's
// default then).
func TestEveryConnectionKeepsTheSettings(t *testing.T) {
	base := core.NewBaseApp(core.BaseAppConfig{DataDir: t.TempDir(), DBConnect: DBConnect})
	if err := base.Bootstrap(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = base.ResetBootstrapState() })
	want := map[string]string{
		"journal_mode": "wal", "busy_timeout": "10000", "foreign_keys": "1", "synchronous": "1", "temp_store": "2",
		"cache_size": "-32000", "wal_autocheckpoint": "16000",
	}
	for _, tt := range []struct {
		name string
		db   dbx.Builder
	}{
		{"readers", base.ConcurrentDB()},
		{"writer", base.NonconcurrentDB()},
		{"auxiliary writer", base.AuxNonconcurrentDB()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			checkPragmas(t, tt.db, want)
			tt.db.(*dbx.DB).DB().SetMaxIdleConns(0) // every connection closes after use: the next one is new
			checkPragmas(t, tt.db, want)
			checkPragmas(t, tt.db, want)
		})
	}
}

func checkPragmas(t *testing.T, db dbx.Builder, want map[string]string) {
	t.Helper()
	for name, value := range want {
		var got string
		if err := db.NewQuery("PRAGMA " + name).Row(&got); err != nil {
			t.Fatal(err)
		}
		if got != value {
			t.Errorf("PRAGMA %s = %s, want %s", name, got, value)
		}
	}
}
