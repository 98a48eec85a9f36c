package app

// The threat model, as tests: who may read and write what (the role
// matrix over every collection and every Switchboard route), and the doors
// around the rules that must stay shut. docs/SECURITY.md says the same in
// words. A new collection or route fails TestRoleMatrixIsComplete until it
// is added to the matrix.

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

// matrixRoles are the matrix's columns: anonymous, then every role from
// least to most powerful.
var matrixRoles = []string{"", RoleViewer, RoleOperator, RoleEditor, RoleAdmin}

// cells are the expected answers for anonymous, viewer, operator, editor
// and admin, in that order: a status code, and for lists "200/N", the
// status and the number of records the caller sees.
type cells [5]string

// world is a seeded app: one record of every collection, and the ids the
// matrix's requests use.
type world struct {
	env  *testEnv
	mux  http.Handler
	ids  map[string]string
	conn struct{ a, b string }
}

// collectionRow is one collection's line of the matrix.
type collectionRow struct {
	name                               string
	list, view, create, update, delete cells
	createBody, updateBody             func(w *world) string
}

var (
	readAnyRole   = cells{"200/0", "200/1", "200/1", "200/1", "200/1"}
	viewAnyRole   = cells{"404", "200", "200", "200", "200"}
	writeEditorUp = cells{"400", "400", "400", "200", "200"}
	editEditorUp  = cells{"404", "404", "404", "200", "200"}
	dropEditorUp  = cells{"404", "404", "404", "204", "204"}
	superusersOny = cells{"403", "403", "403", "403", "403"}
)

func collectionMatrix() []collectionRow {
	engineOnly := func(name string) collectionRow {
		return collectionRow{name: name, list: readAnyRole, view: viewAnyRole,
			create: superusersOny, update: superusersOny, delete: superusersOny,
			createBody: jsonBody(map[string]any{}), updateBody: jsonBody(map[string]any{})}
	}
	internal := func(name string) collectionRow {
		return collectionRow{name: name, list: superusersOny, view: superusersOny,
			create: superusersOny, update: superusersOny, delete: superusersOny,
			createBody: jsonBody(map[string]any{}), updateBody: jsonBody(map[string]any{})}
	}
	return []collectionRow{
		{name: "users",
			list:   cells{"200/0", "200/1", "200/1", "200/1", "200/5"},
			view:   cells{"404", "404", "404", "404", "200"},
			create: cells{"400", "400", "400", "400", "200"},
			update: cells{"404", "404", "404", "404", "200"},
			delete: cells{"404", "404", "404", "404", "204"},
			createBody: jsonBody(map[string]any{"email": "new@example.com", "password": "Passw0rd!123",
				"passwordConfirm": "Passw0rd!123", "role": "viewer"}),
			updateBody: jsonBody(map[string]any{"name": "Renamed"})},
		{name: "connections", list: cells{"200/0", "200/5", "200/5", "200/5", "200/5"}, view: viewAnyRole,
			create: writeEditorUp, update: editEditorUp, delete: dropEditorUp,
			createBody: jsonBody(map[string]any{"name": "New", "connector": "memory", "config": map[string]any{"store": "new"}}),
			updateBody: jsonBody(map[string]any{"name": "Renamed"})},
		{name: "integrations", list: cells{"200/0", "200/2", "200/2", "200/2", "200/2"}, view: viewAnyRole,
			create: writeEditorUp, update: editEditorUp, delete: dropEditorUp,
			createBody: func(w *world) string {
				return jsonBody(map[string]any{"name": "New", "a": w.conn.a, "b": w.conn.b})(w)
			},
			updateBody: jsonBody(map[string]any{"name": "Renamed"})},
		{name: "flows", list: readAnyRole, view: viewAnyRole,
			create: writeEditorUp, update: editEditorUp, delete: dropEditorUp,
			createBody: func(w *world) string {
				return jsonBody(map[string]any{"name": "New", "integration": w.ids["integrations"], "entity": "order",
					"source": w.conn.a, "target": w.conn.b, "schedule": ""})(w)
			},
			updateBody: jsonBody(map[string]any{"name": "Renamed"})},
		engineOnly("runs"),
		engineOnly("transactions"),
		engineOnly("xrefs"),
		engineOnly("usage"),
		engineOnly("flow_state"),
		engineOnly("alerts"),
		internal("sb_meta"),
		internal("wizard_drafts"),
	}
}

