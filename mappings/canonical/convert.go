package canonical

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-app/switchboard/mappings/decimal"
	"golang.org/x/text/currency"
	"golang.org/x/text/language"
)

// Convert returns v as the canonical Go type of the field's kind, or an error
// naming the cause. nil stays nil, and so do "" and text of nothing but
// spaces (a blank cell) for every kind but String and Any.
//
// Decimal: decimal.Decimal from a Decimal, integer, json.Number or numeric
// string (a float64 is refused: it is not exact). DateTime: time.Time from a
// time.Time or an RFC 3339 string that carries a zone. Date: "YYYY-MM-DD".
// Country, Currency: upper-case ISO code, checked. Email: lower-cased.
// Strings: []any of strings. Object, Attributes: map[string]any. List: []any of maps.
func (f *Field) Convert(v any) (any, error) {
	out, err := f.Coerce(v)
	if err != nil || f.Enum == nil || out == nil {
		return out, err
	}
	return checkEnum(out, f.Enum)
}

// Coerce is Convert without the check of Enum: mapping in and rules use it,
// so that a rule can still translate a native value into an allowed one.
func (f *Field) Coerce(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	if s, ok := v.(string); ok && f.Kind != String && f.Kind != Any && strings.TrimSpace(s) == "" {
		return nil, nil
	}
	conv := f.conv
	if conv == nil {
		if conv = converters[f.Kind]; conv == nil {
			return nil, fmt.Errorf("field kind %q has no converter", f.Kind)
		}
	}
	return conv(v)
}

// converters convert to each kind; a package variable, so it is set before
// the init that caches them in the model's fields.
var converters = map[Kind]func(any) (any, error){
	String: toString, Decimal: toDecimal, Integer: toInteger, Bool: toBool,
	DateTime: toDateTime, Date: toDate, Country: toCountry, Currency: toCurrency,
	Email: toEmail, URL: toURL, Object: toObject, Attributes: toObject,
	List: toList, Strings: toStrings, Any: toAny,
}

func toAny(v any) (any, error) { return v, nil }

// unchanged reports whether a conversion gave back the value it was given
// (the same value, or the same map or list), so that normalising need not
// write it back.
func unchanged(in, out any) bool {
	switch x := out.(type) {
	case string:
		y, ok := in.(string)
		return ok && x == y
	case decimal.Decimal:
		y, ok := in.(decimal.Decimal)
		return ok && x == y
	case time.Time:
		y, ok := in.(time.Time)
		return ok && x == y
	case bool:
		y, ok := in.(bool)
		return ok && x == y
	case int:
		y, ok := in.(int)
		return ok && x == y
	case map[string]any:
		// toObject gives back the map it was given.
		_, ok := in.(map[string]any)
		return ok
	case []any:
		// toList and toStrings give back a []any they were given.
		_, ok := in.([]any)
		return ok
	}
	return false
}

func checkEnum(v any, allowed []string) (any, error) {
	s, _ := v.(string)
	if slices.Contains(allowed, s) {
		return v, nil
	}
	return nil, fmt.Errorf("%q is not one of %s", s, strings.Join(allowed, ", "))
}

func toString(v any) (any, error) {
	switch x := v.(type) {
	case string:
		return v, nil
	case json.Number:
		return string(x), nil
	case decimal.Decimal:
		return x.String(), nil
	case bool:
		return strconv.FormatBool(x), nil
	case int, int64, int32, uint, uint64, uint32:
		return fmt.Sprint(x), nil
	case fmt.Stringer:
		return x.String(), nil
	}
	return nil, fmt.Errorf("cannot use %T as text", v)
}

// ErrFloat is the cause when a float reaches a decimal field.
var ErrFloat = errors.New("float is not an exact decimal (decode JSON with UseNumber, or use dec())")

func toDecimal(v any) (any, error) {
	switch v.(type) {
	case decimal.Decimal:
		return v, nil
	case float64, float32:
		return nil, fmt.Errorf("%v: %w", v, ErrFloat)
	}
	return decimal.FromAny(v)
}

func toInteger(v any) (any, error) {
	d, err := decimal.FromAny(v)
	if err != nil {
		return nil, err
	}
	if d.Normalize().Scale() != 0 {
		return nil, fmt.Errorf("%s is not a whole number", d)
	}
	return int(d.Int64()), nil
}

func toBool(v any) (any, error) {
	switch x := v.(type) {
	case bool:
		return v, nil
	case string, json.Number:
		switch strings.ToLower(strings.TrimSpace(fmt.Sprint(x))) {
		case "true", "1", "yes", "y", "on":
			return true, nil
		case "false", "0", "no", "n", "off":
			return false, nil
		}
	case int:
		return x != 0, nil
	}
	return nil, fmt.Errorf("cannot use %v as boolean", v)
}

