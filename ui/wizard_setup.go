package ui

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/switchboard-app/switchboard/app"
	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/mappings"
)

// flowSetupView is one flow of the setup step: its name, schedule,
// options, field matches and price.
type flowSetupView struct {
	Index      int
	P          string
	Flow       draftFlow
	From, To   string
	CanWebhook bool
	Schedule   string
	Groups     []optionGroup
	Targets    []string
	DefaultIn  bool
	Priced     bool
	// Key is the source's field that keys the flow's records (their id
	// and business key), for the review; NoKey tells that the source
	// takes a key field but none is matched, so its records are keyed by
	// file and row; KeyOf is the canonical key of the flow's data.
	Key, KeyOf string
	NoKey      bool
	Errors     map[string]string
	Problems   []string
}

// keyFieldOption is the source option of the connectors that take a
// record's id and key from one of its fields (the file connectors'
// key_field); without it a record is keyed by its file and row, so the
// same record in a second file is another record.
const keyFieldOption = "key_field"

// sourceKey is the source field a wizard flow's records are keyed by:
// the user's own key field, else the field matched to the business key
// of the flow's data (a product's sku, an order's number, a customer's
// email), else "". own tells that the user chose it; offered that the
// source connector takes a key field at all.
func sourceKey(f draftFlow, source connectors.Spec) (key string, own, offered bool) {
	for _, field := range source.FlowFieldsFor(connectors.UseRead) {
		offered = offered || field.Name == keyFieldOption
	}
	if !offered {
		return "", false, false
	}
	opts, _ := f.Options[app.OptionsSource].(map[string]any)
	if k, _ := opts[keyFieldOption].(string); strings.TrimSpace(k) != "" {
		return strings.TrimSpace(k), true, true
	}
	model, _ := app.ModelOf(f.Entity)
	for _, m := range f.Matches {
		if model.Key != "" && m.Target == model.Key {
			return m.Native, false, true
		}
	}
	return "", false, true
}

// withOption is options with one more option in a group ("source"),
// copied: the draft's own options stay as the user left them.
func withOption(options map[string]any, group, name string, value any) map[string]any {
	out := make(map[string]any, len(options)+1)
	for k, v := range options {
		out[k] = v
	}
	old, _ := options[group].(map[string]any)
	sub := make(map[string]any, len(old)+1)
	for k, v := range old {
		sub[k] = v
	}
	sub[name] = value
	out[group] = sub
	return out
}

// hasDefaultIn tells whether a connector brings a read mapping of entity.
func (u *UI) hasDefaultIn(spec connectors.Spec, entity string) bool {
	if spec.Mappings == nil {
		return false
	}
	all, err := mappings.LoadDefaults(spec.Mappings, ".")
	return err == nil && mappings.Find(all, entity, mappings.In) != nil
}

// sourceSpec is the spec of a draft flow's source connector.
func (p wizardPair) sourceSpec(f draftFlow) connectors.Spec {
	if f.Forward {
		return p.aSpec
	}
	return p.bSpec
}

// sides are a draft flow's source and target specs and names.
func (p wizardPair) sides(f draftFlow) (source, target connectors.Spec, from, to string) {
	if f.Forward {
		return p.aSpec, p.bSpec, p.a.GetString("name"), p.b.GetString("name")
	}
	return p.bSpec, p.aSpec, p.b.GetString("name"), p.a.GetString("name")
}

// wizardSetup reads the setup step: each flow's settings, matches and
// price, and the integration's name. "sample" re-reads the samples with
// the options as they are; "setup" checks everything, creating nothing,
// and moves on to the review.
func (u *UI) wizardSetup(r *request, d wizardDraft) (wizardDraft, *wizardData) {
	p, ok := u.wizardEnds(d)
	if !ok || d.Step != stepSetup {
		return d, nil
	}
	d.Name = strings.TrimSpace(r.Request.PostFormValue("name"))
	for i := range d.Flows {
		d.Flows[i] = readDraftFlow(r.Request, p, i, d.Flows[i])
	}
	if r.Request.PostFormValue("do") == "sample" {
		for i, f := range d.Flows {
			source, spec := p.a, p.aSpec
			if !f.Forward {
				source, spec = p.b, p.bSpec
			}
			if u.hasDefaultIn(spec, f.Entity) {
				continue
			}
			opts, _ := f.Options[app.OptionsSource].(map[string]any)
			if recs, err := u.sb.SampleConnection(r.Request.Context(), source, f.Entity, opts, 5); err == nil {
				names, values := sampleFields(recs)
				d.Flows[i].Matches = suggestMatches(f.Entity, names, values)
			}
		}
		return d, nil
	}
	if err := u.sb.CheckSetup(setupOf(d, p)); err != nil {
		return d, u.setupProblems(r, err)
	}
	d.Step = stepReview
	return d, nil
}

