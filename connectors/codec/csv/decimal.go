package csv

import "strings"

// decimalRule rewrites decimal-comma numbers in chosen fields.
type decimalRule struct {
	all    bool
	fields map[string]bool
}

func newDecimalRule(fields []string) decimalRule {
	r := decimalRule{fields: map[string]bool{}}
	for _, f := range fields {
		f = strings.TrimSpace(f)
		if f == "*" {
			r.all = true
		} else if f != "" {
			r.fields[f] = true
		}
	}
	return r
}

// apply returns v with "1.234,50" written as "1234.50" when the rule
// covers field name and v looks like such a number; otherwise v unchanged.
// In a field the rule names, a dot groups thousands, so "1.000" without a
// comma is written "1000"; read as it is, it would be one.
func (r decimalRule) apply(name, v string) string {
	if !r.all && !r.fields[name] {
		return v
	}
	if strings.IndexByte(v, ',') < 0 {
		if r.fields[name] && strings.IndexByte(v, '.') >= 0 && thousands(v) {
			return strings.ReplaceAll(v, ".", "")
		}
		return v
	}
	if !decimalComma(v) {
		return v
	}
	v = strings.ReplaceAll(v, ".", "")
	return strings.Replace(v, ",", ".", 1)
}

// thousands reports whether v is a whole number with thousands dots:
// 1.000 or -12.345.678. One that starts with 0 (0.500) is not: no
// thousands group starts with a zero, so it is a decimal point.
func thousands(v string) bool {
	digits := strings.TrimLeft(v, "+-")
	return !strings.HasPrefix(digits, "0") && decimalComma(v+",0")
}

// decimalComma reports whether v is a number with a decimal comma and
// optional thousands dots: -1.234,50 or 12,5.
func decimalComma(v string) bool {
	if v != "" && (v[0] == '-' || v[0] == '+') {
		v = v[1:]
	}
	intPart, frac, ok := strings.Cut(v, ",")
	if !ok || !digits(frac) || intPart == "" {
		return false
	}
	groups := strings.Split(intPart, ".")
	if len(groups) == 1 {
		return digits(intPart)
	}
	if len(groups[0]) > 3 || !digits(groups[0]) {
		return false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 || !digits(g) {
			return false
		}
	}
	return true
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
