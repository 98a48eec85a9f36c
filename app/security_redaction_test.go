package app

// Security tests: no form of a connection's secret reaches a text that
// Switchboard stores, returns, logs, mails or pushes, even when the app at
// the other end quotes it back in an error.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/logger"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/httpjson"
	"github.com/switchboard-app/switchboard/connectors/memory"
)

// The credentials the tests leak. The secret has characters that every
// encoding writes differently.
const (
	leakUser   = "shop-api"
	leakSecret = `tok+en/Pa=ss&"9"<x>`
)

// secretForms names every way a request carries the secret: as typed,
// base64 of the secret and of user:secret in both alphabets with and
// without padding, URL-escaped for a query and a path, and JSON-escaped
// with and without HTML escapes.
func secretForms() map[string]string {
	forms := map[string]string{
		"plain":         leakSecret,
		"query-escaped": url.QueryEscape(leakSecret),
		"path-escaped":  url.PathEscape(leakSecret),
	}
	encodings := map[string]*base64.Encoding{"std": base64.StdEncoding, "raw std": base64.RawStdEncoding,
		"url": base64.URLEncoding, "raw url": base64.RawURLEncoding}
	for name, enc := range encodings {
		forms["base64 "+name+" of the secret"] = enc.EncodeToString([]byte(leakSecret))
		forms["base64 "+name+" of user:secret"] = enc.EncodeToString([]byte(leakUser + ":" + leakSecret))
	}
	quoted, _ := json.Marshal(leakSecret)
	forms["JSON-escaped"] = strings.Trim(string(quoted), `"`)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(leakSecret)
	forms["JSON-escaped without HTML escapes"] = strings.Trim(strings.TrimSpace(buf.String()), `"`)
	return forms
}

// assertNoSecret fails the test when text holds any form of the secret.
func assertNoSecret(t testing.TB, where, text string) {
	t.Helper()
	for name, form := range secretForms() {
		if strings.Contains(text, form) {
			t.Errorf("%s holds the secret (%s %q): %s", where, name, form, text)
		}
	}
}

// echoedForms is how many forms of the credential an echoServer answer
// quotes: each must come out as one Redacted.
const echoedForms = 5

// echoServer is an app that answers every call with status and an error
// text quoting what it was sent: the Authorization header, and the
// credential in it (the bearer token or the Basic password) URL-escaped
// for a query and a path, JSON-escaped and in base64.
func echoServer(t testing.TB, status int) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		cred := strings.TrimPrefix(auth, "Bearer ")
		if _, password, ok := r.BasicAuth(); ok {
			cred = password
		}
		quoted, _ := json.Marshal(cred)
		w.WriteHeader(status)
		fmt.Fprintf(w, "denied: got Authorization %s; as query %s; as path %s; as JSON %s; as base64 %s",
			auth, url.QueryEscape(cred), url.PathEscape(cred), quoted, base64.RawURLEncoding.EncodeToString([]byte(cred)))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// useHTTP registers the HTTP/JSON connector in the env's registry.
func useHTTP(t testing.TB, env *testEnv) {
	t.Helper()
	if _, ok := env.sb.registry.Lookup(httpjson.Spec.Name); ok {
		return
	}
	if err := env.sb.registry.Register(httpjson.Spec, httpjson.New); err != nil {
		t.Fatal(err)
	}
}

// saveHTTPConnection saves an HTTP/JSON connection to url: with Basic
// authentication as leakUser when basic is set, else with a bearer token.
func saveHTTPConnection(t testing.TB, env *testEnv, name, url string, basic bool) *core.Record {
	t.Helper()
	useHTTP(t, env)
	if basic {
		return env.saveConnection(t, name, "http", map[string]any{"base_url": url, "auth": "basic", "username": leakUser},
			map[string]string{"password": leakSecret})
	}
	return env.saveConnection(t, name, "http", map[string]any{"base_url": url, "auth": "bearer"},
		map[string]string{"token": leakSecret})
}

