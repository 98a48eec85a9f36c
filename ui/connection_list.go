package ui

import (
	"net/http"

	"github.com/pocketbase/pocketbase/core"
)

// connectionListData is the list of connections.
type connectionListData struct {
	page
	Connections []connectionRow
}

type connectionRow struct {
	Record *core.Record
	Title  string
}

func (u *UI) connectionList(r *request) error {
	recs, err := u.app().FindRecordsByFilter("connections", "", "name", 0, 0)
	if err != nil {
		return err
	}
	d := connectionListData{page: r.page("connections", r.L.T("nav.connections"))}
	for _, rec := range recs {
		row := connectionRow{Record: rec, Title: rec.GetString("connector")}
		if reg, ok := u.sb.Registry().Lookup(rec.GetString("connector")); ok {
			row.Title = reg.Spec.Title
		}
		d.Connections = append(d.Connections, row)
	}
	return r.render(http.StatusOK, "connections", d)
}
