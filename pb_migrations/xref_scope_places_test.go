package pb_migrations

import (
	"fmt"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/files"
)

// folderPlace is the place of a flow writing to a folder connection with
// the target options opts.
func folderPlace(t *testing.T, opts map[string]any) string {
	t.Helper()
	s := files.FolderSpec()
	cfg, err := s.ResolveFlow(connectors.UseWrite, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s.PlaceOf(cfg)
}

// scopeXrefs returns the source ids of the xrefs kept in the scope of the
// connections, entity and place.
func scopeXrefs(t *testing.T, app core.App, source, target, entity, place string) []string {
	t.Helper()
	var ids []string
	err := app.DB().NewQuery(`SELECT x.source_id FROM xref_scopes s JOIN xrefs x ON x.scope = s.id
		WHERE s.source = {:source} AND s.target = {:target} AND s.entity = {:entity} AND s.place = {:place} ORDER BY x.source_id`).
		Bind(dbx.Params{"source": source, "target": target, "entity": entity, "place": place}).Column(&ids)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestXrefScopesGetTheirFlowsPlaces: on upgrade, the xrefs of a file
// target's scope stay with the oldest flow writing there, so that neither
// a flow that was alone on its scope nor the oldest of several writes its
// records again; the younger flows of a shared scope start with none;
// scopes of API targets keep the place "".
func TestXrefScopesGetTheirFlowsPlaces(t *testing.T) {
	app := appBefore(t, "1766700000_xref_scope_places.go")
	conns := map[string]string{}
	for name, c := range map[string]struct {
		connector string
		config    map[string]any
	}{
		"Shop":  {"memory", map[string]any{"store": "s"}},
		"Files": {"folder", map[string]any{"folder": "shop"}},
		"ERP":   {"memory", map[string]any{"store": "e"}},
	} {
		conns[name] = saveRecord(t, app, "connections", map[string]any{"name": name, "connector": c.connector, "config": c.config})
	}
	integ := saveRecord(t, app, "integrations", map[string]any{"name": "All", "a": conns["Shop"], "b": conns["Files"], "enabled": true})
	flows := []struct {
		name, target, entity string
		options              map[string]any
	}{ // oldest first
		{"products to a", "Files", "product", map[string]any{"sub_folder": "a"}},
		{"products to b", "Files", "product", map[string]any{"sub_folder": "b"}},
		{"orders to c", "Files", "order", map[string]any{"sub_folder": "c", "format": "xml"}},
		{"products to erp", "ERP", "product", nil},
		{"products to erp by webhook", "ERP", "product", nil},
	}
	for i, f := range flows {
		id := saveRecord(t, app, "flows", map[string]any{"integration": integ, "name": f.name, "entity": f.entity,
			"source": conns["Shop"], "target": conns[f.target], "options": map[string]any{"target": f.options}})
		created := fmt.Sprintf("2026-12-0%d 10:00:00.000Z", i+1)
		if _, err := app.DB().NewQuery(`UPDATE flows SET created = {:c} WHERE id = {:id}`).
			Bind(dbx.Params{"c": created, "id": id}).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	scopes := []struct{ target, entity, sourceID string }{
		{"Files", "product", "p1"}, {"Files", "order", "o1"}, {"ERP", "product", "p1"},
	}
	for i, s := range scopes {
		if _, err := app.DB().NewQuery(`INSERT INTO xref_scopes (id, source, target, entity) VALUES ({:id}, {:source}, {:target}, {:entity})`).
			Bind(dbx.Params{"id": i + 1, "source": conns["Shop"], "target": conns[s.target], "entity": s.entity}).Execute(); err != nil {
			t.Fatal(err)
		}
		_, err := app.DB().NewQuery(`INSERT INTO xrefs (id, scope, source, target, entity, source_id, key, target_id, hash, created, updated)
			VALUES ({:id}, {:scope}, {:source}, {:target}, {:entity}, {:source_id}, 'k', 't', 'h', '', '')`).
			Bind(dbx.Params{"id": fmt.Sprintf("x0000000000000%d", i), "scope": i + 1, "source": conns["Shop"], "target": conns[s.target],
				"entity": s.entity, "source_id": s.sourceID}).Execute()
		if err != nil {
			t.Fatal(err)
		}
	}

	migrateUp(t, app)
	shop := conns["Shop"]
	tests := []struct {
		name, target, entity, place string
		want                        string
	}{
		{"the oldest of two flows keeps the xrefs", "Files", "product", folderPlace(t, map[string]any{"sub_folder": "a"}), "[p1]"},
		{"the younger one starts with none", "Files", "product", folderPlace(t, map[string]any{"sub_folder": "b"}), "[]"},
		{"a flow alone on its scope keeps it", "Files", "order", folderPlace(t, map[string]any{"sub_folder": "c", "format": "xml"}), "[o1]"},
		{"flows to an API share the xrefs", "ERP", "product", "", "[p1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fmt.Sprint(scopeXrefs(t, app, shop, conns[tt.target], tt.entity, tt.place)); got != tt.want {
				t.Errorf("xrefs %s; want %s", got, tt.want)
			}
		})
	}
	if n := len(scopeXrefs(t, app, shop, conns["Files"], "product", "")); n != 0 {
		t.Errorf("%d xrefs left in the file target's scope without a place", n)
	}
	// The scope's unique key holds the place: a second place of the same
	// connections and entity is numbered apart.
	if _, err := app.DB().NewQuery(`INSERT INTO xref_scopes (source, target, entity, place) VALUES ({:s}, {:t}, 'product', 'elsewhere')`).
		Bind(dbx.Params{"s": shop, "t": conns["Files"]}).Execute(); err != nil {
		t.Fatalf("a second place of one scope is refused: %v", err)
	}
}