// connect makes conn the flow's source or target ("a" or "b" of its
// integration).
func (fe *flowEnv) connect(t testing.TB, side string, conn *core.Record) {
	t.Helper()
	integ, _ := fe.app.FindRecordById("integrations", fe.flow.GetString("integration"))
	field := map[string]string{"source": "a", "target": "b"}[side]
	integ.Set(field, conn.Id)
	if err := fe.app.Save(integ); err != nil {
		t.Fatal(err)
	}
	fe.flow.Set(side, conn.Id)
	if err := fe.app.Save(fe.flow); err != nil {
		t.Fatal(err)
	}
}

// textsOf lists every string in a decoded JSON value.
func textsOf(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case map[string]any:
		var out []string
		for k, e := range x {
			out = append(append(out, k), textsOf(e)...)
		}
		return out
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, textsOf(e)...)
		}
		return out
	}
	return nil
}

// payloadTexts lists every string of a transaction's stored payloads.
func payloadTexts(t testing.TB, p Payloads) []string {
	t.Helper()
	var all any
	data, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &all); err != nil {
		t.Fatal(err)
	}
	out := textsOf(all)
	for _, raw := range []json.RawMessage{p.Canonical, p.Output} {
		var v any
		if len(raw) > 0 && json.Unmarshal(raw, &v) == nil {
			out = append(out, textsOf(v)...)
		}
	}
	return out
}

// keepLogs makes the test app keep its log lines, as a real one does (test
// apps drop them). Call it before the engine logs anything.
func keepLogs(app core.App) { app.Settings().Logs.MaxDays = 1 }

// logLines flushes the app's log batch and returns every stored log line:
// its message and its attributes, as texts.
func storedLogLines(t testing.TB, app core.App) [][]string {
	t.Helper()
	if h, ok := app.Logger().Handler().(*logger.BatchHandler); ok {
		if err := h.WriteAll(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	var logs []*core.Log
	if err := app.LogQuery().All(&logs); err != nil {
		t.Fatal(err)
	}
	out := make([][]string, 0, len(logs))
	for _, l := range logs {
		out = append(out, append([]string{l.Message}, textsOf(map[string]any(l.Data))...))
	}
	return out
}

// assertLogsClean fails when a log line holds the secret, or when no line
// has the message want (so that the check cannot pass on no logs).
func assertLogsClean(t testing.TB, app core.App, want string) {
	t.Helper()
	found := false
	for _, line := range storedLogLines(t, app) {
		found = found || line[0] == want
		for _, text := range line {
			assertNoSecret(t, "log line "+line[0], text)
		}
	}
	if !found {
		t.Errorf("no log line %q", want)
	}
}

// assertRedactedEcho fails when text does not show every echoed form as
// redacted: the echo must be there, with the secret taken out.
func assertRedactedEcho(t testing.TB, where, text string) {
	t.Helper()
	assertNoSecret(t, where, text)
	if !strings.Contains(text, "denied: got Authorization") || strings.Count(text, Redacted) < echoedForms {
		t.Errorf("%s does not show the app's answer with %d redactions: %s", where, echoedForms, text)
	}
}

func TestConnectionTestVerdictHoldsNoSecret(t *testing.T) {
	srv := echoServer(t, http.StatusUnauthorized)
	sc := scenario{name: "a refused connection test quotes the app without the token", as: "operator", method: http.MethodPost,
		url: func(env *testEnv) string {
			rec, _ := env.app.FindFirstRecordByData(connectionsCollection, "name", "ERP")
			return "/api/switchboard/connections/" + rec.Id + "/test"
		},
		seed:   func(t testing.TB, env *testEnv) { saveHTTPConnection(t, env, "ERP", srv.URL, false) },
		status: 200, want: []string{`"ok":false`, "401 Unauthorized"},
		answer: func(t testing.TB, env *testEnv, body []byte) {
			var verdict connectors.TestResult
			if err := json.Unmarshal(body, &verdict); err != nil {
				t.Fatal(err)
			}
			assertRedactedEcho(t, "the test's answer", verdict.Message)
			rec, _ := env.app.FindFirstRecordByData(connectionsCollection, "name", "ERP")
			assertRedactedEcho(t, "status_message", rec.GetString("status_message"))
		}}
	sc.run(t)
}

// TestFailedTransactionToBasicAuthTargetHoldsNoSecret: a target that
// refuses a record and quotes its Basic credentials leaves no form of the
// password in the transaction's error, payloads and attempts, nor in the
// alert mail.
func TestFailedTransactionToBasicAuthTargetHoldsNoSecret(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	fe.connect(t, "target", saveHTTPConnection(t, fe.testEnv, "ERP", echoServer(t, http.StatusUnprocessableEntity).URL, true))
	note := "sent with ?key=" + url.QueryEscape(leakSecret) + " as " + base64.StdEncoding.EncodeToString([]byte(leakUser+":"+leakSecret))
	fe.source.Add(connectors.Product, "p1", map[string]any{"sku": "SKU-1", "name": "Chair", "attributes": map[string]any{"note": note}})
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusFailed: 1})
	tx, err := fe.app.FindFirstRecordByData("transactions", "source_id", "p1")
	if err != nil {
		t.Fatal(err)
	}
	assertRedactedEcho(t, "the transaction's error", tx.GetString("error"))
	p, err := fe.sb.engine.payloads.decode(tx.GetString("payloads"))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Attempts) != 1 || p.Input["sku"] != "SKU-1" {
		t.Fatalf("payloads %+v", p)
	}
	assertRedactedEcho(t, "the attempt's error", p.Attempts[0].Error)
	for _, text := range payloadTexts(t, p) {
		assertNoSecret(t, "the payloads", text)
	}
	eventually(t, "the failure mail", func() bool { return fe.app.TestMailer.TotalSend() == 1 })
	msg := fe.app.TestMailer.LastMessage()
	assertRedactedEcho(t, "the alert mail's text", msg.Text)
	assertNoSecret(t, "the alert mail's HTML", msg.HTML)
}

