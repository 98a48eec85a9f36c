package ui

import (
	"net/http"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app"
)

// dashboardData is the overview: how the integrations are doing.
type dashboardData struct {
	page
	Integrations []integrationHealth
	Day          dayCounts
	Failed       int64
	Down         []*core.Record
	NeedsKey     string
}

// dayCounts are the runs and records of the last 24 hours.
type dayCounts struct {
	Runs      int64 `db:"runs"`
	Read      int64 `db:"read"`
	Succeeded int64 `db:"succeeded"`
	Failed    int64 `db:"failed"`
}

// integrationHealth is one integration's line on the dashboard.
type integrationHealth struct {
	Record  *core.Record
	Flows   int
	Failed  int64
	Healthy bool
}

func (u *UI) dashboard(r *request) error {
	d := dashboardData{page: r.page("dashboard", r.L.T("nav.dashboard"))}
	if err := u.app().DB().NewQuery(`SELECT COUNT(*) AS runs, COALESCE(SUM(read),0) AS read,
		COALESCE(SUM(succeeded),0) AS succeeded, COALESCE(SUM(failed),0) AS failed FROM runs WHERE started >= {:since}`).
		Bind(dbx.Params{"since": time.Now().Add(-24 * time.Hour).UTC().Format("2006-01-02 15:04:05.000Z")}).
		One(&d.Day); err != nil {
		return err
	}
	var err error
	if d.Failed, err = u.app().CountRecords("transactions", dbx.HashExp{"status": "failed"}); err != nil {
		return err
	}
	if d.Down, err = u.app().FindAllRecords("connections", dbx.In("status", statusValues(app.ConnAttentionStatuses())...)); err != nil {
		return err
	}
	if d.Integrations, err = u.integrationHealth(); err != nil {
		return err
	}
	if ready := u.sb.Ready(); ready != nil {
		d.NeedsKey = ready.Error()
	}
	return r.render(http.StatusOK, "dashboard", d)
}

func (u *UI) integrationHealth() ([]integrationHealth, error) {
	integs, err := u.app().FindRecordsByFilter("integrations", "", "name", 0, 0)
	if err != nil {
		return nil, err
	}
	out := make([]integrationHealth, 0, len(integs))
	for _, in := range integs {
		flows, err := u.app().FindAllRecords("flows", dbx.HashExp{"integration": in.Id})
		if err != nil {
			return nil, err
		}
		h := integrationHealth{Record: in, Flows: len(flows)}
		for _, f := range flows {
			n, err := u.app().CountRecords("transactions", dbx.HashExp{"flow": f.Id, "status": "failed"})
			if err != nil {
				return nil, err
			}
			h.Failed += n
		}
		h.Healthy = in.GetBool("enabled") && h.Failed == 0 && u.connectionsUp(in)
		out = append(out, h)
	}
	return out, nil
}

func (u *UI) connectionsUp(integ *core.Record) bool {
	for _, id := range []string{integ.GetString("a"), integ.GetString("b")} {
		c, err := u.app().FindRecordById("connections", id)
		if err != nil || app.ConnNeedsAttention(c.GetString("status")) {
			return false
		}
	}
	return true
}

// statusValues turns statuses into the values of an IN expression.
func statusValues(statuses []string) []any {
	out := make([]any, len(statuses))
	for i, s := range statuses {
		out[i] = s
	}
	return out
}
