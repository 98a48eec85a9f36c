package redact

import (
	"encoding/json"

	"github.com/switchboard-app/switchboard/app/jsonenc"
)

// sensitiveWords are the parts of a field name that mark its value as a
// credential, by their first letter; they are compared in any case.
var sensitiveWords = wordsByFirstByte("pass", "secret", "token", "apikey", "api_key", "api-key", "authorization",
	"privatekey", "private_key", "private-key", "credential", "signature", "cookie")

func wordsByFirstByte(words ...string) [256][]string {
	var out [256][]string
	for _, w := range words {
		out[w[0]] = append(out[w[0]], w)
	}
	return out
}

// SensitiveKey reports whether a field of that name holds a credential: its
// name contains, in any case, pass, secret, token, api key, authorization,
// private key, credential, signature or cookie.
func SensitiveKey(name string) bool {
	for i := 0; i < len(name); i++ {
		for _, w := range sensitiveWords[lowerByte(name[i])] {
			if hasPrefixFold(name[i:], w) {
				return true
			}
		}
	}
	return false
}

// lowerByte is an ASCII letter in lower case; any other byte as it is.
func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// hasPrefixFold reports whether s begins with the lower-case word, in any
// case.
func hasPrefixFold(s, word string) bool {
	if len(s) < len(word) {
		return false
	}
	for j := 0; j < len(word); j++ {
		if lowerByte(s[j]) != word[j] {
			return false
		}
	}
	return true
}

// Record returns the record with credentials redacted: the record itself
// when there is nothing to redact, else a redacted copy. The original is
// never changed.
func (r *Redactor) Record(m map[string]any) map[string]any {
	if m == nil || !r.needed(m) {
		return m
	}
	return r.redactedCopy(m)
}

// RecordJSON encodes a record with credentials redacted, and also returns
// its JSON before redaction (the same bytes when there is nothing to
// redact). A nil record gives nil.
func (r *Redactor) RecordJSON(m map[string]any) (payload, plain json.RawMessage, err error) {
	if m == nil {
		return nil, nil, nil
	}
	if plain, err = jsonenc.Append(nil, m); err != nil {
		return nil, nil, err
	}
	if !r.needed(m) {
		return plain, plain, nil
	}
	payload, err = jsonenc.Append(nil, r.redactedCopy(m))
	return payload, plain, err
}

// needed reports whether a value holds anything to redact.
func (r *Redactor) needed(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if (SensitiveKey(k) && e != nil && e != "") || r.needed(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if r.needed(e) {
				return true
			}
		}
	case string:
		return r.Text(x) != x
	}
	return false
}

func (r *Redactor) redactedCopy(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		switch {
		case SensitiveKey(k) && v != nil && v != "":
			out[k] = Mask
		default:
			out[k] = r.value(v)
		}
	}
	return out
}

func (r *Redactor) value(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return r.redactedCopy(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = r.value(e)
		}
		return out
	case string:
		return r.Text(x)
	}
	return v
}
