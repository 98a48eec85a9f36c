package restapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/conntest"
)

// shopAPI is an in-house API as the generic connector's tests describe it:
// GET /v2/orders?since=…&after=<id>&count=N answers {"data": [...],
// "meta": {"next": "<id>"}}; POST /v2/orders {"order": {...}} and PUT
// /v2/orders/{id} answer {"data": {...}}; GET /v2/orders/{id}; GET
// /v2/account answers {"account": {"name": "Shop X"}}. Every call needs
// "Authorization: Bearer <token>".
type shopAPI struct {
	mu     sync.Mutex
	token  string
	orders []map[string]any
	asked  []string
}

func (a *shopAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.asked = append(a.asked, r.Method+" "+r.URL.RequestURI())
	w.Header().Set("Content-Type", "application/json")
	if r.Header.Get("Authorization") != "Bearer "+a.token {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":{"message":"the token is not valid"}}`))
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/v2/")
	switch {
	case r.Method == http.MethodGet && path == "account":
		writeJSON(w, map[string]any{"account": map[string]any{"name": "Shop X"}})
	case r.Method == http.MethodGet && path == "orders":
		a.list(w, r)
	case r.Method == http.MethodPost && path == "orders":
		a.save(w, r, "")
	case r.Method == http.MethodPut && strings.HasPrefix(path, "orders/"):
		a.save(w, r, strings.TrimPrefix(path, "orders/"))
	case r.Method == http.MethodGet && strings.HasPrefix(path, "orders/"):
		if o := a.find(strings.TrimPrefix(path, "orders/")); o != nil {
			writeJSON(w, map[string]any{"data": o})
			return
		}
		w.WriteHeader(http.StatusNotFound)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func (a *shopAPI) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	after, _ := strconv.Atoi(q.Get("after"))
	count, _ := strconv.Atoi(q.Get("count"))
	since, _ := time.Parse(time.RFC3339, q.Get("since"))
	var page []map[string]any
	next := ""
	for _, o := range a.orders {
		id, _ := strconv.Atoi(o["uid"].(string))
		at, _ := time.Parse(time.RFC3339, o["changed"].(string))
		if id <= after || at.Before(since) {
			continue
		}
		if len(page) == count {
			break
		}
		page = append(page, o)
		next = o["uid"].(string)
	}
	if next == "" {
		next = q.Get("after") // a feed: the position after the last page is kept
	}
	meta := map[string]any{"next": next}
	writeJSON(w, map[string]any{"data": page, "meta": meta})
}

func (a *shopAPI) save(w http.ResponseWriter, r *http.Request, id string) {
	var body struct{ Order map[string]any }
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Order == nil {
		w.WriteHeader(http.StatusUnprocessableEntity)
		_, _ = w.Write([]byte(`{"errors":{"order":["is missing"]}}`))
		return
	}
	if id == "" {
		id = strconv.Itoa(len(a.orders) + 1)
		a.orders = append(a.orders, map[string]any{})
	} else if a.find(id) == nil {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	n, _ := strconv.Atoi(id)
	body.Order["uid"], body.Order["changed"] = id, time.Now().UTC().Format(time.RFC3339)
	a.orders[n-1] = body.Order
	writeJSON(w, map[string]any{"data": body.Order})
}

func (a *shopAPI) find(id string) map[string]any {
	for _, o := range a.orders {
		if o["uid"] == id {
			return o
		}
	}
	return nil
}

// seed adds n orders, changed an hour apart up to at.
func (a *shopAPI) seed(n int, at time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for i := range n {
		id := strconv.Itoa(len(a.orders) + 1)
		changed := at.Add(time.Duration(i-n+1) * time.Hour)
		a.orders = append(a.orders, map[string]any{"uid": id, "number": "SO-" + id, "changed": changed.Format(time.RFC3339)})
	}
}

func writeJSON(w http.ResponseWriter, v any) { _ = json.NewEncoder(w).Encode(v) }

// shopEntities describes shopAPI's orders.
const shopEntities = `{"order": {
	"list": {"path": "orders", "records": "data", "paging": "cursor", "cursor_param": "after", "size_param": "count",
		"next_cursor": "meta.next", "resume": true},
	"get": {"path": "orders/{id}", "record": "data"},
	"create": {"path": "orders", "wrap": "order", "record": "data"},
	"update": {"path": "orders/{id}", "wrap": "order", "record": "data"},
	"id": "uid", "key": ["number"]}}`

func shopConfig(url string) map[string]any {
	return map[string]any{"base_url": url + "/v2", "auth": "bearer", "entities": shopEntities,
		"test_path": "account", "test_name_path": "account.name"}
}

func TestConformance(t *testing.T) {
	api := &shopAPI{token: "good-token-1"}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	reg, ok := connectors.Lookup("rest")
	if !ok {
		t.Fatal("the rest connector is not registered")
	}
	conntest.Run(t, conntest.Suite{
		Registration: reg,
		Config:       shopConfig(srv.URL),
		Secrets:      map[string]string{"token": "good-token-1"},
		BadSecrets:   map[string]string{"token": "bad-token-1"},
		Entity:       connectors.Order,
		Seed:         func(t *testing.T, n int) { api.seed(n, time.Now()) },
		Sample:       map[string]any{"number": "SO-NEW", "total": "19.95"},
		Written: func(t *testing.T, id string) map[string]any {
			api.mu.Lock()
			defer api.mu.Unlock()
			kept := connectors.CloneData(api.find(id))
			delete(kept, "uid") // what the app adds
			delete(kept, "changed")
			return kept
		},
	})
}

func open(t *testing.T, config map[string]any, secrets map[string]string) *Conn {
	t.Helper()
	cfg, err := Spec.ResolveAndValidate(config, secrets, connectors.Env{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(cfg, connectors.Env{})
	if err != nil {
		t.Fatal(err)
	}
	return c.(*Conn)
}

func TestIncrementalReadsAndWritesByTheEntitiesRequests(t *testing.T) {
	api := &shopAPI{token: "good-token-1"}
	srv := httptest.NewServer(api)
	defer srv.Close()
	old := time.Now().Add(-time.Hour).UTC()
	api.seed(5, old)
	config := shopConfig(srv.URL)
	config["entities"] = strings.Replace(shopEntities, `"resume": true`, `"since": "since", "updated": "changed"`, 1)
	c := open(t, config, map[string]string{"token": "good-token-1"})
	ctx := context.Background()
	cursor := readAll(t, c, "", "[1 2 3 4 5]")

	res, err := c.Write(ctx, connectors.WriteRequest{Entity: connectors.Order, Key: "SO-6", Data: map[string]any{"number": "SO-6"}, IdempotencyKey: "tx-1"})
	if err != nil || res.TargetID != "6" || res.Response["number"] != "SO-6" {
		t.Fatalf("create = %+v, %v; want the id 6 from the answer's record", res, err)
	}
	if _, err := c.Write(ctx, connectors.WriteRequest{Entity: connectors.Order, TargetID: "2", Key: "SO-2", Data: map[string]any{"number": "SO-2b"}}); err != nil {
		t.Fatal(err)
	}
	// The changed, the new, and the last of the first run (changed within
	// the overlap: the engine's delta hash skips it); not the old ones.
	readAll(t, c, cursor, "[2 5 6]")
	got, err := c.Get(ctx, connectors.Order, "2")
	if err != nil || got.ID != "2" || got.Key != "SO-2b" {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	_, err = c.Write(ctx, connectors.WriteRequest{Entity: connectors.Product, Key: "A", Data: map[string]any{}})
	if class, _ := connectors.Classify(err); class != connectors.ClassPermanent || !strings.Contains(err.Error(), "no requests for product records") {
		t.Fatalf("writing an entity without requests = %v", err)
	}
}

// readAll reads from cursor and checks the ids read; it returns the last
// cursor.
func readAll(t *testing.T, c *Conn, cursor, want string) string {
	t.Helper()
	stream, err := c.Read(context.Background(), connectors.ReadRequest{Entity: connectors.Order, Cursor: cursor, PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for {
		page, err := stream.Next(context.Background())
		if err == connectors.ErrEndOfInput {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Records {
			ids = append(ids, r.ID)
		}
		cursor = page.Cursor
	}
	if got := strings.ReplaceAll(fmt.Sprint(ids), `"`, ""); got != want {
		t.Fatalf("read %s, want %s", got, want)
	}
	return cursor
}

func TestEntitiesAreChecked(t *testing.T) {
	tests := []struct{ entities, want string }{
		{`{"order": {"list": {"path": "orders", "paging": "pages"}}}`, `order.list.paging: unknown style "pages"`},
		{`{"order": {"list": {"records": "data"}}}`, "order.list.path: is required"},
		{`{"order": {"create": {"method": "POST"}}}`, "order.create.path: is required"},
		{`{"orders": {"list": {"path": "orders"}}}`, "orders: not an entity"},
		{`{"order": {}}`, "order: no request"},
		{`{"order": {"list": {"path": "o", "since": "updated_since"}}}`, "since and updated go together"},
		{`{"order": {"list": {"path": "o", "overlap": "a while"}}}`, `order.list.overlap: "a while" is not a duration`},
		{`{"order": {"lsit": {"path": "o"}}}`, `unknown field "lsit"`},
		{`{"order": {"list": {"path": "o", "paging": "page", "first_page": -1}}}`, `order.list.first_page: -1 is not a page number`},
		{`{"order": {"list": {"path": "o", "since": "s", "updated": "u", "since_format": "yyyy-MM-dd HH:mm:ss"}}}`,
			`order.list.since_format: "yyyy-MM-dd HH:mm:ss" is not rfc3339, unix, unix_ms or a Go layout such as 2006-01-02 15:04:05`},
		{`{"order": {"list": {"path": "o", "since": "s", "updated": "u", "since_format": "Y-m-d"}}}`, `order.list.since_format: "Y-m-d" is not`},
		{`[1]`, "not the JSON of entities"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, err := Spec.ResolveAndValidate(map[string]any{"base_url": "https://erp.example.com", "entities": tt.entities}, nil, connectors.Env{})
			ve, ok := err.(*connectors.ValidationError)
			if !ok || !strings.Contains(ve.Fields["entities"], tt.want) {
				t.Fatalf("got %v, want an error on entities with %q", err, tt.want)
			}
		})
	}
}
