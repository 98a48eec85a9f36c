package demo

import (
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"path/filepath"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// Folder is the demo's folder under the files root.
const Folder = "demo"

// Result says what Install found or made.
type Result struct {
	// Created is true when this call created the demo, false when it was
	// there already (nothing was changed then).
	Created bool
	// Dir is the demo's absolute folder: FILES_ROOT/demo, by default
	// DATA_DIR/files/demo.
	Dir string
	// IDs of the demo's records.
	SupplierID, ShopID, IntegrationID, FlowID string
}

// Install creates the demo in the files root of the data folder dataDir
// (FILES_ROOT/demo) and in the app: the sample feeds, two folder
// connections, an integration and an enabled product flow. It is
// idempotent: when an integration named IntegrationName exists, it only
// reports it. The records are saved in one transaction through the app's
// validation hooks, so a failure leaves none behind.
func Install(app core.App, dataDir string) (Result, error) {
	if found, err := find(app, dataDir); err != nil || found.IntegrationID != "" {
		return found, err
	}
	files, err := createFilesDir(dataDir)
	if err != nil {
		return Result{}, fmt.Errorf("demo: %w", err)
	}
	root := filepath.Join(files, Folder)
	if err := layout(root); err != nil {
		return Result{}, err
	}
	res := Result{Created: true, Dir: root}
	err = app.RunInTransaction(func(tx core.App) error { return create(tx, &res) })
	if err != nil {
		return Result{}, fmt.Errorf("demo: creating records: %w", err)
	}
	app.Logger().Info("demo integration installed", slog.String("folder", root), slog.String("flow", res.FlowID))
	return res, nil
}

// find reports an installed demo by its integration's name.
func find(app core.App, dataDir string) (Result, error) {
	integ, err := app.FindFirstRecordByFilter("integrations", "name = {:name}", dbx.Params{"name": IntegrationName})
	if err != nil {
		if isNotFound(err) {
			return Result{}, nil
		}
		return Result{}, fmt.Errorf("demo: looking for the demo integration: %w", err)
	}
	res := Result{IntegrationID: integ.Id, SupplierID: integ.GetString("a"), ShopID: integ.GetString("b")}
	if sup, err := app.FindRecordById("connections", res.SupplierID); err == nil {
		var cfg struct {
			Folder string `json:"folder"`
		}
		if sup.UnmarshalJSONField("config", &cfg) == nil {
			res.Dir = filepath.Dir(filepath.Dir(inFiles(dataDir, cfg.Folder)))
		}
	}
	flow, err := app.FindFirstRecordByFilter("flows", "integration = {:id}", dbx.Params{"id": integ.Id})
	if err == nil {
		res.FlowID = flow.Id
	}
	return res, nil
}

func isNotFound(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// create saves the demo's records inside tx.
func create(tx core.App, res *Result) error {
	sup, err := save(tx, "connections", map[string]any{"name": SupplierName, "connector": "folder",
		"config": supplierConfig(path.Join(Folder, InboxDir))})
	if err != nil {
		return err
	}
	shop, err := save(tx, "connections", map[string]any{"name": ShopName, "connector": "folder",
		"config": shopConfig(path.Join(Folder, OutboxDir))})
	if err != nil {
		return err
	}
	integ, err := save(tx, "integrations", map[string]any{"name": IntegrationName, "a": sup.Id, "b": shop.Id, "enabled": true})
	if err != nil {
		return err
	}
	flow, err := save(tx, "flows", map[string]any{"integration": integ.Id, "name": FlowName, "entity": "product",
		"source": sup.Id, "target": shop.Id, "schedule": Schedule, "enabled": true,
		"options": flowOptions(), "mapping": flowMapping(), "rules": flowRules()})
	if err != nil {
		return err
	}
	res.SupplierID, res.ShopID, res.IntegrationID, res.FlowID = sup.Id, shop.Id, integ.Id, flow.Id
	return nil
}

// save creates a record through the app, so its validation hooks run.
func save(tx core.App, collection string, fields map[string]any) (*core.Record, error) {
	col, err := tx.FindCollectionByNameOrId(collection)
	if err != nil {
		return nil, fmt.Errorf("collection %s: %w", collection, err)
	}
	rec := core.NewRecord(col)
	for k, v := range fields {
		rec.Set(k, v)
	}
	if err := tx.Save(rec); err != nil {
		return nil, fmt.Errorf("saving %s %q: %w", collection, fields["name"], err)
	}
	return rec, nil
}
