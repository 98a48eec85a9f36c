package ui

import (
	"net/http"
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app"
	"github.com/switchboard-app/switchboard/connectors"
)

// flowFormData is the form of a new or changed flow: its name, data and
// direction, schedule, webhook, switch and options, the options generated
// from the engine's and the connectors' flow fields.
type flowFormData struct {
	page
	Integration *core.Record
	Flow        *core.Record
	Action      string
	In          app.FlowInput
	// Forward is true when the flow goes from the integration's first
	// connection to its second.
	Forward      bool
	AName, BName string
	SourceName   string
	TargetName   string
	Entities     []string
	Presets      []struct{ Key, Value string }
	Custom       string
	CanWebhook   bool
	Groups       []optionGroup
	Errors       map[string]string
}

// flowEnds are a flow's integration and its two connections' specs, in
// the flow's direction.
type flowEnds struct {
	integration            *core.Record
	source, target         *core.Record
	sourceSpec, targetSpec connectors.Spec
}

// endsOf finds an integration's connections and specs for a direction.
func (u *UI) endsOf(integ *core.Record, forward bool) (flowEnds, bool) {
	ends := flowEnds{integration: integ}
	a, errA := u.app().FindRecordById("connections", integ.GetString("a"))
	b, errB := u.app().FindRecordById("connections", integ.GetString("b"))
	if errA != nil || errB != nil {
		return ends, false
	}
	ends.source, ends.target = a, b
	if !forward {
		ends.source, ends.target = b, a
	}
	src, ok1 := u.sb.Registry().Lookup(ends.source.GetString("connector"))
	tgt, ok2 := u.sb.Registry().Lookup(ends.target.GetString("connector"))
	ends.sourceSpec, ends.targetSpec = src.Spec, tgt.Spec
	return ends, ok1 && ok2
}

// entities lists what the source can read and the target can write.
func (f flowEnds) entities() []string {
	var out []string
	for _, e := range connectors.Entities() {
		if f.sourceSpec.CanRead(e) && f.targetSpec.CanWrite(e) {
			out = append(out, string(e))
		}
	}
	return out
}

func (f flowEnds) optionSets() optionSets { return flowOptionFields(f.sourceSpec, f.targetSpec) }

// flowNew shows the form of a new flow of an integration; the query
// chooses its direction (dir=ba: from the second connection to the
// first) and data (entity).
func (u *UI) flowNew(r *request) error {
	integ, err := u.app().FindRecordById("integrations", r.Request.PathValue("id"))
	if err != nil {
		return r.fail(http.StatusNotFound, "error.not_found")
	}
	q := r.Request.URL.Query()
	forward := q.Get("dir") != "ba"
	ends, ok := u.endsOf(integ, forward)
	if !ok {
		return r.fail(http.StatusNotFound, "error.unknown_connector")
	}
	in := app.FlowInput{Integration: integ.Id, Entity: q.Get("entity"), Source: ends.source.Id, Target: ends.target.Id,
		Schedule: app.DefaultSchedule, Enabled: true, Options: map[string]any{}}
	if ents := ends.entities(); !contains(ents, in.Entity) && len(ents) > 0 {
		in.Entity = ents[0]
	}
	in.Name = r.L.T("flowform.default_name", r.L.T("entity."+in.Entity), ends.source.GetString("name"), ends.target.GetString("name"))
	d := flowFormData{page: r.page("integrations", r.L.T("flowform.new")), Integration: integ, In: in, Forward: forward,
		Action: "/integrations/" + integ.Id + "/flows"}
	return u.renderFlowForm(r, http.StatusOK, d, ends)
}

// flowCreate saves a new flow through the same checks as the API.
func (u *UI) flowCreate(r *request) error {
	integ, err := u.app().FindRecordById("integrations", r.Request.PathValue("id"))
	if err != nil {
		return r.fail(http.StatusNotFound, "error.not_found")
	}
	forward := r.Request.PostFormValue("dir") != "ba"
	ends, ok := u.endsOf(integ, forward)
	if !ok {
		return r.fail(http.StatusNotFound, "error.unknown_connector")
	}
	in := readFlowForm(r.Request, ends)
	in.Entity = r.Request.PostFormValue("entity")
	in.Options = withoutUnsetDefaults(in.Options, nil, ends.optionSets())
	rec, err := u.sb.SaveFlow(nil, in)
	if errs := fieldErrors(r, err); errs != nil {
		d := flowFormData{page: r.page("integrations", r.L.T("flowform.new")), Integration: integ, In: in,
			Forward: forward, Action: "/integrations/" + integ.Id + "/flows", Errors: errs}
		return u.renderFlowForm(r, http.StatusUnprocessableEntity, d, ends)
	}
	if err != nil {
		return err
	}
	return r.done("/flows/"+rec.Id, "flash.saved", 0)
}

