package tryton

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
)

func TestTrytonClassesBecomePlainValues(t *testing.T) {
	in := `{"d": {"__class__": "Decimal", "decimal": "12.50"}, "day": {"__class__": "date", "year": 2026, "month": 5, "day": 1},
		"at": {"__class__": "datetime", "year": 2026, "month": 5, "day": 1, "hour": 10, "minute": 15, "second": 2, "microsecond": 500},
		"list": [{"__class__": "Decimal", "decimal": "0.21"}], "party.": {"name": "Jane"}}`
	var v any
	dec := json.NewDecoder(strings.NewReader(in))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	got := undot(plain(v)).(map[string]any)
	want := map[string]string{"d": "12.50", "day": "2026-05-01", "at": "2026-05-01T10:15:02.0005Z", "list": "[0.21]", "party": "map[name:Jane]"}
	for k, w := range want {
		if fmt.Sprint(got[k]) != w {
			t.Errorf("%s = %v, want %s", k, got[k], w)
		}
	}
}

func TestTrytonErrorsAreClassified(t *testing.T) {
	r := &rpc{database: "shop"}
	tests := []struct {
		raw   string
		class connectors.Class
		want  string
	}{
		{`["UserError", ["The value for field \"Account\" is not valid.", "", null]]`, connectors.ClassPermanent, `m: The value for field "Account" is not valid.`},
		{`["ConcurrencyException", "Records were modified in the meanwhile"]`, connectors.ClassTransient, "m: Records were modified in the meanwhile"},
		{`["'nope'", ""]`, connectors.ClassPermanent, "m: Tryton answered 'nope'"},
		{`["Database '/var/lib/tryton/shop.sqlite' doesn't exist!", ""]`, connectors.ClassPermanent, `m: the database "shop" is not on this Tryton server`},
		{`["", ""]`, connectors.ClassTransient, "m: Tryton failed without saying why"},
	}
	for _, tt := range tests {
		var e []any
		if err := json.Unmarshal([]byte(tt.raw), &e); err != nil {
			t.Fatal(err)
		}
		err := classify(r.rpcError("m", e))
		class, _ := connectors.Classify(err)
		if class != tt.class || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%s: %v (%s), want %q (%s)", tt.raw, err, class, tt.want, tt.class)
		}
	}
}

func TestAForbiddenCallSaysWhatTheUserLacks(t *testing.T) {
	s := trytond(t)
	c := s.open(t, s.database(t))
	_, err := c.model(ctx(t), "res.user.login.attempt", "search", []any{}, 0, 1, nil)
	class, _ := connectors.Classify(err)
	if err == nil || class != connectors.ClassPermanent || !strings.Contains(err.Error(), "the Tryton user may not do this (403 Forbidden); give it the access rights") {
		t.Fatalf("a call the user may not make = %v (%s)", err, class)
	}
}
