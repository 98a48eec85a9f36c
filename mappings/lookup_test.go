package mappings

import (
	"encoding/json"
	"testing"

	"github.com/switchboard-app/switchboard/mappings/decimal"
)

// TestLookupFindsANumberWhateverItsScale: lookup() finds a number's entry
// as a table rule does, so a line's tax rate of 21.00 (as shops give it)
// finds the entry "21"; a text key is matched as written.
func TestLookupFindsANumberWhateverItsScale(t *testing.T) {
	tables := Tables{"vat": {"21": "HIGH", "9.0": "LOW", "0": "ZERO", "A1": "text"}}
	c := newCompiler(tables, "")
	for _, tc := range []struct {
		key  any
		want string
	}{
		{decimal.MustParse("21.00"), `"HIGH"`},
		{json.Number("21.0000"), `"HIGH"`},
		{21, `"HIGH"`},
		{decimal.MustParse("9"), `"LOW"`},
		{decimal.MustParse("0.00"), `"ZERO"`},
		{"A1", `"text"`},
		{"21.00", `"none"`}, // text is matched as written
		{decimal.MustParse("6"), `"none"`},
	} {
		t.Run(Show(tc.key), func(t *testing.T) {
			p, err := c.compile(`lookup("vat", key, "none")`)
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.eval(newMachine(), map[string]any{"key": tc.key})
			if err != nil || Show(got) != tc.want {
				t.Errorf("got %s, %v; want %s", Show(got), err, tc.want)
			}
		})
	}
}
