package pb_migrations

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/files"
)

const flowOptionsMigration = "1765152000_flow_options.go"

// appBefore returns an app whose schema is what the migrations before
// file made: the database of the version before it.
func appBefore(t *testing.T, file string) core.App {
	t.Helper()
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: t.TempDir()})
	if err := app.Bootstrap(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.ResetBootstrapState() })
	migrateUpTo(t, app, file)
	return app
}

// migrateUpTo applies the migrations not yet applied that come before
// file, the first one left out.
func migrateUpTo(t *testing.T, app core.App, file string) {
	t.Helper()
	var before core.MigrationsList
	found := false
	for _, mig := range core.AppMigrations.Items() {
		if mig.File == file {
			found = true
			break
		}
		before.Add(mig)
	}
	if !found {
		t.Fatalf("migration %s is not registered", file)
	}
	if _, err := core.NewMigrationsRunner(app, before).Up(); err != nil {
		t.Fatal(err)
	}
}

// saveRecord stores a record as the version before the migration did:
// through PocketBase alone, with no checks of Switchboard's.
func saveRecord(t *testing.T, app core.App, collection string, fields map[string]any) string {
	t.Helper()
	col, err := app.FindCollectionByNameOrId(collection)
	if err != nil {
		t.Fatal(err)
	}
	rec := core.NewRecord(col)
	for k, v := range fields {
		rec.Set(k, v)
	}
	if err := app.Save(rec); err != nil {
		t.Fatalf("saving %s %v: %v", collection, fields["name"], err)
	}
	return rec.Id
}

func jsonOf(t *testing.T, app core.App, collection, id, field string) map[string]any {
	t.Helper()
	rec, err := app.FindRecordById(collection, id)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := rec.UnmarshalJSONField(field, &out); err != nil {
		t.Fatalf("%s %s %s: %v", collection, id, field, err)
	}
	return out
}

