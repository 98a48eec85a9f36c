package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(payloadDictionariesUp, payloadDictionariesDown)
}

// payloadDictionariesUp makes the table of the flows' payload
// dictionaries: each flow's payloads are compressed with the keys of its
// first outcome, its values left out (app/payload_dicts.go), which its
// records repeat and the built-in dictionary does not know. A dictionary
// is numbered, stored before any payloads use it, and never changed.
func payloadDictionariesUp(app core.App) error {
	return runSteps(app, []sqlStep{
		{"creating payload_dictionaries", `CREATE TABLE IF NOT EXISTS payload_dictionaries
			(id INTEGER PRIMARY KEY, flow TEXT NOT NULL, dictionary BLOB NOT NULL)`},
		{"indexing them by flow", `CREATE INDEX IF NOT EXISTS idx_payload_dictionaries_flow ON payload_dictionaries (flow)`},
	})
}

// payloadDictionariesDown keeps the dictionaries: payloads compressed with
// them cannot be read without them, and the table is no harm to a version
// that does not know it.
func payloadDictionariesDown(core.App) error { return nil }
