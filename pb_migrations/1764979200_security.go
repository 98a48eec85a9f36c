package pb_migrations

import (
	"fmt"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(securityUp, securityDown)
}

// securityUp closes doors around the role rules: sealed secrets can no
// longer be filtered or sorted on, only the engine writes a connection's
// health, admins manage users fully, and a resolved transaction names who
// resolved it by id instead of by e-mail address.
func securityUp(app core.App) error {
	for _, step := range []func(core.App) error{
		hideConnectionSecrets, protectConnectionHealth, letAdminsManageUsers, addResolvedBy,
	} {
		if err := step(app); err != nil {
			return err
		}
	}
	return nil
}

func securityDown(app core.App) error {
	conns, err := app.FindCollectionByNameOrId("connections")
	if err != nil {
		return err
	}
	conns.Fields.GetByName("secrets").SetHidden(false)
	setRules(conns, anyRoleRule, configWriteRule, editorRule)
	if err := save(app, conns); err != nil {
		return err
	}
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		return err
	}
	users.ManageRule = nil
	if err := save(app, users); err != nil {
		return err
	}
	tx, err := app.FindCollectionByNameOrId("transactions")
	if err != nil {
		return err
	}
	tx.Fields.RemoveByName("resolved_by")
	return save(app, tx)
}

// hideConnectionSecrets makes the sealed secrets a hidden column: PocketBase
// refuses hidden columns in every filter and sort of a non-superuser,
// through relations and @collection references too. The API still takes
// secrets on create and update: Switchboard's request hook reads them from
// the request body and seals them.
func hideConnectionSecrets(app core.App) error {
	c, err := app.FindCollectionByNameOrId("connections")
	if err != nil {
		return err
	}
	c.Fields.GetByName("secrets").SetHidden(true)
	return save(app, c)
}

// protectConnectionHealth keeps the fields the engine writes out of
// editors' requests.
func protectConnectionHealth(app core.App) error {
	c, err := app.FindCollectionByNameOrId("connections")
	if err != nil {
		return err
	}
	c.CreateRule, c.UpdateRule = connectionWriteRule, connectionWriteRule
	return save(app, c)
}

// letAdminsManageUsers gives admins what PocketBase calls managing an auth
// record: they see e-mail addresses and set another user's password or
// e-mail without knowing the old password.
func letAdminsManageUsers(app core.App) error {
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		return err
	}
	users.ManageRule = adminRule
	return save(app, users)
}

// addResolvedBy adds the user who resolved a transaction by hand, and
// takes the e-mail addresses that earlier notes carried out of them.
func addResolvedBy(app core.App) error {
	tx, err := app.FindCollectionByNameOrId("transactions")
	if err != nil {
		return err
	}
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		return err
	}
	tx.Fields.Add(&core.RelationField{Name: "resolved_by", CollectionId: users.Id, MaxSelect: 1,
		Help: "the user who resolved the transaction by hand"})
	if err := save(app, tx); err != nil {
		return err
	}
	return forgetResolverEmails(app)
}

// resolvedByPrefix starts the note of a transaction resolved by hand.
const resolvedByPrefix = "resolved by hand by "

// forgetResolverEmails rewrites notes "resolved by hand by EMAIL: note" to
// "resolved by hand: note".
func forgetResolverEmails(app core.App) error {
	var rows []struct {
		ID   string `db:"id"`
		Note string `db:"note"`
	}
	err := app.DB().NewQuery("SELECT id, note FROM transactions WHERE note LIKE {:prefix}").
		Bind(dbx.Params{"prefix": resolvedByPrefix + "%"}).All(&rows)
	if err != nil {
		return fmt.Errorf("reading resolve notes: %w", err)
	}
	for _, row := range rows {
		_, err := app.DB().Update("transactions", dbx.Params{"note": withoutResolver(row.Note)},
			dbx.HashExp{"id": row.ID}).Execute()
		if err != nil {
			return fmt.Errorf("rewriting the note of transaction %s: %w", row.ID, err)
		}
	}
	return nil
}

func withoutResolver(note string) string {
	rest := strings.TrimPrefix(note, resolvedByPrefix)
	if _, after, ok := strings.Cut(rest, ": "); ok {
		return "resolved by hand: " + after
	}
	return "resolved by hand"
}
