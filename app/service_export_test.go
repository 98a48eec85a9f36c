package app

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/switchboard-app/switchboard/mappings"
)

// seedExportable is the "Shop <-> ERP" integration with two flows, one
// with options, a mapping, tables and rules.
func seedExportable(t *testing.T, env *testEnv) {
	t.Helper()
	seedIntegration(t, env)
	integ, _ := env.app.FindFirstRecordByData("integrations", "name", "Shop <-> ERP")
	integ.Set("alert_emails", "ops@example.com")
	if err := env.app.Save(integ); err != nil {
		t.Fatal(err)
	}
	a, b := integ.GetString("a"), integ.GetString("b")
	newRecord(t, env.app, flowsCollection, map[string]any{"integration": integ.Id, "name": "orders", "entity": "order",
		"source": a, "target": b, "schedule": "@every 5m", "enabled": true, "options": map[string]any{"ordered": true},
		"mapping": map[string]any{"in": []mappings.Field{{Target: "number", Expr: "trim(order_number)"}}, "tables": mappings.Tables{"vat": {"21": "HIGH"}}},
		"rules": []mappings.Rule{{Name: "paid only", Kind: "filter", When: `payment.status != "paid"`, Reason: "not paid"},
			{Kind: "price", Field: "lines[].unit_price", Percent: "10", RoundTo: "0.05", Disabled: true}}})
	newRecord(t, env.app, flowsCollection, map[string]any{"integration": integ.Id, "name": "orders by hand", "entity": "order",
		"source": a, "target": b, "schedule": "", "enabled": false})
}

// flowShape is what makes two flows the same, wherever they are.
func flowShape(t *testing.T, env *testEnv, integName string) []string {
	t.Helper()
	integ, err := env.app.FindFirstRecordByData("integrations", "name", integName)
	if err != nil {
		t.Fatal(err)
	}
	flows, _ := env.app.FindRecordsByFilter(flowsCollection, "integration = {:id}", "name", 0, 0, map[string]any{"id": integ.Id})
	var out []string
	for _, f := range flows {
		dir := "a->b"
		if f.GetString("source") == integ.GetString("b") {
			dir = "b->a"
		}
		out = append(out, strings.Join([]string{f.GetString("name"), f.GetString("entity"), dir, f.GetString("schedule"),
			none(f.GetString("options")), none(f.GetString("mapping")), none(f.GetString("rules")), boolText(f.GetBool("enabled"))}, " | "))
	}
	return out
}

// none is a stored JSON value, with null and empty ones alike.
func none(s string) string {
	if s == "null" || s == "{}" || s == "[]" {
		return ""
	}
	return s
}

