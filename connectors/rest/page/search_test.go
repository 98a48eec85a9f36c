package page

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors/rest"
)

// TestTotalEndsTheList: an app that answers a page past the end with the
// last page again (as Adobe Commerce does) is never asked for one when
// the answer says how many records there are.
func TestTotalEndsTheList(t *testing.T) {
	var asked []string
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = append(asked, r.URL.RawQuery)
		if len(asked) > 5 {
			http.Error(w, "asked past the end again and again", http.StatusBadRequest)
			return
		}
		page := min(max(1, atoi(r.URL.Query().Get("page"))), 2) // past the end: the last page again
		items := []int{page*3 - 2, page*3 - 1, page * 3}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"items": items, "total_count": 6})
	}))
	defer app.Close()
	client, _ := rest.New(rest.Options{BaseURL: app.URL})
	items, _ := readAll(t, client, Options{Style: PageNumber, Path: "list", PageSize: 3, RecordsPath: "items", TotalPath: "total_count"}, "")
	if len(items) != 6 || len(asked) != 2 {
		t.Fatalf("read %d items in %d requests (%q); want 6 in 2", len(items), len(asked), asked)
	}
}

// searchApp answers POST searches of records with a change time that may
// be empty (then their creation counts), filtered by the body's since.
type searchApp struct {
	mu     sync.Mutex
	bodies []map[string]any
	recs   []map[string]any
}

func (a *searchApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var body map[string]any
	if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&body) != nil {
		http.Error(w, "want a POST with a JSON body", http.StatusBadRequest)
		return
	}
	a.bodies = append(a.bodies, body)
	since, _ := time.Parse(time.RFC3339, body["since"].(string))
	var match []map[string]any
	for _, rec := range a.recs {
		at, _ := time.Parse(time.RFC3339, rec["created"].(string))
		if u, ok := rec["updated"].(string); ok {
			at, _ = time.Parse(time.RFC3339, u)
		}
		if !at.Before(since) {
			match = append(match, rec)
		}
	}
	page, limit := int(body["page"].(float64)), int(body["limit"].(float64))
	from, to := min(len(match), (page-1)*limit), min(len(match), page*limit)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"data": match[from:to]})
}

// TestSearchBodiesReadIncrementally: a search endpoint gets its page and
// its since time in a POST body; a first run asks from the From time, a
// later one from the latest change seen less the overlap, and a record
// never changed counts by its creation.
func TestSearchBodiesReadIncrementally(t *testing.T) {
	app := &searchApp{}
	for i := range 5 {
		rec := map[string]any{"id": i, "created": t0.Add(time.Duration(i) * time.Hour).Format(time.RFC3339)}
		if i == 1 {
			rec["updated"] = t0.Add(10 * time.Hour).Format(time.RFC3339)
		}
		app.recs = append(app.recs, rec)
	}
	srv := httptest.NewServer(app)
	defer srv.Close()
	client, _ := rest.New(rest.Options{BaseURL: srv.URL})
	opts := Options{Style: PageNumber, Path: "search/item", PageSize: 2, RecordsPath: "data",
		UpdatedPath: "updated", CreatedPath: "created", From: t0.Add(2 * time.Hour), Overlap: time.Minute,
		Search: func(q Query) any {
			return map[string]any{"page": q.Page, "limit": q.Size, "since": q.Since.Format(time.RFC3339)}
		}}
	items, cursor := readAll(t, client, opts, "")
	if got := fmt.Sprint(items); got != "[1 2 3 4]" {
		t.Fatalf("the first run read %s, want the records changed from its From time on: 1,2,3,4", got)
	}
	if since := app.bodies[0]["since"]; since != t0.Add(2*time.Hour-time.Minute).Format(time.RFC3339) {
		t.Fatalf("the first run asked since %v", since)
	}
	app.recs = append(app.recs, map[string]any{"id": 5, "created": t0.Add(11 * time.Hour).Format(time.RFC3339)})
	items, _ = readAll(t, client, opts, cursor)
	if got := fmt.Sprint(items); got != "[1 5]" {
		t.Fatalf("the next run read %s, want the latest change again (the overlap) and the new record: 1,5", got)
	}
	if since := app.bodies[len(app.bodies)-1]["since"]; since != t0.Add(10*time.Hour-time.Minute).Format(time.RFC3339) {
		t.Fatalf("the next run asked since %v, want the latest change less the overlap", since)
	}
}
