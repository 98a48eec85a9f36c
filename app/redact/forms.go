package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"html"
	"net/url"
	"strings"
)

// encodings are the base64 encodings a request may use: standard and URL
// alphabets, with and without padding.
var encodings = []*base64.Encoding{
	base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
}

// forms lists what a secret may look like in a request, or in what an app
// quotes of one: the secret and its base64 (when it is at least MinLength
// long), and base64 of user:secret and of secret:user for each user name
// (Basic authentication, with the secret as the password or as the user);
// each of these as it is, URL-escaped and JSON-escaped (escapes).
func forms(secret string, users []string) []string {
	if secret == "" {
		return nil
	}
	var raw []string
	if len(secret) >= MinLength {
		raw = append(append(raw, secret), base64s(secret)...)
	}
	for _, user := range users {
		raw = append(raw, base64s(user+":"+secret)...)
		raw = append(raw, base64s(secret+":"+user)...)
	}
	var out []string
	for _, text := range raw {
		out = append(out, escapes(text)...)
	}
	return out
}

// base64s is s in every base64 encoding.
func base64s(s string) []string {
	out := make([]string, len(encodings))
	for i, enc := range encodings {
		out[i] = enc.EncodeToString([]byte(s))
	}
	return out
}

// escapes is s as it is and as the encoders of requests and answers write
// it: URL-escaped for a query, a path segment and the user-info part of a
// URL, with upper- and lower-case hex digits; JSON-escaped with and without
// HTML escapes, and with "/" escaped (as PHP writes it); HTML-escaped.
// Many are equal; the matcher keeps one of each.
func escapes(s string) []string {
	out := []string{s, html.EscapeString(s)}
	for _, u := range []string{url.QueryEscape(s), url.PathEscape(s), userInfoEscape(s)} {
		out = append(out, u, lowerHex(u))
	}
	for _, escapeHTML := range []bool{true, false} {
		j := jsonEscape(s, escapeHTML)
		out = append(out, j, strings.ReplaceAll(j, "/", `\/`))
	}
	return out
}

// lowerHex writes the hex digits of a URL-escaped text in lower case, as
// some encoders do (%2f for %2F).
func lowerHex(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = lowerByte(b[i+1]), lowerByte(b[i+2])
			i += 2
		}
	}
	return string(b)
}

// userInfoEscape is s escaped as the password of a URL's user-info part.
func userInfoEscape(s string) string {
	return strings.TrimPrefix(url.UserPassword("", s).String(), ":")
}

// jsonEscape is s as it stands inside a JSON string.
func jsonEscape(s string, escapeHTML bool) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(s) // a string always encodes
	quoted := strings.TrimSuffix(buf.String(), "\n")
	return quoted[1 : len(quoted)-1]
}
