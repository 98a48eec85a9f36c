package mappings

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"
)

func init() {
	register(
		&Function{Name: "trim", Group: "text", Signature: "trim(s, [chars])", MinArgs: 1, MaxArgs: 2,
			Doc: "Removes white space (or the given characters) from both ends.",
			fn:  keepNil(fnTrim), Examples: []Example{{Expr: `trim("  Jan ")`, Want: `"Jan"`}, {Expr: `trim("--A--", "-")`, Want: `"A"`}}},
		&Function{Name: "lower", Group: "text", Signature: "lower(s)", MinArgs: 1, MaxArgs: 1,
			Doc: "Lower-cases text.", fn: keepNil(str1(strings.ToLower)),
			Examples: []Example{{Expr: `lower("Jan@Example.COM")`, Want: `"jan@example.com"`}}},
		&Function{Name: "upper", Group: "text", Signature: "upper(s)", MinArgs: 1, MaxArgs: 1,
			Doc: "Upper-cases text.", fn: keepNil(str1(strings.ToUpper)),
			Examples: []Example{{Expr: `upper(code)`, Input: map[string]any{"code": "nl"}, Want: `"NL"`}}},
		&Function{Name: "title", Group: "text", Signature: "title(s)", MinArgs: 1, MaxArgs: 1,
			Doc: "Capitalises the first letter of every word.", fn: keepNil(fnTitle),
			Examples: []Example{{Expr: `title("jan de VRIES")`, Want: `"Jan De Vries"`}}},
		&Function{Name: "pad_left", Group: "text", Signature: "pad_left(s, width, [char])", MinArgs: 2, MaxArgs: 3,
			Doc: "Pads text on the left to width characters with char (default a space).", fn: keepNil(pad(true)),
			Examples: []Example{{Expr: `pad_left(42, 6, "0")`, Want: `"000042"`}}},
		&Function{Name: "pad_right", Group: "text", Signature: "pad_right(s, width, [char])", MinArgs: 2, MaxArgs: 3,
			Doc: "Pads text on the right to width characters with char (default a space).", fn: keepNil(pad(false)),
			Examples: []Example{{Expr: `pad_right("AB", 4, ".")`, Want: `"AB.."`}}},
		&Function{Name: "split", Group: "text", Signature: "split(s, sep)", MinArgs: 2, MaxArgs: 2,
			Doc: "Splits text at every sep; empty text gives an empty list.", fn: fnSplit,
			Examples: []Example{{Expr: `split("a|b|c", "|")`, Want: `["a", "b", "c"]`}, {Expr: `split(nil, ",")`, Want: `[]`}}},
		&Function{Name: "join", Group: "text", Signature: "join(list, sep)", MinArgs: 2, MaxArgs: 2,
			Doc: "Joins the non-empty elements of a list with sep.", fn: fnJoin,
			Examples: []Example{{Expr: `join([first, middle, last], " ")`, Input: map[string]any{"first": "Jan", "last": "Vries"}, Want: `"Jan Vries"`}}},
		&Function{Name: "replace", Group: "text", Signature: "replace(s, old, new)", MinArgs: 3, MaxArgs: 3,
			Doc: "Replaces every occurrence of old with new.", fn: keepNil(fnReplace),
			Examples: []Example{{Expr: `replace("NL 1234 AB", " ", "")`, Want: `"NL1234AB"`}}},
		&Function{Name: "slug", Group: "text", Signature: "slug(s)", MinArgs: 1, MaxArgs: 1,
			Doc: "Makes a URL slug: lower case, accents removed, runs of other characters as one hyphen.", fn: keepNil(str1(slug)),
			Examples: []Example{{Expr: `slug("Crème Brûlée — 2 pers.")`, Want: `"creme-brulee-2-pers"`}}},
		&Function{Name: "substr", Group: "text", Signature: "substr(s, start, [length])", MinArgs: 2, MaxArgs: 3,
			Doc: "Returns length characters from position start (0-based), clamped to the text.", fn: keepNil(fnSubstr),
			Examples: []Example{{Expr: `substr("20240131", 0, 4)`, Want: `"2024"`}, {Expr: `substr("abc", 1)`, Want: `"bc"`}}},
		&Function{Name: "truncate", Group: "text", Signature: "truncate(s, max)", MinArgs: 2, MaxArgs: 2,
			Doc: "Cuts text to at most max characters.", fn: keepNil(fnTruncate),
			Examples: []Example{{Expr: `truncate("Smart speaker with Alexa", 13)`, Want: `"Smart speaker"`}}},
		&Function{Name: "concat", Group: "text", Signature: "concat(a, b, ...)", MinArgs: 1, MaxArgs: -1,
			Doc: "Joins values as text; nil counts as \"\".", fn: fnConcat,
			Examples: []Example{{Expr: `concat("INV-", 7, nil)`, Want: `"INV-7"`}}},
		&Function{Name: "first_name", Group: "text", Signature: "first_name(full)", MinArgs: 1, MaxArgs: 1,
			Doc: "The first word of a full name.", fn: keepNil(str1(func(s string) string { f, _ := splitName(s); return f })),
			Examples: []Example{{Expr: `first_name("James van Wilson")`, Want: `"James"`}}},
		&Function{Name: "last_name", Group: "text", Signature: "last_name(full)", MinArgs: 1, MaxArgs: 1,
			Doc: "Everything after the first word of a full name.", fn: keepNil(str1(func(s string) string { _, l := splitName(s); return l })),
			Examples: []Example{{Expr: `last_name("James van Wilson")`, Want: `"van Wilson"`}, {Expr: `last_name("Cher")`, Want: `""`}}},
	)
}

