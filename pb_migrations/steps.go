package pb_migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
)

// sqlStep is one SQL statement of a migration, named by what it does.
type sqlStep struct{ what, sql string }

// runSteps runs steps in order and stops at the first that fails.
func runSteps(app core.App, steps []sqlStep) error {
	for _, s := range steps {
		if _, err := app.DB().NewQuery(s.sql).Execute(); err != nil {
			return fmt.Errorf("%s: %w", s.what, err)
		}
	}
	return nil
}
