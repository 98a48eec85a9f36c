package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/switchboard-app/switchboard/connectors"
)

// seedFailed adds the "orders" flow and one failed transaction for order 1001.
func seedFailed(t testing.TB, env *testEnv) {
	seedWebhookFlow(true)(t, env)
	flow, _ := env.app.FindFirstRecordByData(flowsCollection, "name", "orders")
	rt, err := env.sb.engine.loadFlow(flow.Id)
	if err != nil {
		t.Fatal(err)
	}
	items, err := env.sb.engine.inboxItems(rt, "", []connectors.Record{{ID: "o1", Key: "1001",
		Data: map[string]any{"number": "1001", "password": "hunter2"}}})
	if err != nil {
		t.Fatal(err)
	}
	items[0].err = "the ERP refused it" // stored failed, as a write the target refused is
	if _, _, err := insertTransactions(nil, env.app, items, time.Now()); err != nil {
		t.Fatal(err)
	}
}

type errString string

func (e errString) Error() string { return string(e) }

func flowPath(suffix string) func(*testEnv) string {
	return func(env *testEnv) string {
		flow, _ := env.app.FindFirstRecordByData(flowsCollection, "name", "orders")
		return "/api/switchboard/flows/" + flow.Id + suffix
	}
}

func txPath(suffix string) func(*testEnv) string {
	return func(env *testEnv) string {
		tx, _ := env.app.FindFirstRecordByData("transactions", "key", "1001")
		return "/api/switchboard/transactions/" + tx.Id + suffix
	}
}

func txStatus(want string) func(testing.TB, *testEnv) {
	return func(t testing.TB, env *testEnv) {
		tx, _ := env.app.FindFirstRecordByData("transactions", "key", "1001")
		if tx.GetString("status") != want {
			t.Fatalf("status %q, want %q", tx.GetString("status"), want)
		}
	}
}

func TestEngineRoutes(t *testing.T) {
	scenarios := []scenario{
		{name: "a viewer cannot run a flow", as: "viewer", method: http.MethodPost, url: flowPath("/run"), seed: seedWebhookFlow(true), status: 403},
		{name: "an operator runs a flow now", as: "operator", method: http.MethodPost, url: flowPath("/run"), seed: seedWebhookFlow(true),
			status: 202, want: []string{`"run":"`}},
		{name: "an operator retries a flow's failed transactions", as: "operator", method: http.MethodPost, url: flowPath("/retry-failed"),
			seed: seedFailed, status: 202, want: []string{`"retried":1`}},
		{name: "a viewer cannot retry", as: "viewer", method: http.MethodPost, url: txPath("/retry"), seed: seedFailed, status: 403,
			after: txStatus(StatusFailed)},
		{name: "an operator marks a failure resolved", as: "operator", method: http.MethodPost, url: txPath("/resolve"),
			body: `{"note":"entered in the ERP by hand"}`, seed: seedFailed, status: 200, after: func(t testing.TB, env *testEnv) {
				txStatus(StatusResolved)(t, env)
				tx, _ := env.app.FindFirstRecordByData("transactions", "key", "1001")
				if tx.GetString("note") != "resolved by hand by a user with role operator: entered in the ERP by hand" ||
					tx.GetString("resolved_by") != env.users[RoleOperator].Id {
					t.Fatalf("note %q, resolved by %q", tx.GetString("note"), tx.GetString("resolved_by"))
				}
			}},
		{name: "a note that is not text is refused, and nothing resolved", as: "operator", method: http.MethodPost, url: txPath("/resolve"),
			body: `{"note":5}`, seed: seedFailed, status: 400,
			want:  []string{`"message":"The body must be JSON such as {\"note\": \"...\"}, the note optional: note is a number."`},
			after: txStatus(StatusFailed)},
		{name: "a body that is not JSON is refused, and nothing resolved", as: "operator", method: http.MethodPost, url: txPath("/resolve"),
			body: `entered by hand`, seed: seedFailed, status: 400, want: []string{`"message":"The body must be JSON such as`},
			after: txStatus(StatusFailed)},
		{name: "payloads are served decoded and redacted", as: "viewer", method: http.MethodGet, url: txPath("/payloads"),
			seed: seedFailed, status: 200, want: []string{`"input":{`, `"number":"1001"`, `"password":"[redacted]"`}},
		{name: "the raw columns stay hidden, even from superusers", as: "superuser", method: http.MethodGet,
			url: fixed("/api/collections/transactions/records"), seed: seedFailed, status: 200,
			want: []string{`"key":"1001"`, `"error":"the ERP refused it"`}, notWant: []string{`"payloads"`, `"lane"`}},
		{name: "preview maps a sample through every stage", as: "editor", method: http.MethodPost, url: flowPath("/preview"),
			body: `{"sample":{"number":"1001","status":"open"}}`, seed: seedWebhookFlow(true), status: 200,
			want: []string{`"number":"1001"`}},
	}
	for _, sc := range scenarios {
		sc.run(t)
	}
}

