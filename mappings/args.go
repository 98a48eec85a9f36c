package mappings

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/switchboard-app/switchboard/mappings/decimal"
)

// text converts a value to text: nil is "", numbers print exactly, times in RFC 3339.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return string(x)
	case decimal.Decimal:
		return x.String()
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case bool:
		return strconv.FormatBool(x)
	case fmt.Stringer:
		return x.String()
	}
	if checkPrinted(v) != nil {
		return tooLongToShow // the functions refuse such an argument (Function.bound)
	}
	return fmt.Sprint(v)
}

// tooLongToShow is the text of a list or object whose text would be over
// maxText: a table rule finds no entry for it.
const tooLongToShow = "(a list or object too long to show)"

// argInt reads a whole-number argument.
func argInt(v any, what string) (int, error) {
	d, err := decimal.FromAny(v)
	if err != nil || d.Normalize().Scale() != 0 {
		return 0, fmt.Errorf("%s must be a whole number, not %s", what, Show(v))
	}
	return int(d.Int64()), nil
}

// argDec reads a decimal argument.
func argDec(v any, what string) (decimal.Decimal, error) {
	if v == nil {
		return decimal.Decimal{}, fmt.Errorf("%s is nil", what)
	}
	d, err := decimal.FromAny(v)
	if err != nil {
		return d, fmt.Errorf("%s: %w", what, err)
	}
	return d, nil
}

// argList reads a list argument; nil is an empty list.
func argList(v any) ([]any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case []any:
		return x, nil
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out, nil
	case []map[string]any:
		out := make([]any, len(x))
		for i, m := range x {
			out[i] = m
		}
		return out, nil
	}
	return nil, fmt.Errorf("want a list, not %s", typeName(v))
}

// argTime reads a time argument: a time.Time, an RFC 3339 text, or a
// date as the model's date fields hold it ("2024-01-31", midnight UTC).
func argTime(v any) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x, nil
	case string:
		t, err := time.Parse(time.RFC3339Nano, x)
		if err != nil {
			if d, derr := time.Parse(time.DateOnly, x); derr == nil {
				return d, nil
			}
			return t, fmt.Errorf("cannot parse %q as RFC 3339 time or a date YYYY-MM-DD (use parse_time)", x)
		}
		return t, nil
	}
	return time.Time{}, fmt.Errorf("want a time, not %s", typeName(v))
}
