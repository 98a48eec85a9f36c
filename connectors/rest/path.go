package rest

import (
	"strconv"
	"strings"
)

// Lookup finds the value at a dotted path in decoded JSON: "token",
// "data.items", "meta.next.href", "items.0.id" (a number indexes a list).
// The empty path is v itself.
func Lookup(v any, path string) (any, bool) {
	if path == "" {
		return v, v != nil
	}
	for _, key := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[key]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(key)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, v != nil
}

// LookupString finds a text, or a number written as text, at a dotted
// path; "" when there is none.
func LookupString(v any, path string) string {
	found, ok := Lookup(v, path)
	if !ok {
		return ""
	}
	switch x := found.(type) {
	case string:
		return x
	case interface{ String() string }: // json.Number
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return ""
}
