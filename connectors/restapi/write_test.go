package restapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
)

// TestFillPutsTheIDAndKeyEscaped: a path template gets the record's id and
// key, escaped for a path; a path without either is kept as it is.
func TestFillPutsTheIDAndKeyEscaped(t *testing.T) {
	tests := []struct {
		path, id, key, want string
	}{
		{"/orders", "42", "ORD-1", "/orders"},
		{"/orders/{id}", "42", "ORD-1", "/orders/42"},
		{"/orders/{id}", "a b/c", "", "/orders/a%20b%2Fc"},
		{"/products/by-sku/{key}", "", "SKU 1/2", "/products/by-sku/SKU%201%2F2"},
		{"/x/{id}/{key}/{other}", "1", "k", "/x/1/k/{other}"},
	}
	for _, tt := range tests {
		if got := fill(tt.path, tt.id, tt.key); got != tt.want {
			t.Errorf("fill(%q, %q, %q) = %q, want %q", tt.path, tt.id, tt.key, got, tt.want)
		}
	}
}

// TestTheAppGetsTheIDAndKeyAsTheyAre: an id or key with characters that
// mean something in an address (&, =, +, #, ?, /, %, a space) reaches the
// app as it is, in a path segment and in a query value alike.
func TestTheAppGetsTheIDAndKeyAsTheyAre(t *testing.T) {
	var mu sync.Mutex
	var gotPath, gotSKU, gotID string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		gotPath, gotSKU, gotID = r.URL.Path, r.URL.Query().Get("sku"), r.URL.Query().Get("id")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id": "1"}`))
	}))
	t.Cleanup(srv.Close)
	const entities = `{"product": {"create": {"path": "products/{key}?sku={key}"},
		"update": {"method": "PATCH", "path": "products?id={id}&sku={key}"},
		"get": {"path": "products/lookup?id={id}"}}}`
	c := open(t, map[string]any{"base_url": srv.URL, "auth": "none", "entities": entities}, nil)
	for _, value := range []string{"A&B=C", "USB-C+HDMI", "50% off", "a/b?c#d", "x;y,z"} {
		t.Run(value, func(t *testing.T) {
			ctx := context.Background()
			req := connectors.WriteRequest{Entity: connectors.Product, Key: value, Data: map[string]any{"sku": value}}
			if _, err := c.Write(ctx, req); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			if gotPath != "/products/"+value || gotSKU != value {
				t.Errorf("create: the app got the path %q and sku %q; want %q in both", gotPath, gotSKU, value)
			}
			mu.Unlock()
			req.TargetID = value
			if _, err := c.Write(ctx, req); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			if gotID != value || gotSKU != value {
				t.Errorf("update: the app got id %q and sku %q; want %q in both", gotID, gotSKU, value)
			}
			mu.Unlock()
			if _, err := c.Get(ctx, connectors.Product, value); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			if gotID != value {
				t.Errorf("get: the app got id %q; want %q", gotID, value)
			}
			mu.Unlock()
		})
	}
}

// TestACreatedRecordsIDIsReadFromItsLocation: an app that answers a
// create with 201 Created, the new record's address in Location and no
// body (or a body without the id) gives the record's id by that address,
// so that the record's next change updates it instead of creating it
// again.
func TestACreatedRecordsIDIsReadFromItsLocation(t *testing.T) {
	tests := []struct {
		name, location, body string
		status               int
		want                 string
	}{
		{"no body", "/v2/orders/77", "", http.StatusCreated, "77"},
		{"an absolute address", "https://api.example.com/v2/orders/ORD%2F78", "", http.StatusCreated, "ORD/78"},
		{"a body without the id", "/v2/orders/79", `{"status": "created"}`, http.StatusCreated, "79"},
		{"a body with the id wins", "/v2/orders/80", `{"uid": "81"}`, http.StatusCreated, "81"},
		{"a trailing slash", "/v2/orders/82/", "", http.StatusCreated, "82"},
		{"accepted: the address of a job, not the record's", "/v2/jobs/83", "", http.StatusAccepted, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Location", tt.location)
				if tt.body != "" {
					w.Header().Set("Content-Type", "application/json")
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			t.Cleanup(srv.Close)
			entities := `{"order": {"create": {"path": "orders"}, "update": {"path": "orders/{id}"}, "id": "uid"}}`
			c := open(t, map[string]any{"base_url": srv.URL + "/v2", "auth": "none", "entities": entities}, nil)
			res, err := c.Write(context.Background(), connectors.WriteRequest{Entity: connectors.Order, Key: "SO-1", Data: map[string]any{"number": "SO-1"}})
			if err != nil || res.TargetID != tt.want {
				t.Fatalf("Write = %q, %v; want the id %q", res.TargetID, err, tt.want)
			}
		})
	}
}