// flowEdit shows a flow's settings form.
func (u *UI) flowEdit(r *request) error {
	flow, integ, ends, ok := u.flowAndEnds(r)
	if !ok {
		return r.fail(http.StatusNotFound, "error.not_found")
	}
	in := app.FlowInput{Integration: integ.Id, Name: flow.GetString("name"), Entity: flow.GetString("entity"),
		Source: flow.GetString("source"), Target: flow.GetString("target"), Schedule: flow.GetString("schedule"),
		Webhook: flow.GetBool("webhook"), Enabled: flow.GetBool("enabled"), Options: app.FlowOptionsOf(flow)}
	d := flowFormData{page: r.page("integrations", in.Name), Integration: integ, Flow: flow, In: in,
		Forward: in.Source == integ.GetString("a"), Action: "/flows/" + flow.Id}
	return u.renderFlowForm(r, http.StatusOK, d, ends)
}

// flowUpdate saves a flow's changed settings; its data and direction
// stay.
func (u *UI) flowUpdate(r *request) error {
	flow, integ, ends, ok := u.flowAndEnds(r)
	if !ok {
		return r.fail(http.StatusNotFound, "error.not_found")
	}
	in := readFlowForm(r.Request, ends)
	in.Entity = flow.GetString("entity")
	in.Options = withoutUnsetDefaults(in.Options, app.FlowOptionsOf(flow), ends.optionSets())
	if _, err := u.sb.SaveFlow(flow, in); err != nil {
		errs := fieldErrors(r, err)
		if errs == nil {
			return err
		}
		d := flowFormData{page: r.page("integrations", in.Name), Integration: integ, Flow: flow, In: in,
			Forward: in.Source == integ.GetString("a"), Action: "/flows/" + flow.Id, Errors: errs}
		return u.renderFlowForm(r, http.StatusUnprocessableEntity, d, ends)
	}
	return r.done("/flows/"+flow.Id, "flash.saved", 0)
}

// flowAndEnds finds the flow of the request's path with its integration
// and connections.
func (u *UI) flowAndEnds(r *request) (*core.Record, *core.Record, flowEnds, bool) {
	flow, err := u.app().FindRecordById("flows", r.Request.PathValue("id"))
	if err != nil {
		return nil, nil, flowEnds{}, false
	}
	integ, err := u.app().FindRecordById("integrations", flow.GetString("integration"))
	if err != nil {
		return nil, nil, flowEnds{}, false
	}
	ends, ok := u.endsOf(integ, flow.GetString("source") == integ.GetString("a"))
	return flow, integ, ends, ok
}

// readFlowForm reads a flow's settings form.
func readFlowForm(r *http.Request, ends flowEnds) app.FlowInput {
	return app.FlowInput{Integration: ends.integration.Id, Name: strings.TrimSpace(r.PostFormValue("name")),
		Source: ends.source.Id, Target: ends.target.Id, Schedule: readSchedule(r),
		Webhook: r.PostFormValue("webhook") == "on" && ends.sourceSpec.Webhooks, Enabled: r.PostFormValue("enabled") == "on",
		Options: readOptions(r, "o.", ends.optionSets())}
}

// readSchedule reads the schedule's presets and custom expression.
func readSchedule(r *http.Request) string {
	sched := strings.TrimSpace(r.PostFormValue("schedule"))
	if sched == "custom" {
		return strings.TrimSpace(r.PostFormValue("custom"))
	}
	return sched
}

func (u *UI) renderFlowForm(r *request, status int, d flowFormData, ends flowEnds) error {
	d.AName, d.BName = u.connectionName(d.Integration.GetString("a")), u.connectionName(d.Integration.GetString("b"))
	d.SourceName, d.TargetName = ends.source.GetString("name"), ends.target.GetString("name")
	d.Entities, d.Presets, d.CanWebhook = ends.entities(), schedulePresets, ends.sourceSpec.Webhooks
	if !isPreset(d.In.Schedule) {
		d.Custom = d.In.Schedule
	}
	if d.Errors == nil {
		d.Errors = map[string]string{}
	}
	d.Groups = optionGroups(r, "o.", ends.optionSets(), ends.sourceSpec.Title, ends.targetSpec.Title, d.In.Options, d.Errors)
	return r.render(status, "flow_form", d)
}
