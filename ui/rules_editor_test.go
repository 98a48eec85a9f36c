package ui

import (
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-app/switchboard/app"
	"github.com/switchboard-app/switchboard/mappings"
)

// TestConditionsRoundTrip: what a condition form writes, it reads back
// as the same form; an expression it did not write stays an expression.
func TestConditionsRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		cond condition
		expr string
	}{
		{condition{Mode: "simple", Field: "stock_quantity", Op: "<", Value: "1"}, `stock_quantity < 1`},
		{condition{Mode: "simple", Field: "brand", Op: "==", Value: `Ac"me`}, `brand == "Ac\"me"`},
		{condition{Mode: "simple", Field: "status", Op: "in", Value: "draft, archived"}, `status in ["draft", "archived"]`},
		{condition{Mode: "simple", Field: "name", Op: "startsWith", Value: "Tuin"}, `name startsWith "Tuin"`},
		{condition{Mode: "simple", Field: "gtin", Op: "empty"}, `is_empty(gtin)`},
		{condition{Mode: "simple", Field: "gtin", Op: "notempty"}, `!is_empty(gtin)`},
		{condition{Mode: "simple", Field: "prices.cost", Op: ">=", Value: "12.50"}, `prices.cost >= 12.50`},
		{condition{Mode: "simple", Field: "name", Op: "==", Value: "12"}, `name == "12"`},
	} {
		if got := tc.cond.expr("product"); got != tc.expr {
			t.Errorf("%+v wrote %s, want %s", tc.cond, got, tc.expr)
		}
		back := parseCondition(tc.expr)
		if back.Mode != "simple" || back.Field != tc.cond.Field || back.Op != tc.cond.Op || back.Value != tc.cond.Value {
			t.Errorf("%s read back as %+v", tc.expr, back)
		}
	}
	if c := parseCondition(`len(name) > 3 && brand == "x"`); c.Mode != "expr" || c.Expr == "" {
		t.Fatalf("an expression of its own: %+v", c)
	}
	for _, tc := range []struct {
		in   valueInput
		kind string
		expr string
	}{
		{valueInput{Text: "archived"}, "string", `"archived"`},
		{valueInput{Text: "5"}, "decimal", `5`},
		{valueInput{Text: "5"}, "string", `"5"`},
		{valueInput{Text: "upper(name)", Expr: true}, "string", `upper(name)`},
	} {
		if got := tc.in.expr(tc.kind); got != tc.expr {
			t.Errorf("%+v as %s wrote %s, want %s", tc.in, tc.kind, got, tc.expr)
		}
		if back := parseValue(tc.expr); back.Text != tc.in.Text || back.Expr != tc.in.Expr {
			t.Errorf("%s read back as %+v", tc.expr, back)
		}
	}
}

// rulesForm is the rules editor's form with a conditional rule and a
// value table, as a browser submits it.
func rulesForm() url.Values {
	return url.Values{"rules": {"2"},
		"r.0.kind": {"conditional"}, "r.0.on": {"on"}, "r.0.name": {"sold out"}, "r.0.field": {"status"},
		"r.0.c.0.mode": {"simple"}, "r.0.c.0.field": {"stock_quantity"}, "r.0.c.0.op": {"<"}, "r.0.c.0.value": {"1"},
		"r.0.c.0.then": {"archived"}, "r.0.c.1.mode": {"simple"}, "r.0.c.1.field": {""}, "r.0.c.1.op": {"=="}, "r.0.c.1.then": {""},
		"r.0.else": {""}, "r.0.when.mode": {"simple"}, "r.0.when.field": {""},
		"r.1.kind": {"table"}, "r.1.on": {"on"}, "r.1.field": {"brand"},
		"r.1.m.0.key": {"acme"}, "r.1.m.0.value": {"ACME Tuinmeubelen"}, "r.1.m.1.key": {""}, "r.1.m.1.value": {""},
		"r.1.fallback": {""}, "r.1.when.mode": {"simple"}, "r.1.when.field": {""},
	}
}

