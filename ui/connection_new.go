package ui

import (
	"net/http"

	"github.com/switchboard-app/switchboard/connectors"
)

// connectionNewData is the connector picker.
type connectionNewData struct {
	page
	Specs []connectors.Spec
}

// connectionNew shows the connectors to pick from, then the form of the
// one picked.
func (u *UI) connectionNew(r *request) error {
	name := r.Request.URL.Query().Get("connector")
	if reg, ok := u.sb.Registry().Lookup(name); ok {
		d := connectionData{page: r.page("connections", r.L.T("connection.new_title", reg.Spec.Title)),
			Spec: reg.Spec, Action: "/connections?connector=" + reg.Spec.Name}
		return u.renderConnection(r, http.StatusOK, d, nil)
	}
	return r.render(http.StatusOK, "connection_new",
		connectionNewData{page: r.page("connections", r.L.T("connection.pick")), Specs: u.sb.Registry().Specs()})
}
