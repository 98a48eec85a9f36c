package pb_migrations

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

func TestFilesRootMigrationMakesFoldersInsideTheRootRelative(t *testing.T) {
	t.Setenv("SWITCHBOARD_FILES_ROOT", "")
	app, err := tests.NewTestAppWithConfig(core.BaseAppConfig{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Cleanup()
	root := filepath.Join(app.DataDir(), "files")
	if err := os.MkdirAll(filepath.Join(root, "exchange", "in"), 0o700); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(root, link); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, connector, folder, want string
	}{
		{"inside", "folder", filepath.Join(root, "exchange", "in"), "exchange/in"},
		{"the root itself", "folder", root, "."},
		{"inside through a link", "folder", filepath.Join(link, "exchange"), "exchange"},
		{"outside is left", "folder", "/srv/elsewhere", "/srv/elsewhere"},
		{"the data folder is left", "folder", app.DataDir(), app.DataDir()},
		{"relative is left", "folder", "in", "in"},
		{"ftp is left", "ftp", root, root},
	}
	ids := map[string]string{}
	for _, tt := range tests {
		ids[tt.name] = saveFolderConnection(t, app, tt.name, tt.connector, tt.folder)
	}
	if err := filesRootUp(app); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		rec, err := app.FindRecordById("connections", ids[tt.name])
		if err != nil {
			t.Fatal(err)
		}
		var config map[string]any
		if err := rec.UnmarshalJSONField("config", &config); err != nil {
			t.Fatal(err)
		}
		if config["folder"] != tt.want || config["pattern"] != "*.csv" {
			t.Errorf("%s: config %v, want folder %q and the pattern kept", tt.name, config, tt.want)
		}
	}
}

func saveFolderConnection(t *testing.T, app core.App, name, connector, folder string) string {
	t.Helper()
	col, err := app.FindCollectionByNameOrId("connections")
	if err != nil {
		t.Fatal(err)
	}
	rec := core.NewRecord(col)
	rec.Set("name", name)
	rec.Set("connector", connector)
	config, _ := json.Marshal(map[string]any{"folder": folder, "pattern": "*.csv"})
	rec.Set("config", string(config))
	if err := app.Save(rec); err != nil {
		t.Fatalf("saving %s: %v", name, err)
	}
	return rec.Id
}