func jsonBody(v map[string]any) func(*world) string {
	return func(*world) string {
		data, _ := json.Marshal(v)
		return string(data)
	}
}

// newWorld seeds an app with one record of every collection, the target of
// each collection's view, update and delete.
func newWorld(t *testing.T) *world {
	t.Helper()
	env := newTestEnv(t)
	w := &world{env: env, ids: map[string]string{}}
	seedFailed(t, env)
	flow, _ := env.app.FindFirstRecordByData(flowsCollection, "name", "orders")
	integ, _ := env.app.FindFirstRecordByData("integrations", "name", "Shop <-> ERP")
	w.conn.a, w.conn.b = integ.GetString("a"), integ.GetString("b")
	spare := env.saveConnection(t, "Spare", "memory", map[string]any{"store": "spare"}, map[string]string{"token": "hunter2"})
	w.ids["connections"] = spare.Id
	w.ids["oauth"] = env.saveConnection(t, "OAuth app", "http", map[string]any{"base_url": "https://shop.example.com/api",
		"auth": "oauth2", "oauth_auth_url": "https://shop.example.com/oauth/authorize",
		"oauth_token_url": "https://shop.example.com/oauth/token", "oauth_client_id": "switchboard"}, nil).Id
	w.ids["integrations"] = newRecord(t, env.app, "integrations", map[string]any{"name": "Spare", "a": w.conn.a, "b": w.conn.b}).Id
	w.ids["flows"] = flow.Id
	tx, _ := env.app.FindFirstRecordByData("transactions", "key", "1001")
	w.ids["transactions"] = tx.Id
	if err := saveAuth(env.app, "users", "target@example.com", map[string]any{"role": RoleViewer}); err != nil {
		t.Fatal(err)
	}
	target, _ := env.app.FindAuthRecordByEmail("users", "target@example.com")
	w.ids["users"] = target.Id
	w.ids["sb_meta"] = newRecord(t, env.app, "sb_meta", map[string]any{"key": "matrix", "value": "v"}).Id
	for name, fields := range map[string]map[string]any{
		"runs":          {"flow": flow.Id, "trigger": "manual"},
		"xrefs":         {"source": w.conn.a, "target": w.conn.b, "entity": "order", "source_id": "o1", "target_id": "t1"},
		"usage":         {"connection": w.conn.a, "month": "2026-12"},
		"flow_state":    {"flow": flow.Id},
		"alerts":        {"flow": flow.Id},
		"wizard_drafts": {"user": target.Id, "data": map[string]any{"step": "a"}},
	} {
		w.ids[name] = newRecord(t, env.app, name, fields).Id
	}
	w.mux = servedMux(t, env)
	return w
}

