package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(wizardDraftsUp, wizardDraftsDown)
}

// wizardDraftsUp keeps what a user chose in the web UI's wizard so far,
// one draft per user, so that one who leaves half way finds it again. The
// UI writes it from Go; the REST API leaves it to superusers.
func wizardDraftsUp(app core.App) error {
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		return err
	}
	c := core.NewBaseCollection("wizard_drafts")
	c.Fields.Add(
		&core.RelationField{Name: "user", CollectionId: users.Id, MaxSelect: 1, Required: true, CascadeDelete: true},
		&core.JSONField{Name: "data", MaxSize: 1 << 20, Help: "the wizard's steps so far; never a secret"},
	)
	addTimestamps(c)
	c.AddIndex("idx_wizard_drafts_user", true, "user", "")
	return save(app, c)
}

func wizardDraftsDown(app core.App) error {
	c, err := app.FindCollectionByNameOrId("wizard_drafts")
	if err != nil {
		return nil
	}
	return app.Delete(c)
}
