package ui

import (
	"net/http"
	"time"
)

// connectionShow shows a connection's form: editors change it, the other
// roles read it (secrets only as "set").
func (u *UI) connectionShow(r *request) error {
	rec, err := u.app().FindRecordById("connections", r.Request.PathValue("id"))
	if err != nil {
		return r.fail(http.StatusNotFound, "error.not_found")
	}
	reg, ok := u.sb.Registry().Lookup(rec.GetString("connector"))
	if !ok {
		return r.fail(http.StatusNotFound, "error.unknown_connector")
	}
	d := connectionData{page: r.page("connections", rec.GetString("name")), Record: rec, Spec: reg.Spec,
		Name: rec.GetString("name"), Action: "/connections/" + rec.Id}
	if token := r.Request.URL.Query().Get(verdictParam); token != "" {
		d.Verdict, _ = u.verdicts.find(token, r.user.Id, rec.Id, time.Now())
	}
	return u.renderConnection(r, http.StatusOK, d, recordConfigMap(rec))
}
