package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app"
	"github.com/switchboard-app/switchboard/mappings"
)

// rulesEditorData is the rules editor of a flow: its rules as forms in
// the order they run, and the preview.
type rulesEditorData struct {
	page
	Flow       *core.Record
	Rules      []ruleForm
	Fields     []string
	CondFields []string
	Ops        []string
	Kinds      []string
	Rounds     []string
	Sample     sampleState
	Preview    *previewView
	Problem    string
}

// newRulesEditor lays out the editor of a flow with rules as forms.
func (u *UI) newRulesEditor(r *request, flow *core.Record, forms []ruleForm) rulesEditorData {
	d := rulesEditorData{page: r.page("integrations", r.L.T("rules.title", flow.GetString("name"))), Flow: flow, Rules: forms,
		Ops: condOps, Kinds: ruleKinds, Rounds: roundSteps}
	model, _ := app.ModelOf(flow.GetString("entity"))
	d.Fields, d.CondFields = ruleFields(model)
	d.Sample.Choices = u.recentSamples(r, flow.Id)
	return d
}

// ruleFields are the fields a rule of the model's entity may set, as a rule names
// them: "brand", "prices.list", and a list's element fields after the
// list's own path, "images[].alt", "prices.price_lists[].currency"; and
// those a condition may test (the fields outside lists). A rule reaches
// into one list, so the fields of a list inside a list are not offered.
func ruleFields(model app.ModelEntity) (fields, cond []string) {
	var lists []string
	for _, row := range modelRows(model.Fields, false) {
		switch {
		case row.Head:
			lists = append(lists, row.Path)
		case row.Sub:
			var in []string
			for _, l := range lists {
				if strings.HasPrefix(row.Path, l+".") {
					in = append(in, l)
				}
			}
			if len(in) == 1 {
				fields = append(fields, in[0]+"[]."+strings.TrimPrefix(row.Path, in[0]+"."))
			}
		default:
			fields = append(fields, row.Path)
			cond = append(cond, row.Path)
		}
	}
	return fields, cond
}

// rulesShow shows a flow's rules, with a preview on the latest record.
func (u *UI) rulesShow(r *request) error {
	flow, err := u.app().FindRecordById("flows", r.Request.PathValue("id"))
	if err != nil {
		return r.fail(http.StatusNotFound, "error.not_found")
	}
	rules, err := app.FlowRulesOf(flow)
	if err != nil {
		return err
	}
	forms := make([]ruleForm, len(rules))
	for i, rule := range rules {
		forms[i] = formOf(i, rule)
	}
	d := u.newRulesEditor(r, flow, forms)
	d.Sample = sampleFromQuery(r.Request, d.Sample)
	d.Preview = u.runPreview(flow.Id, d.Sample, app.PreviewRequest{})
	return r.render(http.StatusOK, "rules", d)
}

// submittedRules reads the editor's form, changed as its button asked.
// The rules that do not compile are left out of the preview and shown
// with their errors.
func (u *UI) submittedRules(r *request, flow *core.Record) (rulesEditorData, []mappings.Rule, map[string]string) {
	forms := applyOp(readRuleForms(r.Request), r.Request.PostFormValue("op"))
	d := u.newRulesEditor(r, flow, forms)
	d.Sample = readSampleState(r.Request)
	d.Sample.Choices = u.recentSamples(r, flow.Id)
	entity := flow.GetString("entity")
	rules := make([]mappings.Rule, len(forms))
	for i, f := range forms {
		rules[i] = f.rule(entity)
	}
	m, _ := app.FlowMappingOf(flow)
	errs := map[string]string{}
	for i, fe := range mappings.RuleErrors(entity, rules, m.Tables) {
		d.Rules[i].Error = fe.Error()
		errs[d.Rules[i].ErrKey()] = fe.Error()
	}
	return d, rules, errs
}

// rulesSave saves the rules, or carries out the button that changes the
// list (add, move, remove) and shows it unsaved. Rules that do not
// compile are refused with the error at each rule, and nothing is saved.
func (u *UI) rulesSave(r *request) error {
	flow, err := u.app().FindRecordById("flows", r.Request.PathValue("id"))
	if err != nil {
		return r.fail(http.StatusNotFound, "error.not_found")
	}
	d, rules, errs := u.submittedRules(r, flow)
	if op := r.Request.PostFormValue("op"); op != "" && op != "save" {
		d.Preview = u.previewRules(flow.Id, d, rules)
		return r.render(http.StatusOK, "rules", d)
	}
	if len(errs) == 0 {
		_, err = u.sb.SaveFlowRules(flow.Id, rules)
		if err == nil {
			return r.done("/flows/"+flow.Id+"/rules", "flash.saved", 0)
		}
		if fieldErrors(r, err) == nil {
			return err
		}
		d.Problem = err.Error()
	}
	if d.Problem == "" {
		d.Problem = r.L.T("rules.refused")
	}
	d.Preview = u.previewRules(flow.Id, d, rules)
	return r.render(http.StatusUnprocessableEntity, "rules", d)
}

// rulesPreview previews the unsaved rules: for the page's script, the
// preview and each rule's errors as JSON; without it, the page.
func (u *UI) rulesPreview(r *request) error {
	flow, err := u.app().FindRecordById("flows", r.Request.PathValue("id"))
	if err != nil {
		return r.fail(http.StatusNotFound, "error.not_found")
	}
	d, rules, errs := u.submittedRules(r, flow)
	d.Preview = u.previewRules(flow.Id, d, rules)
	if wantsJSON(r.Request) {
		html, err := u.views.renderPart("rules", "preview", d)
		if err != nil {
			return err
		}
		return r.JSON(http.StatusOK, livePreview{HTML: html, Errors: errs})
	}
	return r.render(http.StatusOK, "rules", d)
}

// previewRules previews the rules that compile.
func (u *UI) previewRules(flowID string, d rulesEditorData, rules []mappings.Rule) *previewView {
	good := make([]mappings.Rule, 0, len(rules))
	for i, rule := range rules {
		if d.Rules[i].Error == "" {
			good = append(good, rule)
		}
	}
	return u.runPreview(flowID, d.Sample, app.PreviewRequest{Rules: &good})
}

// itoa is strconv.Itoa for the templates.
func itoa(i int) string { return strconv.Itoa(i) }
