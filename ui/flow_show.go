package ui

import (
	"fmt"
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
	Map         mappingView
	MappingErr  string
	// Custom is the schedule when it is none of the presets.
	Custom string
	// Picked is the schedule the form shows chosen: the flow's, or the
	// one a refused save typed.
	Picked string
	// FormErr is why the schedule form's save was refused, at its field.
	FormErr string
}

// mappingView is a flow's mapping as the page shows it, read only.
type mappingView struct {
	InDefault, InOwn, OutOwn, OutDefault []mappings.Field
	Rules                                []mappings.Rule
}

func newMappingView(cfg mappings.FlowConfig) mappingView {
	v := mappingView{InOwn: cfg.InOverrides, OutOwn: cfg.OutOverrides, Rules: cfg.Rules}
	if cfg.In != nil {
		v.InDefault = cfg.In.Fields
	}
	if cfg.Out != nil {
		v.OutDefault = cfg.Out.Fields
	}
	return v
}

func isPreset(schedule string) bool {
	for _, p := range schedulePresets {
		if p.Value == schedule {
			return true
		}
	}
	return false
}

func (u *UI) flowShow(r *request) error {
	flow, err := u.app().FindRecordById("flows", r.Request.PathValue("id"))
	if err != nil {
		return r.fail(http.StatusNotFound, "error.not_found")
	}
	d, err := u.flowPage(r, flow)
	if err != nil {
		return err
	}
	return r.render(http.StatusOK, "flow", d)
}

// flowPage is a flow's page as stored, its schedule form showing the
// flow's schedule.
func (u *UI) flowPage(r *request, flow *core.Record) (flowData, error) {
	var err error
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
		return d, fmt.Errorf("flow %s: last runs: %w", flow.Id, err)
	}
	if cfg, err := u.sb.Engine().FlowMappingConfig(flow.Id); err != nil {
		d.MappingErr = err.Error()
	} else {
		d.Map = newMappingView(cfg)
	}
	d.Picked = flow.GetString("schedule")
	if !isPreset(d.Picked) {
		d.Custom = d.Picked
	}
	return d, nil
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
