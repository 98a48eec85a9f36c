package pb_migrations

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(filesRootUp, nil)
}

// filesRootUp gives "folder" connections the folder form the files root
// asks for: an absolute folder that lies inside the files root becomes the
// same folder relative to it. Any other absolute folder is left as it is;
// the app refuses it, at run and at the next save, saying how to move it.
func filesRootUp(app core.App) error {
	var rows []struct {
		ID     string `db:"id"`
		Name   string `db:"name"`
		Config string `db:"config"`
	}
	err := app.DB().NewQuery("SELECT id, name, config FROM connections WHERE connector = 'folder'").All(&rows)
	if err != nil {
		return fmt.Errorf("listing folder connections: %w", err)
	}
	root := filesRoot(app.DataDir())
	for _, r := range rows {
		var config map[string]any
		if json.Unmarshal([]byte(r.Config), &config) != nil {
			continue
		}
		folder, _ := config["folder"].(string)
		if !filepath.IsAbs(folder) {
			continue
		}
		rel, inside := relativeTo(root, folder)
		if !inside {
			migrationLog().Warn("a folder connection's folder is outside the files root: it will not run until it is moved",
				slog.String("connection", r.Name), slog.String("folder", folder), slog.String("files_root", root))
			continue
		}
		config["folder"] = rel
		if err := saveConfig(app, r.ID, config); err != nil {
			return fmt.Errorf("connection %q: %w", r.Name, err)
		}
	}
	return nil
}

func saveConfig(app core.App, id string, config map[string]any) error {
	data, err := json.Marshal(config)
	if err != nil {
		return err
	}
	_, err = app.DB().NewQuery("UPDATE connections SET config = {:config} WHERE id = {:id}").
		Bind(dbx.Params{"config": string(data), "id": id}).Execute()
	return err
}

// filesRoot is the files root as the app finds it (app.FilesDir):
// SWITCHBOARD_FILES_ROOT, or the data folder's "files" sub-folder.
func filesRoot(dataDir string) string {
	dir := os.Getenv("SWITCHBOARD_FILES_ROOT")
	if dir == "" {
		dir = filepath.Join(dataDir, "files")
	}
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return filepath.Clean(dir)
}

// relativeTo returns folder relative to root, with slashes, when it lies
// inside root as written or with symbolic links resolved.
func relativeTo(root, folder string) (string, bool) {
	for _, pair := range [][2]string{{root, folder}, {resolved(root), resolved(folder)}} {
		rel, err := filepath.Rel(pair[0], filepath.Clean(pair[1]))
		if err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return filepath.ToSlash(rel), true
		}
	}
	return "", false
}

func resolved(p string) string {
	if real, err := filepath.EvalSymlinks(p); err == nil {
		return real
	}
	return p
}
