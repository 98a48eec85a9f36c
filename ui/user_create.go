package ui

import (
	"slices"
	"strings"

	"github.com/switchboard-app/switchboard/app"
)

// userCreate adds a user with a role and a first password.
func (u *UI) userCreate(r *request) error {
	email := strings.TrimSpace(r.Request.PostFormValue("email"))
	role := r.Request.PostFormValue("role")
	if !slices.Contains(app.Roles, role) {
		return u.renderNewUserRefused(r, email, app.RoleViewer, map[string]string{"role": r.L.T("users.bad_role")})
	}
	_, err := newUser(u.app(), email, r.Request.PostFormValue("password"), role)
	if errs := fieldErrors(r, err); errs != nil {
		return u.renderNewUserRefused(r, email, role, errs)
	}
	if err != nil {
		return err
	}
	return r.done("/users", "flash.user_added", 0)
}
