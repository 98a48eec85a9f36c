package canonical

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/mappings/decimal"
)

var update = flag.Bool("update", false, "rewrite the schema documents from the model")

func TestSchemaFilesUpToDate(t *testing.T) {
	for _, name := range Entities() {
		want, err := GenerateSchema(name)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("schema", name+".json")
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if got := Schema(name); !bytes.Equal(got, want) {
			t.Errorf("%s is out of date; run go test ./mappings/canonical -update", path)
		}
		var doc map[string]any
		if err := json.Unmarshal(Schema(name), &doc); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
	if Schema("nope") != nil {
		t.Error("Schema of unknown entity is not nil")
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		entity, path string
		kind         Kind
		wantErr      bool
	}{
		{"order", "billing.country", Country, false},
		{"order", "lines.unit_price", Decimal, false},
		{"order", "attributes.delivery_slot", Any, false},
		{"product", "variants.options.size", Any, false},
		{"customer", "vat_id", String, false},
		{"order", "lines.nope", "", true},
		{"order", "nope", "", true},
		{"nope", "x", "", true},
	}
	for _, tt := range tests {
		f, err := Lookup(tt.entity, tt.path)
		if (err != nil) != tt.wantErr || (err == nil && f.Kind != tt.kind) {
			t.Errorf("Lookup(%s, %s) = %v, %v", tt.entity, tt.path, f, err)
		}
	}
}

func TestConvert(t *testing.T) {
	tests := []struct {
		kind Kind
		in   any
		want string // fmt of the output, or "error: <substring>"
	}{
		{Decimal, json.Number("12.50"), "12.50"},
		{Decimal, "abc", `error: cannot parse "abc" as decimal`},
		{Decimal, 1.5, "error: float is not an exact decimal"},
		{Decimal, "", "<nil>"},
		{Integer, "3", "3"},
		{Integer, "3.5", "error: not a whole number"},
		{Bool, "yes", "true"},
		{DateTime, "2024-12-25T09:15:00Z", "2024-12-25 09:15:00 +0000 UTC"},
		{DateTime, "2024-12-25T09:15:00", "error: with a zone"},
		{Date, "2019-03-07 00:00:00", "2019-03-07"},
		{Date, "2024-12-25T23:30:00-05:00", "2024-12-25"},
		{Country, "nl", "NL"},
		{Country, "Netherlands", "error: not an ISO 3166-1"},
		{Country, "XX", "error: not an ISO 3166-1"},
		{Currency, "eur", "EUR"},
		{Currency, "EURO", "error: not an ISO 4217"},
		{Email, " Jan@Example.COM ", "jan@example.com"},
		{Email, "jan", "error: not an e-mail"},
		{URL, "https://x.test/a.png", "https://x.test/a.png"},
		{URL, "/a.png", "error: not an absolute"},
		{String, json.Number("42"), "42"},
		{Strings, "a", "[a]"},
		{List, []any{"x"}, "error: element 0"},
	}
	for _, tt := range tests {
		got, err := (&Field{Kind: tt.kind}).Convert(tt.in)
		if want, ok := strings.CutPrefix(tt.want, "error: "); ok {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s %#v: err = %v, want %q", tt.kind, tt.in, err, want)
			}
			continue
		}
		if err != nil || fmtValue(got) != tt.want {
			t.Errorf("%s %#v = %v, %v; want %s", tt.kind, tt.in, got, err, tt.want)
		}
	}
}

func fmtValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "<nil>"
	case time.Time:
		return x.String()
	case []any:
		s := make([]string, len(x))
		for i, e := range x {
			s[i] = fmtValue(e)
		}
		return "[" + strings.Join(s, " ") + "]"
	}
	return strings.TrimSpace(strings.ReplaceAll(jsonish(v), `"`, ""))
}

