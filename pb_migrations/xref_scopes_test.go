package pb_migrations

import (
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
)

// TestXrefScopesNumberStoredXrefs: xrefs stored before the migration get
// the number of their connections and entity, one number for each of
// them, and are found by it through the new indexes; the old indexes,
// which repeated the connections and the entity, are gone, and the
// number keeps one xref per source record of a scope.
func TestXrefScopesNumberStoredXrefs(t *testing.T) {
	app := appBefore(t, "1766200000_xref_scopes.go")
	stored := []struct{ id, source, target, entity, sourceID string }{
		{"x00000000000001", "conn0000000000a", "conn0000000000b", "product", "p1"},
		{"x00000000000002", "conn0000000000a", "conn0000000000b", "product", "p2"},
		{"x00000000000003", "conn0000000000a", "conn0000000000b", "order", "p1"},
		{"x00000000000004", "conn0000000000b", "conn0000000000a", "product", "p1"},
	}
	for _, x := range stored {
		_, err := app.DB().NewQuery(`INSERT INTO xrefs (id, source, target, entity, source_id, key, target_id, hash, created, updated)
			VALUES ({:id}, {:source}, {:target}, {:entity}, {:source_id}, 'k', 't', 'h', '2026-12-01 10:00:00.000Z', '2026-12-01 10:00:00.000Z')`).
			Bind(dbx.Params{"id": x.id, "source": x.source, "target": x.target, "entity": x.entity, "source_id": x.sourceID}).Execute()
		if err != nil {
			t.Fatal(err)
		}
	}
	migrateUp(t, app)
	scopes := map[string]int64{}
	for _, x := range stored {
		var scope int64
		if err := app.DB().NewQuery(`SELECT x.scope FROM xrefs x INDEXED BY idx_xrefs_scope_source
			JOIN xref_scopes s ON s.id = x.scope
			WHERE s.source = {:source} AND s.target = {:target} AND s.entity = {:entity} AND x.source_id = {:source_id}`).
			Bind(dbx.Params{"source": x.source, "target": x.target, "entity": x.entity, "source_id": x.sourceID}).Row(&scope); err != nil {
			t.Fatalf("xref %s is not found by its scope: %v", x.id, err)
		}
		scopes[x.source+x.target+x.entity] = scope
	}
	seen := map[int64]bool{}
	for _, n := range scopes {
		if n == 0 || seen[n] {
			t.Fatalf("scopes %v; want a distinct number for each", scopes)
		}
		seen[n] = true
	}
	var indexes string
	if err := app.DB().NewQuery(`SELECT group_concat(name, ' ') FROM sqlite_master WHERE type = 'index' AND tbl_name = 'xrefs'`).
		Row(&indexes); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(indexes, "idx_xrefs_identity") || strings.Contains(indexes, "idx_xrefs_key ") ||
		!strings.Contains(indexes, "idx_xrefs_scope_key") {
		t.Errorf("the xrefs' indexes are %s", indexes)
	}
	_, err := app.DB().NewQuery(`INSERT INTO xrefs (id, scope, source, target, entity, source_id, key, target_id, hash, created, updated)
		VALUES ('x00000000000005', {:scope}, 'conn0000000000a', 'conn0000000000b', 'product', 'p1', '', '', '', '', '')`).
		Bind(dbx.Params{"scope": scopes["conn0000000000aconn0000000000bproduct"]}).Execute()
	if err == nil {
		t.Error("a second xref of p1 in its scope was stored")
	}
}
