package spectest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// shop is a fake of testdata/shop.yaml whose items are kept in the store.
func shop(t testing.TB) *Server {
	srv := New(t, LoadFile(t, "testdata/shop.yaml"))
	srv.Handle("POST /items", func(c *Call) Reply {
		item := c.Body.(map[string]any)
		id := c.Store.NextID("items")
		item["id"] = id
		c.Store.Put("items", fmt.Sprint(id), item)
		return JSON(http.StatusCreated, item)
	})
	srv.Handle("GET /items", func(c *Call) Reply {
		items := c.Store.All("items")
		return JSON(http.StatusOK, map[string]any{"items": items, "total": len(items)})
	})
	srv.Handle("GET /items/{id}", func(c *Call) Reply {
		item, ok := c.Store.Get("items", c.Params["id"])
		if !ok {
			return JSON(http.StatusNotFound, map[string]any{"message": "no item " + c.Params["id"]})
		}
		return JSON(http.StatusOK, item)
	})
	return srv
}

func call(t *testing.T, method, url, body string, header map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	var refusal struct{ Message string }
	if res.StatusCode >= 400 && json.Unmarshal(data, &refusal) == nil && refusal.Message != "" {
		return res.StatusCode, refusal.Message
	}
	return res.StatusCode, string(data)
}

var version = map[string]string{"X-Shop-Version": "2025-01"}

// TestRefusesWhatDoesNotConform: each kind of request the spec does not
// allow is refused with a status and a message naming what is wrong, and
// the test is told of it.
func TestRefusesWhatDoesNotConform(t *testing.T) {
	tests := []struct {
		name, method, path, body string
		header                   map[string]string
		status                   int
		want                     string
	}{
		{"an unknown path", "GET", "/nothing", "", nil, 404, "the spec has no path /api/v1/nothing"},
		{"a path outside the base path", "GET", "/../../items", "", nil, 404, "the spec has no path"},
		{"an unknown method", "DELETE", "/items/1", "", nil, 405, "the spec has no DELETE operation on /api/v1/items/1"},
		{"an undeclared query parameter", "GET", "/items?limit=2&sort=name", "", nil, 400,
			"query parameters the operation does not declare: sort"},
		{"a parameter of the wrong type", "GET", "/items?limit=many", "", nil, 400, `parameter "limit" in query has an error`},
		{"a path parameter of the wrong type", "GET", "/items/abc", "", nil, 400, `parameter "id" in path has an error`},
		{"a missing required header", "POST", "/items", `{"name":"Chair","price":10}`, nil, 400, `parameter "X-Shop-Version" in header has an error`},
		{"a header value not allowed", "POST", "/items", `{"name":"Chair","price":10}`, map[string]string{"X-Shop-Version": "2019-01"}, 400,
			`parameter "X-Shop-Version" in header has an error`},
		{"a missing required property", "POST", "/items", `{"name":"Chair"}`, version, 400, `property "price" is missing`},
		{"a property of the wrong type", "POST", "/items", `{"name":"Chair","price":"ten"}`, version, 400, `value must be a number`},
		{"a property the schema does not name", "POST", "/items", `{"name":"Chair","price":10,"colour":"red"}`, version, 400,
			"properties the spec's schema Item does not name: colour"},
		{"a nested property the schema does not name", "POST", "/items", `{"name":"Chair","price":10,"dimensions":{"depth":3}}`, version, 400,
			"does not name: dimensions.depth"},
		{"a body that is not JSON", "POST", "/items", `{"name":`, version, 400, "body"},
		{"a body where none is declared", "GET", "/items/1", `{"x":1}`, nil, 400, "body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := shop(t)
			status, body := call(t, tt.method, srv.URL+tt.path, tt.body, tt.header)
			if status != tt.status || !strings.Contains(body, tt.want) {
				t.Fatalf("%s %s = %d %s; want %d with %q", tt.method, tt.path, status, body, tt.status, tt.want)
			}
			if refusals := srv.TakeRefusals(); len(refusals) != 1 || !strings.Contains(refusals[0], tt.want) {
				t.Fatalf("refusals %q; want one with %q", refusals, tt.want)
			}
		})
	}
}

