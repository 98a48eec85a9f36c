package pb_migrations

import (
	"maps"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

const disabledUsersMigration = "1765900240_disabled_users.go"

// ruleTexts maps "collection rule-index" to each user rule of every
// collection but the system ones; "nil" stands for a nil rule.
func ruleTexts(t *testing.T, app core.App) map[string]string {
	t.Helper()
	all, err := app.FindAllCollections()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, c := range all {
		if c.System {
			continue
		}
		for i, rule := range userRules(c) {
			text := "nil"
			if *rule != nil {
				text = **rule
			}
			out[c.Name+" "+ruleNames[i]] = text
		}
	}
	return out
}

var ruleNames = []string{"list", "view", "create", "update", "delete", "manage"}

// TestEveryRuleRefusesDisabledUsers: on a new data folder, every rule a
// user can meet begins with the guard that refuses a disabled user's
// token. A migration that sets a rule without whileEnabled fails here.
func TestEveryRuleRefusesDisabledUsers(t *testing.T) {
	app := migratedApp(t)
	guarded := 0
	for name, text := range ruleTexts(t, app) {
		switch {
		case text == "nil":
		case text == "":
			t.Errorf("%s rule is public; is that meant?", name)
		case !strings.HasPrefix(text, enabledGuard+" && ("):
			t.Errorf("%s rule %q does not begin with %q", name, text, enabledGuard)
		default:
			guarded++
		}
	}
	if guarded < 20 {
		t.Errorf("only %d rules are guarded", guarded)
	}
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := *users.UpdateRule, *whileEnabled(userSaveRule); got != want {
		t.Errorf("users' update rule %q, want %q", got, want)
	}
	if got, want := *users.DeleteRule, *whileEnabled(userDeleteRule); got != want {
		t.Errorf("users' delete rule %q, want %q", got, want)
	}
	if *users.AuthRule != "disabled = false" {
		t.Errorf("users' auth rule %q, want disabled = false", *users.AuthRule)
	}
}

// TestDisabledUsersMigration: on the database of the version before, the
// migration guards every rule once (running it again changes nothing),
// renews the token key of disabled users only, and down gives back the
// rules as they were.
func TestDisabledUsersMigration(t *testing.T) {
	app := appBefore(t, disabledUsersMigration)
	before := ruleTexts(t, app)
	user := func(email string, disabled bool) *core.Record {
		id := saveRecord(t, app, "users", map[string]any{"email": email, "password": "Passw0rd!123",
			"role": "editor", "disabled": disabled})
		rec, err := app.FindRecordById("users", id)
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	off, on := user("off@example.com", true), user("on@example.com", false)
	// Up to the one that drops the collection deliveries, whose rules
	// the test compares.
	migrateUpTo(t, app, "1766400000_seen_deliveries.go")
	up := ruleTexts(t, app)
	for name, text := range up {
		if text != "nil" && text != *whileEnabled(types.Pointer(text)) {
			t.Errorf("%s rule %q is not guarded", name, text)
		}
	}
	tokenKey := func(rec *core.Record) string {
		fresh, err := app.FindRecordById("users", rec.Id)
		if err != nil {
			t.Fatal(err)
		}
		return fresh.TokenKey()
	}
	if tokenKey(off) == off.TokenKey() {
		t.Error("a disabled user kept their token key")
	}
	if tokenKey(on) != on.TokenKey() {
		t.Error("an enabled user's token key changed")
	}
	if err := disabledUsersUp(app); err != nil {
		t.Fatal(err)
	}
	if again := ruleTexts(t, app); !maps.Equal(again, up) {
		t.Errorf("running the migration again changed the rules:\n%v\nwant\n%v", again, up)
	}
	// Down in the runner's order: the later migration first.
	if err := noSelfDeleteDown(app); err != nil {
		t.Fatal(err)
	}
	if err := disabledUsersDown(app); err != nil {
		t.Fatal(err)
	}
	if down := ruleTexts(t, app); !maps.Equal(down, before) {
		t.Errorf("down left the rules\n%v\nwant\n%v", down, before)
	}
}

func TestWhileEnabled(t *testing.T) {
	for _, c := range []struct {
		in   *string
		want *string
	}{
		{nil, nil},
		{types.Pointer(""), types.Pointer("")},
		{adminRule, types.Pointer(`@request.auth.disabled = false && (@request.auth.role = "admin")`)},
		{editorRule, types.Pointer(`@request.auth.disabled = false && (@request.auth.role = "admin" || @request.auth.role = "editor")`)},
	} {
		got := whileEnabled(c.in)
		if (got == nil) != (c.want == nil) || got != nil && *got != *c.want {
			t.Errorf("whileEnabled(%v) = %v, want %v", c.in, got, c.want)
			continue
		}
		if again := whileEnabled(got); again != got {
			t.Errorf("guarded twice: %v", *again)
		}
		if back := withoutGuard(got); (back == nil) != (c.in == nil) || back != nil && *back != *c.in {
			t.Errorf("withoutGuard(%v) = %v, want %v", got, back, c.in)
		}
	}
}