// TestFlowOptionsMigrationMovesFileSettingsToTheFlows: on a database of
// the version before, each file connection's per-use settings move into
// the options of the flows that use it, the reading ones under "source"
// and the writing ones under "target", and leave the connection.
func TestFlowOptionsMigrationMovesFileSettingsToTheFlows(t *testing.T) {
	app := appBefore(t, flowOptionsMigration)
	conns := map[string]string{}
	for name, c := range map[string]struct {
		connector string
		config    map[string]any
	}{
		"Inbox": {"folder", map[string]any{"folder": "in", "pattern": "*.csv", "format": "csv", "encoding": "windows-1252",
			"delimiter": ";", "quote": "'", "decimal_comma": "Prijs", "key_field": "sku", "after_read": "delete",
			"archive_folder": "done", "claim_timeout": "5m", "timeout": "10s"}},
		"Outbox": {"sftp", map[string]any{"host": "sftp.example.com", "username": "shop", "folder": "/out", "format": "xml",
			"encoding": "utf-8", "decimal_comma": "price", "file_name": "p-{number}.xml", "write_mode": "per_record",
			"xml_root": "Products", "xml_record": "Product", "output_folder": "new", "host_key_fingerprint": "SHA256:abc"}},
		"Both": {"ftp", map[string]any{"host": "ftp.example.com", "username": "erp", "pattern": "*.xml", "format": "xml",
			"record_path": "/Orders/Order", "output_folder": "back", "tls": "explicit"}},
		"Unused": {"folder", map[string]any{"folder": "old", "pattern": "*.txt"}},
		"Shop":   {"http", map[string]any{"url": "https://shop.example.com", "pattern": "not a file setting"}},
		"Store":  {"memory", map[string]any{"store": "s"}},
		"Bare":   {"folder", nil},
	} {
		conns[name] = saveRecord(t, app, "connections", map[string]any{"name": name, "connector": c.connector, "config": c.config})
	}
	integ := saveRecord(t, app, "integrations", map[string]any{"name": "All", "a": conns["Inbox"], "b": conns["Outbox"], "enabled": true})
	flows := map[string]string{}
	for name, f := range map[string]struct {
		source, target string
		options        any
	}{
		"folder to sftp": {"Inbox", "Outbox", map[string]any{"ordered": true, "note": "kept by nobody", "target": map[string]any{"file_name": "own.xml"}}},
		"ftp to memory":  {"Both", "Store", nil},
		"shop to ftp":    {"Shop", "Both", map[string]any{}},
		"shop to memory": {"Shop", "Store", map[string]any{"ordered": false}},
		"bare to memory": {"Bare", "Store", nil},
	} {
		fields := map[string]any{"integration": integ, "name": name, "entity": "product",
			"source": conns[f.source], "target": conns[f.target]}
		if f.options != nil {
			fields["options"] = f.options
		}
		flows[name] = saveRecord(t, app, "flows", fields)
	}

	if _, err := core.NewMigrationsRunner(app, core.AppMigrations).Up(); err != nil {
		t.Fatal(err)
	}

	wantFlows := map[string]string{
		"folder to sftp": `{"ordered":true,` +
			`"source":{"after_read":"delete","archive_folder":"done","claim_timeout":"5m","decimal_comma":"Prijs","delimiter":";",` +
			`"encoding":"windows-1252","format":"csv","key_field":"sku","pattern":"*.csv","quote":"'"},` +
			`"target":{"encoding":"utf-8","file_name":"own.xml","format":"xml","output_folder":"new","write_mode":"per_record",` +
			`"xml_record":"Product","xml_root":"Products"}}`,
		"ftp to memory":  `{"source":{"format":"xml","pattern":"*.xml","record_path":"/Orders/Order"}}`,
		"shop to ftp":    `{"target":{"format":"xml","output_folder":"back","record_path":"/Orders/Order"}}`,
		"shop to memory": `{"ordered":false}`,
		"bare to memory": `null`,
	}
	for name, want := range wantFlows {
		got, _ := json.Marshal(jsonOf(t, app, "flows", flows[name], "options"))
		if string(got) != want {
			t.Errorf("flow %q options\n%s\nwant\n%s", name, got, want)
		}
	}
	wantConns := map[string]map[string]any{
		"Inbox":  {"folder": "in", "timeout": "10s"},
		"Outbox": {"host": "sftp.example.com", "username": "shop", "folder": "/out", "host_key_fingerprint": "SHA256:abc"},
		"Both":   {"host": "ftp.example.com", "username": "erp", "tls": "explicit"},
		"Unused": {"folder": "old"},
		"Shop":   {"url": "https://shop.example.com", "pattern": "not a file setting"},
		"Store":  {"store": "s"},
		"Bare":   nil,
	}
	for name, want := range wantConns {
		if got := jsonOf(t, app, "connections", conns[name], "config"); !reflect.DeepEqual(got, want) {
			t.Errorf("connection %q config %v, want %v", name, got, want)
		}
	}
}

// TestFlowOptionsMigrationMovesWhatTheFlowsTake: every setting the
// migration moves is a flow field of the file connectors for the use it
// moves it to, so a migrated flow passes the checks of its next save; and
// every flow field but those that came after it (the sub-folder, and
// when a file is taken) was a setting that moves.
func TestFlowOptionsMigrationMovesWhatTheFlowsTake(t *testing.T) {
	spec := files.FolderSpec()
	newer := []string{files.FieldSubFolder, files.FieldSettleTime, files.FieldReadyMarker, files.FieldTemporaryNames}
	for use, names := range map[connectors.Use][]string{connectors.UseRead: readSettings, connectors.UseWrite: writeSettings} {
		for _, name := range names {
			if f, ok := spec.FlowField(name); !ok || f.Use&use == 0 {
				t.Errorf("%s moves to %s flows, but is no flow field for them", name, use)
			}
		}
		for _, f := range spec.FlowFieldsFor(use) {
			if !slices.Contains(newer, f.Name) && !slices.Contains(names, f.Name) {
				t.Errorf("flow field %s is for %s flows, but does not move to them", f.Name, use)
			}
		}
	}
}
