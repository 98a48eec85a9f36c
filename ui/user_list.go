package ui

import (
	"net/http"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app"
)

// userListData is the admins' page of users.
type userListData struct {
	page
	Users  []*core.Record
	Roles  []string
	Errors map[string]string
	// Email and Role are what the form to add a user had, kept when
	// it was refused.
	Email, Role string
}

func (u *UI) userList(r *request) error {
	return u.renderUsers(r, http.StatusOK, "", app.RoleViewer, nil)
}

// renderUsers shows the users, with what the form to add one had and
// the errors of a refused form.
func (u *UI) renderUsers(r *request, status int, email, role string, errs map[string]string) error {
	users, err := u.app().FindRecordsByFilter("users", "", "email", 0, 0)
	if err != nil {
		return err
	}
	return r.render(status, "users", userListData{page: r.page("users", r.L.T("nav.users")), Users: users,
		Roles: app.Roles, Errors: errs, Email: email, Role: role})
}
