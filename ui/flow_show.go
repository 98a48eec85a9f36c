package ui

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app"
	"github.com/switchboard-app/switchboard/mappings"
)

// schedulePresets are the schedules offered by name; any cron expression
// may be typed instead.
var schedulePresets = []struct{ Key, Value string }{
	{"schedule.every5", "@every 5m"},
	{"schedule.hourly", "@hourly"},
	{"schedule.nightly", "0 2 * * *"},
	{"schedule.manual", ""},
}

// flowData is a flow's page.
type flowData struct {
	page
	Flow        *core.Record
	Integration *core.Record
	Source      string
	Target      string
	Presets     []struct{ Key, Value string }
	NextRuns    []time.Time
	ScheduleErr string
	Webhook     *app.WebhookInfo
	LocalURL    bool
	Runs        []*core.Record
	Mapping     mappings.FlowConfig
	MappingErr  string
}

func (u *UI) flowShow(r *request) error {
	flow, err := u.app().FindRecordById("flows", r.Request.PathValue("id"))
	if err != nil {
		return r.fail(http.StatusNotFound, "error.not_found")
	}
	d := flowData{page: r.page("integrations", flow.GetString("name")), Flow: flow, Presets: schedulePresets,
		Source: u.connectionName(flow.GetString("source")), Target: u.connectionName(flow.GetString("target"))}
	d.Integration, _ = u.app().FindRecordById("integrations", flow.GetString("integration"))
	if sched := flow.GetString("schedule"); sched != "" {
		if d.NextRuns, err = app.NextRuns(sched, time.Now(), 5); err != nil {
			d.ScheduleErr = err.Error()
		}
	}
	if r.can(app.EditorUp) && flow.GetBool("webhook") {
		if info, err := u.sb.Engine().FlowWebhook(flow.Id); err == nil {
			d.Webhook, d.LocalURL = &info, isLocalURL(info.URL)
		}
	}
	if d.Runs, err = u.app().FindRecordsByFilter("runs", "flow = {:flow}", "-started", 10, 0,
		map[string]any{"flow": flow.Id}); err != nil {
		return err
	}
	if d.Mapping, err = u.sb.Engine().FlowMappingConfig(flow.Id); err != nil {
		d.MappingErr = err.Error()
	}
	return r.render(http.StatusOK, "flow", d)
}

// isLocalURL tells whether a webhook address points at this machine only,
// so no other app can reach it.
func isLocalURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return true
	}
	host := u.Hostname()
	return host == "" || host == "localhost" || strings.HasPrefix(host, "127.") || host == "::1"
}
