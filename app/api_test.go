package app

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

// scenario is one API call made as a role against a fresh app.
type scenario struct {
	name    string
	as      string // role, "superuser" or "" for anonymous
	method  string
	url     func(env *testEnv) string
	body    string
	headers map[string]string
	bodyOf  func(env *testEnv) string // when the body needs seeded ids
	status  int
	want    []string
	notWant []string
	after   func(t testing.TB, env *testEnv)
	seed    func(t testing.TB, env *testEnv)
	decode  func(body string) error                       // reads the answer before after runs
	answer  func(t testing.TB, env *testEnv, body []byte) // checks the answer's body
}

func (sc scenario) run(t *testing.T) {
	t.Helper()
	var env *testEnv
	headers := map[string]string{"Content-Type": "application/json"}
	s := &tests.ApiScenario{
		Name:               sc.name,
		Method:             sc.method,
		Body:               strings.NewReader(sc.body),
		Headers:            headers,
		ExpectedStatus:     sc.status,
		ExpectedContent:    sc.want,
		NotExpectedContent: append([]string{"hunter2", "sb1:"}, sc.notWant...),
		AfterTestFunc: func(t testing.TB, _ *tests.TestApp, res *http.Response) {
			body, err := io.ReadAll(res.Body)
			if err != nil {
				t.Fatal(err)
			}
			if sc.decode != nil {
				if err := sc.decode(string(body)); err != nil {
					t.Fatalf("reading the answer %s: %v", body, err)
				}
			}
			if sc.after != nil {
				sc.after(t, env)
			}
			if sc.answer != nil {
				sc.answer(t, env, body)
			}
		},
	}
	// The factory runs before the request is built, so the URL and the
	// token can depend on what it seeded.
	s.TestAppFactory = func(t testing.TB) *tests.TestApp {
		env = newTestEnv(t)
		if sc.seed != nil {
			sc.seed(t, env)
		}
		if sc.as != "" {
			headers["Authorization"] = env.tokens[sc.as]
		}
		for k, v := range sc.headers {
			headers[k] = v
		}
		s.URL = sc.url(env)
		if sc.bodyOf != nil {
			s.Body = strings.NewReader(sc.bodyOf(env))
		}
		return env.app
	}
	s.Test(t)
}

func fixed(u string) func(*testEnv) string { return func(*testEnv) string { return u } }

const connectionsURL = "/api/collections/connections/records"