// call makes one request as role ("" is anonymous) and returns the status
// and the body.
func (w *world) call(method, path, role, body string) (int, string) {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if role != "" {
		req.Header.Set("Authorization", w.env.tokens[role])
	}
	rec := httptest.NewRecorder()
	w.mux.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// matrixCell renders an answer as a matrix cell.
func matrixCell(status int, body string, isList bool) string {
	if !isList || status != http.StatusOK {
		return strconv.Itoa(status)
	}
	var list struct {
		TotalItems int `json:"totalItems"`
	}
	_ = json.Unmarshal([]byte(body), &list)
	return fmt.Sprintf("%d/%d", status, list.TotalItems)
}

func TestRoleMatrixCollections(t *testing.T) {
	for _, row := range collectionMatrix() {
		for i, role := range matrixRoles {
			who := role
			if who == "" {
				who = "anonymous"
			}
			t.Run(row.name+"/"+who, func(t *testing.T) {
				w := newWorld(t)
				base := "/api/collections/" + row.name + "/records"
				item := base + "/" + w.ids[row.name]
				for _, op := range []struct {
					name, method, path string
					body               string
					want               string
				}{
					{"list", http.MethodGet, base, "", row.list[i]},
					{"view", http.MethodGet, item, "", row.view[i]},
					{"create", http.MethodPost, base, row.createBody(w), row.create[i]},
					{"update", http.MethodPatch, item, row.updateBody(w), row.update[i]},
					{"delete", http.MethodDelete, item, "", row.delete[i]},
				} {
					status, body := w.call(op.method, op.path, role, op.body)
					if got := matrixCell(status, body, op.name == "list"); got != op.want {
						t.Errorf("%s %s as %s = %s, want %s: %s", op.name, row.name, who, got, op.want, truncate(body, 300))
					}
				}
			})
		}
	}
}

// routeRow is one Switchboard route's line of the matrix.
type routeRow struct {
	method, pattern string
	path            func(w *world) string
	body            string
	want            cells
}

func routeMatrix() []routeRow {
	flow := func(suffix string) func(w *world) string {
		return func(w *world) string { return APIPrefix + "/flows/" + w.ids["flows"] + suffix }
	}
	tx := func(suffix string) func(w *world) string {
		return func(w *world) string { return APIPrefix + "/transactions/" + w.ids["transactions"] + suffix }
	}
	return []routeRow{
		{"GET", "/status", func(*world) string { return APIPrefix + "/status" }, "", cells{"200", "200", "200", "200", "200"}},
		{"GET", "/ready", func(*world) string { return APIPrefix + "/ready" }, "", cells{"200", "200", "200", "200", "200"}},
		{"GET", "/connectors", func(*world) string { return APIPrefix + "/connectors" }, "", cells{"401", "200", "200", "200", "200"}},
		{"GET", "/activity", func(*world) string { return APIPrefix + "/activity" }, "", cells{"401", "200", "200", "200", "200"}},
		{"GET", "/model", func(*world) string { return APIPrefix + "/model" }, "", cells{"401", "200", "200", "200", "200"}},
		{"GET", "/functions", func(*world) string { return APIPrefix + "/functions" }, "", cells{"401", "200", "200", "200", "200"}},
		{"GET", "/integrations/{id}/export", func(w *world) string { return APIPrefix + "/integrations/" + w.ids["integrations"] + "/export" }, "",
			cells{"401", "403", "403", "200", "200"}},
		{"POST", "/integrations/import", func(*world) string { return APIPrefix + "/integrations/import" }, `{"yaml": "switchboard: 1"}`,
			cells{"401", "403", "403", "400", "400"}},
		{"POST", "/connections/{id}/test", func(w *world) string { return APIPrefix + "/connections/" + w.conn.b + "/test" }, "",
			cells{"401", "403", "200", "200", "200"}},
		{"POST", "/flows/{id}/run", flow("/run"), "", cells{"401", "403", "202", "202", "202"}},
		{"POST", "/flows/{id}/preview", flow("/preview"), `{"sample":{"number":"1"}}`, cells{"401", "403", "403", "200", "200"}},
		{"POST", "/flows/{id}/retry-failed", flow("/retry-failed"), "", cells{"401", "403", "202", "202", "202"}},
		{"GET", "/flows/{id}/webhook", flow("/webhook"), "", cells{"401", "403", "403", "200", "200"}},
		{"POST", "/transactions/{id}/retry", tx("/retry"), "", cells{"401", "403", "202", "202", "202"}},
		{"POST", "/transactions/{id}/resolve", tx("/resolve"), "", cells{"401", "403", "200", "200", "200"}},
		{"GET", "/transactions/{id}/payloads", tx("/payloads"), "", cells{"401", "200", "200", "200", "200"}},
		{"GET", "/oauth/{connection}/start", func(w *world) string { return APIPrefix + "/oauth/" + w.ids["oauth"] + "/start" }, "",
			cells{"401", "403", "403", "200", "200"}},
		// The app sends any browser back here; the state and the session decide.
		{"GET", "/oauth/callback", func(*world) string { return APIPrefix + "/oauth/callback?state=x&code=y" }, "",
			cells{"400", "400", "400", "400", "400"}},
	}
}

func TestRoleMatrixRoutes(t *testing.T) {
	for _, row := range routeMatrix() {
		for i, role := range matrixRoles {
			t.Run(row.method+" "+row.pattern+"/"+role, func(t *testing.T) {
				w := newWorld(t)
				status, body := w.call(row.method, row.path(w), role, row.body)
				if got := strconv.Itoa(status); got != row.want[i] {
					t.Errorf("%s %s as %q = %s, want %s: %s", row.method, row.pattern, role, got, row.want[i], truncate(body, 300))
				}
			})
		}
	}
}

// TestRoleMatrixIsComplete fails when a collection or a Switchboard route
// has no line in the matrix.
func TestRoleMatrixIsComplete(t *testing.T) {
	env := newTestEnv(t)
	all, err := env.app.FindAllCollections()
	if err != nil {
		t.Fatal(err)
	}
	var inMatrix []string
	for _, row := range collectionMatrix() {
		inMatrix = append(inMatrix, row.name)
	}
	for _, c := range all {
		if !c.System && !slices.Contains(inMatrix, c.Name) {
			t.Errorf("collection %s is not in the role matrix", c.Name)
		}
	}
	var routes []string
	for _, row := range routeMatrix() {
		routes = append(routes, row.method+" "+APIPrefix+row.pattern)
	}
	for _, r := range servedRoutes(t, env) {
		if strings.HasPrefix(r, "GET "+APIPrefix) || strings.HasPrefix(r, "POST "+APIPrefix) ||
			strings.Contains(r, " "+APIPrefix+"/") {
			if !slices.Contains(routes, r) {
				t.Errorf("route %s is not in the role matrix", r)
			}
		}
	}
}

// servedRoutes lists "METHOD /path" of every route the served app has.
// The router keeps its routes unexported; reflection reads them.
func servedRoutes(t *testing.T, env *testEnv) []string {
	t.Helper()
	r, err := apis.NewRouter(env.app)
	if err != nil {
		t.Fatal(err)
	}
	ev := &core.ServeEvent{App: env.app, Router: r}
	if err := env.app.OnServe().Trigger(ev, func(e *core.ServeEvent) error { return nil }); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.sb.engine.Stop)
	var out []string
	walkRoutes(reflect.ValueOf(r.RouterGroup).Elem(), "", &out)
	sort.Strings(out)
	return out
}

