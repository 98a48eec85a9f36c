package app

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
)

func TestPreview(t *testing.T) {
	preview := func(name, body string, check func(t testing.TB, a PreviewAnswer)) scenario {
		var answer PreviewAnswer
		return scenario{name: name, as: "editor", method: http.MethodPost, url: flowPath("/preview"), body: body,
			seed: seedWebhookFlow(true), status: 200, want: []string{`"errors":`},
			after:  func(t testing.TB, env *testEnv) { check(t, answer) },
			decode: func(body string) error { return json.Unmarshal([]byte(body), &answer) }}
	}
	for _, sc := range []scenario{
		preview("an error is told in words, with its cause", `{"sample":{"number":"1001","status":"bogus"}}`,
			func(t testing.TB, a PreviewAnswer) {
				if len(a.Errors) == 0 || a.Errors[0].Cause == "" || !strings.Contains(a.Errors[0].Message, "status") {
					t.Fatalf("errors %+v", a.Errors)
				}
			}),
		preview("a JSON number is taken as a webhook takes it", `{"sample":{"number":1001,"currency":"EUR","status":"processing","totals":{"total":19.99}}}`,
			func(t testing.TB, a PreviewAnswer) {
				if len(a.Errors) != 0 || a.AfterRules["number"] != "1001" {
					t.Fatalf("errors %+v, canonical %v", a.Errors, a.AfterRules)
				}
			}),
		preview("a proposed mapping and rules are tried without saving them",
			`{"sample":{"no":"A-7"},"mapping":{"in":[{"target":"number","expr":"no"}]},"rules":[{"kind":"filter","when":"number startsWith 'A-'","reason":"archive orders"}]}`,
			func(t testing.TB, a PreviewAnswer) {
				if a.Key != "A-7" || !a.Skipped || a.SkipReason != "archive orders" {
					t.Fatalf("answer %+v", a)
				}
			}),
		preview("a proposed mapping that does not compile is shown, not refused",
			`{"sample":{"no":"A-7"},"mapping":{"in":[{"target":"number","expr":"trim(no"}]}}`,
			func(t testing.TB, a PreviewAnswer) {
				if len(a.Errors) != 1 || a.Errors[0].Field != "number" || a.Errors[0].Position == 0 {
					t.Fatalf("errors %+v", a.Errors)
				}
			}),
	} {
		sc.run(t)
	}
}

// TestPreviewShowsWhatAWriteWouldChangeInTheTarget: for a record the
// target has, the preview reads it and lists the fields the write would
// change; a new record has nothing to compare with.
func TestPreviewShowsWhatAWriteWouldChangeInTheTarget(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	fe.source.Add(connectors.Product, "p1", map[string]any{"sku": "SKU-1", "name": "Chair", "status": "active"})
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 1})
	id := lastWrite(fe.target).ID

	answer, err := fe.sb.engine.Preview(fe.flow.Id, PreviewRequest{Sample: map[string]any{"sku": "SKU-1", "name": "Armchair", "status": "active"}})
	if err != nil {
		t.Fatal(err)
	}
	if answer.Target == nil || answer.Target.ID != id || len(answer.Target.Changes) != 1 {
		t.Fatalf("target %+v, want record %s with one change", answer.Target, id)
	}
	if c := answer.Target.Changes[0]; c.Field != "name" || c.Current != "Chair" || c.New != "Armchair" {
		t.Fatalf("change %+v, want name Chair -> Armchair", c)
	}
	if fe.target.Writes() != 1 {
		t.Fatalf("the preview wrote to the target: %d writes", fe.target.Writes())
	}
	answer, err = fe.sb.engine.Preview(fe.flow.Id, PreviewRequest{Sample: map[string]any{"sku": "SKU-NEW", "name": "Stool"}})
	if err != nil || answer.Target != nil {
		t.Fatalf("a new record's preview: target %+v, %v; want none", answer.Target, err)
	}
}

// TestPreviewOfAFlowThatCannotLoadSaysWhy: a flow whose options no longer
// resolve (its connection changed under it) was answered 404 "No such
// flow." by the preview, although it is there; the answer names the
// problem now.
func TestPreviewOfAFlowThatCannotLoadSaysWhy(t *testing.T) {
	scenario{name: "a flow whose options do not resolve", as: "editor", method: http.MethodPost, url: flowPath("/preview"),
		body: `{"sample":{"number":"1"}}`, status: 400, want: []string{`orders`, `bogus`},
		seed: func(t testing.TB, env *testEnv) {
			seedWebhookFlow(true)(t, env)
			if _, err := env.app.DB().NewQuery(`UPDATE flows SET options = '{"bogus": 1}'`).Execute(); err != nil {
				t.Fatal(err)
			}
		}}.run(t)
}