// TestAWebPageIsNotTakenForTheAppsAnswer: a base URL that leads to a web
// site instead of its API (a page for every address, or a sign-in page in
// front of it) answers 200 with HTML. A write so answered fails, saying
// so, instead of passing for written while the app got nothing; the
// connection test says so too.
func TestAWebPageIsNotTakenForTheAppsAnswer(t *testing.T) {
	for _, page := range []string{`<!doctype html><html><head><title>My Shop</title></head><body>Welcome</body></html>`,
		"\ufeff<!DOCTYPE html><html><body>Sign in</body></html>"} { // a byte order mark before it, as IIS pages may have
		aWebPageIsNotTakenForTheAppsAnswer(t, page)
	}
}

func aWebPageIsNotTakenForTheAppsAnswer(t *testing.T, page string) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(page))
	}))
	t.Cleanup(srv.Close)
	entities := `{"order": {"create": {"path": "orders"}, "update": {"path": "orders/{id}"}}}`
	c := open(t, map[string]any{"base_url": srv.URL, "auth": "none", "entities": entities, "test_path": "account"}, nil)
	for _, target := range []string{"", "42"} {
		_, err := c.Write(context.Background(), connectors.WriteRequest{Entity: connectors.Order, Key: "SO-1", TargetID: target, Data: map[string]any{"number": "SO-1"}})
		if class, _ := connectors.Classify(err); err == nil || class != connectors.ClassPermanent || !strings.Contains(err.Error(), "not JSON") {
			t.Fatalf("a write answered with a web page (target %q) = %v (%s); want a permanent error saying the answer is not JSON", target, err, class)
		}
	}
	res, err := c.Test(context.Background())
	if err != nil || res.OK || !strings.Contains(res.Message, "not JSON") {
		t.Fatalf("the connection test answered with a web page = %+v, %v; want it refused, saying why", res, err)
	}
}

// TestAListOfAnAppWithASmallerPageIsReadWhole: an app that answers at
// most 3 records a page, whatever the size asked for, is read to its end
// by page numbers and by offsets, not to its first page.
func TestAListOfAnAppWithASmallerPageIsReadWhole(t *testing.T) {
	for _, paging := range []string{"page", "offset"} {
		t.Run(paging, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				q := r.URL.Query()
				from := 0
				if p, err := strconv.Atoi(q.Get("page")); err == nil {
					from = (p - 1) * 3
				} else if o, err := strconv.Atoi(q.Get("offset")); err == nil {
					from = o
				}
				items := []map[string]any{}
				for i := from; i < min(8, from+3); i++ {
					items = append(items, map[string]any{"id": strconv.Itoa(i)})
				}
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(map[string]any{"data": items})
			}))
			t.Cleanup(srv.Close)
			entities := `{"product": {"list": {"path": "products", "records": "data", "paging": "` + paging + `"}}}`
			c := open(t, map[string]any{"base_url": srv.URL, "auth": "none", "entities": entities}, nil)
			stream, err := c.Read(context.Background(), connectors.ReadRequest{Entity: connectors.Product, PageSize: 200})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for range 20 {
				pg, err := stream.Next(context.Background())
				if errors.Is(err, connectors.ErrEndOfInput) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range pg.Records {
					ids = append(ids, r.ID)
				}
			}
			if fmt.Sprint(ids) != "[0 1 2 3 4 5 6 7]" {
				t.Fatalf("read %v, want the 8 records", ids)
			}
		})
	}
}