func boolText(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// TestExportThenImportGivesTheSameFlows: an integration exported as YAML
// holds no secret, and imported into a fresh appliance, with the secrets
// asked for, gives the same flows and connections.
func TestExportThenImportGivesTheSameFlows(t *testing.T) {
	src := newTestEnv(t)
	seedExportable(t, src)
	integ, _ := src.app.FindFirstRecordByData("integrations", "name", "Shop <-> ERP")
	data, err := src.sb.ExportIntegration(integ.Id)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, want := range []string{"switchboard: 1", "connector: testshop", "- api_key", "trim(order_number)", "round_to: \"0.05\"", "disabled: true"} {
		if !strings.Contains(text, want) {
			t.Errorf("the file lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "hunter2") || strings.Contains(text, "sb1:") || strings.Contains(text, "webhook_secret") {
		t.Fatalf("the file holds a secret:\n%s", text)
	}

	dst := newTestEnv(t)
	f, err := ParseIntegrationFile(data)
	if err != nil {
		t.Fatal(err)
	}
	setup := ImportSetup(f, ImportChoices{Secrets: map[string]map[string]string{"a": {"api_key": "new-key-for-the-next-client"}}, Enabled: true})
	if _, err := dst.sb.CreateSetup(setup); err != nil {
		t.Fatal(err)
	}
	if got, want := flowShape(t, dst, "Shop <-> ERP"), flowShape(t, src, "Shop <-> ERP"); !reflect.DeepEqual(got, want) {
		t.Fatalf("imported flows\n%v\nwant\n%v", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	shop, _ := dst.app.FindFirstRecordByData(connectionsCollection, "name", "Shop")
	if secrets, err := dst.sb.ConnectionSecrets(shop); err != nil || secrets["api_key"] != "new-key-for-the-next-client" {
		t.Fatalf("the imported connection's secret: %v %v", secrets, err)
	}
	imported, _ := dst.app.FindFirstRecordByData("integrations", "name", "Shop <-> ERP")
	if imported.GetString("alert_emails") != "ops@example.com" {
		t.Fatalf("alert e-mails %q", imported.GetString("alert_emails"))
	}
}

// TestImportRefusals: a file of the wrong shape is refused naming the
// part; a setup a check refuses creates nothing, the connections it would
// have made included.
func TestImportRefusals(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"not YAML of ours", "hello: world", "field hello not found"},
		{"another version", "switchboard: 2\n", "reads version 1"},
		{"one connection", "switchboard: 1\nintegration: {name: x}\nconnections: [{ref: a, name: A, connector: memory}]\n", "two connections"},
		{"a rule of another shape", "switchboard: 1\nintegration: {name: x}\nconnections: [{ref: a, name: A, connector: memory}, {ref: b, name: B, connector: memory}]\n" +
			"flows: [{name: f, entity: order, source: a, target: b, schedule: '', enabled: true, rules: [{kind: filter, colour: red}]}]\n", `unknown field "colour"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseIntegrationFile([]byte(tc.yaml)); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("%v, want %q", err, tc.want)
			}
		})
	}
	src := newTestEnv(t)
	seedExportable(t, src)
	integ, _ := src.app.FindFirstRecordByData("integrations", "name", "Shop <-> ERP")
	data, _ := src.sb.ExportIntegration(integ.Id)
	f, _ := ParseIntegrationFile(data)
	dst := newTestEnv(t)
	_, err := dst.sb.CreateSetup(ImportSetup(f, ImportChoices{}))
	var se *SetupError
	if !errors.As(err, &se) || se.Part != "a" || !strings.Contains(err.Error(), "api_key") {
		t.Fatalf("an import without the required secret: %v", err)
	}
	if n, _ := dst.app.CountRecords(connectionsCollection); n != 0 {
		t.Fatalf("a refused import left %d connections", n)
	}
}

// TestImportRoute: the REST route checks with dry_run, creates nothing
// then, and creates the integration without it.
func TestImportRoute(t *testing.T) {
	src := newTestEnv(t)
	seedExportable(t, src)
	integ, _ := src.app.FindFirstRecordByData("integrations", "name", "Shop <-> ERP")
	mux := servedMux(t, src)
	req := httptest.NewRequest(http.MethodGet, APIPrefix+"/integrations/"+integ.Id+"/export", nil)
	req.Header.Set("Authorization", src.tokens[RoleEditor])
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Header().Get("Content-Type"), "yaml") {
		t.Fatalf("export = %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	dst := newTestEnv(t)
	dmux := servedMux(t, dst)
	post := func(dry bool) (int, string) {
		body, _ := json.Marshal(map[string]any{"yaml": rec.Body.String(), "dry_run": dry,
			"secrets": map[string]any{"a": map[string]string{"api_key": "k-12345"}}})
		req := httptest.NewRequest(http.MethodPost, APIPrefix+"/integrations/import", strings.NewReader(string(body)))
		req.Header.Set("Authorization", dst.tokens[RoleEditor])
		out := httptest.NewRecorder()
		dmux.ServeHTTP(out, req)
		return out.Code, out.Body.String()
	}
	if code, body := post(true); code != http.StatusOK {
		t.Fatalf("dry run = %d %s", code, body)
	}
	if n, _ := dst.app.CountRecords("integrations"); n != 0 {
		t.Fatal("a dry run created the integration")
	}
	if code, body := post(false); code != http.StatusCreated || !strings.Contains(body, `"flows":[`) {
		t.Fatalf("import = %d %s", code, body)
	}
	if code, body := post(false); code != http.StatusBadRequest || !strings.Contains(body, `"part":"a"`) ||
		!strings.Contains(body, `"message":"The import was refused: a: name: Value must be unique."`) {
		t.Fatalf("a second import, the names taken = %d %s", code, body)
	}
}

// TestImportRouteSaysWhy: a refused import's answer names the cause, not
// only the part, when the cause is not field errors: a missing file, or a
// connection to reuse that does not exist.
func TestImportRouteSaysWhy(t *testing.T) {
	src := newTestEnv(t)
	seedExportable(t, src)
	integ, _ := src.app.FindFirstRecordByData("integrations", "name", "Shop <-> ERP")
	file, err := src.sb.ExportIntegration(integ.Id)
	if err != nil {
		t.Fatal(err)
	}
	env := newTestEnv(t)
	mux := servedMux(t, env)
	for _, tc := range []struct {
		name string
		body map[string]any
		want []string
	}{
		{"no file", map[string]any{}, []string{`"message":"The field yaml is required: the text of an integration file`}},
		{"an unknown connection to reuse", map[string]any{"yaml": string(file), "existing": map[string]string{"a": "nosuchid"}},
			[]string{`"part":"a"`, `"message":"The import was refused: a: no connection has the id \"nosuchid\": not found."`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, _ := json.Marshal(tc.body)
			req := httptest.NewRequest(http.MethodPost, APIPrefix+"/integrations/import", strings.NewReader(string(body)))
			req.Header.Set("Authorization", env.tokens[RoleEditor])
			out := httptest.NewRecorder()
			mux.ServeHTTP(out, req)
			if out.Code != http.StatusBadRequest {
				t.Fatalf("import = %d %s, want 400", out.Code, out.Body.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(out.Body.String(), w) {
					t.Fatalf("answer %s lacks %s", out.Body.String(), w)
				}
			}
		})
	}
}

// TestImportRouteReadsOnlyWhatItKnows: a misspelled key was left out
// without a word, so "dryrun": true created the integration that was
// only to be checked, and "exisiting" made new connections instead of
// reusing the ones named. Such a body is refused, naming the key, as is a
// value of the wrong kind (naming the field) and a body over the limit
// (413, not "must be JSON"); nothing is created.
func TestImportRouteReadsOnlyWhatItKnows(t *testing.T) {
	src := newTestEnv(t)
	seedExportable(t, src)
	integ, _ := src.app.FindFirstRecordByData("integrations", "name", "Shop <-> ERP")
	file, err := src.sb.ExportIntegration(integ.Id)
	if err != nil {
		t.Fatal(err)
	}
	env := newTestEnv(t)
	mux := servedMux(t, env)
	secretsA := map[string]any{"a": map[string]string{"api_key": "k-12345"}}
	for _, tc := range []struct {
		name   string
		body   string
		status int
		want   string
	}{
		{"a misspelled dry_run", mustJSON(t, map[string]any{"yaml": string(file), "dryrun": true, "secrets": secretsA}),
			http.StatusBadRequest, `it has the unknown key \"dryrun\"`},
		{"a misspelled existing", mustJSON(t, map[string]any{"yaml": string(file), "exisiting": map[string]string{"a": "x"}, "secrets": secretsA}),
			http.StatusBadRequest, `it has the unknown key \"exisiting\"`},
		{"a file that is no text", `{"yaml": 5}`, http.StatusBadRequest, `yaml is a number`},
		{"a body over 4 MB", `{"yaml": "` + strings.Repeat("a", 5<<20) + `"}`, http.StatusRequestEntityTooLarge, `larger than`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, APIPrefix+"/integrations/import", strings.NewReader(tc.body))
			req.Header.Set("Authorization", env.tokens[RoleEditor])
			out := httptest.NewRecorder()
			mux.ServeHTTP(out, req)
			if out.Code != tc.status || !strings.Contains(out.Body.String(), tc.want) {
				t.Fatalf("import = %d %s, want %d saying %s", out.Code, truncate(out.Body.String(), 300), tc.status, tc.want)
			}
			if n, _ := env.app.CountRecords("integrations"); n != 0 {
				t.Fatalf("%d integrations created", n)
			}
		})
	}
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
