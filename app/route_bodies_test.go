package app

import (
	"net/http"
	"testing"
)

// TestARouteBodyWithAnUnknownKeyIsRefused: a body key that a route does not
// take (a typo) is refused with its name, instead of being left out without
// a word: a preview of "smaple" previewed the flow's latest record instead
// of the sample, a resolve with "notes" resolved without the note. A value
// of the wrong kind is named by its key, not by Go's types.
func TestARouteBodyWithAnUnknownKeyIsRefused(t *testing.T) {
	previewWant := `{\"sample\": {...}, \"mapping\": {...}, \"rules\": [...]}, all optional`
	scenarios := []scenario{
		{name: "a preview's misspelt sample", as: "editor", method: http.MethodPost, url: flowPath("/preview"),
			body: `{"smaple":{"number":"1"}}`, seed: seedFailed, status: 400,
			want:    []string{`"message":"The body must be JSON such as ` + previewWant + `: it has the unknown key \"smaple\"."`},
			notWant: []string{`"key":"1001"`}},
		{name: "a preview's sample that is no record", as: "editor", method: http.MethodPost, url: flowPath("/preview"),
			body: `{"sample":"1001"}`, seed: seedFailed, status: 400,
			want:    []string{`"message":"The body must be JSON such as ` + previewWant + `: sample is a string."`},
			notWant: []string{"Go struct", "interface"}},
		{name: "a preview's body that is no object", as: "editor", method: http.MethodPost, url: flowPath("/preview"),
			body: `[1]`, seed: seedFailed, status: 400,
			want: []string{`"message":"The body must be JSON such as ` + previewWant + `, not an array."`}},
		{name: "a preview's sample is still taken", as: "editor", method: http.MethodPost, url: flowPath("/preview"),
			body: `{"sample":{"number":"1"}}`, seed: seedFailed, status: 200, want: []string{`"key":"1"`}},
		{name: "a resolve's misspelt note", as: "operator", method: http.MethodPost, url: txPath("/resolve"),
			body: `{"notes":"entered in the ERP by hand"}`, seed: seedFailed, status: 400,
			want:  []string{`"message":"The body must be JSON such as {\"note\": \"...\"}, the note optional: it has the unknown key \"notes\"."`},
			after: txStatus(StatusFailed)},
		{name: "a resolve without a body still resolves", as: "operator", method: http.MethodPost, url: txPath("/resolve"),
			seed: seedFailed, status: 200, after: txStatus(StatusResolved)},
	}
	for _, sc := range scenarios {
		sc.run(t)
	}
}

// TestARefusedResolveNamesTheStatus: a resolve of a transaction that is
// not failed or retrying (resolved already by a click before, succeeded)
// says what it is, as a refused retry does.
func TestARefusedResolveNamesTheStatus(t *testing.T) {
	resolvedBefore := func(t testing.TB, env *testEnv) {
		seedFailed(t, env)
		tx, _ := env.app.FindFirstRecordByData("transactions", "key", "1001")
		if err := env.sb.engine.Resolve(tx.Id, nil, ""); err != nil {
			t.Fatal(err)
		}
	}
	scenario{name: "a resolve clicked twice", as: "operator", method: http.MethodPost, url: txPath("/resolve"),
		body: `{}`, seed: resolvedBefore, status: 400,
		want: []string{`"message":"Only a failed or retrying transaction can be resolved; this one is resolved."`}}.run(t)
}
