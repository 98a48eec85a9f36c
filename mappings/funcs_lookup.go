package mappings

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/switchboard-app/switchboard/mappings/canonical"
	"github.com/switchboard-app/switchboard/mappings/decimal"
	"golang.org/x/text/currency"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"golang.org/x/text/unicode/norm"
)

func init() {
	register(
		&Function{Name: "lookup", Group: "lookup", Signature: "lookup(table, key, [default])", MinArgs: 2, MaxArgs: 3,
			Doc: "Looks key up in one of the flow's named tables; a number finds its entry whatever its scale (a tax rate of 21.00 finds \"21\"), a text as written. Without a default, a missing key is an error naming the table and the key.",
			withEnv: func(c *compiler) func(args ...any) (any, error) {
				t := c.tables
				nums := sync.OnceValue(func() map[string]map[string]any { // on the first number not found as written
					out := make(map[string]map[string]any, len(t))
					for name, table := range t {
						out[name] = numberIndex(table)
					}
					return out
				})
				return func(args ...any) (any, error) { return lookup(t, nums, args) }
			},
			Examples: []Example{
				{Expr: `lookup("vat_codes", "21")`, Want: `"HIGH"`},
				{Expr: `lookup("vat_codes", "7", "NONE")`, Want: `"NONE"`},
				{Expr: `lookup("vat_codes", tax_rate)`, Input: map[string]any{"tax_rate": json.Number("21.00")}, Want: `"HIGH"`},
			}},
		&Function{Name: "coalesce", Group: "lookup", Signature: "coalesce(a, b, ...)", MinArgs: 1, MaxArgs: -1,
			Doc: "The first argument that is neither nil nor empty text.", fn: fnCoalesce,
			Examples: []Example{{Expr: `coalesce(vat, taxvat, "")`, Input: map[string]any{"vat": "", "taxvat": "NL001"}, Want: `"NL001"`}}},
		&Function{Name: "default", Group: "lookup", Signature: "default(value, fallback)", MinArgs: 2, MaxArgs: 2,
			Doc: "value, or fallback when value is nil or empty text.", fn: fnCoalesce,
			Examples: []Example{{Expr: `default(note, "-")`, Want: `"-"`}}},
		&Function{Name: "country", Group: "lookup", Signature: "country(s)", MinArgs: 1, MaxArgs: 1,
			Doc: "Normalises a country to its ISO 3166-1 alpha-2 code from an alpha-2, alpha-3 or numeric code or an English (or common local) name. nil and \"\" give nil.", fn: fnCountry,
			Examples: []Example{{Expr: `country("nld")`, Want: `"NL"`}, {Expr: `country("United Kingdom")`, Want: `"GB"`}, {Expr: `country("Deutschland")`, Want: `"DE"`}, {Expr: `country("USA")`, Want: `"US"`}}},
		&Function{Name: "currency", Group: "lookup", Signature: "currency(s)", MinArgs: 1, MaxArgs: 1,
			Doc: "Normalises a currency to its ISO 4217 code from a code, a symbol (€, $, £, ¥) or a name (euro). nil and \"\" give nil.", fn: fnCurrency,
			Examples: []Example{{Expr: `currency("eur")`, Want: `"EUR"`}, {Expr: `currency("€")`, Want: `"EUR"`}}},
		&Function{Name: "str", Group: "lookup", Signature: "str(x)", MinArgs: 1, MaxArgs: 1,
			Doc: "Converts to text: numbers exactly, times in RFC 3339; nil stays nil.", fn: fnStr,
			Examples: []Example{{Expr: `str(12.50 * 2)`, Want: `"25.00"`}, {Expr: `str(id)`, Input: map[string]any{"id": 1001}, Want: `"1001"`}}},
		&Function{Name: "is_empty", Group: "lookup", Signature: "is_empty(x)", MinArgs: 1, MaxArgs: 1,
			Doc: "Whether x is nil, empty text, an empty list or an empty object.", fn: fnIsEmpty,
			Examples: []Example{{Expr: `is_empty(" ")`, Want: `true`}, {Expr: `is_empty([1])`, Want: `false`}}},
	)
}