func TestRetryLeavesOtherStatusesAlone(t *testing.T) {
	env := newTestEnv(t)
	seedFailed(t, env)
	n, err := env.sb.engine.Retry(dbx.HashExp{"key": "1001"})
	if err != nil || n != 1 {
		t.Fatalf("Retry = %d, %v", n, err)
	}
	if n, _ := env.sb.engine.Retry(dbx.HashExp{"key": "1001"}); n != 0 {
		t.Fatalf("a pending transaction was retried again (%d)", n)
	}
}

// TestUnknownIdsAreNotFound: a route given an id that names nothing says
// so with 404, not with a refusal of the request.
func TestUnknownIdsAreNotFound(t *testing.T) {
	for _, path := range []string{"/flows/nope/run", "/flows/nope/retry-failed", "/flows/nope/preview",
		"/transactions/nope/retry", "/transactions/nope/resolve", "/connections/nope/test"} {
		scenario{name: path, as: "admin", method: http.MethodPost, url: fixed(APIPrefix + path), body: `{}`,
			status: 404, seed: seedFailed}.run(t)
	}
	for _, path := range []string{"/transactions/nope/payloads", "/flows/nope/webhook"} {
		scenario{name: path, as: "admin", method: http.MethodGet, url: fixed(APIPrefix + path), status: 404}.run(t)
	}
}

// TestRefusalsSayWhy: a refusal names the role it needs.
func TestRefusalsSayWhy(t *testing.T) {
	scenario{name: "a viewer is told which role runs a flow", as: "viewer", method: http.MethodPost, url: flowPath("/run"),
		seed: seedWebhookFlow(true), status: 403,
		want: []string{`Your role (viewer) does not allow this: it needs the role admin, editor, operator.`}}.run(t)
	scenario{name: "a visitor is told to sign in", method: http.MethodPost, url: flowPath("/run"),
		seed: seedWebhookFlow(true), status: 401, want: []string{`Sign in first`}}.run(t)
}

// TestRetryOfATransactionOfADisabledFlowSaysWhy: a failed transaction of a
// disabled flow, or of a flow of a disabled integration, is not put back
// in the inbox, where it would neither run nor be resolvable until the
// flow is enabled: the retry is refused with the reason, as a run is, and
// the transaction stays failed.
func TestRetryOfATransactionOfADisabledFlowSaysWhy(t *testing.T) {
	disable := func(collection string) func(testing.TB, *testEnv) {
		return func(t testing.TB, env *testEnv) {
			seedFailed(t, env)
			flow, _ := env.app.FindFirstRecordByData(flowsCollection, "name", "orders")
			rec := flow
			if collection == "integrations" {
				rec, _ = env.app.FindRecordById("integrations", flow.GetString("integration"))
			}
			rec.Set("enabled", false)
			if err := env.app.Save(rec); err != nil {
				t.Fatal(err)
			}
		}
	}
	leftFailed := func(t testing.TB, env *testEnv) {
		txStatus(StatusFailed)(t, env)
		tx, _ := env.app.FindFirstRecordByData("transactions", "key", "1001")
		if n, err := env.sb.engine.RetrySelected([]string{tx.Id}); err != nil || n != 0 {
			t.Fatalf("RetrySelected = %d, %v; want it left alone", n, err)
		}
		txStatus(StatusFailed)(t, env)
	}
	routes := []struct {
		name string
		url  func(*testEnv) string
	}{{"the transaction's retry", txPath("/retry")}, {"the flow's retry of its failed", flowPath("/retry-failed")}}
	for _, off := range []struct{ name, collection string }{{"flow", flowsCollection}, {"integration", "integrations"}} {
		for _, route := range routes {
			scenario{name: route.name + " with the " + off.name + " disabled", as: "operator", method: http.MethodPost,
				url: route.url, seed: disable(off.collection), status: 409,
				want: []string{`the flow is disabled: enable it and its integration first`}, after: leftFailed}.run(t)
		}
	}
}

// TestAConnectionTestGivenUpByItsCallerRecordsNothing: a caller who stops
// waiting for a test (a browser that leaves the page, a script's timeout)
// cancels it; the cancellation is no verdict on the app, and was stored
// as the connection's status ("failing", "context canceled") until the
// next test. The status is left as it was.
func TestAConnectionTestGivenUpByItsCallerRecordsNothing(t *testing.T) {
	env := newTestEnv(t)
	called := make(chan struct{}, 1)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		called <- struct{}{}
		<-r.Context().Done() // answers only once the test gives up
	}))
	t.Cleanup(app.Close)
	conn := saveHTTPConnection(t, env, "Slow app", app.URL, false)
	mux := servedMux(t, env)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-called
		cancel()
	}()
	req := httptest.NewRequest(http.MethodPost, APIPrefix+"/connections/"+conn.Id+"/test", nil).WithContext(ctx)
	req.Header.Set("Authorization", env.tokens[RoleOperator])
	mux.ServeHTTP(httptest.NewRecorder(), req)
	rec, err := env.app.FindRecordById(connectionsCollection, conn.Id)
	if err != nil {
		t.Fatal(err)
	}
	if rec.GetString("status") != "unknown" || rec.GetString("status_message") != "" || !rec.GetDateTime("checked").IsZero() {
		t.Fatalf("status %q %q checked %v: a test its caller gave up was recorded", rec.GetString("status"),
			rec.GetString("status_message"), rec.GetDateTime("checked"))
	}
}