// TestOutageOfBasicAuthTargetHoldsNoSecret: a target that keeps failing
// and quoting its credentials is marked down; its status message, the
// outage mail and the log line say why without the password.
func TestOutageOfBasicAuthTargetHoldsNoSecret(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	keepLogs(fe.app)
	target := saveHTTPConnection(t, fe.testEnv, "ERP", echoServer(t, http.StatusServiceUnavailable).URL, true)
	fe.connect(t, "target", target)
	for i := range 5 {
		fe.source.Add(connectors.Product, fmt.Sprintf("p%d", i), product(fmt.Sprintf("SKU-%d", i), "Chair"))
	}
	fe.run(t)
	eventually(t, "the target to be marked down", func() bool {
		rec, _ := fe.app.FindRecordById(connectionsCollection, target.Id)
		return rec.GetString("status") == ConnDown
	})
	rec, _ := fe.app.FindRecordById(connectionsCollection, target.Id)
	assertRedactedEcho(t, "status_message", rec.GetString("status_message"))
	eventually(t, "the outage mail", func() bool { return fe.app.TestMailer.TotalSend() >= 1 })
	assertRedactedEcho(t, "the outage mail", fe.app.TestMailer.Messages()[0].Text)
	assertLogsClean(t, fe.app, "connection down: its flows pause until it answers")
}

// TestFailedRunHoldsNoSecret: a source that refuses to be read and quotes
// its bearer token leaves no form of it in the run's error or the log.
func TestFailedRunHoldsNoSecret(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	keepLogs(fe.app)
	fe.connect(t, "source", saveHTTPConnection(t, fe.testEnv, "Shop", echoServer(t, http.StatusForbidden).URL, false))
	run := fe.run(t)
	var msg string
	eventually(t, "the run to stop", func() bool {
		rec, _ := fe.app.FindRecordById("runs", run)
		msg = rec.GetString("error")
		return !rec.GetDateTime("finished").IsZero()
	})
	assertRedactedEcho(t, "the run's error", msg)
	assertLogsClean(t, fe.app, "run stopped")
}