// keepNil makes a text function give nil for a nil text (a field the
// record lacks), so that a write mapping leaves the target's value alone
// instead of writing "" over it; the other arguments are not read.
func keepNil(f func(args ...any) (any, error)) func(args ...any) (any, error) {
	return func(args ...any) (any, error) {
		if args[0] == nil {
			return nil, nil
		}
		return f(args...)
	}
}

// str1 lifts a text function to an expression function.
func str1(f func(string) string) func(args ...any) (any, error) {
	return func(args ...any) (any, error) { return f(text(args[0])), nil }
}

func fnTrim(args ...any) (any, error) {
	if len(args) == 2 {
		return strings.Trim(text(args[0]), text(args[1])), nil
	}
	return strings.TrimSpace(text(args[0])), nil
}

func fnTitle(args ...any) (any, error) {
	return cases.Title(language.Und).String(strings.ToLower(text(args[0]))), nil
}

// maxPad bounds pad widths, so a mistaken width cannot exhaust memory.
const maxPad = 10_000

func pad(left bool) func(args ...any) (any, error) {
	return func(args ...any) (any, error) {
		s := text(args[0])
		width, err := argInt(args[1], "width")
		if err != nil {
			return nil, err
		}
		if width > maxPad {
			return nil, fmt.Errorf("width %d is over %d", width, maxPad)
		}
		ch := " "
		if len(args) == 3 {
			ch = text(args[2])
		}
		if utf8.RuneCountInString(ch) != 1 {
			return nil, fmt.Errorf("pad character must be one character, not %q", ch)
		}
		n := width - utf8.RuneCountInString(s)
		if n <= 0 {
			return s, nil
		}
		if left {
			return strings.Repeat(ch, n) + s, nil
		}
		return s + strings.Repeat(ch, n), nil
	}
}

func fnSplit(args ...any) (any, error) {
	s := text(args[0])
	if s == "" {
		return []any{}, nil
	}
	sep := text(args[1])
	n := utf8.RuneCountInString(s)
	if sep != "" {
		n = strings.Count(s, sep) + 1
	}
	if err := makeList(n); err != nil {
		return nil, err
	}
	parts := strings.Split(s, sep)
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

func fnJoin(args ...any) (any, error) {
	l, err := argList(args[0])
	if err != nil {
		return nil, err
	}
	sep := text(args[1])
	parts := make([]string, 0, len(l))
	size := 0
	for _, e := range l {
		if s := text(e); s != "" {
			parts = append(parts, s)
			if size += len(s) + len(sep); size > maxText {
				return nil, tooLong(size)
			}
		}
	}
	if err := makeText(size); err != nil {
		return nil, err
	}
	return strings.Join(parts, sep), nil
}

func fnReplace(args ...any) (any, error) {
	s, old, with := text(args[0]), text(args[1]), text(args[2])
	if err := makeText(replacedLen(s, old, with)); err != nil {
		return nil, err
	}
	return strings.ReplaceAll(s, old, with), nil
}

// replacedLen is the length of strings.ReplaceAll(s, old, with), worked
// out before it is made: an empty old matches before every character and
// at the end.
func replacedLen(s, old, with string) int {
	n := utf8.RuneCountInString(s) + 1
	if old != "" {
		n = strings.Count(s, old)
	}
	if n > 0 && len(with) > len(old) && len(with)-len(old) > (maxText+1)/n {
		return overLimit // more than maxText, not worked out: it could overflow
	}
	return len(s) + n*(len(with)-len(old))
}

func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
	}
	return b.String()
}

func fnSubstr(args ...any) (any, error) {
	r := []rune(text(args[0]))
	start, err := argInt(args[1], "start")
	if err != nil {
		return nil, err
	}
	start = min(max(start, 0), len(r))
	end := len(r)
	if len(args) == 3 {
		n, err := argInt(args[2], "length")
		if err != nil {
			return nil, err
		}
		end = start + min(max(n, 0), len(r)-start) // start+n may overflow
	}
	return string(r[start:end]), nil
}

func fnTruncate(args ...any) (any, error) {
	n, err := argInt(args[1], "max")
	if err != nil {
		return nil, err
	}
	r := []rune(text(args[0]))
	if n < 0 || len(r) <= n {
		return string(r), nil
	}
	return strings.TrimRightFunc(string(r[:n]), unicode.IsSpace), nil
}

func fnConcat(args ...any) (any, error) {
	parts := make([]string, len(args))
	size := 0
	for i, a := range args {
		parts[i] = text(a)
		if size += len(parts[i]); size > maxText {
			return nil, tooLong(size)
		}
	}
	if err := makeText(size); err != nil {
		return nil, err
	}
	return strings.Join(parts, ""), nil
}

func splitName(s string) (first, last string) {
	s = strings.TrimSpace(s)
	first, last, _ = strings.Cut(s, " ")
	return first, strings.TrimSpace(last)
}