func savedRules(t *testing.T, e *env) []mappings.Rule {
	t.Helper()
	flow, _ := e.app.FindRecordById("flows", e.demo.FlowID)
	var rules []mappings.Rule
	if err := flow.UnmarshalJSONField("rules", &rules); err != nil {
		t.Fatal(err)
	}
	return rules
}

// TestRulesEditor: rules are added, moved and switched as forms, saved
// as the engine reads them, and a rule that does not compile is refused
// at the rule with nothing saved.
func TestRulesEditor(t *testing.T) {
	e := newEnv(t, false, true)
	c := e.as("editor")
	mustContain(t, "the demo's rules", c.get("/flows/"+e.demo.FlowID+"/rules"), "round_to(prices.cost * 1.20, 0.05)",
		`name="r.0.expr"`, `value="add:price"`, "<option>prices.price_lists[].currency</option>")
	mustNotContain(t, "the demo's rules", c.get("/flows/"+e.demo.FlowID+"/rules"), "prices[].price_lists")

	before := e.fingerprint()
	form := rulesForm()
	form.Set("op", "add:price")
	rec := c.post("/flows/"+e.demo.FlowID+"/rules", form)
	mustContain(t, "a price rule added", rec, `name="r.2.percent"`, `name="r.0.c.0.value" value="1"`)
	// The first rule cannot move up nor the last down: those arrows are off.
	mustContain(t, "the arrows", rec, `value="up:0" aria-label="Move up" disabled>`, `value="down:2" aria-label="Move down" disabled>`)
	mustNotContain(t, "the arrows", rec, `value="down:1" aria-label="Move down" disabled>`)
	if e.fingerprint() != before {
		t.Fatal("adding a rule to the form saved it")
	}

	for _, refused := range []struct{ what, op, expr, says string }{
		{"a broken condition", "", "stock_quantity <", "unexpected token"},
		{"a condition on a native column", "save", "Voorraad < 1", "Voorraad is not a field of product"},
	} {
		form = rulesForm()
		if refused.op != "" {
			form.Set("op", refused.op)
		} else {
			form.Set("r.1.m.0.value", "")
		}
		form.Set("r.0.c.0.mode", "expr")
		form.Set("r.0.c.0.expr", refused.expr)
		rec = c.post("/flows/"+e.demo.FlowID+"/rules", form)
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("%s = %d", refused.what, rec.Code)
		}
		mustContain(t, refused.what, rec, "rule 1 (sold out)", refused.says, `class="rule card has-error"`)
		if e.fingerprint() != before {
			t.Fatalf("%s: refused rules were saved", refused.what)
		}
	}

	form = rulesForm()
	form.Set("op", "save")
	form.Del("r.1.on")
	if rec := c.post("/flows/"+e.demo.FlowID+"/rules", form); rec.Code != http.StatusSeeOther {
		t.Fatalf("saving = %d: %s", rec.Code, truncated(body(rec)))
	}
	fallback := (*string)(nil)
	want := []mappings.Rule{
		{Name: "sold out", Kind: "conditional", Field: "status", Cases: []mappings.Case{{When: "stock_quantity < 1", Then: `"archived"`}}},
		{Kind: "table", Field: "brand", Map: map[string]string{"acme": "ACME Tuinmeubelen"}, Fallback: fallback, Disabled: true},
	}
	if got := savedRules(t, e); !reflect.DeepEqual(got, want) {
		t.Fatalf("saved %+v\nwant  %+v", got, want)
	}
	form.Set("op", "down:0")
	mustContain(t, "moved down", c.post("/flows/"+e.demo.FlowID+"/rules", form), `name="r.0.kind" value="table"`, `name="r.1.kind" value="conditional"`)

	priceList := url.Values{"rules": {"1"}, "op": {"save"}, "r.0.kind": {"default"}, "r.0.on": {"on"},
		"r.0.field": {"prices.price_lists[].currency"}, "r.0.value": {"EUR"}, "r.0.when.mode": {"simple"}, "r.0.when.field": {""}}
	if rec := c.post("/flows/"+e.demo.FlowID+"/rules", priceList); rec.Code != http.StatusSeeOther {
		t.Fatalf("saving a price list's rule = %d: %s", rec.Code, truncated(body(rec)))
	}
	if got := savedRules(t, e); len(got) != 1 || got[0].Field != "prices.price_lists[].currency" || got[0].Value != `"EUR"` {
		t.Fatalf("saved %+v", got)
	}
	mustContain(t, "the price list's rule shown", c.get("/flows/"+e.demo.FlowID+"/rules"), "<option selected>prices.price_lists[].currency</option>")
}

