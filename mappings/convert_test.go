package mappings

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/switchboard-app/switchboard/mappings/decimal"
)

// TestIntAndFloat: expr-lang's int() and float() take the decimals the
// canonical model holds, cut int toward zero, give nil for nil, and refuse
// what they cannot represent (1e30, NaN) instead of a wrong number or an
// "internal error".
func TestIntAndFloat(t *testing.T) {
	c := newCompiler(nil, "")
	env := map[string]any{"qty": decimal.MustParse("3.000"), "price": json.Number("12.70"), "text": "abc"}
	for _, tc := range []struct {
		expr, want, err string
	}{
		{`int(qty)`, `3`, ""},
		{`int(price)`, `12`, ""},
		{`int(dec("-2.5"))`, `-2`, ""},
		{`int(1.5)`, `1`, ""},
		{`int("12")`, `12`, ""},
		{`int(7)`, `7`, ""},
		{`int(missing)`, `nil`, ""},
		{`int(1e30)`, ``, "overflow"},
		{`int(text)`, ``, `cannot parse "abc"`},
		{`float(qty)`, `3`, ""},
		{`float(dec("1.1"))`, `1.1`, ""},
		{`float("2.5")`, `2.5`, ""},
		{`float(missing)`, `nil`, ""},
		{`float("NaN")`, ``, `cannot parse "NaN"`},
		{`float("inf")`, ``, `cannot parse "inf"`},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			p, err := c.compile(tc.expr)
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			got, err := p.eval(newMachine(), env)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || strings.Contains(err.Error(), "internal error") {
					t.Fatalf("got %s, %v; want an error saying %s", Show(got), err, tc.err)
				}
				return
			}
			if err != nil || Show(got) != tc.want {
				t.Fatalf("got %s, %v; want %s", Show(got), err, tc.want)
			}
		})
	}
}
