package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/switchboard-app/switchboard/mappings"
)

// ruleKinds are the rule kinds the forms offer, in their order.
var ruleKinds = []string{"default", "conditional", "table", "price", "expr", "filter"}

// roundSteps are the price rule's rounding choices; "" does not round.
var roundSteps = []string{"", "0.01", "0.05", "0.10", "0.50", "1"}

// ruleForm is one rule as its form shows it: the parts of its kind, with
// conditions and values as text rather than expressions.
type ruleForm struct {
	Index  int
	Kind   string
	Name   string
	On     bool
	Field  string
	When   condition
	Value  valueInput
	Force  bool
	Cases  []caseForm
	Else   valueInput
	Rows   []tableRow
	Table  string
	Fallbk string
	// FallbkEmpty empties a value not in the table (a fallback of ""),
	// where an empty Fallbk keeps it.
	FallbkEmpty bool
	Base        string
	Percent     string
	RoundTo     string
	Expr        string
	Reason      string
	Error       string
}

type caseForm struct {
	If   condition
	Then valueInput
}

type tableRow struct{ Key, Value string }

// P is the prefix of the rule's controls: "r.2.".
func (f ruleForm) P() string { return "r." + strconv.Itoa(f.Index) + "." }

// ErrKey is the key of the rule's error, for the page's script.
func (f ruleForm) ErrKey() string { return "r." + strconv.Itoa(f.Index) }

// formOf shows a rule in its form.
func formOf(i int, r mappings.Rule) ruleForm {
	f := ruleForm{Index: i, Kind: string(r.Kind), Name: r.Name, On: !r.Disabled, Field: r.Field, When: parseCondition(r.When),
		Value: parseValue(r.Value), Force: r.Force, Else: parseValue(r.Else), Table: r.Table,
		Base: r.Base, Percent: r.Percent, RoundTo: r.RoundTo, Expr: r.Expr, Reason: r.Reason}
	if r.Fallback != nil {
		f.Fallbk, f.FallbkEmpty = *r.Fallback, *r.Fallback == ""
	}
	for _, c := range r.Cases {
		f.Cases = append(f.Cases, caseForm{If: parseCondition(c.When), Then: parseValue(c.Then)})
	}
	for _, k := range sortedKeys(anyMap(r.Map)) {
		f.Rows = append(f.Rows, tableRow{Key: k, Value: r.Map[k]})
	}
	return f.withBlanks()
}

// withBlanks adds an empty case and table row to fill in.
func (f ruleForm) withBlanks() ruleForm {
	if f.Kind == "conditional" {
		f.Cases = append(f.Cases, caseForm{If: condition{Mode: "simple", Op: "=="}})
	}
	if f.Kind == "table" && f.Table == "" {
		f.Rows = append(f.Rows, tableRow{}, tableRow{})
	}
	return f
}

func anyMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// rule writes the form as a rule of a flow of entity.
func (f ruleForm) rule(entity string) mappings.Rule {
	kind := fieldKind(entity, f.Field)
	r := mappings.Rule{Name: strings.TrimSpace(f.Name), Kind: mappings.RuleKind(f.Kind), Field: f.Field, Disabled: !f.On}
	if f.Kind != "filter" {
		r.When = f.When.expr(entity)
	}
	switch f.Kind {
	case "default":
		r.Value, r.Force = f.Value.expr(kind), f.Force
	case "conditional":
		for _, c := range f.Cases {
			if c.If.IsSet() {
				r.Cases = append(r.Cases, mappings.Case{When: c.If.expr(entity), Then: c.Then.expr(kind)})
			}
		}
		if f.Else.Text != "" {
			r.Else = f.Else.expr(kind)
		}
	case "table":
		f.tableOf(&r)
	case "price":
		r.Base, r.Percent, r.RoundTo = f.Base, strings.TrimSpace(f.Percent), f.RoundTo
	case "expr":
		r.Expr = strings.TrimSpace(f.Expr)
	case "filter":
		r.When, r.Reason = f.When.expr(entity), strings.TrimSpace(f.Reason)
	}
	return r
}

