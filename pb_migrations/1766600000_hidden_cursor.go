package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(hiddenCursorUp, hiddenCursorDown)
}

// hiddenCursorUp makes a flow's cursor a hidden column. A list paged by
// the app's own links keeps the next page's address there, and an app
// whose links repeat the query repeats an API key sent in it: as a
// hidden column, no filter or sort of a non-superuser can touch it
// (which would read the key character by character), and Switchboard
// serves it redacted.
func hiddenCursorUp(app core.App) error {
	return setCursorHidden(app, true)
}

func hiddenCursorDown(app core.App) error {
	return setCursorHidden(app, false)
}

func setCursorHidden(app core.App, hidden bool) error {
	c, err := app.FindCollectionByNameOrId("flow_state")
	if err != nil {
		return err
	}
	c.Fields.GetByName("cursor").SetHidden(hidden)
	return save(app, c)
}
