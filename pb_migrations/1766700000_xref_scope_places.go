package pb_migrations

import (
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/files"
)

func init() {
	m.Register(xrefScopePlacesUp, nil)
}

// fileSpecs are the specs of the file connectors, whose flows write to
// places of their own (connectors.Spec.Place).
var fileSpecs = map[string]func() connectors.Spec{"folder": files.FolderSpec, "ftp": files.FTPSpec, "sftp": files.SFTPSpec}

// xrefScopePlacesUp gives each xref scope a place: where in the target its
// flows write. Flows writing to different places of one file connection
// (two sub-folders, say) then keep their own xrefs instead of the second
// skipping every record the first wrote as unchanged. The table is made
// again with the place in its unique key; each scope keeps its number, so
// the xrefs keep theirs, and every place is "" (an app's API, where all
// flows write to the same records).
//
// A scope whose target is a file connection then gets the place of the
// oldest flow between its connections of its entity, whose xrefs it
// holds unchanged: a scope only one flow used is that flow's, and nothing
// is written again. The other flows of a scope that several used (those
// whose records were skipped) get a scope of their own at their next write,
// and their next run writes every record into their place; each is named
// in a warning. A flow whose options no longer resolve is passed over.
func xrefScopePlacesUp(app core.App) error {
	steps := []sqlStep{
		{"making xref_scopes with places", `CREATE TABLE xref_scopes_places (id INTEGER PRIMARY KEY,
			source TEXT NOT NULL, target TEXT NOT NULL, entity TEXT NOT NULL, place TEXT NOT NULL DEFAULT '',
			UNIQUE (source, target, entity, place))`},
		{"copying xref_scopes", `INSERT INTO xref_scopes_places (id, source, target, entity, place)
			SELECT id, source, target, entity, '' FROM xref_scopes`},
		{"dropping the old xref_scopes", `DROP TABLE xref_scopes`},
		{"renaming xref_scopes_places", `ALTER TABLE xref_scopes_places RENAME TO xref_scopes`},
	}
	if err := runSteps(app, steps); err != nil {
		return err
	}
	flows, err := fileTargetFlows(app)
	if err != nil {
		return err
	}
	owned := map[[3]string]string{} // the place each file scope went to
	for _, f := range flows {
		place, ok := f.place()
		if !ok {
			continue
		}
		key := [3]string{f.Source, f.Target, f.Entity}
		kept, taken := owned[key]
		switch {
		case !taken:
			owned[key] = place
			if err := placeScope(app, f, place); err != nil {
				return err
			}
		case kept != place:
			migrationLog().Warn("a flow that shared its record links with an older flow writing elsewhere gets its own; its next run writes every record again",
				slog.String("flow", f.Name))
		}
	}
	return nil
}

// fileTargetFlow is a flow writing to a file connection.
type fileTargetFlow struct {
	ID        string `db:"id"`
	Name      string `db:"name"`
	Source    string `db:"source"`
	Target    string `db:"target"`
	Entity    string `db:"entity"`
	Options   string `db:"options"`
	Connector string `db:"connector"`
}

// fileTargetFlows lists the flows writing to file connections, oldest
// first.
func fileTargetFlows(app core.App) ([]fileTargetFlow, error) {
	var rows []fileTargetFlow
	err := app.DB().NewQuery(`SELECT f.id, f.name, f.source, f.target, f.entity, COALESCE(f.options, '') AS options, c.connector
		FROM flows f JOIN connections c ON c.id = f.target
		WHERE c.connector IN ('folder', 'ftp', 'sftp') ORDER BY f.created, f.id`).All(&rows)
	if err != nil {
		return nil, fmt.Errorf("listing the flows writing to file connections: %w", err)
	}
	return rows, nil
}

// place is where the flow writes, as the engine names it, and whether its
// options resolve.
func (f fileTargetFlow) place() (string, bool) {
	spec, ok := fileSpecs[f.Connector]
	if !ok {
		return "", false
	}
	var options map[string]any
	if f.Options != "" && json.Unmarshal([]byte(f.Options), &options) != nil {
		return "", false
	}
	target, _ := options["target"].(map[string]any)
	s := spec()
	cfg, err := s.ResolveFlow(connectors.UseWrite, target)
	if err != nil {
		return "", false
	}
	return s.PlaceOf(cfg), true
}

// placeScope gives the scope of the flow's connections and entity the
// flow's place.
func placeScope(app core.App, f fileTargetFlow, place string) error {
	_, err := app.DB().NewQuery(`UPDATE xref_scopes SET place = {:place}
		WHERE source = {:source} AND target = {:target} AND entity = {:entity} AND place = ''`).
		Bind(dbx.Params{"place": place, "source": f.Source, "target": f.Target, "entity": f.Entity}).Execute()
	if err != nil {
		return fmt.Errorf("giving flow %q its xrefs' place: %w", f.Name, err)
	}
	return nil
}
