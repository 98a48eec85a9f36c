package ui

import (
	"net/http"
	"slices"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app"
)

// userUpdate changes a user's role, sets a new password, or disables or
// enables them; what it does is the form's "action". Disabling a user or
// changing their role ends their sessions and API tokens at once (the app's
// users hook renews their token key). Admins cannot lock themselves out:
// they cannot take their own admin role away or disable themselves.
func (u *UI) userUpdate(r *request) error {
	rec, err := u.app().FindRecordById("users", r.Request.PathValue("id"))
	if err != nil {
		return r.fail(http.StatusNotFound, "error.not_found")
	}
	self := rec.Id == r.user.Id
	key, err := u.applyUserAction(r, rec, self)
	if key == "" {
		if errs := fieldErrors(r, err); errs != nil {
			return u.renderUsers(r, http.StatusUnprocessableEntity, "", app.RoleViewer, ofUser(r, rec, errs))
		}
		return err
	}
	if err != nil {
		return r.refused("/users", key)
	}
	return r.done("/users", key, 0)
}

// applyUserAction carries out the action and names the message to show;
// "" with an error when saving failed.
func (u *UI) applyUserAction(r *request, rec *core.Record, self bool) (string, error) {
	switch r.Request.PostFormValue("action") {
	case "role":
		role := r.Request.PostFormValue("role")
		if !slices.Contains(app.Roles, role) || (self && role != app.RoleAdmin) {
			return "flash.user_not_changed", errRefused
		}
		rec.Set("role", role)
		return saved(u.app().Save(rec), "flash.user_changed")
	case "password":
		rec.SetPassword(r.Request.PostFormValue("password"))
		return saved(u.app().Save(rec), "flash.password_set")
	case "disable", "enable":
		if self {
			return "flash.user_not_changed", errRefused
		}
		rec.Set("disabled", r.Request.PostFormValue("action") == "disable")
		return saved(u.app().Save(rec), "flash.user_changed")
	}
	return "flash.user_not_changed", errRefused
}

// saved names the message of a save that worked; "" and the error of one
// that did not.
func saved(err error, key string) (string, error) {
	if err != nil {
		return "", err
	}
	return key, nil
}

// ofUser names the user a refused change was for, and the field by its
// label, in its errors' keys ("bob@example.com, Password"), which the page
// shows apart from the rows.
func ofUser(r *request, rec *core.Record, errs map[string]string) map[string]string {
	out := make(map[string]string, len(errs))
	for k, v := range errs {
		if key, ok := userFieldLabels[k]; ok {
			k = r.L.T(key)
		}
		out[rec.Email()+", "+k] = v
	}
	return out
}
