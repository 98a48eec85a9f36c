package ui

import (
	"net/http"

	"github.com/switchboard-app/switchboard/app"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// integrationListData lists the integrations with their flows.
type integrationListData struct {
	page
	Integrations []integrationRow
	// Draft is true when the user left the wizard half way.
	Draft bool
}

type integrationRow struct {
	Record *core.Record
	A, B   string
	Flows  []*core.Record
}

func (u *UI) integrationList(r *request) error {
	integs, err := u.app().FindRecordsByFilter("integrations", "", "name", 0, 0)
	if err != nil {
		return err
	}
	d := integrationListData{page: r.page("integrations", r.L.T("nav.integrations")), Draft: r.can(app.EditorUp) && u.hasDraft(r.user)}
	for _, in := range integs {
		row := integrationRow{Record: in, A: u.connectionName(in.GetString("a")), B: u.connectionName(in.GetString("b"))}
		if row.Flows, err = u.app().FindAllRecords("flows", dbx.HashExp{"integration": in.Id}); err != nil {
			return err
		}
		d.Integrations = append(d.Integrations, row)
	}
	return r.render(http.StatusOK, "integrations", d)
}

func (u *UI) connectionName(id string) string {
	c, err := u.app().FindRecordById("connections", id)
	if err != nil {
		return "?"
	}
	return c.GetString("name")
}
