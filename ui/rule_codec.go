package ui

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/switchboard-app/switchboard/mappings/canonical"
	"github.com/switchboard-app/switchboard/mappings/decimal"
)

// The rule forms speak of conditions (a field, an operator and a value)
// and of values typed as text; the rules store expressions. This file
// turns one into the other: the forms write expressions, and read back
// the ones they wrote. Any other expression is shown as it is, to edit as
// an expression.

// condOps are the operators a condition form offers, in its order.
var condOps = []string{"==", "!=", ">", ">=", "<", "<=", "contains", "startsWith", "endsWith", "in", "empty", "notempty"}

// condition is a rule's "when", as its form has it: Field Op Value, or an
// expression (Expr set and Mode "expr").
type condition struct {
	Mode             string
	Field, Op, Value string
	Expr             string
	FieldKind        string
}

// IsSet tells whether the condition says anything.
func (c condition) IsSet() bool {
	if c.Mode == "expr" {
		return strings.TrimSpace(c.Expr) != ""
	}
	return c.Field != ""
}

// expr writes the condition as an expression over the record of entity.
func (c condition) expr(entity string) string {
	if c.Mode == "expr" {
		return strings.TrimSpace(c.Expr)
	}
	if c.Field == "" {
		return ""
	}
	kind := fieldKind(entity, c.Field)
	switch c.Op {
	case "empty":
		return "is_empty(" + c.Field + ")"
	case "notempty":
		return "!is_empty(" + c.Field + ")"
	case "in":
		var items []string
		for _, v := range strings.Split(c.Value, ",") {
			if v = strings.TrimSpace(v); v != "" {
				items = append(items, literal(v, kind))
			}
		}
		return c.Field + " in [" + strings.Join(items, ", ") + "]"
	case "contains", "startsWith", "endsWith":
		return c.Field + " " + c.Op + " " + quote(c.Value)
	}
	op := c.Op
	if !contains(condOps, op) {
		op = "=="
	}
	return c.Field + " " + op + " " + literal(c.Value, kind)
}

var (
	emptyCond  = regexp.MustCompile(`^(!?)is_empty\(([A-Za-z_][\w.]*)\)$`)
	simpleCond = regexp.MustCompile(`^([A-Za-z_][\w.]*) (==|!=|>=|<=|>|<|contains|startsWith|endsWith|in) (.+)$`)
)

// parseCondition reads an expression back into a condition form; one the
// forms did not write stays an expression.
func parseCondition(expr string) condition {
	expr = strings.TrimSpace(expr)
	if expr == "" {
		return condition{Mode: "simple", Op: "=="}
	}
	if m := emptyCond.FindStringSubmatch(expr); m != nil {
		op := "empty"
		if m[1] == "!" {
			op = "notempty"
		}
		return condition{Mode: "simple", Field: m[2], Op: op}
	}
	if m := simpleCond.FindStringSubmatch(expr); m != nil {
		if value, ok := parseLiteralFor(m[2], m[3]); ok {
			return condition{Mode: "simple", Field: m[1], Op: m[2], Value: value}
		}
	}
	return condition{Mode: "expr", Expr: expr, Op: "=="}
}

// parseLiteralFor reads the value side of a condition: one literal, or a
// list of them for "in".
func parseLiteralFor(op, raw string) (string, bool) {
	if op != "in" {
		return parseLiteral(raw)
	}
	var items []any
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&items); err != nil {
		return "", false
	}
	parts := make([]string, 0, len(items))
	for _, it := range items {
		switch v := it.(type) {
		case string:
			if strings.Contains(v, ",") {
				return "", false
			}
			parts = append(parts, v)
		case json.Number:
			parts = append(parts, v.String())
		default:
			return "", false
		}
	}
	return strings.Join(parts, ", "), true
}

// valueInput is a value as a form has it: text, or an expression.
type valueInput struct {
	Text string
	Expr bool
}

// valueExpr writes a value for a field of kind as an expression: a
// number or a switch as it is, other text quoted; an expression as typed.
func (v valueInput) expr(kind string) string {
	if v.Expr {
		return strings.TrimSpace(v.Text)
	}
	return literal(v.Text, kind)
}

// parseValue reads an expression back into a value form: a literal as
// its text, anything else as an expression.
func parseValue(expr string) valueInput {
	if text, ok := parseLiteral(strings.TrimSpace(expr)); ok {
		return valueInput{Text: text}
	}
	return valueInput{Text: expr, Expr: expr != ""}
}

var number = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// literal writes text as the literal of a field's kind: numbers and
// switches bare when they read as such, everything else as text.
func literal(text, kind string) string {
	t := strings.TrimSpace(text)
	switch kind {
	case string(canonical.Decimal), string(canonical.Integer):
		if _, err := decimal.Parse(t); err == nil && number.MatchString(t) {
			return t
		}
	case string(canonical.Bool):
		if t == "true" || t == "false" {
			return t
		}
	}
	return quote(text)
}

// parseLiteral reads a literal the forms write: a quoted text, a number
// or a switch.
func parseLiteral(raw string) (string, bool) {
	switch {
	case number.MatchString(raw), raw == "true", raw == "false":
		return raw, true
	case strings.HasPrefix(raw, `"`):
		var s string
		if err := json.Unmarshal([]byte(raw), &s); err == nil {
			return s, true
		}
	}
	return "", false
}

// fieldKind is the kind of a canonical field path ("lines[].sku" and
// "item.sku" inside list rules included); "" when unknown.
func fieldKind(entity, path string) string {
	path = strings.ReplaceAll(path, "[]", "")
	f, err := canonical.Lookup(entity, path)
	if err != nil {
		return ""
	}
	return string(f.Kind)
}
