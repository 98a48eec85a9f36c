package ui

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app"
	"github.com/switchboard-app/switchboard/mappings"
)

// mappingEditorData is the mapping editor of one direction of a flow.
type mappingEditorData struct {
	page
	Flow       *core.Record
	Dir        string
	SourceName string
	TargetName string
	Rows       []mapRow
	// Defaults is true when some field has a default expression.
	Defaults bool
	// Canonical is true when writing without a default mapping: the
	// target gets the canonical record unless fields are added.
	Canonical bool
	Picker    []pickItem
	Functions []app.FunctionDoc
	Sample    sampleState
	Preview   *previewView
	Problem   string
}

// pickItem is one field the picker offers: what it inserts, its name
// and a sample value or type and documentation.
type pickItem struct {
	Insert, Label, Note string
}

// mappingEditor is the data of the editor as the flow has it saved.
func (u *UI) mappingEditor(r *request, flow *core.Record, dir mappings.Direction) (mappingEditorData, mapSide, error) {
	cfg, err := u.sb.Engine().FlowMappingConfig(flow.Id)
	if err != nil {
		return mappingEditorData{}, mapSide{}, err
	}
	model, _ := app.ModelOf(flow.GetString("entity"))
	side := newMapSide(cfg, dir)
	d := mappingEditorData{page: r.page("integrations", r.L.T("mapping.title", flow.GetString("name"))), Flow: flow,
		Dir: string(dir), SourceName: u.connectionName(flow.GetString("source")), TargetName: u.connectionName(flow.GetString("target")),
		Rows: side.rows(model), Canonical: dir == mappings.Out && cfg.Out == nil, Functions: app.FunctionLibrary()}
	d.Sample.Choices = u.recentSamples(r, flow.Id)
	for _, row := range d.Rows {
		d.Defaults = d.Defaults || row.Default != ""
	}
	return d, side, nil
}

func mappingDir(v string) mappings.Direction {
	if v == string(mappings.Out) {
		return mappings.Out
	}
	return mappings.In
}

// mappingShow shows the editor with the saved mapping and a preview on
// the latest record the flow read.
func (u *UI) mappingShow(r *request) error {
	flow, err := u.app().FindRecordById("flows", r.Request.PathValue("id"))
	if err != nil {
		return r.fail(http.StatusNotFound, "error.not_found")
	}
	d, _, err := u.mappingEditor(r, flow, mappingDir(r.Request.URL.Query().Get("dir")))
	if err != nil {
		return r.render(http.StatusOK, "error", struct {
			page
			Message string
		}{r.page("integrations", r.L.T("error.title")), err.Error()})
	}
	d.Sample = sampleFromQuery(r.Request, d.Sample)
	d.Preview = u.runPreview(flow.Id, d.Sample, app.PreviewRequest{})
	rowErrors(d.Rows, mapStages(d.Dir), d.Preview)
	u.fillPicker(&d, flow)
	return r.render(http.StatusOK, "mapping", d)
}

// submittedMapping reads the editor's form: the rows with their own
// expressions, and the flow's whole mapping with this direction's own
// fields replaced.
func (u *UI) submittedMapping(r *request, flow *core.Record) (mappingEditorData, app.FlowMapping, error) {
	dir := mappingDir(r.Request.PostFormValue("dir"))
	d, _, err := u.mappingEditor(r, flow, dir)
	if err != nil {
		return d, app.FlowMapping{}, err
	}
	d.Rows = readRows(r.Request, d.Rows)
	d.Sample = readSampleState(r.Request)
	d.Sample.Choices = u.recentSamples(r, flow.Id)
	m, err := app.FlowMappingOf(flow)
	if err != nil {
		return d, m, err
	}
	if dir == mappings.Out {
		m.Out = overrides(d.Rows)
	} else {
		m.In = overrides(d.Rows)
	}
	return d, m, nil
}

// mappingPreview previews the unsaved mapping: for the page's script, the
// preview and the errors by field as JSON; without the script, the page.
func (u *UI) mappingPreview(r *request) error {
	flow, err := u.app().FindRecordById("flows", r.Request.PathValue("id"))
	if err != nil {
		return r.fail(http.StatusNotFound, "error.not_found")
	}
	d, m, err := u.submittedMapping(r, flow)
	if err != nil {
		return err
	}
	d.Preview = u.runPreview(flow.Id, d.Sample, app.PreviewRequest{Mapping: &m})
	errs := rowErrors(d.Rows, mapStages(d.Dir), d.Preview)
	if wantsJSON(r.Request) {
		html, err := u.views.renderPart("mapping", "preview", d)
		if err != nil {
			return err
		}
		return r.JSON(http.StatusOK, livePreview{HTML: html, Errors: errs})
	}
	u.fillPicker(&d, flow)
	return r.render(http.StatusOK, "mapping", d)
}

