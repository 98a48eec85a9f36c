package mappings

import "testing"

// TestDateFunctionsTakeDateFields: the date functions take the model's
// date fields (invoice issued_on, due_on: "YYYY-MM-DD"), not only
// date-times, so an invoice's date can be formatted and its due date
// computed.
func TestDateFunctionsTakeDateFields(t *testing.T) {
	inv := map[string]any{
		"number": "F1", "currency": "EUR", "issued_on": "2024-01-31",
		"totals": map[string]any{"total": "10.00"},
	}
	for _, tc := range []struct {
		name string
		cfg  FlowConfig
		path string
		want string
	}{
		{"formatted for the target", FlowConfig{Out: &Mapping{Entity: "invoice", Direction: Out, Fields: []Field{
			{Target: "date", Expr: `format_time(issued_on, "dmy")`}}}}, "date", `"31-01-2024"`},
		{"due 30 days later", FlowConfig{Rules: []Rule{{Kind: RuleExpr, Field: "due_on", Expr: `add_days(issued_on, 30)`}}}, "due_on", `"2024-03-01"`},
		{"in another zone", FlowConfig{Out: &Mapping{Entity: "invoice", Direction: Out, Fields: []Field{
			{Target: "date", Expr: `format_time(to_zone(issued_on, "UTC"), "date")`}}}}, "date", `"2024-01-31"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Entity = "invoice"
			p, err := Compile(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			res, err := p.Run(inv)
			if err != nil {
				t.Fatal(err)
			}
			if got := Show(res.Output[tc.path]); got != tc.want {
				t.Fatalf("%s = %s, want %s", tc.path, got, tc.want)
			}
		})
	}
}

// TestTimesCompareWithText: a date-time field compares with a time written
// as text (RFC 3339, or a date as midnight UTC), so a filter such as
// ordered_at < "2024-01-01" holds or not instead of failing every record.
func TestTimesCompareWithText(t *testing.T) {
	c := newCompiler(nil)
	at, _ := argTime("2024-05-01T10:00:00+02:00")
	for _, tc := range []struct{ expr, want string }{
		{`ordered_at > "2024-01-01"`, `true`},
		{`ordered_at < "2024-01-01"`, `false`},
		{`"2024-06-01" > ordered_at`, `true`},
		{`ordered_at >= "2024-05-01T08:00:00Z"`, `true`},
		{`ordered_at > "2024-05-01T08:00:01Z"`, `false`},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			p, err := c.compile(tc.expr)
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.eval(newMachine(), map[string]any{"ordered_at": at})
			if err != nil || Show(got) != tc.want {
				t.Fatalf("got %s, %v; want %s", Show(got), err, tc.want)
			}
		})
	}
}
