package pb_migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(xrefScopesUp, xrefScopesDown)
}

// xrefScopesUp keys the xrefs' two indexes by a small number instead of
// the two connection ids and the entity they repeated in every entry
// (about 45 bytes in each index, for every source record): xref_scopes
// numbers each (source, target, entity) once, and an xref carries its
// number in scope. The indexes become (scope, source_id), unique, and
// (scope, key). The xref keeps its source, target and entity, so that
// deleting either connection still deletes it; a scope's number is never
// given to another (its row stays when the connections go).
func xrefScopesUp(app core.App) error {
	c, err := app.FindCollectionByNameOrId("xrefs")
	if err != nil {
		return err
	}
	c.RemoveIndex("idx_xrefs_identity")
	c.RemoveIndex("idx_xrefs_key")
	c.Fields.Add(&core.NumberField{Name: "scope", OnlyInt: true, Hidden: true,
		Help: "the number of (source, target, entity) in xref_scopes"})
	if err := save(app, c); err != nil {
		return err
	}
	steps := []sqlStep{
		{"creating xref_scopes", `CREATE TABLE IF NOT EXISTS xref_scopes (id INTEGER PRIMARY KEY,
			source TEXT NOT NULL, target TEXT NOT NULL, entity TEXT NOT NULL, UNIQUE (source, target, entity))`},
		{"numbering the xrefs' scopes", `INSERT OR IGNORE INTO xref_scopes (source, target, entity)
			SELECT DISTINCT source, target, entity FROM xrefs`},
		{"giving each xref its scope", `UPDATE xrefs SET scope = (SELECT s.id FROM xref_scopes s
			WHERE s.source = xrefs.source AND s.target = xrefs.target AND s.entity = xrefs.entity)`},
	}
	if err := runSteps(app, steps); err != nil {
		return err
	}
	c.AddIndex("idx_xrefs_scope_source", true, "scope, source_id", "")
	c.AddIndex("idx_xrefs_scope_key", false, "scope, key", "")
	return save(app, c)
}

// xrefScopesDown restores the indexes of the connections and the entity,
// which every xref still carries.
func xrefScopesDown(app core.App) error {
	c, err := app.FindCollectionByNameOrId("xrefs")
	if err != nil {
		return err
	}
	c.RemoveIndex("idx_xrefs_scope_source")
	c.RemoveIndex("idx_xrefs_scope_key")
	c.Fields.RemoveByName("scope")
	c.AddIndex("idx_xrefs_identity", true, "source, target, entity, source_id", "")
	c.AddIndex("idx_xrefs_key", false, "source, target, entity, key", "")
	if err := save(app, c); err != nil {
		return err
	}
	if _, err := app.DB().NewQuery(`DROP TABLE IF EXISTS xref_scopes`).Execute(); err != nil {
		return fmt.Errorf("dropping xref_scopes: %w", err)
	}
	return nil
}