// ExampleTables are the lookup tables the function examples run with.
var ExampleTables = Tables{"vat_codes": {"21": "HIGH", "9": "LOW", "0": "ZERO"}}

// lookup looks a key up in a table; a number (not a numeric text) that is
// no key as written finds its entry by value, as a table rule does: a tax
// rate of 21.00 finds the entry "21". nums gives the tables' numberIndex.
func lookup(t Tables, nums func() map[string]map[string]any, args []any) (any, error) {
	name, key := text(args[0]), text(args[1])
	table, ok := t[name]
	if !ok {
		return nil, fmt.Errorf("no table %q", name)
	}
	if v, ok := table[key]; ok {
		return v, nil
	}
	if numeric(args[1]) {
		if d, err := decimal.FromAny(args[1]); err == nil {
			if v, ok := nums()[name][d.Normalize().String()]; ok {
				return v, nil
			}
		}
	}
	if len(args) == 3 {
		return args[2], nil
	}
	return nil, fmt.Errorf("table %q has no key %q", name, key)
}

func empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(x) == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

func fnCoalesce(args ...any) (any, error) {
	for _, a := range args {
		if s, ok := a.(string); (ok && s != "") || (!ok && a != nil) {
			return a, nil
		}
	}
	return nil, nil
}

func fnIsEmpty(args ...any) (any, error) { return empty(args[0]), nil }

func fnStr(args ...any) (any, error) {
	if args[0] == nil {
		return nil, nil
	}
	return text(args[0]), nil
}

var countryAliases = map[string]string{
	"holland": "NL", "nederland": "NL", "the netherlands": "NL", "deutschland": "DE",
	"belgië": "BE", "belgie": "BE", "belgique": "BE", "österreich": "AT", "schweiz": "CH",
	"suisse": "CH", "españa": "ES", "italia": "IT", "polska": "PL", "danmark": "DK",
	"sverige": "SE", "norge": "NO", "suomi": "FI", "uk": "GB", "great britain": "GB",
	"england": "GB", "scotland": "GB", "wales": "GB", "usa": "US", "united states of america": "US",
	"u.s.a.": "US", "luxemburg": "LU", "frankrijk": "FR", "duitsland": "DE", "belgium": "BE",
}

var countryIndex = sync.OnceValue(buildCountryIndex)

// buildCountryIndex maps lower-case codes and English names to alpha-2 codes.
func buildCountryIndex() map[string]string {
	idx := make(map[string]string, 1200)
	names := display.English.Regions()
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			if !canonical.IsCountry(string([]rune{a, b})) {
				continue
			}
			r := language.MustParseRegion(string([]rune{a, b}))
			code := r.String()
			idx[strings.ToLower(code)] = code
			idx[strings.ToLower(r.ISO3())] = code
			idx[strconv.Itoa(r.M49())] = code
			idx[strings.ToLower(names.Name(r))] = code
		}
	}
	for k, v := range countryAliases {
		idx[k] = v
	}
	return idx
}

func fnCountry(args ...any) (any, error) {
	s := strings.TrimSpace(text(args[0]))
	if s == "" {
		return nil, nil
	}
	if code, ok := countryIndex()[strings.ToLower(norm.NFC.String(s))]; ok {
		return code, nil
	}
	return nil, fmt.Errorf("unknown country %q", s)
}

var currencyAliases = map[string]string{
	"€": "EUR", "euro": "EUR", "euros": "EUR", "$": "USD", "us$": "USD", "dollar": "USD",
	"£": "GBP", "pound": "GBP", "¥": "JPY", "yen": "JPY", "fr.": "CHF", "kr": "SEK", "zł": "PLN",
}

func fnCurrency(args ...any) (any, error) {
	s := strings.TrimSpace(text(args[0]))
	if s == "" {
		return nil, nil
	}
	if code, ok := currencyAliases[strings.ToLower(s)]; ok {
		return code, nil
	}
	if u, err := currency.ParseISO(strings.ToUpper(s)); err == nil && len(s) == 3 {
		return u.String(), nil
	}
	return nil, fmt.Errorf("unknown currency %q", s)
}
