package ui

import (
	"net/http"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app"
)

// userListData is the admins' page of users.
type userListData struct {
	page
	Users []*core.Record
	Roles []string
	// Errors are a refused change's, by the user's address and the field's
	// label; NewErrors the refused new user's, by field ("email", "role",
	// "password"), shown at the field.
	Errors, NewErrors map[string]string
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
	return u.renderUsersWith(r, status, userListData{Email: email, Role: role, Errors: errs})
}

// renderNewUserRefused shows the users with the refused new user's form as
// typed, each error at its field.
// An error of another field is shown with the field's name.
func (u *UI) renderNewUserRefused(r *request, email, role string, errs map[string]string) error {
	d := userListData{Email: email, Role: role, NewErrors: map[string]string{}, Errors: map[string]string{}}
	for field, msg := range errs {
		if _, ok := userFieldLabels[field]; ok {
			d.NewErrors[field] = msg
		} else {
			d.Errors[field] = msg
		}
	}
	return u.renderUsersWith(r, http.StatusUnprocessableEntity, d)
}

// renderUsersWith shows the users with d's form and errors.
func (u *UI) renderUsersWith(r *request, status int, d userListData) error {
	users, err := u.app().FindRecordsByFilter("users", "", "email", 0, 0)
	if err != nil {
		return err
	}
	d.page, d.Users, d.Roles = r.page("users", r.L.T("nav.users")), users, app.Roles
	return r.render(status, "users", d)
}

// userFieldLabels name a user's fields as the page's forms do.
var userFieldLabels = map[string]string{"email": "login.email", "password": "users.password", "role": "users.role"}
