package pb_migrations

import (
	"fmt"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/dbutils"
)

func init() {
	m.Register(usersEmailNoCaseUp, usersEmailNoCaseDown)
}

// usersEmailIndex is the users' unique index on their e-mail addresses,
// as PocketBase names it.
const usersEmailIndex = "idx_email__pb_users_auth_"

// usersEmailNoCaseUp makes the users' e-mail addresses unique whatever
// their case, and PocketBase's look-ups of them (sign-in, password
// resets, `switchboard user add`) case-insensitive: Ann@shop.example and
// ann@shop.example were two accounts, and a user who typed their address
// in another case than it was saved in could not sign in. A data folder
// that already holds two addresses differing only in case keeps the old
// index, and the migration logs them, so that the upgrade still starts;
// once an admin has removed one of each, the next start makes the index
// (UsersEmailNoCase).
func usersEmailNoCaseUp(app core.App) error {
	clashes, err := UsersEmailNoCase(app)
	if err != nil {
		return err
	}
	if len(clashes) > 0 {
		migrationLog().Warn("users' e-mail addresses stay case-sensitive: some differ only in case; remove one of each",
			"addresses", clashes)
	}
	return nil
}

// UsersEmailNoCase makes the users' unique e-mail index case-insensitive
// unless it is already, or unless some addresses differ only in case,
// which it returns.
func UsersEmailNoCase(app core.App) ([]string, error) {
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		return nil, err
	}
	if index, ok := dbutils.FindSingleColumnUniqueIndex(users.Indexes, core.FieldNameEmail); ok &&
		strings.EqualFold(index.Columns[0].Collate, "nocase") {
		return nil, nil
	}
	clashes, err := emailsDifferingInCase(app)
	if err != nil || len(clashes) > 0 {
		return clashes, err
	}
	return nil, setUsersEmailIndex(app, "`email` COLLATE NOCASE")
}

func usersEmailNoCaseDown(app core.App) error {
	return setUsersEmailIndex(app, "`email`")
}

// emailsDifferingInCase returns the users' addresses that another user's
// address equals but for its case.
func emailsDifferingInCase(app core.App) ([]string, error) {
	var clashes []string
	err := app.DB().NewQuery("SELECT email FROM users WHERE email != '' AND lower(email) IN " +
		"(SELECT lower(email) FROM users WHERE email != '' GROUP BY lower(email) HAVING count(*) > 1) ORDER BY email").
		Column(&clashes)
	if err != nil {
		return nil, fmt.Errorf("looking for users' addresses that differ only in case: %w", err)
	}
	return clashes, nil
}

// setUsersEmailIndex makes the users' unique e-mail index on column.
func setUsersEmailIndex(app core.App, column string) error {
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		return err
	}
	users.RemoveIndex(usersEmailIndex)
	users.AddIndex(usersEmailIndex, true, column, "`email` != ''")
	return save(app, users)
}
