package demo

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// Uninstall removes the demo: its transactions, its integration (with its
// flow, runs and xrefs, which PocketBase deletes with it), its two
// connections and its folder FILES_ROOT/demo (and dataDir/demo, where
// earlier versions kept it). It reports whether there was a demo
// integration to remove; removing twice is not an error.
func Uninstall(app core.App, dataDir string) (bool, error) {
	found, err := find(app, dataDir)
	if err != nil {
		return false, err
	}
	if found.IntegrationID != "" {
		err := app.RunInTransaction(func(tx core.App) error { return remove(tx, found) })
		if err != nil {
			return false, fmt.Errorf("demo: removing records: %w", err)
		}
	}
	dir := inFiles(dataDir, Folder)
	for _, d := range []string{dir, filepath.Join(dataDir, Folder)} {
		if err := os.RemoveAll(d); err != nil {
			return false, fmt.Errorf("demo: removing %s: %w", d, err)
		}
	}
	app.Logger().Info("demo removed", slog.String("folder", dir), slog.Bool("had_records", found.IntegrationID != ""))
	return found.IntegrationID != "", nil
}

// remove deletes the demo's activity, its integration (and so its flows),
// then its connections. A deleted flow keeps its failed transactions for
// a person to resolve; the demo's go with it.
func remove(tx core.App, found Result) error {
	_, err := tx.DB().NewQuery(`DELETE FROM transactions WHERE flow IN (SELECT id FROM flows WHERE integration = {:id})`).
		Bind(dbx.Params{"id": found.IntegrationID}).Execute()
	if err != nil {
		return fmt.Errorf("deleting the demo's transactions: %w", err)
	}
	ids := []struct{ collection, id string }{
		{"integrations", found.IntegrationID},
		{"connections", found.SupplierID},
		{"connections", found.ShopID},
	}
	for _, r := range ids {
		rec, err := tx.FindRecordById(r.collection, r.id)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("finding %s %s: %w", r.collection, r.id, err)
		}
		if err := tx.Delete(rec); err != nil {
			return fmt.Errorf("deleting %s %q: %w", r.collection, rec.GetString("name"), err)
		}
	}
	return nil
}
