package ui

import (
	"net/http"
)

// connectionCheck tests a connection and shows the verdict in words, with
// the facts worth keeping (a certificate's or host key's fingerprint).
func (u *UI) connectionCheck(r *request) error {
	result, err := u.sb.TestConnectionByID(r.Request.Context(), r.Request.PathValue("id"))
	if err != nil {
		return r.fail(http.StatusNotFound, "error.not_found")
	}
	rec, err := u.app().FindRecordById("connections", r.Request.PathValue("id"))
	if err != nil {
		return r.fail(http.StatusNotFound, "error.not_found")
	}
	reg, ok := u.sb.Registry().Lookup(rec.GetString("connector"))
	if !ok {
		return r.fail(http.StatusNotFound, "error.unknown_connector")
	}
	d := connectionData{page: r.page("connections", rec.GetString("name")), Record: rec, Spec: reg.Spec,
		Name: rec.GetString("name"), Action: "/connections/" + rec.Id, Verdict: &result}
	return u.renderConnection(r, http.StatusOK, d, recordConfigMap(rec))
}
