package ui

import "net/http"

// connectionUpdate saves a changed connection; secrets left empty keep
// their values, and a new address clears those not typed again.
func (u *UI) connectionUpdate(r *request) error {
	rec, err := u.app().FindRecordById("connections", r.Request.PathValue("id"))
	if err != nil {
		return r.fail(http.StatusNotFound, "error.not_found")
	}
	reg, ok := u.sb.Registry().Lookup(rec.GetString("connector"))
	if !ok {
		return r.fail(http.StatusNotFound, "error.unknown_connector")
	}
	in := readConnectionForm(r.Request, reg.Spec)
	saved, err := u.sb.SaveConnection(rec, in)
	if errs := fieldErrors(r, err); errs != nil {
		fresh, _ := u.app().FindRecordById("connections", rec.Id)
		d := connectionData{page: r.page("connections", in.Name), Record: fresh, Spec: reg.Spec, Name: in.Name,
			Errors: retypeSecrets(r, in, errs), Action: "/connections/" + rec.Id}
		return u.renderConnection(r, http.StatusUnprocessableEntity, d, in.Config)
	}
	if err != nil {
		return err
	}
	if n := len(saved.SecretsCleared); n > 0 {
		return r.done("/connections/"+rec.Id, "flash.secrets_cleared", int64(n))
	}
	return r.done("/connections/"+rec.Id, "flash.saved", 0)
}