func walkRoutes(group reflect.Value, prefix string, out *[]string) {
	prefix += group.FieldByName("Prefix").String()
	children := group.FieldByName("children")
	for i := range children.Len() {
		child := children.Index(i).Elem().Elem()
		if child.FieldByName("children").IsValid() {
			walkRoutes(child, prefix, out)
			continue
		}
		*out = append(*out, child.FieldByName("Method").String()+" "+prefix+child.FieldByName("Path").String())
	}
}

// TestHiddenColumnsCannotBeQueried: a filter or sort on a sealed secret
// would let any role read it character by character (filter
// secrets.token~'sb1:a%', then 'sb1:ab%', ...), through relations and
// @collection references too. Every such query is refused, for every role.
func TestHiddenColumnsCannotBeQueried(t *testing.T) {
	queries := []string{
		"/api/collections/connections/records?filter=" + url.QueryEscape(`secrets.token~"sb1:%"`),
		"/api/collections/connections/records?filter=" + url.QueryEscape(`secrets~"sb1"`),
		"/api/collections/connections/records?sort=secrets",
		"/api/collections/connections/records?filter=" + url.QueryEscape(`secrets:length>0`),
		"/api/collections/integrations/records?filter=" + url.QueryEscape(`b.secrets.token~"sb1:%"`),
		"/api/collections/flows/records?filter=" + url.QueryEscape(`target.secrets.token~"sb1:%"`),
		"/api/collections/flows/records?filter=" + url.QueryEscape(`@collection.connections.secrets.token~"sb1:%"`),
		"/api/collections/flows/records?filter=" + url.QueryEscape(`webhook_secret~"hook%"`),
		"/api/collections/flows/records?sort=webhook_secret",
		"/api/collections/transactions/records?filter=" + url.QueryEscape(`payloads~"%"`),
		"/api/collections/transactions/records?filter=" + url.QueryEscape(`lane~"%"`),
		"/api/collections/transactions/records?filter=" + url.QueryEscape(`flow.webhook_secret~"hook%"`),
	}
	w := newWorld(t)
	for _, role := range matrixRoles[1:] {
		for _, q := range queries {
			status, body := w.call(http.MethodGet, q, role, "")
			if status != http.StatusBadRequest && status != http.StatusForbidden {
				t.Errorf("%s as %s = %d, want a refusal (400 or 403): %s", q, role, status, truncate(body, 200))
			}
		}
	}
}

