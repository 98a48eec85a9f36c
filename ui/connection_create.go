package ui

import (
	"net/http"
)

// connectionCreate saves a new connection through the same service, hooks
// and checks as the API.
func (u *UI) connectionCreate(r *request) error {
	reg, ok := u.sb.Registry().Lookup(r.Request.URL.Query().Get("connector"))
	if !ok {
		return r.fail(http.StatusBadRequest, "error.unknown_connector")
	}
	in := readConnectionForm(r.Request, reg.Spec)
	saved, err := u.sb.SaveConnection(nil, in)
	if errs := fieldErrors(r, err); errs != nil {
		d := connectionData{page: r.page("connections", r.L.T("connection.new_title", reg.Spec.Title)),
			Spec: reg.Spec, Name: in.Name, Errors: retypeSecrets(r, in, errs), Action: "/connections?connector=" + reg.Spec.Name}
		return u.renderConnection(r, http.StatusUnprocessableEntity, d, in.Config)
	}
	if err != nil {
		return err
	}
	return r.done("/connections/"+saved.Record.Id, "flash.saved", 0)
}