func (f ruleForm) tableOf(r *mappings.Rule) {
	if f.Table != "" {
		r.Table = f.Table
	} else {
		r.Map = map[string]string{}
		for _, row := range f.Rows {
			if k := strings.TrimSpace(row.Key); k != "" {
				r.Map[k] = row.Value
			}
		}
	}
	if fb := f.Fallbk; fb != "" || f.FallbkEmpty {
		r.Fallback = &fb
	}
}

// readRuleForms reads the submitted rules, in their order on the page.
// The count is the sender's: room is made for no more rules than the form
// has values (each rule sends several), since a huge count would ask the
// runtime for more memory than there is, which ends the process, not just
// the request. A fixed bound would drop the rules after it from a flow
// that has more, without a word.
func readRuleForms(r *http.Request) []ruleForm {
	n, _ := strconv.Atoi(r.PostFormValue("rules"))
	n = min(max(n, 0), len(r.PostForm))
	out := make([]ruleForm, 0, n)
	for i := range n {
		out = append(out, readRuleForm(r, i))
	}
	return out
}

func readRuleForm(r *http.Request, i int) ruleForm {
	f := ruleForm{Index: i}
	p := f.P()
	v := func(name string) string { return r.PostFormValue(p + name) }
	f.Kind, f.Name, f.On, f.Field = v("kind"), v("name"), v("on") == "on", v("field")
	f.When = readCondition(r, p+"when.")
	f.Value, f.Force, f.Else = readValue(r, p+"value"), v("force") == "on", readValue(r, p+"else")
	f.Table, f.Fallbk, f.FallbkEmpty = v("table"), v("fallback"), v("fallback_empty") == "on"
	f.Base, f.Percent, f.RoundTo, f.Expr, f.Reason = v("base"), v("percent"), v("round_to"), v("expr"), v("reason")
	// Cases and table rows are read as long as the form has them: the
	// body's size bounds them, and a fixed bound would drop the rows after
	// it from a table that has more, without a word.
	for j := 0; ; j++ {
		cp := p + "c." + strconv.Itoa(j) + "."
		if _, ok := r.PostForm[cp+"then"]; !ok {
			break
		}
		f.Cases = append(f.Cases, caseForm{If: readCondition(r, cp), Then: readValue(r, cp+"then")})
	}
	for j := 0; ; j++ {
		mp := p + "m." + strconv.Itoa(j) + "."
		if _, ok := r.PostForm[mp+"key"]; !ok {
			break
		}
		f.Rows = append(f.Rows, tableRow{Key: r.PostFormValue(mp + "key"), Value: r.PostFormValue(mp + "value")})
	}
	return f
}

func readCondition(r *http.Request, p string) condition {
	return condition{Mode: r.PostFormValue(p + "mode"), Field: r.PostFormValue(p + "field"), Op: r.PostFormValue(p + "op"),
		Value: r.PostFormValue(p + "value"), Expr: r.PostFormValue(p + "expr")}
}

func readValue(r *http.Request, name string) valueInput {
	return valueInput{Text: r.PostFormValue(name), Expr: r.PostFormValue(name+".x") == "on"}
}

// applyOp changes the list of rules as a button asked: "up:2", "down:2",
// "del:2", "add:price", "case:2" (a condition row more) or "row:2" (a
// table row more).
func applyOp(forms []ruleForm, op string) []ruleForm {
	verb, arg, _ := strings.Cut(op, ":")
	i, _ := strconv.Atoi(arg)
	inRange := i >= 0 && i < len(forms)
	switch {
	case verb == "add" && contains(ruleKinds, arg):
		forms = append(forms, ruleForm{Kind: arg, On: true, When: condition{Mode: "simple", Op: "=="}}.withBlanks())
	case verb == "up" && inRange && i > 0:
		forms[i-1], forms[i] = forms[i], forms[i-1]
	case verb == "down" && inRange && i < len(forms)-1:
		forms[i+1], forms[i] = forms[i], forms[i+1]
	case verb == "del" && inRange:
		forms = append(forms[:i], forms[i+1:]...)
	case verb == "case" && inRange:
		forms[i].Cases = append(forms[i].Cases, caseForm{If: condition{Mode: "simple", Op: "=="}})
	case verb == "row" && inRange:
		forms[i].Rows = append(forms[i].Rows, tableRow{}, tableRow{})
	}
	for j := range forms {
		forms[j].Index = j
	}
	return forms
}
