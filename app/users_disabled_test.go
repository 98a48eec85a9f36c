package app

import (
	"net/http"
	"testing"
)

// TestDisabledUsers: a disabled user cannot sign in through the API and
// their tokens stop working on Switchboard's routes; nobody but an admin
// can disable or enable a user, themselves included.
func TestDisabledUsers(t *testing.T) {
	w := newWorld(t)
	viewer := w.env.users[RoleViewer]
	viewer.Set("disabled", true)
	if err := w.env.app.Save(viewer); err != nil {
		t.Fatal(err)
	}
	status, body := w.call(http.MethodPost, "/api/collections/users/auth-with-password", "",
		`{"identity":"viewer@example.com","password":"Passw0rd!123"}`)
	if status != http.StatusForbidden {
		t.Fatalf("a disabled user signing in = %d %s", status, truncate(body, 200))
	}
	if status, _ := w.call(http.MethodGet, APIPrefix+"/connectors", RoleViewer, ""); status != http.StatusForbidden {
		t.Fatalf("a disabled user's token on a route = %d, want 403", status)
	}
	self := "/api/collections/users/records/" + w.env.users[RoleOperator].Id
	if status, _ := w.call(http.MethodPatch, self, RoleOperator, `{"disabled":true}`); status != http.StatusNotFound {
		t.Fatalf("a user disabling themselves = %d, want 404", status)
	}
	if status, _ := w.call(http.MethodPatch, self, RoleOperator, `{"language":"nl","timezone":"Europe/Amsterdam"}`); status != http.StatusOK {
		t.Fatalf("a user setting their language = %d", status)
	}
	if status, _ := w.call(http.MethodPatch, "/api/collections/users/records/"+viewer.Id, RoleAdmin, `{"disabled":false}`); status != http.StatusOK {
		t.Fatalf("an admin enabling a user = %d", status)
	}
}
