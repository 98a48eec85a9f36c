package ui

import (
	"errors"
	"net/http"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app"
)

// activityShowData is one transaction: its attempts, its payload at each
// stage and what can be done with it.
type activityShowData struct {
	page
	Tx          *core.Record
	Flow        *core.Record
	FlowName    string
	Payloads    app.Payloads
	CanRetry    bool
	CanResolve  bool
	PayloadsErr string
	// Seen is when the page read the transaction, for its retry form.
	Seen string
}

func (u *UI) activityShow(r *request) error {
	tx, err := u.app().FindRecordById("transactions", r.Request.PathValue("id"))
	if err != nil {
		return r.fail(http.StatusNotFound, "error.not_found")
	}
	d := activityShowData{page: r.page("activity", tx.GetString("key")), Tx: tx, FlowName: tx.GetString("flow_name")}
	if flow, err := u.app().FindRecordById("flows", tx.GetString("flow")); err == nil {
		d.Flow, d.FlowName = flow, flow.GetString("name")
	}
	p, err := u.sb.Engine().TransactionPayloads(tx.Id)
	switch {
	case errors.Is(err, app.ErrNotFound):
		return r.fail(http.StatusNotFound, "error.not_found")
	case err != nil:
		d.PayloadsErr = err.Error()
	}
	d.Payloads, d.Seen = p, seenNow()
	status := tx.GetString("status")
	d.CanRetry = d.Flow != nil && (status == app.StatusFailed || status == app.StatusSkipped)
	d.CanResolve = status == app.StatusFailed || status == app.StatusRetrying
	return r.render(http.StatusOK, "activity_show", d)
}