func TestConnectionsAPI(t *testing.T) {
	validBody := `{"name":"Shop NL","connector":"testshop","config":{"url":"https://shop.example.com"},"secrets":{"api_key":"hunter2"}}`
	scenarios := []scenario{
		{name: "editor creates a connection; the secret is sealed and never returned",
			as: "editor", method: http.MethodPost, url: fixed(connectionsURL), body: validBody, status: 200,
			want: []string{`"name":"Shop NL"`, `"secrets_set":["api_key"]`},
			after: func(t testing.TB, env *testEnv) {
				rec, err := env.app.FindFirstRecordByData(connectionsCollection, "name", "Shop NL")
				if err != nil {
					t.Fatal(err)
				}
				raw := string(rec.GetRaw("secrets").(interface{ String() string }).String())
				if strings.Contains(raw, "hunter2") || !strings.Contains(raw, "sb1:") {
					t.Fatalf("stored secrets %s are not sealed", raw)
				}
				plain, err := env.sb.ConnectionSecrets(rec)
				if err != nil || plain["api_key"] != "hunter2" {
					t.Fatalf("secrets do not open: %v %v", plain, err)
				}
			}},
		{name: "a superuser's secret is sealed too", as: "superuser", method: http.MethodPost, url: fixed(connectionsURL), body: validBody, status: 200,
			want: []string{`"secrets_set":["api_key"]`},
			after: func(t testing.TB, env *testEnv) {
				rec, _ := env.app.FindFirstRecordByData(connectionsCollection, "name", "Shop NL")
				if plain, err := env.sb.ConnectionSecrets(rec); err != nil || plain["api_key"] != "hunter2" {
					t.Fatalf("secrets %v, %v", plain, err)
				}
			}},
		{name: "admin creates a connection", as: "admin", method: http.MethodPost, url: fixed(connectionsURL), body: validBody, status: 200,
			want: []string{`"secrets_set":["api_key"]`}},
		{name: "operator cannot create a connection", as: "operator", method: http.MethodPost, url: fixed(connectionsURL), body: validBody, status: 400,
			after: assertNoConnections},
		{name: "viewer cannot create a connection", as: "viewer", method: http.MethodPost, url: fixed(connectionsURL), body: validBody, status: 400,
			after: assertNoConnections},
		{name: "anonymous cannot create a connection", method: http.MethodPost, url: fixed(connectionsURL), body: validBody, status: 400,
			after: assertNoConnections},
		{name: "unknown connector is refused with a field error", as: "editor", method: http.MethodPost, url: fixed(connectionsURL),
			body: `{"name":"X","connector":"nope"}`, status: 400,
			want: []string{`"connector":{"code":"validation_unknown_connector"`}, after: assertNoConnections},
		{name: "missing required fields and unknown field get field errors", as: "editor", method: http.MethodPost, url: fixed(connectionsURL),
			body: `{"name":"X","connector":"testshop","config":{"colour":"red"}}`, status: 400,
			want: []string{`"url":{"code":"validation_invalid_field","message":"Is required."}`,
				`"colour":{"code":"validation_invalid_field","message":"Unknown field."}`,
				`"secrets":{"api_key":{"code":"validation_invalid_field","message":"Is required."}}`},
			after: assertNoConnections},
		{name: "a bad value names the field", as: "editor", method: http.MethodPost, url: fixed(connectionsURL),
			body: `{"name":"X","connector":"testshop","config":{"url":"ftp://nowhere"},"secrets":{"api_key":"hunter2"}}`, status: 400,
			want: []string{`"url":{"code":"validation_invalid_field","message":"Must be an http or https address`}, after: assertNoConnections},
		{name: "an unknown secret is named among the secrets, where it was sent", as: "editor", method: http.MethodPost, url: fixed(connectionsURL),
			body: `{"name":"X","connector":"testshop","config":{"url":"https://shop.example"},"secrets":{"api_key":"hunter2","bogus":"x"}}`, status: 400,
			want: []string{`"secrets":{"bogus":{"code":"validation_invalid_field","message":"Unknown secret."}}`}, notWant: []string{`"config":`},
			after: assertNoConnections},
		{name: "editors cannot set the engine's status", as: "editor", method: http.MethodPost, url: fixed(connectionsURL),
			body: `{"name":"X","connector":"memory","config":{"store":"s"},"status":"ok"}`, status: 400, after: assertNoConnections},
		{name: "viewer lists connections without secrets", as: "viewer", method: http.MethodGet, url: fixed(connectionsURL), status: 200,
			seed: seedShop, want: []string{`"totalItems":1`, `"secrets_set":["api_key"]`}},
		{name: "superuser sees no sealed secrets either", as: "superuser", method: http.MethodGet, url: fixed(connectionsURL), status: 200,
			seed: seedShop, want: []string{`"totalItems":1`}, notWant: []string{`"secrets":`}},
		{name: "anonymous lists nothing", method: http.MethodGet, url: fixed(connectionsURL), status: 200,
			seed: seedShop, want: []string{`"totalItems":0`}},
		{name: "expanding an integration's connections hides secrets", as: "viewer", method: http.MethodGet,
			url: fixed("/api/collections/integrations/records?expand=a,b"), status: 200, seed: seedIntegration,
			want: []string{`"expand":`, `"secrets_set":["api_key"]`}, notWant: []string{`"secrets":`}},
		{name: "update keeps secrets not sent and seals new ones", as: "editor", method: http.MethodPatch,
			url:  func(env *testEnv) string { return connectionsURL + "/" + shopID(t, env) },
			body: `{"name":"Shop BE"}`, status: 200, seed: seedShop, want: []string{`"secrets_set":["api_key"]`, `"name":"Shop BE"`},
			after: func(t testing.TB, env *testEnv) {
				rec, err := env.app.FindFirstRecordByData(connectionsCollection, "name", "Shop BE")
				if err != nil {
					t.Fatal(err)
				}
				if plain, err := env.sb.ConnectionSecrets(rec); err != nil || plain["api_key"] != "hunter2" {
					t.Fatalf("secret lost on update: %v %v", plain, err)
				}
			}},
		{name: "a secret set to null is removed and then required", as: "editor", method: http.MethodPatch,
			url:  func(env *testEnv) string { return connectionsURL + "/" + shopID(t, env) },
			body: `{"secrets":{"api_key":null}}`, status: 400, seed: seedShop,
			want: []string{`"secrets":{"api_key":{"code":"validation_invalid_field","message":"Is required."}}`}},
	}
	for _, sc := range scenarios {
		sc.run(t)
	}
}

func assertNoConnections(t testing.TB, env *testEnv) {
	n, err := env.app.CountRecords(connectionsCollection)
	if err != nil || n != 0 {
		t.Fatalf("connections = %d (%v), want none written", n, err)
	}
}

func seedShop(t testing.TB, env *testEnv) {
	env.saveConnection(t, "Shop", "testshop", map[string]any{"url": "https://shop.example.com"}, map[string]string{"api_key": "hunter2"})
}