// TestRulesPreview: the preview runs the unsaved rules on a sample.
func TestRulesPreview(t *testing.T) {
	e := newEnv(t, false, true)
	c := e.as("editor")
	c.header.Set("Accept", "application/json")
	form := url.Values{"rules": {"1"}, "r.0.kind": {"price"}, "r.0.on": {"on"}, "r.0.field": {"prices.list"},
		"r.0.base": {"prices.cost"}, "r.0.percent": {"10"}, "r.0.round_to": {"0.05"}, "sample": {"paste"},
		"sample_json": {`{"Artikelnummer": "GT-1", "Omschrijving": "Bank", "Prijs": "12.34", "EAN": "", "Voorraad": "3"}`}}
	rec := c.post("/flows/"+e.demo.FlowID+"/rules/preview", form)
	var ans livePreview
	if err := json.Unmarshal(rec.Body.Bytes(), &ans); err != nil {
		t.Fatalf("%d %v", rec.Code, err)
	}
	if !strings.Contains(ans.HTML, `&#34;#text&#34;: &#34;13.55&#34;`) || len(ans.Errors) != 0 {
		t.Fatalf("the preview of the unsaved price rule:\n%s\n%v", ans.HTML, ans.Errors)
	}
	form.Set("r.0.percent", "ten")
	rec = c.post("/flows/"+e.demo.FlowID+"/rules/preview", form)
	_ = json.Unmarshal(rec.Body.Bytes(), &ans)
	if !strings.Contains(ans.Errors["r.0"], `percent "ten" is not a number`) {
		t.Fatalf("the rule's error: %v", ans.Errors)
	}
}

// TestRulesEditorOffersOnlyFieldsItAccepts: every field the rules
// editor offers, for every entity, makes a rule that compiles, and the
// form reads the rule back with its field; a list's element fields are
// named after the list's own path, also when the list sits in an object
// (prices.price_lists[].currency, not prices[].price_lists.currency).
// The default rules' value is the expression nil, which every field's
// kind takes, and the table rules' table is empty (a literal such as "1"
// is not a currency, an e-mail or a status).
func TestRulesEditorOffersOnlyFieldsItAccepts(t *testing.T) {
	offered := map[string]bool{}
	for _, entity := range app.CanonicalModel().Entities {
		fields, cond := ruleFields(entity)
		if len(fields) == 0 || len(cond) == 0 {
			t.Fatalf("%s: no fields offered", entity.Name)
		}
		for _, field := range fields {
			offered[entity.Name+" "+field] = true
			for _, kind := range []string{"default", "table"} {
				form := ruleForm{Kind: kind, On: true, Field: field, Value: valueInput{Text: "nil", Expr: true},
					When: condition{Mode: "simple", Op: "=="}}
				rule := form.rule(entity.Name)
				if errs := mappings.RuleErrors(entity.Name, []mappings.Rule{rule}, nil); len(errs) > 0 {
					t.Errorf("%s: the offered field %s is refused in a %s rule: %v", entity.Name, field, kind, errs)
				}
				if back := formOf(0, rule); back.Field != field {
					t.Errorf("%s: %s read back as %q", entity.Name, field, back.Field)
				}
			}
		}
		for _, field := range cond {
			c := condition{Mode: "simple", Field: field, Op: "notempty"}
			rule := mappings.Rule{Kind: mappings.RuleFilter, When: c.expr(entity.Name), Reason: "test"}
			if errs := mappings.RuleErrors(entity.Name, []mappings.Rule{rule}, nil); len(errs) > 0 {
				t.Errorf("%s: the offered condition field %s is refused: %v", entity.Name, field, errs)
			}
		}
	}
	for _, want := range []string{"product prices.price_lists[].currency", "product images[].alt", "order lines[].sku"} {
		if !offered[want] {
			t.Errorf("%s is not offered", want)
		}
	}
	if offered["product prices[].price_lists.currency"] {
		t.Error("the price list's fields are offered cut at the first dot")
	}
}