// TestAnAppsAnswerLabelledAsHTMLIsStillTheApps: an app that labels its
// answers text/html (a PHP app's default type) but answers JSON, or
// nothing, is taken at its word: the write passes with the id it gave.
func TestAnAppsAnswerLabelledAsHTMLIsStillTheApps(t *testing.T) {
	cases := []struct{ name, body, wantID string }{
		{"JSON", `{"id": 7}`, "7"},
		{"nothing", ``, "42"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=UTF-8")
				_, _ = w.Write([]byte(tc.body))
			}))
			t.Cleanup(srv.Close)
			entities := `{"order": {"create": {"path": "orders"}, "update": {"path": "orders/{id}"}}}`
			c := open(t, map[string]any{"base_url": srv.URL, "auth": "none", "entities": entities}, nil)
			target := ""
			if tc.body == "" {
				target = "42"
			}
			res, err := c.Write(context.Background(), connectors.WriteRequest{Entity: connectors.Order, Key: "SO-1", TargetID: target, Data: map[string]any{"number": "SO-1"}})
			if err != nil || res.TargetID != tc.wantID {
				t.Fatalf("a write answered %q as text/html = %+v, %v; want written as %s", tc.body, res, err, tc.wantID)
			}
		})
	}
}

// TestACreatedRecordsIDIsReadFromAnAnswerWithAByteOrderMark: an app that
// writes a byte order mark before its JSON (.NET, some PHP apps) still
// gives the created record's id, so that the record's next change updates
// it rather than creating it a second time.
func TestACreatedRecordsIDIsReadFromAnAnswerWithAByteOrderMark(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write([]byte("\ufeff{\"data\": {\"id\": 9007199254740993, \"number\": \"SO-1\"}}"))
	}))
	t.Cleanup(srv.Close)
	entities := `{"order": {"create": {"path": "orders", "record": "data"}, "update": {"path": "orders/{id}", "record": "data"}}}`
	c := open(t, map[string]any{"base_url": srv.URL, "auth": "none", "entities": entities}, nil)
	res, err := c.Write(context.Background(), connectors.WriteRequest{Entity: connectors.Order, Key: "SO-1", Data: map[string]any{"number": "SO-1"}})
	if err != nil || res.TargetID != "9007199254740993" || res.Response["number"] != "SO-1" {
		t.Fatalf("Write = %+v, %v; want the id 9007199254740993 and the record", res, err)
	}
}

// TestAnAppThatLabelsItsJSONAsHTMLIsReadAsWellAsWritten: the app whose
// JSON comes labelled text/html or text/plain (a PHP app's default type)
// is read, fetched by id and tested as it is written to; a web page (markup)
// is still refused.
func TestAnAppThatLabelsItsJSONAsHTMLIsReadAsWellAsWritten(t *testing.T) {
	for _, ctype := range []string{"text/html; charset=UTF-8", "text/plain"} {
		t.Run(ctype, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", ctype)
				switch r.URL.Path {
				case "/orders":
					_, _ = w.Write([]byte(`{"data": [{"id": 1, "number": "SO-1"}, {"id": 2, "number": "SO-2"}]}`))
				case "/account":
					_, _ = w.Write([]byte(`{"name": "Shop X"}`))
				default:
					_, _ = w.Write([]byte(`{"data": {"id": 1, "number": "SO-1"}}`))
				}
			}))
			t.Cleanup(srv.Close)
			entities := `{"order": {"list": {"path": "orders", "records": "data", "paging": "none"}, "get": {"path": "orders/{id}", "record": "data"}, "key": ["number"]}}`
			c := open(t, map[string]any{"base_url": srv.URL, "auth": "none", "entities": entities, "test_path": "account", "test_name_path": "name"}, nil)
			if got := readAll(t, c, "", "[1 2]"); got == "" {
				t.Fatal("no cursor")
			}
			rec, err := c.Get(context.Background(), connectors.Order, "1")
			if err != nil || rec.Key != "SO-1" {
				t.Fatalf("Get = %+v, %v", rec, err)
			}
			res, err := c.Test(context.Background())
			if err != nil || !res.OK || res.Message != "connected as Shop X" {
				t.Fatalf("Test = %+v, %v", res, err)
			}
		})
	}
}