func jsonish(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func TestValidate(t *testing.T) {
	rec := map[string]any{
		"number":   "1001",
		"currency": "EUR",
		"lines": []any{
			map[string]any{"sku": "A", "quantity": decimal.FromInt(1)},
			map[string]any{"sku": "B"},
			map[string]any{"sku": "C", "quantity": "abc"},
		},
		"billing": map[string]any{"country": "Holland"},
		"bogus":   1,
	}
	err := Validate("order", rec)
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("Validate = %v, want Errors", err)
	}
	want := []string{
		`order 1001: field billing.country: "Holland" is not an ISO 3166-1 alpha-2 country code (use country() to normalise names)`,
		`order 1001: field lines[1].quantity: is required`,
		`order 1001: field lines[2].quantity: cannot parse "abc" as decimal`,
		`order 1001: field totals: is required`,
		`order 1001: field bogus: is not a field of the canonical model (custom fields go under attributes)`,
	}
	got := make([]string, len(es))
	for i, e := range es {
		got[i] = e.Error()
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestBlankRequiredTextIsMissing(t *testing.T) {
	for _, sku := range []string{"", "   "} {
		err := Validate("stock", map[string]any{"sku": sku, "quantity": "1"})
		if err == nil || !strings.Contains(err.Error(), "field sku: is required") {
			t.Errorf("sku %q: Validate = %v, want sku is required", sku, err)
		}
		err = NormalizeConverted("stock", map[string]any{"sku": sku, "quantity": decimal.FromInt(1)})
		if err == nil || !strings.Contains(err.Error(), "field sku: is required") {
			t.Errorf("sku %q: NormalizeConverted = %v, want sku is required", sku, err)
		}
	}
}

func TestNormalize(t *testing.T) {
	rec := map[string]any{"sku": "A1", "quantity": json.Number("7"), "kind": "available", "updated_at": "2025-01-02T03:04:05+01:00"}
	if err := Normalize("stock", rec); err != nil {
		t.Fatal(err)
	}
	if _, ok := rec["quantity"].(decimal.Decimal); !ok {
		t.Errorf("quantity = %T", rec["quantity"])
	}
	if ts, ok := rec["updated_at"].(time.Time); !ok || ts.Format(time.RFC3339) != "2025-01-02T03:04:05+01:00" {
		t.Errorf("updated_at = %#v", rec["updated_at"])
	}
	if err := Normalize("stock", map[string]any{"sku": "A1", "quantity": "1", "kind": "lost"}); err == nil {
		t.Error("bad enum accepted")
	}
}

func TestNormalizeConverted(t *testing.T) {
	rec := func() map[string]any {
		return map[string]any{"number": "1", "currency": "EUR", "status": "processing",
			"payment": map[string]any{"status": "paid"}, "totals": map[string]any{"total": decimal.MustParse("10")},
			"lines": []any{map[string]any{"sku": "A", "quantity": decimal.MustParse("2")}}}
	}
	if err := NormalizeConverted("order", rec()); err != nil {
		t.Errorf("converted record: %v", err)
	}
	for name, change := range map[string]func(map[string]any){
		"enum":             func(m map[string]any) { m["status"] = "shipped-ish" },
		"nested enum":      func(m map[string]any) { m["payment"].(map[string]any)["status"] = "nope" },
		"required in list": func(m map[string]any) { delete(m["lines"].([]any)[0].(map[string]any), "quantity") },
		"required":         func(m map[string]any) { delete(m, "number") },
		"not an object":    func(m map[string]any) { m["payment"] = "paid" },
		"not a list":       func(m map[string]any) { m["lines"] = map[string]any{} },
	} {
		a, b := rec(), rec()
		change(a)
		change(b)
		got, want := NormalizeConverted("order", a), Normalize("order", b)
		if got == nil || want == nil || got.Error() != want.Error() {
			t.Errorf("%s: NormalizeConverted %v, Normalize %v", name, got, want)
		}
	}
}

// TestBlankTextIsNoValue: text of nothing but spaces (a blank cell of a
// supplier's file) is no value for a field that is not text, as empty text
// is, instead of failing the record with `cannot parse "  " as decimal`.
func TestBlankTextIsNoValue(t *testing.T) {
	for _, path := range []string{"prices.cost", "stock_quantity", "created_at", "weight"} {
		for _, blank := range []string{"", " ", "\t "} {
			f, err := Lookup("product", path)
			if err != nil {
				t.Fatal(err)
			}
			got, err := f.Convert(blank)
			if err != nil || got != nil {
				t.Errorf("%s %q: got %v, %v; want nil", path, blank, got, err)
			}
		}
	}
	f, _ := Lookup("product", "name")
	if got, _ := f.Convert(" "); got != " " {
		t.Errorf("a text field's blank: got %q, want it kept", got)
	}
}
