package pb_migrations

import (
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/switchboard-app/switchboard/app/seenkeys"
)

func init() {
	m.Register(seenDeliveriesUp, seenDeliveriesDown)
}

// seenDeliveriesUp remembers webhook deliveries in a table of short keys
// instead of the collection `deliveries`. A call left a row there of its
// flow, its keys, an id and a time, with three index entries: about 196
// bytes a call, a sixth of what a transaction took on disk, and three
// B-tree changes for every call. A key of seen_deliveries is 16 bytes that
// stand for the flow and one key of the delivery (app/seenkeys), and the
// row holds only it and the time it was seen, in milliseconds: about 63
// bytes with the index of times that the pruning reads. The deliveries the
// collection remembers are carried over, so that a replay of one is still
// recognised.
func seenDeliveriesUp(app core.App) error {
	err := runSteps(app, []sqlStep{
		{"creating seen_deliveries", `CREATE TABLE IF NOT EXISTS seen_deliveries
			(key BLOB PRIMARY KEY, seen INTEGER NOT NULL) WITHOUT ROWID`},
		{"indexing them by time", `CREATE INDEX IF NOT EXISTS idx_seen_deliveries_seen ON seen_deliveries (seen)`},
	})
	if err != nil {
		return err
	}
	c, err := app.FindCollectionByNameOrId("deliveries")
	if err != nil {
		return nil // made without it
	}
	if err := carryOverDeliveries(app); err != nil {
		return err
	}
	return app.Delete(c)
}

// oldDelivery is a row of the collection `deliveries`.
type oldDelivery struct {
	Row      int64  `db:"rowid"`
	Flow     string `db:"flow"`
	Delivery string `db:"delivery"`
	Content  string `db:"content"`
	Created  string `db:"created"`
}

// carryOverChunk bounds the deliveries read at once.
const carryOverChunk = 1000

// carryOverDeliveries remembers each key of the collection's deliveries
// in seen_deliveries, as seen when the delivery was, a chunk at a time.
func carryOverDeliveries(app core.App) error {
	read := app.DB().NewQuery(`SELECT rowid, flow, delivery, content, created FROM deliveries
		WHERE rowid > {:after} ORDER BY rowid LIMIT {:n}`)
	insert := app.DB().NewQuery(`INSERT INTO seen_deliveries (key, seen) VALUES ({:key}, {:seen})
		ON CONFLICT (key) DO UPDATE SET seen = max(seen, excluded.seen)`)
	for after := int64(0); ; {
		var rows []oldDelivery
		if err := read.Bind(dbx.Params{"after": after, "n": carryOverChunk}).All(&rows); err != nil {
			return fmt.Errorf("reading deliveries: %w", err)
		}
		for _, d := range rows {
			if err := rememberOldDelivery(insert, d); err != nil {
				return err
			}
			after = d.Row
		}
		if len(rows) < carryOverChunk {
			return nil
		}
	}
}

// rememberOldDelivery remembers the keys of one row of `deliveries`.
func rememberOldDelivery(insert *dbx.Query, d oldDelivery) error {
	seen := time.Now()
	if t, err := types.ParseDateTime(d.Created); err == nil && !t.IsZero() {
		seen = t.Time()
	}
	for _, key := range []string{d.Delivery, d.Content} {
		if key == "" {
			continue
		}
		p := dbx.Params{"key": seenkeys.For(d.Flow, key), "seen": seen.UnixMilli()}
		if _, err := insert.Bind(p).Execute(); err != nil {
			return fmt.Errorf("carrying over the deliveries of flow %s: %w", d.Flow, err)
		}
	}
	return nil
}

// seenDeliveriesDown makes the collection `deliveries` again, empty: the
// keys of seen_deliveries cannot be turned back into its rows, so a
// replay of a call taken before the downgrade is no longer recognised.
func seenDeliveriesDown(app core.App) error {
	if _, err := app.FindCollectionByNameOrId("deliveries"); err == nil {
		return nil
	}
	flows, err := app.FindCollectionByNameOrId("flows")
	if err != nil {
		return err
	}
	c := core.NewBaseCollection("deliveries")
	c.Fields.Add(
		&core.RelationField{Name: "flow", CollectionId: flows.Id, MaxSelect: 1, Required: true, CascadeDelete: true},
		&core.TextField{Name: "delivery", Max: 300, Help: "the app's delivery id; empty when it sends none"},
		&core.TextField{Name: "content", Max: 300},
		&core.AutodateField{Name: "created", OnCreate: true},
	)
	c.AddIndex("idx_deliveries_flow_delivery", true, "flow, delivery", "delivery != ''")
	c.AddIndex("idx_deliveries_flow_content", true, "flow, content", "content != ''")
	if err := save(app, c); err != nil {
		return err
	}
	return runSteps(app, []sqlStep{{"dropping seen_deliveries", `DROP TABLE IF EXISTS seen_deliveries`}})
}