// TestEditorsCannotWriteHealth: a connection's health is the engine's
// word; an editor who could write it could hide an outage or fake one.
func TestEditorsCannotWriteHealth(t *testing.T) {
	for _, field := range []string{`"status":"ok"`, `"status_message":"all fine"`, `"failures":7`,
		`"down_since":"2026-01-01 00:00:00.000Z"`, `"checked":"2026-01-01 00:00:00.000Z"`} {
		w := newWorld(t)
		path := "/api/collections/connections/records/" + w.ids["connections"]
		name := strings.Trim(strings.SplitN(field, ":", 2)[0], `"`)
		if status, body := w.call(http.MethodPatch, path, RoleEditor, "{"+field+"}"); status != http.StatusForbidden ||
			!strings.Contains(body, "The field "+name+" of ") {
			t.Errorf("editor writing %s = %d, want 403 naming %s: %s", field, status, name, truncate(body, 200))
		}
		if status, _ := w.call(http.MethodPost, "/api/collections/connections/records", RoleEditor,
			`{"name":"X","connector":"memory","config":{"store":"x"},`+field+`}`); status != http.StatusBadRequest {
			t.Errorf("editor creating with %s = %d, want 400", field, status)
		}
	}
}

// TestSavingBackWholeRecords: a client that reads a record and sends it
// back whole, with the engine's fields as they are, is not refused; the
// same request with one of them changed still is.
func TestSavingBackWholeRecords(t *testing.T) {
	w := newWorld(t)
	conn, err := w.env.app.FindRecordById(connectionsCollection, w.ids["connections"])
	if err != nil {
		t.Fatal(err)
	}
	conn.Set("status", "down")
	conn.Set("status_message", "connection refused")
	conn.Set("failures", 3)
	conn.Set("checked", "2026-11-30 10:00:00.000Z")
	conn.Set("down_since", "2026-11-30 09:00:00.000Z")
	if err := w.env.app.SaveNoValidate(conn); err != nil {
		t.Fatal(err)
	}
	rows := []struct {
		who, path, rename string
		changed           []string
	}{
		{RoleEditor, "/api/collections/connections/records/" + conn.Id, `"name":"Renamed"`,
			[]string{`"status":"ok"`, `"failures":0`, `"status_message":""`, `"down_since":""`}},
		{RoleViewer, "/api/collections/users/records/" + w.env.users[RoleViewer].Id, `"name":"Vera"`,
			[]string{`"role":"admin"`, `"disabled":true`}},
		{RoleAdmin, "/api/collections/users/records/" + w.env.users[RoleAdmin].Id, `"name":"Ada"`,
			[]string{`"role":"viewer"`, `"disabled":true`}},
	}
	for _, row := range rows {
		status, body := w.call(http.MethodGet, row.path, row.who, "")
		if status != http.StatusOK {
			t.Fatalf("%s reading %s = %d %s", row.who, row.path, status, truncate(body, 300))
		}
		whole := withField(t, body, row.rename)
		if status, answer := w.call(http.MethodPatch, row.path, row.who, whole); status != http.StatusOK {
			t.Errorf("%s saving %s back whole = %d, want 200: %s", row.who, row.path, status, truncate(answer, 300))
		}
		for _, change := range row.changed {
			changed := withField(t, body, change)
			name := strings.Trim(strings.SplitN(change, ":", 2)[0], `"`)
			if status, answer := w.call(http.MethodPatch, row.path, row.who, changed); status != http.StatusForbidden ||
				!strings.Contains(answer, "The field "+name+" of ") {
				t.Errorf("%s saving %s back with %s = %d, want 403 naming %s: %s", row.who, row.path, change, status, name, truncate(answer, 400))
			}
		}
	}
}

// withField returns the JSON object body with field ("name":value) put in.
func withField(t *testing.T, body, field string) string {
	t.Helper()
	var m, f map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte("{"+field+"}"), &f); err != nil {
		t.Fatal(err)
	}
	for k, v := range f {
		m[k] = v
	}
	data, _ := json.Marshal(m)
	return string(data)
}