// TestStoredPayloadsAreRedactedWhenServed: payloads stored before their
// secrets were known to the redactor (an older version, say) are
// redacted on their way out.
func TestStoredPayloadsAreRedactedWhenServed(t *testing.T) {
	sc := scenario{name: "payloads are redacted when served", as: "viewer", method: http.MethodGet, status: 200,
		url: txPath("/payloads"),
		seed: func(t testing.TB, env *testEnv) {
			seedFailed(t, env)
			flow, _ := env.app.FindFirstRecordByData(flowsCollection, "name", "orders")
			conn := saveHTTPConnection(t, env, "Shop API", "https://shop.example.com", true)
			integ, _ := env.app.FindRecordById("integrations", flow.GetString("integration"))
			integ.Set("a", conn.Id)
			flow.Set("source", conn.Id)
			for _, rec := range []*core.Record{integ, flow} {
				if err := env.app.Save(rec); err != nil {
					t.Fatal(err)
				}
			}
			basic := base64.StdEncoding.EncodeToString([]byte(leakUser + ":" + leakSecret))
			payloads, err := encodePayloads(Payloads{Input: map[string]any{"number": "1001", "auth": "Basic " + basic},
				Attempts: []Attempt{{Outcome: StatusFailed, Error: "401: got Basic " + basic}}})
			if err != nil {
				t.Fatal(err)
			}
			_, err = env.app.DB().Update("transactions", dbx.Params{"payloads": payloads}, dbx.HashExp{"key": "1001"}).Execute()
			if err != nil {
				t.Fatal(err)
			}
		},
		want: []string{`"number":"1001"`, `401: got Basic [redacted]`},
		answer: func(t testing.TB, _ *testEnv, body []byte) {
			var all any
			if err := json.Unmarshal(body, &all); err != nil {
				t.Fatal(err)
			}
			texts := textsOf(all)
			sort.Strings(texts)
			for _, text := range texts {
				assertNoSecret(t, "the served payloads", text)
			}
		}}
	sc.run(t)
}

// TestConnectorLogsHoldNoSecret: what a connector logs through the logger
// it is given goes through the redactor of its connection.
func TestConnectorLogsHoldNoSecret(t *testing.T) {
	env := newTestEnv(t)
	keepLogs(env.app)
	spec := memory.Spec
	spec.Name, spec.Title = "chatty", "Chatty"
	err := env.sb.registry.Register(spec, func(cfg connectors.Config, cenv connectors.Env) (connectors.Connector, error) {
		basic := base64.StdEncoding.EncodeToString([]byte(cfg.String("store") + ":" + cfg.Secret("token")))
		cenv.Logger.Warn("the server refused Basic "+basic, slog.Any("error", fmt.Errorf("401 for token %s", url.QueryEscape(cfg.Secret("token")))))
		return memory.New(cfg, cenv)
	})
	if err != nil {
		t.Fatal(err)
	}
	rec := env.saveConnection(t, "Chatty", "chatty", map[string]any{"store": leakUser}, map[string]string{"token": leakSecret})
	conn, err := env.sb.OpenConnection(rec)
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.Close()
	assertLogsClean(t, env.app, "the server refused Basic "+Redacted)
}