func shopID(t testing.TB, env *testEnv) string {
	rec, err := env.app.FindFirstRecordByData(connectionsCollection, "name", "Shop")
	if err != nil {
		t.Fatal(err)
	}
	return rec.Id
}

func seedIntegration(t testing.TB, env *testEnv) {
	shop := env.saveConnection(t, "Shop", "testshop", map[string]any{"url": "https://shop.example.com"}, map[string]string{"api_key": "hunter2"})
	erp := env.saveConnection(t, "ERP", "memory", map[string]any{"store": "erp"}, nil)
	col, _ := env.app.FindCollectionByNameOrId("integrations")
	rec := core.NewRecord(col)
	rec.Set("name", "Shop <-> ERP")
	rec.Set("enabled", true)
	rec.Set("a", shop.Id)
	rec.Set("b", erp.Id)
	if err := env.app.Save(rec); err != nil {
		t.Fatal(err)
	}
}

func TestUsersAPI(t *testing.T) {
	userURL := func(role string) func(*testEnv) string {
		return func(env *testEnv) string { return "/api/collections/users/records/" + env.users[role].Id }
	}
	roleOf := func(role, want string) func(testing.TB, *testEnv) {
		return func(t testing.TB, env *testEnv) {
			rec, err := env.app.FindRecordById("users", env.users[role].Id)
			if err != nil || rec.GetString("role") != want {
				t.Fatalf("%s has role %q (%v), want %q", role, rec.GetString("role"), err, want)
			}
		}
	}
	scenarios := []scenario{
		{name: "public sign-up is closed", method: http.MethodPost, url: fixed("/api/collections/users/records"),
			body: `{"email":"new@example.com","password":"Passw0rd!123","passwordConfirm":"Passw0rd!123","role":"viewer"}`, status: 400,
			after: func(t testing.TB, env *testEnv) {
				if _, err := env.app.FindAuthRecordByEmail("users", "new@example.com"); err == nil {
					t.Fatal("anonymous sign-up created a user")
				}
			}},
		{name: "a viewer cannot make themselves admin", as: "viewer", method: http.MethodPatch, url: userURL("viewer"),
			body: `{"role":"admin"}`, status: 403, want: []string{`The field role of your own account`}, after: roleOf("viewer", "viewer")},
		{name: "an editor cannot make themselves admin", as: "editor", method: http.MethodPatch, url: userURL("editor"),
			body: `{"role":"admin"}`, status: 403, want: []string{`The field role of your own account`}, after: roleOf("editor", "editor")},
		{name: "an editor cannot change another user's role", as: "editor", method: http.MethodPatch, url: userURL("viewer"),
			body: `{"role":"editor"}`, status: 404, after: roleOf("viewer", "viewer")},
		{name: "a user can change their own name fields but not role", as: "viewer", method: http.MethodPatch, url: userURL("viewer"),
			body: `{"name":"Vera"}`, status: 200, want: []string{`"role":"viewer"`}},
		{name: "an admin can set roles", as: "admin", method: http.MethodPatch, url: userURL("viewer"),
			body: `{"role":"operator"}`, status: 200, after: roleOf("viewer", "operator")},
		{name: "an admin can add users", as: "admin", method: http.MethodPost, url: fixed("/api/collections/users/records"),
			body: `{"email":"new@example.com","password":"Passw0rd!123","passwordConfirm":"Passw0rd!123","role":"viewer"}`, status: 200},
		{name: "a viewer sees only themselves", as: "viewer", method: http.MethodGet, url: fixed("/api/collections/users/records"),
			status: 200, want: []string{`"totalItems":1`, `viewer@example.com`}},
	}
	for _, sc := range scenarios {
		sc.run(t)
	}
}

func TestSwitchboardRoutes(t *testing.T) {
	testURL := func(env *testEnv) string { return "/api/switchboard/connections/" + shopID(t, env) + "/test" }
	scenarios := []scenario{
		{name: "connectors need sign-in", method: http.MethodGet, url: fixed("/api/switchboard/connectors"), status: 401},
		{name: "connectors list their specs", as: "viewer", method: http.MethodGet, url: fixed("/api/switchboard/connectors"), status: 200,
			want: []string{`"name":"memory"`, `"name":"testshop"`, `"secret":true`}},
		{name: "status says flows are ready", as: "viewer", method: http.MethodGet, url: fixed("/api/switchboard/status"), status: 200,
			want: []string{`"flows_ready":true`}},
		{name: "viewer cannot test a connection", as: "viewer", method: http.MethodPost, url: testURL, seed: seedShop, status: 403},
		{name: "operator tests a connection and its status is kept", as: "operator", method: http.MethodPost, url: testURL, seed: seedShop,
			status: 200, want: []string{`"ok":true`},
			after: func(t testing.TB, env *testEnv) {
				rec, _ := env.app.FindRecordById(connectionsCollection, shopID(t, env))
				if rec.GetString("status") != "ok" || rec.GetDateTime("checked").IsZero() {
					t.Fatalf("status %q checked %v", rec.GetString("status"), rec.GetDateTime("checked"))
				}
			}},
	}
	for _, sc := range scenarios {
		sc.run(t)
	}
}