// TestSmallRouteAnswers: a limit too large for a number names the
// maximum; a query parameter the activity listing does not take is named; retrying a transaction whose deleted flow left no name says so
// without an empty name; a database error behind the payloads is a 500,
// not a missing transaction.
func TestSmallRouteAnswers(t *testing.T) {
	scenario{name: "a huge limit names the maximum", as: "viewer", method: http.MethodGet,
		url: fixed("/api/switchboard/activity?limit=99999999999999999999999"), status: 400,
		want: []string{`imit must be at most 200.`}}.run(t)
	scenario{name: "a misspelt filter is named, not ignored", as: "viewer", method: http.MethodGet,
		url: fixed("/api/switchboard/activity?limit=5&statu=failed"), status: 400,
		want: []string{`\"statu\" is no parameter of the activity listing; it takes flow, integration, status, key, from, to, after, limit.`}}.run(t)
	scenario{name: "a deleted flow without a stored name", as: "operator", method: http.MethodPost, url: txPath("/retry"),
		status: 409, want: []string{`"message":"Its flow was deleted, so it cannot run again; resolve it instead."`},
		seed: func(t testing.TB, env *testEnv) {
			seedFailed(t, env)
			if _, err := env.app.DB().NewQuery(`UPDATE transactions SET flow = '', flow_name = ''`).Execute(); err != nil {
				t.Fatal(err)
			}
		}}.run(t)
	scenario{name: "a database error behind the payloads is not a 404", as: "viewer", method: http.MethodGet, url: txPath("/payloads"),
		status: 500, seed: func(t testing.TB, env *testEnv) {
			seedFailed(t, env)
			// The engine prepares its statements as it starts: the table
			// goes only when the request comes.
			env.app.OnServe().BindFunc(func(se *core.ServeEvent) error {
				se.Router.BindFunc(func(re *core.RequestEvent) error {
					if _, err := re.App.DB().NewQuery(`DROP TABLE IF EXISTS transaction_inputs`).Execute(); err != nil {
						return err
					}
					return re.Next()
				})
				return se.Next()
			})
		}}.run(t)
}

// TestResolvingKeepsTheRunsCountsAddingUp: a transaction resolved by hand
// stays counted as it ended in its run, failed, whether it was failed or
// still retrying, so that the run's counts add up to what it read.
func TestResolvingKeepsTheRunsCountsAddingUp(t *testing.T) {
	for _, c := range []struct {
		status string
		failed int // the run's failed count before the resolve
	}{{StatusRetrying, 0}, {StatusFailed, 1}} {
		var runID string
		scenario{name: "resolving a " + c.status + " transaction", as: "operator", method: http.MethodPost, url: txPath("/resolve"),
			body: `{}`, status: 200,
			seed: func(t testing.TB, env *testEnv) {
				seedFailed(t, env)
				flow, _ := env.app.FindFirstRecordByData(flowsCollection, "name", "orders")
				run := newRecord(t, env.app, "runs", map[string]any{"flow": flow.Id, "trigger": TriggerManual,
					"started": time.Now(), "finished": time.Now(), "read": 1, "failed": c.failed})
				runID = run.Id
				// An hour away, so that the dispatcher cannot claim it first.
				later := types.NowDateTime().Add(time.Hour).String()
				if _, err := env.app.DB().NewQuery(`UPDATE transactions SET status = {:s}, run = {:run}, next_attempt = {:later}`).
					Bind(dbx.Params{"s": c.status, "run": run.Id, "later": later}).Execute(); err != nil {
					t.Fatal(err)
				}
			},
			after: func(t testing.TB, env *testEnv) {
				run, err := env.app.FindRecordById("runs", runID)
				if err != nil {
					t.Fatal(err)
				}
				if run.GetInt("failed") != 1 || run.GetInt("succeeded")+run.GetInt("skipped") != 0 {
					t.Fatalf("run counts read %d, succeeded %d, failed %d, skipped %d; want the one read counted failed",
						run.GetInt("read"), run.GetInt("succeeded"), run.GetInt("failed"), run.GetInt("skipped"))
				}
			}}.run(t)
	}
}