// dateTimeLayouts are accepted for date-time strings; each carries a zone.
var dateTimeLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05Z07:00", "2006-01-02T15:04:05Z0700", "2006-01-02 15:04:05Z0700"}

func toDateTime(v any) (any, error) {
	switch x := v.(type) {
	case time.Time:
		return v, nil
	case string:
		s := strings.TrimSpace(x)
		for _, l := range dateTimeLayouts {
			if t, err := time.Parse(l, s); err == nil {
				return t, nil
			}
		}
		return nil, fmt.Errorf("cannot parse %q as a date-time with a zone (RFC 3339; use parse_time for other layouts)", x)
	}
	return nil, fmt.Errorf("cannot use %T as date-time", v)
}

func toDate(v any) (any, error) {
	switch x := v.(type) {
	case time.Time:
		return x.Format(time.DateOnly), nil
	case string:
		s := strings.TrimSpace(x)
		if len(s) >= 10 {
			if _, err := time.Parse(time.DateOnly, s[:10]); err == nil {
				if t, err := toDateTime(s); err == nil {
					return t.(time.Time).Format(time.DateOnly), nil
				}
				return s[:10], nil
			}
		}
		return nil, fmt.Errorf("cannot parse %q as a date (YYYY-MM-DD)", x)
	}
	return nil, fmt.Errorf("cannot use %T as date", v)
}

func toCountry(v any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("cannot use %T as country", v)
	}
	c := strings.ToUpper(strings.TrimSpace(s))
	if !IsCountry(c) {
		return nil, fmt.Errorf("%q is not an ISO 3166-1 alpha-2 country code (use country() to normalise names)", s)
	}
	if c == s {
		return v, nil
	}
	return c, nil
}

// IsCountry reports whether code is an upper-case ISO 3166-1 alpha-2 country code.
func IsCountry(code string) bool {
	if len(code) != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z' {
		return false
	}
	return countries()[code[0]-'A'][code[1]-'A']
}

// countries tables the assigned alpha-2 codes (x/text's region data, without
// the exceptionally reserved and private-use codes).
var countries = sync.OnceValue(func() *[26][26]bool {
	var t [26][26]bool
	for a := range 26 {
		for b := range 26 {
			code := string([]byte{byte('A' + a), byte('A' + b)})
			r, err := language.ParseRegion(code)
			t[a][b] = err == nil && r.IsCountry() && r.String() == code && r.ISO3() != "ZZZ" && r.M49() != 0
		}
	}
	return &t
})

func toCurrency(v any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("cannot use %T as currency", v)
	}
	c := strings.ToUpper(strings.TrimSpace(s))
	if !IsCurrency(c) {
		return nil, fmt.Errorf("%q is not an ISO 4217 currency code", s)
	}
	if c == s {
		return v, nil
	}
	return c, nil
}

// IsCurrency reports whether code is an upper-case ISO 4217 currency code.
func IsCurrency(code string) bool {
	if len(code) != 3 || strings.ToUpper(code) != code {
		return false
	}
	if ok, seen := currencies.Load(code); seen {
		return ok.(bool)
	}
	_, err := currency.ParseISO(code)
	currencies.Store(code, err == nil)
	return err == nil
}

// currencies caches IsCurrency; there are only so many three-letter codes.
var currencies sync.Map

func toEmail(v any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("cannot use %T as e-mail", v)
	}
	e := strings.ToLower(strings.TrimSpace(s))
	at := strings.LastIndexByte(e, '@')
	if at < 1 || at == len(e)-1 || strings.ContainsAny(e, " \t<>,;") {
		return nil, fmt.Errorf("%q is not an e-mail address", s)
	}
	if e == s {
		return v, nil
	}
	return e, nil
}

func toURL(v any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("cannot use %T as URL", v)
	}
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an absolute http(s) URL", s)
	}
	return u.String(), nil
}

func toObject(v any) (any, error) {
	if _, ok := v.(map[string]any); ok {
		return v, nil
	}
	return nil, fmt.Errorf("cannot use %T as object", v)
}

func toList(v any) (any, error) {
	switch x := v.(type) {
	case []any:
		for i, el := range x {
			if _, ok := el.(map[string]any); !ok {
				return nil, fmt.Errorf("element %d: cannot use %T as object", i, el)
			}
		}
		return v, nil
	case []map[string]any:
		out := make([]any, len(x))
		for i, m := range x {
			out[i] = m
		}
		return out, nil
	}
	return nil, fmt.Errorf("cannot use %T as list", v)
}

func toStrings(v any) (any, error) {
	switch x := v.(type) {
	case string:
		return []any{x}, nil
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out, nil
	case []any:
		for i, el := range x {
			if _, ok := el.(string); !ok {
				return nil, fmt.Errorf("element %d: cannot use %T as text", i, el)
			}
		}
		return v, nil
	}
	return nil, fmt.Errorf("cannot use %T as a list of text", v)
}