// TestAdminsManageUsers: an admin sees every user's e-mail address and
// sets a forgotten password without the old one.
func TestAdminsManageUsers(t *testing.T) {
	w := newWorld(t)
	status, body := w.call(http.MethodGet, "/api/collections/users/records", RoleAdmin, "")
	if status != http.StatusOK || !strings.Contains(body, `"email":"viewer@example.com"`) {
		t.Fatalf("admin's user list = %d %s", status, truncate(body, 300))
	}
	path := "/api/collections/users/records/" + w.env.users[RoleViewer].Id
	status, body = w.call(http.MethodPatch, path, RoleAdmin, `{"password":"N3w-Passw0rd!","passwordConfirm":"N3w-Passw0rd!"}`)
	if status != http.StatusOK {
		t.Fatalf("admin setting a password = %d %s", status, truncate(body, 300))
	}
	rec, _ := w.env.app.FindRecordById("users", w.env.users[RoleViewer].Id)
	if !rec.ValidatePassword("N3w-Passw0rd!") {
		t.Fatal("the new password does not work")
	}
	status, _ = w.call(http.MethodPatch, "/api/collections/users/records/"+w.env.users[RoleAdmin].Id, RoleEditor,
		`{"password":"Stolen-Passw0rd!","passwordConfirm":"Stolen-Passw0rd!"}`)
	if status != http.StatusNotFound {
		t.Fatalf("an editor setting the admin's password = %d, want 404", status)
	}
}

// TestResolveNoteNamesNoEmail: every role reads a transaction's note, so
// it names who resolved it without their e-mail address.
func TestResolveNoteNamesNoEmail(t *testing.T) {
	w := newWorld(t)
	op := w.env.users[RoleOperator]
	op.Set("name", "Olga")
	if err := w.env.app.Save(op); err != nil {
		t.Fatal(err)
	}
	path := APIPrefix + "/transactions/" + w.ids["transactions"] + "/resolve"
	if status, body := w.call(http.MethodPost, path, RoleOperator, `{"note":"typed in"}`); status != http.StatusOK {
		t.Fatalf("resolve = %d %s", status, body)
	}
	status, body := w.call(http.MethodGet, "/api/collections/transactions/records/"+w.ids["transactions"], RoleViewer, "")
	if status != http.StatusOK || !strings.Contains(body, `"note":"resolved by hand by Olga: typed in"`) ||
		!strings.Contains(body, `"resolved_by":"`+op.Id+`"`) || strings.Contains(body, "operator@example.com") {
		t.Fatalf("the viewer reads %d %s", status, body)
	}
	status, body = w.call(http.MethodGet, "/api/collections/transactions/records/"+w.ids["transactions"]+"?expand=resolved_by", RoleViewer, "")
	if status != http.StatusOK || strings.Contains(body, "operator@example.com") {
		t.Fatalf("expanding resolved_by as a viewer shows %d %s", status, body)
	}
}

// TestPublicStatusTellsNoDetails: before sign-in the status is a health
// answer, no key ids, no paths; signed in, the problem is told in words.
func TestPublicStatusTellsNoDetails(t *testing.T) {
	w := newWorld(t)
	if status, body := w.call(http.MethodGet, APIPrefix+"/status", "", ""); status != http.StatusOK || strings.TrimSpace(body) != `{"status":"ok"}` {
		t.Fatalf("public status when healthy = %d %q", status, body)
	}
	w.env.sb.mu.Lock()
	w.env.sb.keyErr = errors.New("the secret key from /srv/sb_data/secret.key is not the key (they need key k1a2, this is key k9z8)")
	w.env.sb.mu.Unlock()
	status, body := w.call(http.MethodGet, APIPrefix+"/status", "", "")
	if status != http.StatusServiceUnavailable || !strings.Contains(body, StatusNeedsAttention) ||
		strings.Contains(body, "k1a2") || strings.Contains(body, "secret.key") || strings.Contains(body, "version") {
		t.Fatalf("public status when the key is wrong = %d %s", status, body)
	}
	status, body = w.call(http.MethodGet, APIPrefix+"/status", RoleViewer, "")
	if status != http.StatusOK || !strings.Contains(body, "k1a2") || !strings.Contains(body, `"flows_ready":false`) {
		t.Fatalf("signed-in status when the key is wrong = %d %s", status, body)
	}
}
