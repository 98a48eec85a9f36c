package app

import (
	"strings"
	"testing"
)

func TestTextProblem(t *testing.T) {
	tests := []struct {
		name, body, want string // want: "" for none
	}{
		{"plain text", `{"id":"o1","name":"Chair"}`, ""},
		{"UTF-8 beyond ASCII", `{"name":"Café ☕ 😀"}`, ""},
		{"escapes", `{"name":"a\"b\\c\/d\n\u00e9"}`, ""},
		{"a surrogate pair escaped", `{"name":"\ud83d\ude00"}`, ""},
		{"an escaped backslash before u", `{"name":"\\ud800"}`, ""},
		{"a byte that is not UTF-8", "{\"number\":\"10\xff23\"}", "not UTF-8: byte 0xff at offset 13"},
		{"a cut sequence", "{\"name\":\"caf\xc3\"}", "not UTF-8: byte 0xc3 at offset 12"},
		{"a high surrogate alone", `{"notes":"\ud800"}`, `half a character, \ud800 alone, at offset 10`},
		{"a high surrogate before another character", `{"notes":"\ud800\u0041"}`, `\ud800 alone`},
		{"a low surrogate alone", `{"notes":"x\udc00"}`, `\udc00 alone, at offset 11`},
		{"a high surrogate at the end", `{"notes":"\ud83d`, `\ud83d alone`},
		{"a bad escape is the decoder's", `{"n":"\uzz"}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := textProblem([]byte(tt.body))
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("textProblem = %v, want none", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("textProblem = %v, want %q", err, tt.want)
			}
		})
	}
}
