package mappings

import (
	"strings"
	"testing"
)

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
	c := newCompiler(nil, "")
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

// TestBusinessZoneGivesTheBooksDate: an order placed at 00:30 in
// Amsterdam on 1 January (23:30 UTC on 31 December) is written on 1
// January when the business time zone is Europe/Amsterdam; without one,
// on the day of the zone its time was read in, as before. A date field is
// a day already and stays that day; full times are written as they are.
func TestBusinessZoneGivesTheBooksDate(t *testing.T) {
	out := &Mapping{Entity: "order", Direction: Out, Fields: []Field{
		{Target: "date", Expr: `format_time(to_business_zone(ordered_at), "date")`},
		{Target: "due", Expr: `format_time(add_days(to_business_zone(ordered_at), 14), "date")`},
		{Target: "day", Expr: `format_time(to_business_zone(attributes.delivery_day), "date")`},
		{Target: "at", Expr: `ordered_at`},
	}}
	for _, tc := range []struct{ zone, at, date, due string }{
		{"", "2026-12-31T23:30:00Z", `"2026-12-31"`, `"2027-01-14"`},
		{"", "2027-01-01T00:30:00+01:00", `"2027-01-01"`, `"2027-01-15"`},
		{"UTC", "2027-01-01T00:30:00+01:00", `"2026-12-31"`, `"2027-01-14"`},
		{"Europe/Amsterdam", "2026-12-31T23:30:00Z", `"2027-01-01"`, `"2027-01-15"`},
		{"America/New_York", "2026-12-31T23:30:00Z", `"2026-12-31"`, `"2027-01-14"`},
	} {
		t.Run(tc.zone+" "+tc.at, func(t *testing.T) {
			p, err := Compile(FlowConfig{Entity: "order", Out: out, BusinessZone: tc.zone})
			if err != nil {
				t.Fatal(err)
			}
			order := map[string]any{
				"number": "1001", "currency": "EUR", "ordered_at": tc.at,
				"lines":      []any{map[string]any{"sku": "A", "quantity": 1, "unit_price": "10.00"}},
				"totals":     map[string]any{"total": "10.00"},
				"attributes": map[string]any{"delivery_day": "2027-01-04"},
			}
			res, err := p.Run(order)
			if err != nil {
				t.Fatal(err)
			}
			at, _ := argTime(tc.at)
			for field, want := range map[string]string{"date": tc.date, "due": tc.due, "day": `"2027-01-04"`, "at": Show(at)} {
				if got := Show(res.Output[field]); got != want {
					t.Errorf("%s = %s, want %s", field, got, want)
				}
			}
		})
	}
}

// TestAnUnknownBusinessZoneFailsTheRecord: a zone the settings would
// refuse fails the field that reads it, naming the zone, instead of
// writing a day of another zone.
func TestAnUnknownBusinessZoneFailsTheRecord(t *testing.T) {
	p, err := Compile(FlowConfig{Entity: "order", BusinessZone: "Mars/Olympus", Out: &Mapping{Entity: "order", Direction: Out,
		Fields: []Field{{Target: "date", Expr: `format_time(to_business_zone(ordered_at), "date")`}}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Run(map[string]any{"number": "1001", "currency": "EUR", "ordered_at": "2026-12-31T23:30:00Z",
		"lines": []any{map[string]any{"sku": "A", "quantity": 1, "unit_price": "10.00"}}, "totals": map[string]any{"total": "10.00"}})
	if err == nil || !strings.Contains(err.Error(), "date") || !strings.Contains(err.Error(), `"Mars/Olympus"`) {
		t.Fatalf("err = %v, want the field and the zone named", err)
	}
}

// TestTimesStayWritable: a date function whose time would fall outside
// the years 0 to 9999, which no RFC 3339 or JSON time holds, fails its
// record naming the field (the record's encoding failed later, naming
// nothing); add_days of a huge count no longer wraps round to an earlier
// date; times before 1970 and up to 9999 work.
func TestTimesStayWritable(t *testing.T) {
	for _, tc := range []struct{ expr, want string }{
		{`add_days("9999-12-31T12:00:00Z", 1)`, "outside the years 0 to 9999"},
		{`add_days("2024-01-01T00:00:00Z", 9223372036854775807)`, "outside the years 0 to 9999"},
		{`add_days("0001-01-01", -400)`, "outside the years 0 to 9999"},
		{`to_zone("9999-12-31T23:30:00Z", "Asia/Tokyo")`, "outside the years 0 to 9999"},
		{`unix_time(253402300800)`, "outside the years 0 to 9999"},
		{`unix_time(-99999999999999)`, "outside the years 0 to 9999"},
		{`ms_date("/Date(253402300800000)/")`, "outside the years 0 to 9999"},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			got, err := evalExpr(t, tc.expr, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("= %s, %v; want an error %q", Show(got), err, tc.want)
			}
		})
	}
	for _, tc := range []struct{ expr, want string }{
		{`add_days("1900-02-28", 1)`, `1900-03-01T00:00:00Z`},
		{`add_days("9999-12-30T12:00:00Z", 1)`, `9999-12-31T12:00:00Z`},
		{`unix_time(-2208988800)`, `1900-01-01T00:00:00Z`},
		{`format_time(parse_time("01-01-0001", "dmy"), "date")`, `"0001-01-01"`},
		{`ms_date("/Date(-86400000)/")`, `1969-12-31T00:00:00Z`},
	} {
		got, err := evalExpr(t, tc.expr, nil)
		if err != nil || Show(got) != tc.want {
			t.Fatalf("%s = %s, %v; want %s", tc.expr, Show(got), err, tc.want)
		}
	}
	p, err := Compile(FlowConfig{Entity: "order", Rules: []Rule{{Kind: RuleExpr, Field: "ordered_at", Expr: `add_days(ordered_at, 1)`}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Run(map[string]any{"number": "1001", "ordered_at": "9999-12-31T12:00:00Z"})
	if err == nil || !strings.Contains(err.Error(), "order 1001: field ordered_at") || !strings.Contains(err.Error(), "10000-01-01") {
		t.Fatalf("Run = %v; want the record and the field named", err)
	}
}