func TestConnectorsJSONHasEveryField(t *testing.T) {
	data, err := json.Marshal(testSpec)
	if err != nil || !strings.Contains(string(data), `"required":true`) {
		t.Fatalf("spec JSON %s, %v", data, err)
	}
}

// TestUsersTimeZoneMustBeOne: a time zone the web UI cannot load was
// taken through the API without a word, and the UI then showed every time
// in UTC; the UI's own form refuses it. It is refused on every save that
// sets it, naming the field; one stored before is left alone until it
// changes, so that an admin can still disable its user.
func TestUsersTimeZoneMustBeOne(t *testing.T) {
	self := func(env *testEnv) string { return "/api/collections/users/records/" + env.users[RoleViewer].Id }
	zoneOf := func(want string) func(testing.TB, *testEnv) {
		return func(t testing.TB, env *testEnv) {
			rec, _ := env.app.FindRecordById("users", env.users[RoleViewer].Id)
			if got := rec.GetString("timezone"); got != want {
				t.Fatalf("timezone %q, want %q", got, want)
			}
		}
	}
	storedBadZone := func(t testing.TB, env *testEnv) {
		if _, err := env.app.DB().NewQuery("UPDATE users SET timezone = 'Mars/Base' WHERE id = {:id}").
			Bind(map[string]any{"id": env.users[RoleViewer].Id}).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	for _, sc := range []scenario{
		{name: "a zone that does not exist", as: "viewer", method: http.MethodPatch, url: self, body: `{"timezone":"Europe/Amsterdm"}`,
			status: 400, want: []string{`"timezone":{"code":"validation_invalid_timezone"`, `Europe/Amsterdm`}, after: zoneOf("")},
		{name: "the server's local zone", as: "viewer", method: http.MethodPatch, url: self, body: `{"timezone":"Local"}`,
			status: 400, want: []string{`"timezone":{"code":"validation_invalid_timezone"`}, after: zoneOf("")},
		{name: "an IANA zone", as: "viewer", method: http.MethodPatch, url: self, body: `{"timezone":"Europe/Amsterdam"}`,
			status: 200, after: zoneOf("Europe/Amsterdam")},
		{name: "no zone: the browser's", as: "viewer", method: http.MethodPatch, url: self, body: `{"timezone":""}`,
			status: 200, after: zoneOf("")},
		{name: "an admin creating a user with a bad zone", as: "admin", method: http.MethodPost, url: fixed("/api/collections/users/records"),
			body:   `{"email":"new@example.com","password":"Passw0rd!123","passwordConfirm":"Passw0rd!123","role":"viewer","timezone":"Mars/Base"}`,
			status: 400, want: []string{`"timezone":{"code":"validation_invalid_timezone"`}},
		{name: "a bad zone stored before does not block another change", as: "admin", method: http.MethodPatch, url: self,
			body: `{"disabled":true}`, seed: storedBadZone, status: 200, after: zoneOf("Mars/Base")},
	} {
		sc.run(t)
	}
}

// TestDeletingAUsedConnectionSaysWhere: a connection that an integration
// uses cannot be deleted; the refusal named neither the integration nor
// what to do ("Make sure that the record is not part of a required
// relation reference."). It names them now, and nothing is deleted.
func TestDeletingAUsedConnectionSaysWhere(t *testing.T) {
	scenario{name: "deleting a connection an integration uses", as: RoleEditor, method: http.MethodDelete,
		url: func(env *testEnv) string { return connectionsURL + "/" + shopID(t, env) }, seed: seedIntegration,
		status: 400, want: []string{`"message":"Connection \"Shop\" is used by the integration \"Shop \u003c-\u003e ERP\"`,
			`"code":"validation_connection_in_use"`},
		after: func(t testing.TB, env *testEnv) {
			if _, err := env.app.FindFirstRecordByData(connectionsCollection, "name", "Shop"); err != nil {
				t.Fatalf("the connection was deleted: %v", err)
			}
		}}.run(t)
	scenario{name: "deleting a connection nothing uses", as: RoleEditor, method: http.MethodDelete,
		url: func(env *testEnv) string { return connectionsURL + "/" + shopID(t, env) }, seed: seedShop, status: 204}.run(t)
}
