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
	Email  string
}

func (u *UI) userList(r *request) error {
	return u.renderUsers(r, http.StatusOK, "", nil)
}

func (u *UI) renderUsers(r *request, status int, email string, errs map[string]string) error {
	users, err := u.app().FindRecordsByFilter("users", "", "email", 0, 0)
	if err != nil {
		return err
	}
	return r.render(status, "users", userListData{page: r.page("users", r.L.T("nav.users")), Users: users,
		Roles: app.Roles, Errors: errs, Email: email})
}