// quotingApp is an app that gives the credential it is called with back
// as a record's id and business key: in the one product it lists, and as
// the id of a record written to it.
func quotingApp(t testing.TB) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodGet {
			_ = json.NewEncoder(w).Encode(map[string]any{"records": []any{
				map[string]any{"id": "id-" + token, "sku": "SKU-" + token, "name": "Chair"}}})
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"id": "made-" + token})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestQuotedCredentialIsNotStoredAsAnIdOrKey: an app that gives a
// credential back as a record's id or key, or as the id of a record
// written to it, leaves it in none of the columns Activity and the xrefs
// show and filter (the key, the source and target ids, the lane).
func TestQuotedCredentialIsNotStoredAsAnIdOrKey(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	app := quotingApp(t)
	fe.connect(t, "source", saveHTTPConnection(t, fe.testEnv, "Shop", app.URL, false))
	fe.connect(t, "target", saveHTTPConnection(t, fe.testEnv, "ERP", app.URL+"/erp", false))
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 1})
	var tx struct {
		Key      string `db:"key"`
		SourceID string `db:"source_id"`
		TargetID string `db:"target_id"`
		Lane     string `db:"lane"`
	}
	if err := fe.app.DB().NewQuery(`SELECT key, source_id, target_id, lane FROM transactions`).One(&tx); err != nil {
		t.Fatal(err)
	}
	var xref struct {
		Key      string `db:"key"`
		SourceID string `db:"source_id"`
		TargetID string `db:"target_id"`
	}
	if err := fe.app.DB().NewQuery(`SELECT key, source_id, target_id FROM xrefs`).One(&xref); err != nil {
		t.Fatal(err)
	}
	for where, text := range map[string]string{"the key": tx.Key, "the source id": tx.SourceID, "the target id": tx.TargetID,
		"the lane": tx.Lane, "the xref's key": xref.Key, "the xref's source id": xref.SourceID, "the xref's target id": xref.TargetID} {
		assertNoSecret(t, where, text)
		if !strings.Contains(text, "[redacted]") {
			t.Errorf("%s is %q; want the credential redacted in it", where, text)
		}
	}
}

// TestFlowCursorHoldsNoSecretForTheAPI: a list paged by the app's own
// links (the REST kit's link and next_url styles) keeps the next page's
// address as the flow's cursor, and an app whose links repeat the query
// repeats an API key sent in it. Every role reads flow_state: the cursor
// is served redacted, and no filter or sort may touch it, directly or
// through a flow, or it would read the key character by character.
func TestFlowCursorHoldsNoSecretForTheAPI(t *testing.T) {
	w := newWorld(t)
	flow, _ := w.env.app.FindRecordById(flowsCollection, w.ids["flows"])
	conn := saveHTTPConnection(t, w.env, "Shop API", "https://shop.example.com", false)
	integ, _ := w.env.app.FindRecordById("integrations", flow.GetString("integration"))
	integ.Set("a", conn.Id)
	flow.Set("source", conn.Id)
	for _, rec := range []*core.Record{integ, flow} {
		if err := w.env.app.Save(rec); err != nil {
			t.Fatal(err)
		}
	}
	next := "https://shop.example.com/orders?api_key=" + url.QueryEscape(leakSecret) + "&page=2"
	cursor, _ := json.Marshal(map[string]string{"pos": next})
	if err := saveCursor(w.env.app, flow.Id, string(cursor), time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, role := range []string{RoleViewer, RoleAdmin, "superuser"} {
		for _, path := range []string{
			"/api/collections/flow_state/records?filter=" + url.QueryEscape(`flow="`+flow.Id+`"`),
			"/api/collections/flows/records/" + flow.Id + "?expand=flow_state_via_flow",
		} {
			status, body := w.call(http.MethodGet, path, role, "")
			if status != http.StatusOK || !strings.Contains(body, `"cursor":`) || !strings.Contains(body, "api_key=") {
				t.Fatalf("%s as %s = %d, want the cursor redacted: %s", path, role, status, truncate(body, 400))
			}
			assertNoSecret(t, path+" as "+role, body)
		}
	}
	for _, q := range []string{
		"/api/collections/flow_state/records?filter=" + url.QueryEscape(`cursor~"api_key=tok%"`),
		"/api/collections/flow_state/records?sort=cursor",
		"/api/collections/flows/records?filter=" + url.QueryEscape(`flow_state_via_flow.cursor~"api_key=tok%"`),
	} {
		if status, body := w.call(http.MethodGet, q, RoleViewer, ""); status != http.StatusBadRequest && status != http.StatusForbidden {
			t.Errorf("%s as viewer = %d, want a refusal (400 or 403): %s", q, status, truncate(body, 200))
		}
	}
}
