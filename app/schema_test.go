package app

import (
	"testing"

	"github.com/switchboard-app/switchboard/app/schema"
)

// TestThisBuildKnowsItsOwnSchema: a data folder this build migrated, with
// PocketBase's own migrations and Switchboard's, holds no migration the
// check calls unknown.
func TestThisBuildKnowsItsOwnSchema(t *testing.T) {
	env := newTestEnv(t)
	var applied int
	if err := env.app.DB().NewQuery("SELECT COUNT(*) FROM _migrations WHERE file LIKE '1640988000%'").Row(&applied); err != nil || applied == 0 {
		t.Fatalf("PocketBase's own migrations are not recorded (%d, %v): the test proves nothing", applied, err)
	}
	if unknown, err := schema.Unknown(env.app.DB()); err != nil || len(unknown) != 0 {
		t.Fatalf("unknown migrations %v (%v)", unknown, err)
	}
}