// readDraftFlow reads flow i of the setup form.
func readDraftFlow(r *http.Request, p wizardPair, i int, f draftFlow) draftFlow {
	pre := "w." + strconv.Itoa(i) + "."
	source, target, _, _ := p.sides(f)
	f.Name = strings.TrimSpace(r.PostFormValue(pre + "name"))
	f.Schedule, f.Webhook = r.PostFormValue(pre+"schedule"), false
	if f.Schedule == "webhook" {
		f.Schedule, f.Webhook = "", true
	}
	f.Options = readOptions(r, pre+"o.", flowOptionFields(source, target))
	for j := range f.Matches {
		f.Matches[j].Target = r.PostFormValue(pre + "m." + strconv.Itoa(j))
	}
	f.Percent, f.RoundTo = strings.TrimSpace(r.PostFormValue(pre+"percent")), r.PostFormValue(pre+"round")
	return f
}

// setupOf is the draft as a setup: its connections, the integration and
// the flows with their mappings and price rules, all switched on. A flow
// whose source takes a key field is keyed by the field matched to its
// data's business key, unless the user chose a key field, so that a
// second file updates the records of the first instead of creating them
// again.
func setupOf(d wizardDraft, p wizardPair) app.Setup {
	s := app.Setup{Name: d.Name, Enabled: true, A: app.SetupConnection{ID: d.ConnectionA}, B: app.SetupConnection{ID: d.ConnectionB}}
	for _, f := range d.Flows {
		options := f.Options
		if key, own, _ := sourceKey(f, p.sourceSpec(f)); key != "" && !own {
			options = withOption(options, app.OptionsSource, keyFieldOption, key)
		}
		sf := app.SetupFlow{Name: f.Name, Entity: f.Entity, Forward: f.Forward, Schedule: f.Schedule, Webhook: f.Webhook,
			Enabled: true, Options: options, Mapping: app.FlowMapping{In: matchOverrides(f.Matches)}}
		if f.Percent != "" && f.Entity == "product" {
			sf.Rules = []mappings.Rule{{Name: "price " + signed(f.Percent) + "%", Kind: mappings.RulePrice, Field: "prices.list",
				Percent: f.Percent, RoundTo: f.RoundTo, When: "prices.list != nil"}}
		}
		s.Flows = append(s.Flows, sf)
	}
	return s
}

func signed(percent string) string {
	if strings.HasPrefix(percent, "-") || strings.HasPrefix(percent, "+") {
		return percent
	}
	return "+" + percent
}

// setupProblems puts a refused setup's errors where the setup step
// shows them: at the integration's name or the flow's fields.
func (u *UI) setupProblems(r *request, err error) *wizardData {
	view := &wizardData{}
	var se *app.SetupError
	if !errors.As(err, &se) {
		view.Problem = err.Error()
		return view
	}
	errs := fieldErrors(r, se.Err)
	if errs == nil {
		errs = map[string]string{"": se.Err.Error()}
	}
	if i, ok := strings.CutPrefix(se.Part, "flows."); ok {
		n, _ := strconv.Atoi(i)
		view.Setups = []flowSetupView{{Index: n, Errors: errs}}
		return view
	}
	for k, v := range errs {
		view.Problem += strings.TrimSpace(se.Part+" "+k) + ": " + v + " "
	}
	return view
}

// setupViews lays out the setup step's flows, with the errors of a
// refused check.
func (u *UI) setupViews(r *request, p wizardPair, d wizardDraft, refused []flowSetupView) []flowSetupView {
	errsOf := map[int]map[string]string{}
	for _, v := range refused {
		errsOf[v.Index] = v.Errors
	}
	model := map[string][]string{}
	out := make([]flowSetupView, 0, len(d.Flows))
	for i, f := range d.Flows {
		source, target, from, to := p.sides(f)
		v := flowSetupView{Index: i, P: "w." + strconv.Itoa(i) + ".", Flow: f, From: from, To: to,
			CanWebhook: source.Webhooks, Schedule: f.Schedule, DefaultIn: u.hasDefaultIn(source, f.Entity),
			Priced: f.Entity == "product", Errors: errsOf[i]}
		if f.Webhook {
			v.Schedule = "webhook"
		}
		var offered bool
		v.Key, _, offered = sourceKey(f, source)
		v.NoKey = offered && v.Key == ""
		if model, ok := app.ModelOf(f.Entity); ok {
			v.KeyOf = model.Key
		}
		if v.Errors == nil {
			v.Errors = map[string]string{}
		}
		v.Groups = optionGroups(r, v.P+"o.", flowOptionFields(source, target), source.Title, target.Title, f.Options, v.Errors)
		if _, ok := model[f.Entity]; !ok {
			model[f.Entity] = leafPaths(f.Entity)
		}
		v.Targets = model[f.Entity]
		for k, msg := range v.Errors {
			if !strings.HasPrefix(k, "options.") {
				v.Problems = append(v.Problems, strings.TrimSpace(k+": "+msg))
			}
		}
		out = append(out, v)
	}
	return out
}

// leafPaths are the canonical fields a native field can fill.
func leafPaths(entity string) []string {
	model, _ := app.ModelOf(entity)
	var out []string
	for _, row := range modelRows(model.Fields, false) {
		if !row.Head && !row.Sub {
			out = append(out, row.Path)
		}
	}
	return out
}
