package pb_migrations

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"
)

const usersEmailNoCaseMigration = "1767000000_users_email_nocase.go"

func addUser(app core.App, email string) error {
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		return err
	}
	rec := core.NewRecord(users)
	rec.SetEmail(email)
	rec.SetPassword("a long password")
	rec.Set("role", "viewer")
	return app.Save(rec)
}

// TestUsersEmailIsCaseInsensitive: after the migration, an address is
// found whatever its case (sign-in looks it up so) and a second user with
// the same address in another case is refused; a data folder that holds
// two such users already keeps them and upgrades all the same.
func TestUsersEmailIsCaseInsensitive(t *testing.T) {
	t.Run("new data folder", func(t *testing.T) {
		app := migratedApp(t)
		if err := addUser(app, "Ann@Shop.example"); err != nil {
			t.Fatal(err)
		}
		rec, err := app.FindAuthRecordByEmail("users", "ann@shop.example")
		if err != nil {
			t.Fatalf("the address in lower case finds no user: %v", err)
		}
		if rec.Email() != "Ann@Shop.example" {
			t.Fatalf("found %s", rec.Email())
		}
		if err := addUser(app, "ANN@shop.example"); err == nil {
			t.Fatal("a second user with the same address in another case was added")
		}
	})
	t.Run("upgrade with addresses that differ only in case", func(t *testing.T) {
		app := appBefore(t, usersEmailNoCaseMigration)
		for _, email := range []string{"bob@shop.example", "Bob@shop.example"} {
			if err := addUser(app, email); err != nil {
				t.Fatal(err)
			}
		}
		migrateUp(t, app)
		var n int
		if err := app.DB().NewQuery("SELECT count(*) FROM users").Row(&n); err != nil || n != 2 {
			t.Fatalf("users after the upgrade = %d (%v), want both kept", n, err)
		}
		if err := addUser(app, "BOB@shop.example"); err != nil {
			t.Fatalf("the index stayed case-sensitive, yet: %v", err)
		}
		clashes, err := UsersEmailNoCase(app)
		if err != nil || len(clashes) != 3 {
			t.Fatalf("clashes = %v, %v; want the three addresses", clashes, err)
		}
		// An admin removes two of them: the next start makes the index.
		if _, err := app.DB().NewQuery("DELETE FROM users WHERE email != 'bob@shop.example'").Execute(); err != nil {
			t.Fatal(err)
		}
		if clashes, err := UsersEmailNoCase(app); err != nil || len(clashes) != 0 {
			t.Fatalf("clashes = %v, %v; want none", clashes, err)
		}
		if err := addUser(app, "Bob@shop.example"); err == nil {
			t.Fatal("once no addresses differ only in case, a second Bob was still added")
		}
		if err := usersEmailNoCaseDown(app); err != nil {
			t.Fatalf("down: %v", err)
		}
	})
}
