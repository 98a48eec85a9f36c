package app

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// otherAdmin is the token name of a second admin, who disables and
// enables the others.
const otherAdmin = "other admin"

// withOtherAdmin adds a second admin to the world and returns it.
func withOtherAdmin(t *testing.T, w *world) *core.Record {
	t.Helper()
	if err := saveAuth(w.env.app, "users", "admin2@example.com", map[string]any{"role": RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	rec, err := w.env.app.FindAuthRecordByEmail("users", "admin2@example.com")
	if err != nil {
		t.Fatal(err)
	}
	w.env.tokens[otherAdmin] = mustToken(t, rec)
	return rec
}

// userPath is the REST API's address of a user.
func userPath(id string) string { return "/api/collections/users/records/" + id }

// setDisabled sets a user's disabled switch through the REST API as the
// other admin.
func setDisabled(t *testing.T, w *world, id string, disabled bool) {
	t.Helper()
	status, body := w.call(http.MethodPatch, userPath(id), otherAdmin, `{"disabled":`+strconv.FormatBool(disabled)+`}`)
	if status != http.StatusOK {
		t.Fatalf("the other admin setting disabled to %v = %d %s", disabled, status, truncate(body, 200))
	}
}

// The ways a user gets disabled.
var disablings = []struct {
	name string
	// tokenLives tells whether the token issued before still opens: only
	// when the switch was set behind Switchboard's back, so that the API
	// rules alone must refuse it.
	tokenLives bool
	disable    func(t *testing.T, w *world, user *core.Record)
}{
	{"by an admin through the REST API", false, func(t *testing.T, w *world, user *core.Record) {
		setDisabled(t, w, user.Id, true)
	}},
	{"through Go, as the web UI and the commands do", false, func(t *testing.T, w *world, user *core.Record) {
		rec, err := w.env.app.FindRecordById("users", user.Id)
		if err != nil {
			t.Fatal(err)
		}
		rec.Set("disabled", true)
		if err := w.env.app.Save(rec); err != nil {
			t.Fatal(err)
		}
	}},
	{"in the database only, keeping the token key", true, func(t *testing.T, w *world, user *core.Record) {
		_, err := w.env.app.DB().Update("users", dbx.Params{"disabled": true}, dbx.HashExp{"id": user.Id}).Execute()
		if err != nil {
			t.Fatal(err)
		}
	}},
}

// TestDisabledUsersGetNothing: a token issued before its user was disabled
// gets what no token gets, on every request of every collection (list,
// view, create, update, delete), on the user's own record and on every
// Switchboard route; a disabled admin cannot enable themselves again.
// However the switch was set, the collections' API rules refuse the user,
// and the token itself ends unless the switch was set behind Switchboard's
// back.
func TestDisabledUsersGetNothing(t *testing.T) {
	for _, role := range []string{RoleEditor, RoleAdmin} {
		for _, d := range disablings {
			t.Run(role+"/"+d.name, func(t *testing.T) {
				w := newWorld(t)
				withOtherAdmin(t, w)
				user := w.env.users[role]
				d.disable(t, w, user)
				for _, row := range collectionMatrix() {
					base := "/api/collections/" + row.name + "/records"
					item := base + "/" + w.ids[row.name]
					for _, op := range []struct {
						name, method, path, body string
						want                     string // what an anonymous caller gets
					}{
						{"list", http.MethodGet, base, "", row.list[0]},
						{"view", http.MethodGet, item, "", row.view[0]},
						{"create", http.MethodPost, base, row.createBody(w), row.create[0]},
						{"update", http.MethodPatch, item, row.updateBody(w), row.update[0]},
						{"delete", http.MethodDelete, item, "", row.delete[0]},
					} {
						status, body := w.call(op.method, op.path, role, op.body)
						if got := matrixCell(status, body, op.name == "list"); got != op.want {
							t.Errorf("%s %s = %s, want %s: %s", op.name, row.name, got, op.want, truncate(body, 200))
						}
					}
				}
				for _, op := range []struct{ method, body string }{
					{http.MethodGet, ""},
					{http.MethodPatch, `{"disabled":false}`},
					{http.MethodPatch, `{"name":"Still here"}`},
					{http.MethodDelete, ""},
				} {
					if status, body := w.call(op.method, userPath(user.Id), role, op.body); status != http.StatusNotFound {
						t.Errorf("%s of their own record %s = %d, want 404: %s", op.method, op.body, status, truncate(body, 200))
					}
				}
				if rec, err := w.env.app.FindRecordById("users", user.Id); err != nil || !rec.GetBool("disabled") || rec.GetString("name") != "" {
					t.Fatalf("the disabled user changed their record: %v, disabled %v, name %q", err, rec.GetBool("disabled"), rec.GetString("name"))
				}
				for _, row := range routeMatrix() {
					want := row.want[0]
					if d.tokenLives && want == "401" {
						want = "403"
					}
					status, body := w.call(row.method, row.path(w), role, row.body)
					if got := strconv.Itoa(status); got != want {
						t.Errorf("%s %s = %s, want %s: %s", row.method, row.pattern, got, want, truncate(body, 200))
					}
					if status == http.StatusForbidden && !strings.Contains(body, "Your account is disabled.") {
						t.Errorf("%s %s refused without saying why: %s", row.method, row.pattern, truncate(body, 200))
					}
				}
				// The admin who is still enabled works on.
				if status, body := w.call(http.MethodGet, "/api/collections/connections/records", otherAdmin, ""); matrixCell(status, body, true) != "200/5" {
					t.Errorf("an enabled admin's list of connections = %s", matrixCell(status, body, true))
				}
			})
		}
	}
}

// TestTokensEndWhenAccessChanges: the token issued before a user was
// disabled stays dead when they are enabled again, and one issued before
// their role changed ends too; a token issued afterwards works, as do the
// tokens of users nobody touched.
func TestTokensEndWhenAccessChanges(t *testing.T) {
	list := "/api/collections/connections/records"
	cell := func(w *world, who string) string {
		status, body := w.call(http.MethodGet, list, who, "")
		return matrixCell(status, body, true)
	}
	for _, c := range []struct {
		name   string
		change func(t *testing.T, w *world, user *core.Record)
	}{
		{"disabled and enabled again", func(t *testing.T, w *world, user *core.Record) {
			setDisabled(t, w, user.Id, true)
			setDisabled(t, w, user.Id, false)
		}},
		{"given another role", func(t *testing.T, w *world, user *core.Record) {
			if status, body := w.call(http.MethodPatch, userPath(user.Id), otherAdmin, `{"role":"operator"}`); status != http.StatusOK {
				t.Fatalf("setting the role = %d %s", status, truncate(body, 200))
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			withOtherAdmin(t, w)
			user := w.env.users[RoleEditor]
			c.change(t, w, user)
			if got := cell(w, RoleEditor); got != "200/0" {
				t.Errorf("the old token lists %s connections, want 200/0 (no token)", got)
			}
			if status, _ := w.call(http.MethodGet, APIPrefix+"/connectors", RoleEditor, ""); status != http.StatusUnauthorized {
				t.Errorf("the old token on a route = %d, want 401", status)
			}
			rec, err := w.env.app.FindRecordById("users", user.Id)
			if err != nil {
				t.Fatal(err)
			}
			w.env.tokens["new"] = mustToken(t, rec)
			if got := cell(w, "new"); got != "200/5" {
				t.Errorf("a new token lists %s connections, want 200/5", got)
			}
			for _, role := range []string{RoleViewer, RoleOperator, RoleAdmin, otherAdmin} {
				if got := cell(w, role); got != "200/5" {
					t.Errorf("the %s nobody touched lists %s connections, want 200/5", role, got)
				}
			}
		})
	}
}

// TestNobodySetsTheirOwnAccess: no user sets their own role or disabled
// switch through the REST API, admins included (an admin could lock
// themselves out, and a disabled one let themselves in again): a change is
// refused with 403 naming the field, while the record sent back whole with
// them unchanged is taken; they still edit the rest of their record, and an
// admin sets other users' access.
func TestNobodySetsTheirOwnAccess(t *testing.T) {
	w := newWorld(t)
	for _, role := range []string{RoleAdmin, RoleEditor, RoleViewer} {
		self := userPath(w.env.users[role].Id)
		for _, tc := range []struct {
			body    string
			changes bool
		}{
			{`{"disabled":true}`, true},
			{`{"disabled":false}`, false},
			{`{"role":"viewer"}`, role != RoleViewer},
			{`{"role":"admin"}`, role != RoleAdmin},
			{`{"name":"Me","role":"` + role + `"}`, false},
		} {
			want := http.StatusOK
			if tc.changes {
				want = http.StatusForbidden
			}
			if status, _ := w.call(http.MethodPatch, self, role, tc.body); status != want {
				t.Errorf("%s setting %s on themselves = %d, want %d", role, tc.body, status, want)
			}
		}
		rec, _ := w.env.app.FindRecordById("users", w.env.users[role].Id)
		if rec.GetBool("disabled") || rec.GetString("role") != role {
			t.Fatalf("%s changed their own access: disabled %v, role %s", role, rec.GetBool("disabled"), rec.GetString("role"))
		}
		if status, body := w.call(http.MethodPatch, self, role, `{"language":"nl","timezone":"Europe/Amsterdam"}`); status != http.StatusOK {
			t.Errorf("%s setting their language = %d %s", role, status, truncate(body, 200))
		}
	}
	status, body := w.call(http.MethodPost, "/api/collections/users/auth-with-password", "",
		`{"identity":"viewer@example.com","password":"Passw0rd!123"}`)
	if status != http.StatusOK {
		t.Fatalf("an enabled user signing in = %d %s", status, truncate(body, 200))
	}
	viewer := userPath(w.env.users[RoleViewer].Id)
	if status, _ := w.call(http.MethodPatch, viewer, RoleAdmin, `{"disabled":true}`); status != http.StatusOK {
		t.Fatalf("an admin disabling a user = %d", status)
	}
	status, body = w.call(http.MethodPost, "/api/collections/users/auth-with-password", "",
		`{"identity":"viewer@example.com","password":"Passw0rd!123"}`)
	if status != http.StatusForbidden {
		t.Fatalf("a disabled user signing in = %d %s", status, truncate(body, 200))
	}
	if status, _ := w.call(http.MethodPatch, viewer, RoleAdmin, `{"disabled":false}`); status != http.StatusOK {
		t.Fatalf("an admin enabling a user = %d", status)
	}
}

// TestNobodyDeletesThemselves: an admin cannot delete their own account
// through the REST API (the last admin would lock everybody out of the
// appliance's users and settings); another admin can, and nobody else.
func TestNobodyDeletesThemselves(t *testing.T) {
	w := newWorld(t)
	admin := w.env.users[RoleAdmin]
	other := withOtherAdmin(t, w)
	if status, body := w.call(http.MethodDelete, userPath(admin.Id), RoleAdmin, ""); status != http.StatusNotFound {
		t.Fatalf("an admin deleting themselves = %d %s, want 404", status, truncate(body, 200))
	}
	if _, err := w.env.app.FindRecordById("users", admin.Id); err != nil {
		t.Fatalf("the admin was deleted: %v", err)
	}
	if status, _ := w.call(http.MethodDelete, userPath(other.Id), RoleEditor, ""); status == http.StatusNoContent {
		t.Fatal("an editor deleted an admin")
	}
	if status, body := w.call(http.MethodDelete, userPath(admin.Id), otherAdmin, ""); status != http.StatusNoContent {
		t.Fatalf("another admin deleting the admin = %d %s, want 204", status, truncate(body, 200))
	}
}