// mappingSave saves the mapping through the same checks as the API: one
// that does not compile is refused with the error at each field, and
// nothing is saved.
func (u *UI) mappingSave(r *request) error {
	flow, err := u.app().FindRecordById("flows", r.Request.PathValue("id"))
	if err != nil {
		return r.fail(http.StatusNotFound, "error.not_found")
	}
	d, m, err := u.submittedMapping(r, flow)
	if err != nil {
		return err
	}
	if _, err := u.sb.SaveFlowMapping(flow.Id, m); err != nil {
		errs := fieldErrors(r, err)
		if errs == nil {
			return err
		}
		fresh, _ := u.app().FindRecordById("flows", flow.Id)
		d.Problem = r.L.T("mapping.refused")
		d.Preview = u.runPreview(flow.Id, d.Sample, app.PreviewRequest{Mapping: &m})
		setRowErrors(d.Rows, errs, "mapping."+d.Dir+".")
		u.fillPicker(&d, fresh)
		return r.render(http.StatusUnprocessableEntity, "mapping", d)
	}
	return r.done("/flows/"+flow.Id+"/mapping?dir="+d.Dir, "flash.saved", 0)
}

func mapStages(dir string) []string {
	if dir == string(mappings.Out) {
		return []string{mappings.StageMapOut}
	}
	return []string{mappings.StageMapIn, mappings.StageValidate}
}

// rowErrors puts a preview's errors on the rows of their fields, and
// answers them by form control.
func rowErrors(rows []mapRow, stages []string, p *previewView) map[string]string {
	out := map[string]string{}
	if p == nil || p.Problem != "" {
		return out
	}
	byField := errorsByField(p.Answer, stages...)
	for i := range rows {
		if msg, ok := byField[rows[i].Path]; ok && rows[i].Path != "" {
			rows[i].Error = msg
			out[rows[i].Input] = msg
		}
	}
	return out
}

// setRowErrors puts a refused save's errors (keyed mapping.in.<target>)
// on their rows.
func setRowErrors(rows []mapRow, errs map[string]string, prefix string) {
	for i := range rows {
		if msg, ok := errs[prefix+rows[i].Path]; ok && rows[i].Path != "" {
			rows[i].Error = msg
		}
	}
}

// fillPicker offers the fields to pick from: the sample's native fields
// when reading, the canonical fields when writing.
func (u *UI) fillPicker(d *mappingEditorData, flow *core.Record) {
	if d.Dir == string(mappings.Out) {
		model, _ := app.ModelOf(flow.GetString("entity"))
		for _, row := range modelRows(model.Fields, false) {
			d.Picker = append(d.Picker, pickItem{Insert: row.Path, Label: row.Path, Note: row.Kind + ": " + row.Doc})
		}
		return
	}
	if d.Preview != nil {
		d.Picker = nativeFields(d.Preview.Answer.Native, "", "")
	}
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// nativeFields lists a native record's fields as the expressions that
// read them, with their sample values; a list's element fields are read
// through item inside an each.
func nativeFields(rec map[string]any, prefix, expr string) []pickItem {
	var out []pickItem
	for _, k := range sortedKeys(rec) {
		path, ex := prefix+k, memberExpr(expr, k)
		switch v := rec[k].(type) {
		case map[string]any:
			out = append(out, nativeFields(v, path+".", ex)...)
		case []any:
			out = append(out, pickItem{Insert: ex, Label: path, Note: "list of " + strconv.Itoa(len(v))})
			if len(v) > 0 {
				if el, ok := v[0].(map[string]any); ok {
					out = append(out, nativeFields(el, path+"[].", "item")...)
				}
			}
		default:
			out = append(out, pickItem{Insert: ex, Label: path, Note: truncateText(mappingsShow(v), 60)})
		}
	}
	return out
}

// memberExpr reads field k of the value expr (of the record when "").
func memberExpr(expr, k string) string {
	switch {
	case identifier.MatchString(k) && expr == "":
		return k
	case identifier.MatchString(k):
		return expr + "." + k
	case expr == "":
		return "$env[" + quote(k) + "]"
	default:
		return expr + "[" + quote(k) + "]"
	}
}

// quote writes text as an expression's string literal.
func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func mappingsShow(v any) string { return mappings.Show(v) }

func truncateText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