// TestAListWhosePagesAreNumberedFromZeroIsReadWhole: "first_page": 0 (an
// app whose pages count from 0, as Spring's do) asks page=0 first, and the
// records of that page are read, not skipped for page 1.
func TestAListWhosePagesAreNumberedFromZeroIsReadWhole(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("page"))
		size, _ := strconv.Atoi(r.URL.Query().Get("size"))
		var content []map[string]any
		for i := n * size; i < min(7, (n+1)*size); i++ {
			content = append(content, map[string]any{"id": i + 1})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"content": content})
	}))
	t.Cleanup(srv.Close)
	entities := `{"order": {"list": {"path": "orders", "records": "content", "paging": "page", "page_param": "page", "size_param": "size", "first_page": 0, "page_size": 3}}}`
	c := open(t, map[string]any{"base_url": srv.URL, "auth": "none", "entities": entities}, nil)
	readAll(t, c, "", "[1 2 3 4 5 6 7]")
}

// TestAGetWhoseAnswerHoldsNoRecordSaysWhere: a get answered without an
// object where the record is expected (a wrong "record" path, null) is an
// error naming the record and the path, not an empty record taken for the
// current one.
func TestAGetWhoseAnswerHoldsNoRecordSaysWhere(t *testing.T) {
	for _, body := range []string{`{"order": {"id": 7}}`, `{"data": null}`, `null`} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(body))
		}))
		entities := `{"order": {"get": {"path": "orders/{id}", "record": "data"}}}`
		c := open(t, map[string]any{"base_url": srv.URL, "auth": "none", "entities": entities}, nil)
		rec, err := c.Get(context.Background(), connectors.Order, "7")
		srv.Close()
		want := `getting order 7: the answer of /orders/7 holds no record (an object) at "data"`
		if err == nil || err.Error() != want {
			t.Errorf("Get answered %s = %+v, %v; want %q", body, rec, err, want)
		}
	}
}

// TestAnIDThatIsADotIsNotWrittenToTheCollection: a record whose id or key
// is "." or ".." would stand in a path as a dot segment, which names the
// collection (or the one above) rather than a record: the write or get is
// refused, naming the record, and the app is not called.
func TestAnIDThatIsADotIsNotWrittenToTheCollection(t *testing.T) {
	var calls []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls = append(calls, r.Method+" "+r.URL.Path)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id": "1"}`))
	}))
	t.Cleanup(srv.Close)
	entities := `{"product": {"create": {"path": "products/by-sku/{key}"}, "update": {"path": "products/{id}"}, "get": {"path": "products/{id}"}}}`
	c := open(t, map[string]any{"base_url": srv.URL + "/api", "auth": "none", "entities": entities}, nil)
	for _, dot := range []string{".", ".."} {
		for _, req := range []connectors.WriteRequest{
			{Entity: connectors.Product, Key: "SKU-1", TargetID: dot, Data: map[string]any{}},
			{Entity: connectors.Product, Key: dot, Data: map[string]any{}},
		} {
			_, err := c.Write(context.Background(), req)
			if class, _ := connectors.Classify(err); err == nil || class != connectors.ClassPermanent || !strings.Contains(err.Error(), `"`+dot+`"`) {
				t.Errorf("writing with id %q and key %q = %v (%s), want a permanent error naming it", req.TargetID, req.Key, err, class)
			}
		}
		if _, err := c.Get(context.Background(), connectors.Product, dot); err == nil {
			t.Errorf("getting %q passed", dot)
		}
	}
	if len(calls) != 0 {
		t.Fatalf("the app was called: %v", calls)
	}
}