// TestRuleFieldsOfNestedLists: the fields of a list inside a list are not
// offered (a rule reaches into one list), and the outer list's fields
// after the inner list are named after the outer list.
func TestRuleFieldsOfNestedLists(t *testing.T) {
	model := app.ModelEntity{Name: "x", Fields: []app.ModelField{
		{Path: "name", Kind: "string"},
		{Path: "box", Kind: "object", Fields: []app.ModelField{
			{Path: "box.lines", Kind: "list", Fields: []app.ModelField{
				{Path: "box.lines.sku", Kind: "string"},
				{Path: "box.lines.parts", Kind: "list", Fields: []app.ModelField{{Path: "box.lines.parts.code", Kind: "string"}}},
				{Path: "box.lines.note", Kind: "string"},
			}},
			{Path: "box.size", Kind: "decimal"},
		}},
	}}
	fields, cond := ruleFields(model)
	if want := []string{"name", "box.lines[].sku", "box.lines[].note", "box.size"}; !reflect.DeepEqual(fields, want) {
		t.Errorf("fields %v, want %v", fields, want)
	}
	if want := []string{"name", "box.size"}; !reflect.DeepEqual(cond, want) {
		t.Errorf("condition fields %v, want %v", cond, want)
	}
}

// TestReadRuleFormsBoundsTheCount: the form's rule count is the sender's
// to choose; a negative or huge one reads no more rules than the form has values,
// instead of making room for it first (a count of 10^11 asked the runtime
// for 39 TB, which ends the whole process, not just the request).
func TestReadRuleFormsBoundsTheCount(t *testing.T) {
	tests := []struct {
		count string
		want  int
	}{
		{"", 0},
		{"2", 2},
		{"-1", 0},
		{"-9223372036854775808", 0},
		{"1000000000000", 3}, // the form has three values: the count and two rules' kinds
		{"100000000000", 3},
	}
	for _, tt := range tests {
		t.Run(tt.count, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/flows/x/rules/preview",
				strings.NewReader(url.Values{"rules": {tt.count}, "r.0.kind": {"default"}, "r.1.kind": {"filter"}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if got := len(readRuleForms(req)); got != tt.want {
				t.Fatalf("%d rules read, want %d", got, tt.want)
			}
		})
	}
}

// TestRulesFormKeepsEveryRow: a rule form is read with every rule, case
// and table row the page sends, however many the flow has (a value table
// of 600 article codes, 250 rules saved through the API): the editor
// shows them all, so saving must not drop the ones after a fixed count.
func TestRulesFormKeepsEveryRow(t *testing.T) {
	const rules, rows, cases = 250, 600, 120
	form := url.Values{"rules": {strconv.Itoa(rules)}}
	for i := range rules {
		p := "r." + strconv.Itoa(i) + "."
		form.Set(p+"kind", "default")
		form.Set(p+"field", "name")
		form.Set(p+"value", "x")
	}
	form.Set("r.0.kind", "table")
	for j := range rows {
		form.Set("r.0.m."+strconv.Itoa(j)+".key", "A"+strconv.Itoa(j))
		form.Set("r.0.m."+strconv.Itoa(j)+".value", "B"+strconv.Itoa(j))
	}
	form.Set("r.1.kind", "conditional")
	for j := range cases {
		cp := "r.1.c." + strconv.Itoa(j) + "."
		form.Set(cp+"mode", "expr")
		form.Set(cp+"expr", "index == "+strconv.Itoa(j))
		form.Set(cp+"then", "x")
	}
	req := httptest.NewRequest(http.MethodPost, "/flows/x/rules", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	forms := readRuleForms(req)
	if len(forms) != rules {
		t.Fatalf("%d rules read, want %d", len(forms), rules)
	}
	if got := len(forms[0].rule("product").Map); got != rows {
		t.Errorf("%d table rows read, want %d", got, rows)
	}
	if got := len(forms[1].rule("product").Cases); got != cases {
		t.Errorf("%d cases read, want %d", got, cases)
	}
}

var (
	formControl = regexp.MustCompile(`(?s)<select([^>]*)>(.*?)</select>|<textarea([^>]*)>(.*?)</textarea>|<input([^>]*)>`)
	formOption  = regexp.MustCompile(`(?s)<option([^>]*)>(.*?)</option>`)
	formAttr    = regexp.MustCompile(`([\w-]+)(?:="([^"]*)")?`)
)

// attrsOf reads a tag's attributes.
func attrsOf(tag string) map[string]string {
	out := map[string]string{}
	for _, m := range formAttr.FindAllStringSubmatch(tag, -1) {
		out[m[1]] = html.UnescapeString(m[2])
	}
	return out
}

// shownForm is what a browser submits from the form at action on a page
// left as it is shown: every named control's value, a select's chosen
// option (else its first), checked boxes.
func shownForm(t *testing.T, page, action string) url.Values {
	t.Helper()
	_, form, ok := strings.Cut(page, `action="`+action+`"`)
	if !ok {
		t.Fatalf("no form to %s", action)
	}
	form, _, _ = strings.Cut(form, "</form>")
	out := url.Values{}
	for _, m := range formControl.FindAllStringSubmatch(form, -1) {
		switch {
		case m[1] != "" || strings.HasPrefix(m[0], "<select"):
			a := attrsOf(m[1])
			var first, chosen string
			for i, o := range formOption.FindAllStringSubmatch(m[2], -1) {
				oa := attrsOf(o[1])
				v, has := oa["value"]
				if !has {
					v = html.UnescapeString(o[2])
				}
				if i == 0 {
					first = v
				}
				if _, sel := oa["selected"]; sel {
					chosen = v
				}
			}
			if chosen == "" {
				chosen = first
			}
			out.Add(a["name"], chosen)
		case strings.HasPrefix(m[0], "<textarea"):
			out.Add(attrsOf(m[3])["name"], html.UnescapeString(m[4]))
		default:
			a := attrsOf(m[5])
			if _, off := a["disabled"]; off || a["name"] == "" {
				continue
			}
			if a["type"] == "checkbox" {
				if _, on := a["checked"]; on {
					out.Add(a["name"], "on")
				}
				continue
			}
			out.Add(a["name"], a["value"])
		}
	}
	return out
}

// TestRulesEditorSavesWhatItShows: rules set through the API, saved from
// the editor without a change, stay as they were: a price rule rounding
// to a step the editor does not list, and a table rule that empties a
// value not in its table.
func TestRulesEditorSavesWhatItShows(t *testing.T) {
	e := newEnv(t, false, true)
	empty := ""
	want := []mappings.Rule{
		{Kind: "price", Field: "prices.list", Base: "prices.cost", Percent: "10", RoundTo: "0.25"},
		{Kind: "table", Field: "brand", Map: map[string]string{"acme": "ACME"}, Fallback: &empty},
		{Kind: "table", Field: "name", Map: map[string]string{"a": "b"}},
	}
	if _, err := e.sb.SaveFlowRules(e.demo.FlowID, want); err != nil {
		t.Fatal(err)
	}
	c := e.as("editor")
	path := "/flows/" + e.demo.FlowID + "/rules"
	form := shownForm(t, body(c.get(path)), path)
	form.Set("op", "save")
	if rec := c.post(path, form); rec.Code != http.StatusSeeOther {
		t.Fatalf("saving = %d: %s", rec.Code, truncated(body(rec)))
	}
	got, _ := json.Marshal(savedRules(t, e))
	wantJSON, _ := json.Marshal(want)
	if string(got) != string(wantJSON) {
		t.Errorf("saved from the editor as\n%s\nwant\n%s", got, wantJSON)
	}
}