// TestKeepsWhatWasCreated: a created record is there for a later read, a
// list sees it, and indexed parameters of a declared list are taken.
func TestKeepsWhatWasCreated(t *testing.T) {
	srv := shop(t)
	status, body := call(t, "POST", srv.URL+"/items", `{"name":"Chair","price":49.95,"tags":["garden"],"extra":{"any":"thing"}}`, version)
	if status != 201 || !strings.Contains(body, `"id":1`) {
		t.Fatalf("create = %d %s", status, body)
	}
	if status, body = call(t, "GET", srv.URL+"/items/1", "", nil); status != 200 || !strings.Contains(body, `"price":49.95`) {
		t.Fatalf("read = %d %s", status, body)
	}
	query := "/items?filter[0][field]=name&filter[0][value]=Chair&filter[1][field]=price&filter[1][value]=49.95"
	if status, body = call(t, "GET", srv.URL+query, "", nil); status != 200 || !strings.Contains(body, `"total":1`) {
		t.Fatalf("list = %d %s", status, body)
	}
	if status, _ = call(t, "GET", srv.URL+"/items/2", "", nil); status != 404 {
		t.Fatalf("reading a missing item = %d", status)
	}
	if got := srv.Calls(); len(got) != 4 || got[0] != "POST /api/v1/items 201" {
		t.Fatalf("calls %q", got)
	}
}

// TestPatchIsPartial: a PATCH body need not hold the schema's required
// properties, but what it holds must fit.
func TestPatchIsPartial(t *testing.T) {
	srv := shop(t)
	srv.Handle("PATCH /items/{id}", func(c *Call) Reply {
		return JSON(http.StatusOK, map[string]any{"id": 1, "name": "Chair", "price": c.Body.(map[string]any)["price"]})
	})
	if status, body := call(t, "PATCH", srv.URL+"/items/1", `{"price":12}`, nil); status != 200 {
		t.Fatalf("partial PATCH = %d %s", status, body)
	}
	if status, _ := call(t, "PATCH", srv.URL+"/items/1", `{"price":"twelve"}`, nil); status != 400 {
		t.Fatalf("PATCH with a wrong type = %d, want 400", status)
	}
	srv.TakeRefusals()
}

// TestAnswersExamplesWithoutAHandler: an operation without a handler is
// answered with an example from its schema.
func TestAnswersExamplesWithoutAHandler(t *testing.T) {
	srv := shop(t)
	status, body := call(t, "GET", srv.URL+"/items/7/notes", "", nil)
	var notes []map[string]any
	if status != 200 || json.Unmarshal([]byte(body), &notes) != nil || len(notes) != 1 || notes[0]["text"] != "Handle with care" {
		t.Fatalf("example = %d %s", status, body)
	}
}

// recorder is a test whose failures are kept, to check what the server
// reports when a test ends.
type recorder struct {
	testing.TB
	mu       sync.Mutex
	errors   []string
	cleanups []func()
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }
func (r *recorder) end() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}

// TestReportsRefusalsAndBadAnswers: when a test ends, the server fails it
// for every refusal it did not take and for every answer of its own that
// the spec does not allow.
func TestReportsRefusalsAndBadAnswers(t *testing.T) {
	rec := &recorder{TB: t}
	srv := shop(rec)
	srv.Handle("GET /items/{id}", func(c *Call) Reply {
		return JSON(http.StatusOK, map[string]any{"name": "Chair", "price": "cheap", "colour": "red"})
	})
	call(t, "GET", srv.URL+"/items?colour=red", "", nil)
	call(t, "GET", srv.URL+"/items/1", "", nil)
	rec.end()
	all := strings.Join(rec.errors, "\n")
	for _, want := range []string{"refused a request that does not conform to the spec: GET /items: query parameters the operation does not declare: colour",
		"answered what the spec does not allow: GET /items/{id}: the answer 200 does not match the spec's schema Item",
		"value must be a number"} {
		if !strings.Contains(all, want) {
			t.Errorf("the test was not told %q; it was told:\n%s", want, all)
		}
	}
}

// TestRequiresCredentials: a server that requires credentials answers
// 401 before it looks at anything else, and that is not a refusal.
func TestRequiresCredentials(t *testing.T) {
	srv := shop(t)
	srv.RequireAuth(func(r *http.Request) error {
		if r.Header.Get("Authorization") != "Bearer good" {
			return fmt.Errorf("the token is not valid")
		}
		return nil
	})
	if status, body := call(t, "GET", srv.URL+"/items?sort=x", "", nil); status != 401 || !strings.Contains(body, "the token is not valid") {
		t.Fatalf("without a token = %d %s", status, body)
	}
	if status, _ := call(t, "GET", srv.URL+"/items", "", map[string]string{"Authorization": "Bearer good"}); status != 200 {
		t.Fatalf("with the token = %d", status)
	}
}
