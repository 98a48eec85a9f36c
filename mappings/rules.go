package mappings

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/switchboard-app/switchboard/mappings/decimal"
)

// RuleKind is the kind of a business rule.
type RuleKind string

// The rule kinds.
const (
	RuleDefault     RuleKind = "default"     // set Value when the field is empty (or always, with Force)
	RuleConditional RuleKind = "conditional" // the first case whose When holds sets its Then
	RuleTable       RuleKind = "table"       // map the field's value through a table, with a fallback
	RuleExpr        RuleKind = "expr"        // set the field to Expr, e.g. "prices.list * 1.10"
	RuleFilter      RuleKind = "filter"      // skip the record with Reason when When holds
	RulePrice       RuleKind = "price"       // set the field to Base plus Percent, rounded to a multiple of RoundTo
)

// Rule is one business rule on the canonical record. Rules run one after the
// other in list order, each seeing the changes of the ones before, after the
// mapping in and before validation and the mapping out.
//
// Field is a canonical field path; "lines[].unit_price" applies the rule to
// every element of lines, with item (the element), index, parent (the
// record) and root in scope instead of the record's own fields. All
// expressions are expr-lang expressions like those of mappings. When, if
// set, guards every kind: the rule applies only when it holds.
type Rule struct {
	Name     string            `json:"name,omitempty"`
	Kind     RuleKind          `json:"kind"`
	Field    string            `json:"field,omitempty"`
	When     string            `json:"when,omitempty"`
	Value    string            `json:"value,omitempty"`    // default: expression of the value
	Force    bool              `json:"force,omitempty"`    // default: overwrite a value that is set
	Cases    []Case            `json:"cases,omitempty"`    // conditional
	Else     string            `json:"else,omitempty"`     // conditional: expression when no case holds; empty keeps the value
	Table    string            `json:"table,omitempty"`    // table: name of a flow table
	Map      map[string]string `json:"map,omitempty"`      // table: inline table
	Fallback *string           `json:"fallback,omitempty"` // table: value when the key is missing; nil keeps the value
	Expr     string            `json:"expr,omitempty"`     // expr: expression of the new value
	Reason   string            `json:"reason,omitempty"`   // filter: why the record is skipped
	Base     string            `json:"base,omitempty"`     // price: the field the price is computed from (default: the rule's field)
	Percent  string            `json:"percent,omitempty"`  // price: the change in percent, e.g. "10" or "-5"
	RoundTo  string            `json:"round_to,omitempty"` // price: round half-up to a multiple of it, e.g. "0.05"; empty does not round
	// Disabled rules are checked when the flow is saved but do not run.
	Disabled bool `json:"disabled,omitempty"`
}

// Case is one row of a conditional rule.
type Case struct {
	When string `json:"when"`
	Then string `json:"then"`
}

// label names the rule in errors and in the preview: its Name, or its position and kind.
func (r *Rule) label(i int) string {
	if r.Name != "" {
		return fmt.Sprintf("rule %d (%s)", i+1, r.Name)
	}
	return fmt.Sprintf("rule %d (%s)", i+1, r.Kind)
}

// valueExpr is the expression that computes the new value for the rule's kind.
func (r *Rule) valueExpr() string {
	switch r.Kind {
	case RuleDefault:
		return r.Value
	case RuleExpr:
		return r.Expr
	case RuleConditional:
		return r.Else
	case RulePrice:
		return r.priceExpr()
	}
	return ""
}

// fieldPath is a field of the record (or of item inside a list rule).
var fieldPath = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)

// priceExpr is the expression of a price rule: the base times 1 +
// percent/100, computed exactly, rounded to a multiple of RoundTo when
// set. check has made sure its parts are numbers and a path.
func (r *Rule) priceExpr() string {
	base := r.basePath()
	p, err := decimal.Parse(strings.TrimSpace(r.Percent))
	if err != nil {
		return ""
	}
	factor, err := decimal.New(p.Coef(), p.Scale()+2).Add(decimal.FromInt(1))
	if err != nil {
		return ""
	}
	value := base + " * " + factor.String()
	if strings.TrimSpace(r.RoundTo) == "" {
		return value
	}
	step, err := decimal.Parse(r.RoundTo) // "0,05" and "+0.05" as the percent may be written
	if err != nil {
		return ""
	}
	return "round_to(" + value + ", " + step.String() + ")"
}

// basePath is the path a price rule computes from: Base, or the rule's
// own field (item.<field> on a list's elements).
func (r *Rule) basePath() string {
	if r.Base != "" {
		return r.Base
	}
	if _, rest, ok := splitEach(r.Field); ok {
		return "item." + rest
	}
	return r.Field
}

// checkPrice validates a price rule's percent, rounding and base.
func (r *Rule) checkPrice() error {
	if _, err := decimal.Parse(strings.TrimSpace(r.Percent)); err != nil {
		return fmt.Errorf("percent %q is not a number", r.Percent)
	}
	if step := strings.TrimSpace(r.RoundTo); step != "" {
		if d, err := decimal.Parse(step); err != nil || d.Sign() <= 0 {
			return fmt.Errorf("round_to %q is not a positive number such as 0.05", r.RoundTo)
		}
	}
	if r.Base != "" && !fieldPath.MatchString(r.Base) {
		return fmt.Errorf("base %q is not a field such as prices.cost", r.Base)
	}
	if r.priceExpr() == "" {
		return fmt.Errorf("percent %q is too large", r.Percent)
	}
	return nil
}

// check validates the rule's structure.
func (r *Rule) check() error {
	if r.Kind != RuleFilter && r.Field == "" {
		return errors.New("needs a field")
	}
	switch r.Kind {
	case RuleDefault:
		return need(r.Value, "value")
	case RuleConditional:
		if len(r.Cases) == 0 {
			return errors.New("needs cases")
		}
	case RuleTable:
		if (r.Table == "") == (r.Map == nil) {
			return errors.New("needs exactly one of table and map")
		}
	case RuleExpr:
		return need(r.Expr, "expr")
	case RulePrice:
		return r.checkPrice()
	case RuleFilter:
		if err := need(r.When, "when"); err != nil {
			return err
		}
		return need(r.Reason, "reason")
	default:
		return fmt.Errorf("unknown kind %q (want default, conditional, table, expr, price or filter)", r.Kind)
	}
	return nil
}

func need(s, what string) error {
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("needs %s", what)
	}
	return nil
}

// splitEach splits "lines[].unit_price" into "lines" and "unit_price".
func splitEach(field string) (list, rest string, ok bool) {
	return strings.Cut(field, "[].")
}
