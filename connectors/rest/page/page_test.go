package page

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
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
)

var t0 = time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)

// listApp serves a list of records in every paging style, under
// /<style>/items, filtered by updated_since, in the order of their ids.
type listApp struct {
	mu      sync.Mutex
	records []map[string]any
	asked   []string // the queries received
	fail429 int      // answer the next n calls 429
}

func newListApp(n int) *listApp {
	a := &listApp{}
	for i := range n {
		a.records = append(a.records, map[string]any{"id": i, "updated_at": t0.Add(time.Duration(i) * time.Minute).Format(time.RFC3339)})
	}
	return a
}

func (a *listApp) change(id int, at time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if id == len(a.records) {
		a.records = append(a.records, map[string]any{"id": id})
	}
	a.records[id]["updated_at"] = at.Format(time.RFC3339)
}

func (a *listApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.asked = append(a.asked, r.URL.RawQuery)
	w.Header().Set("Content-Type", "application/json")
	if a.fail429 > 0 {
		a.fail429--
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	q := r.URL.Query()
	list := a.since(q.Get("updated_since"))
	style := strings.Split(strings.Trim(r.URL.Path, "/"), "/")[0]
	size := atoi(q.Get("limit") + q.Get("per_page"))
	from := 0
	switch style {
	case "page", "link", "next_url":
		from = (max(1, atoi(q.Get("page"))) - 1) * size
	case "offset":
		from = atoi(q.Get("offset"))
	case "cursor":
		from = atoi(strings.TrimPrefix(q.Get("cursor"), "c"))
	}
	end := min(len(list), from+size)
	if size == 0 {
		end = len(list)
	}
	page := []map[string]any{}
	if from < end {
		page = list[from:end]
	}
	body := map[string]any{"data": map[string]any{"items": page}}
	more := end < len(list)
	next := fmt.Sprintf("/%s/items?page=%d&per_page=%d&updated_since=%s", style, max(1, atoi(q.Get("page")))+1, size, q.Get("updated_since"))
	switch {
	case style == "cursor" && more:
		body["next_cursor"] = fmt.Sprintf("c%d", end)
	case style == "link" && more:
		w.Header().Add("Link", `<`+next+`>; rel="next", </link/items?page=1>; rel="first"`)
	case style == "next_url" && more:
		body["links"] = map[string]any{"next": "http://" + r.Host + next}
	}
	_ = json.NewEncoder(w).Encode(body)
}

func (a *listApp) since(param string) []map[string]any {
	since, err := time.Parse(time.RFC3339, param)
	var out []map[string]any
	for _, rec := range a.records {
		at, _ := time.Parse(time.RFC3339, rec["updated_at"].(string))
		if err != nil || !at.Before(since) {
			out = append(out, rec)
		}
	}
	return out
}

func (a *listApp) queries() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.asked...)
}

func restClient(t *testing.T, url string) *rest.Client {
	t.Helper()
	c, err := rest.New(rest.Options{BaseURL: url})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// readAll reads a list to its end and returns the ids read and the cursor
// left for the next run.
func readAll(t *testing.T, c *rest.Client, opts Options, cursor string) ([]int, string) {
	t.Helper()
	p, err := New(c, opts, cursor)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int
	for {
		pg, err := p.Next(context.Background())
		if errors.Is(err, connectors.ErrEndOfInput) {
			return ids, cursor
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range pg.Items {
			id, _ := strconv.Atoi(rest.LookupString(it, "id"))
			ids = append(ids, id)
		}
		cursor = pg.Cursor
	}
}

func upTo(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func TestEveryPagingStyleReadsEveryRecordOnce(t *testing.T) {
	app := newListApp(23)
	srv := httptest.NewServer(app)
	defer srv.Close()
	for _, style := range []Style{PageNumber, Offset, Cursor, LinkHeader, NextURL, Single} {
		t.Run(string(style), func(t *testing.T) {
			opts := Options{Style: style, Path: string(style) + "/items", PageSize: 5, RecordsPath: "data.items", NextURLPath: "links.next"}
			if style == Single {
				opts.Path, opts.PageSize = "page/items", 0
			}
			ids, _ := readAll(t, restClient(t, srv.URL), opts, "")
			if fmt.Sprint(ids) != fmt.Sprint(upTo(23)) {
				t.Fatalf("read %v, want 0 to 22 once each", ids)
			}
		})
	}
}

func TestARunGoesOnFromTheCursorOfItsLastCommittedPage(t *testing.T) {
	app := newListApp(23)
	srv := httptest.NewServer(app)
	defer srv.Close()
	for _, style := range []Style{PageNumber, Offset, Cursor, LinkHeader, NextURL} {
		t.Run(string(style), func(t *testing.T) {
			opts := Options{Style: style, Path: string(style) + "/items", PageSize: 5, RecordsPath: "data.items", NextURLPath: "links.next"}
			p, _ := New(restClient(t, srv.URL), opts, "")
			first, err1 := p.Next(context.Background())
			second, err2 := p.Next(context.Background())
			if err := errors.Join(err1, err2); err != nil || len(first.Items)+len(second.Items) != 10 {
				t.Fatalf("two pages: %v", err)
			}
			// The appliance stops after committing the second page.
			ids, _ := readAll(t, restClient(t, srv.URL), opts, second.Cursor)
			if fmt.Sprint(ids) != fmt.Sprint(upTo(23)[10:]) {
				t.Fatalf("resumed with %v, want 10 to 22", ids)
			}
		})
	}
}

func TestAFullReadStartsOverAndAFeedGoesOn(t *testing.T) {
	app := newListApp(12)
	srv := httptest.NewServer(app)
	defer srv.Close()
	full := Options{Style: PageNumber, Path: "page/items", PageSize: 5, RecordsPath: "data.items"}
	_, cursor := readAll(t, restClient(t, srv.URL), full, "")
	if ids, _ := readAll(t, restClient(t, srv.URL), full, cursor); len(ids) != 12 {
		t.Fatalf("a second full read got %d records, want all 12", len(ids))
	}
	feed := Options{Style: Cursor, Path: "cursor/items", PageSize: 5, RecordsPath: "data.items", Resume: true}
	_, cursor = readAll(t, restClient(t, srv.URL), feed, "")
	if cursor != "c10" {
		t.Fatalf("a feed's cursor after the end = %q, want the app's last token c10", cursor)
	}
	app.change(12, t0) // a new record
	if ids, _ := readAll(t, restClient(t, srv.URL), feed, cursor); fmt.Sprint(ids) != "[10 11 12]" {
		t.Fatalf("the next run of the feed read %v, want [10 11 12]", ids)
	}
}

func TestIncrementalReadsAskWithAnOverlap(t *testing.T) {
	app := newListApp(10) // changed at t0, t0+1m, ... t0+9m
	srv := httptest.NewServer(app)
	defer srv.Close()
	opts := Options{Style: PageNumber, Path: "page/items", PageSize: 4, RecordsPath: "data.items",
		SinceParam: "updated_since", UpdatedPath: "updated_at", Overlap: 2 * time.Minute}
	ids, cursor := readAll(t, restClient(t, srv.URL), opts, "")
	if len(ids) != 10 || cursor != `{"since":"2026-05-01T08:09:00Z"}` {
		t.Fatalf("the first run read %d records and left %s", len(ids), cursor)
	}
	// Record 3 was changed during the first run by a slow writer: its time
	// (t0+8m) is before the latest seen (t0+9m). Record 10 is new.
	app.change(3, t0.Add(8*time.Minute))
	app.change(10, t0.Add(12*time.Minute))
	ids, cursor = readAll(t, restClient(t, srv.URL), opts, cursor)
	if fmt.Sprint(ids) != "[3 7 8 9 10]" {
		t.Fatalf("the second run read %v, want the late change 3, the overlap 7 to 9, and 10", ids)
	}
	if asked := app.queries(); !strings.Contains(asked[len(asked)-1], "updated_since=2026-05-01T08%3A07%3A00Z") {
		t.Fatalf("asked %v, want the changes since 08:07 (08:09 less the overlap)", asked[len(asked)-1])
	}
	if cursor != `{"since":"2026-05-01T08:12:00Z"}` {
		t.Fatalf("cursor %s", cursor)
	}
}

func TestARateLimitedPageIsReadAgain(t *testing.T) {
	app := newListApp(12)
	srv := httptest.NewServer(app)
	defer srv.Close()
	p, _ := New(restClient(t, srv.URL), Options{Style: Offset, Path: "offset/items", PageSize: 5, RecordsPath: "data.items"}, "")
	if _, err := p.Next(context.Background()); err != nil {
		t.Fatal(err)
	}
	app.mu.Lock()
	app.fail429 = 1
	app.mu.Unlock()
	if _, err := p.Next(context.Background()); err == nil {
		t.Fatal("want the rate limit")
	}
	pg, err := p.Next(context.Background())
	if err != nil || rest.LookupString(pg.Items[0], "id") != "5" {
		t.Fatalf("after the rate limit: %v, first id %s; want the second page again", err, rest.LookupString(pg.Items, "0.id"))
	}
}

func TestBadListsAreRefused(t *testing.T) {
	tests := []struct {
		name, body, ctype string
		opts              Options
		want              string
	}{
		{"not JSON", `<html>`, "text/html", Options{}, "not JSON"},
		{"records are an object", `{"data":{"items":{"id":1}}}`, "application/json", Options{RecordsPath: "data.items"}, `holds an object at "data.items", not a list`},
		{"a next page elsewhere", `{"items":[{"id":1}],"next":"https://elsewhere.example/items?page=2"}`, "application/json",
			Options{Style: NextURL, RecordsPath: "items"}, "is not on"},
		{"a cursor this paging did not write", `{}`, "application/json", Options{Style: PageNumber}, "was not written by"},
		{"records at another key", `{"items":[{"id":1},{"id":2}],"count":2}`, "application/json", Options{RecordsPath: "data"},
			`the answer has no list of records at "data"; it has one at "items"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.ctype)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			tt.opts.Path = "items"
			cursor := ""
			if strings.Contains(tt.name, "cursor") {
				cursor = "{bad json"
			}
			var err error
			p, err := New(restClient(t, srv.URL), tt.opts, cursor)
			for i := 0; err == nil && i < 3; i++ {
				_, err = p.Next(context.Background())
			}
			if class, _ := connectors.Classify(err); err == nil || class != connectors.ClassPermanent || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v (%s), want a permanent error with %q", err, class, tt.want)
			}
		})
	}
}

func TestLinkHeaders(t *testing.T) {
	tests := []struct{ header, want string }{
		{`<https://api.example.com/items?page=2>; rel="next", <https://api.example.com/items?page=9>; rel="last"`, "https://api.example.com/items?page=2"},
		{`<https://api.example.com/items?page=1>; rel="prev first"`, ""},
		{`</items?page=3>; rel=next`, "/items?page=3"},
		{`garbage`, ""},
		// commas inside an address (a list of fields, a sort order) do not
		// split it
		{`<https://api.example.com/items?fields=id,sku,name&page=2>; rel="next", <https://api.example.com/items?fields=id,sku,name&page=9>; rel="last"`,
			"https://api.example.com/items?fields=id,sku,name&page=2"},
		{`<https://api.example.com/items?sort=a,b&page=1>; rel="prev", <https://api.example.com/items?sort=a,b&page=3>; rel="next"`,
			"https://api.example.com/items?sort=a,b&page=3"},
		{`<https://api.example.com/items?page=4>; title="a, b"; rel="next"`, "https://api.example.com/items?page=4"},
	}
	for _, tt := range tests {
		if got := nextLink(http.Header{"Link": {tt.header}}); got != tt.want {
			t.Errorf("nextLink(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

// TestAListThatNeverEndsIsReadOnce: an app that answers every page with
// the same records (it does not page at all, or takes no page parameter
// of this name), or whose next cursor or address leads back to a page
// already read, ends the read once every page is read: a run does not
// read forever.
func TestAListThatNeverEndsIsReadOnce(t *testing.T) {
	items := func(from, to int) []map[string]any {
		var out []map[string]any
		for i := from; i < to; i++ {
			out = append(out, map[string]any{"id": i})
		}
		return out
	}
	cycle := map[string]string{"": "a", "a": "b", "b": "a"} // the next position after each
	start := map[string]int{"": 0, "a": 5, "b": 10}
	tests := []struct {
		name  string
		opts  Options
		serve func(w http.ResponseWriter, r *http.Request) any
		want  []int
	}{
		{"page, the whole list on every page", Options{Style: PageNumber},
			func(http.ResponseWriter, *http.Request) any { return map[string]any{"items": items(0, 12)} }, upTo(12)},
		{"page, the whole list on every page with the time of the answer", Options{Style: PageNumber},
			func(http.ResponseWriter, *http.Request) any {
				return map[string]any{"items": items(0, 12), "generated_at": time.Now().Format(time.RFC3339Nano)}
			}, upTo(12)},
		{"offset, the whole list at every offset with a request id", Options{Style: Offset},
			func(_ http.ResponseWriter, r *http.Request) any {
				return map[string]any{"items": items(0, 12), "request_id": r.URL.Query().Get("offset")}
			}, upTo(12)},
		{"offset, the whole list at every offset", Options{Style: Offset},
			func(http.ResponseWriter, *http.Request) any { return map[string]any{"items": items(0, 12)} }, upTo(12)},
		{"cursor, two cursors in turn", Options{Style: Cursor, NextCursorPath: "next"},
			func(_ http.ResponseWriter, r *http.Request) any {
				c := r.URL.Query().Get("cursor")
				return map[string]any{"items": items(start[c], start[c]+5), "next": cycle[c]}
			}, upTo(15)},
		{"next_url, back to a page read", Options{Style: NextURL, NextURLPath: "next"},
			func(_ http.ResponseWriter, r *http.Request) any {
				c := r.URL.Query().Get("at")
				return map[string]any{"items": items(start[c], start[c]+5), "next": "/items?at=" + cycle[c]}
			}, upTo(15)},
		{"next_url, back to the first page", Options{Style: NextURL, NextURLPath: "next"},
			func(_ http.ResponseWriter, r *http.Request) any {
				c := r.URL.Query().Get("at")
				if c == "a" {
					return map[string]any{"items": items(5, 10), "next": "/items?limit=5"}
				}
				return map[string]any{"items": items(0, 5), "next": "/items?at=a"}
			}, upTo(10)},
		{"link, back to a page read", Options{Style: LinkHeader},
			func(w http.ResponseWriter, r *http.Request) any {
				c := r.URL.Query().Get("at")
				w.Header().Set("Link", `</items?at=`+cycle[c]+`>; rel="next"`)
				return map[string]any{"items": items(start[c], start[c]+5)}
			}, upTo(15)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				body := tt.serve(w, r)
				_ = json.NewEncoder(w).Encode(body)
			}))
			defer srv.Close()
			tt.opts.Path, tt.opts.PageSize, tt.opts.RecordsPath = "items", 5, "items"
			p, err := New(restClient(t, srv.URL), tt.opts, "")
			if err != nil {
				t.Fatal(err)
			}
			ids := readIDs(t, p, func(int) int { return 20 })
			if fmt.Sprint(ids) != fmt.Sprint(tt.want) {
				t.Fatalf("read %v, want %v once each", ids, tt.want)
			}
		})
	}
}

// cappedApp answers pages of at most max records, whatever size is asked
// for (per_page or limit), by page or offset; a page past the end is
// answered notFound when set (as Django REST framework does), else empty.
type cappedApp struct {
	records, max int
	notFound     bool
	total        bool // the answer says how many records the list has
}

func (a cappedApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	size := min(a.max, atoi(q.Get("limit")+q.Get("per_page")))
	from := atoi(q.Get("offset"))
	if q.Has("page") {
		from = (atoi(q.Get("page")) - 1) * size
	}
	w.Header().Set("Content-Type", "application/json")
	if from >= a.records && a.notFound && from > 0 {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"detail":"Invalid page."}`))
		return
	}
	items := []map[string]any{}
	for i := from; i < min(a.records, from+size); i++ {
		items = append(items, map[string]any{"id": i})
	}
	answer := map[string]any{"items": items}
	if a.total {
		answer["total"] = a.records
	}
	_ = json.NewEncoder(w).Encode(answer)
}

// TestAnAppThatPagesBelowTheSizeAskedForIsReadToTheEnd: an app that
// answers fewer records a page than asked for (its own cap), with
// CheckShortPages, is read to its end rather than to its first page; a
// list that ends on a short page ends at the answer after it, empty or
// refused as past the end.
func TestAnAppThatPagesBelowTheSizeAskedForIsReadToTheEnd(t *testing.T) {
	tests := []struct {
		name  string
		style Style
		app   cappedApp
	}{
		{"page, capped at 3", PageNumber, cappedApp{records: 8, max: 3}},
		{"offset, capped at 3", Offset, cappedApp{records: 8, max: 3}},
		{"page, a short last page, then 404", PageNumber, cappedApp{records: 8, max: 100, notFound: true}},
		{"page, capped, then 404", PageNumber, cappedApp{records: 8, max: 3, notFound: true}},
		{"offset, a short last page", Offset, cappedApp{records: 8, max: 100}},
		{"page, capped at 3, with a total", PageNumber, cappedApp{records: 8, max: 3, total: true}},
		{"offset, capped at 3, with a total", Offset, cappedApp{records: 8, max: 3, total: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.app)
			defer srv.Close()
			opts := Options{Style: tt.style, Path: "items", PageSize: 5, RecordsPath: "items", CheckShortPages: true}
			if tt.app.total {
				opts.TotalPath = "total"
			}
			ids, _ := readAll(t, restClient(t, srv.URL), opts, "")
			if fmt.Sprint(ids) != fmt.Sprint(upTo(8)) {
				t.Fatalf("read %v, want 0 to 7 once each", ids)
			}
		})
	}
}

// TestAnEmptyPageThatStillLeadsOnEndsTheList: an app that gives a next
// page's address on every page, also past the end of its list (it builds
// the address from the page number), ends the list at its first empty
// page, as a cursor does: a run does not read empty pages forever.
func TestAnEmptyPageThatStillLeadsOnEndsTheList(t *testing.T) {
	for _, style := range []Style{LinkHeader, NextURL} {
		t.Run(string(style), func(t *testing.T) {
			var asked int
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				asked++
				n := max(1, atoi(r.URL.Query().Get("page")))
				items := []map[string]any{}
				for i := (n - 1) * 5; i < min(12, n*5); i++ {
					items = append(items, map[string]any{"id": i})
				}
				next := fmt.Sprintf("/items?page=%d", n+1)
				body := map[string]any{"items": items, "page": n}
				if style == LinkHeader {
					w.Header().Set("Link", `<`+next+`>; rel="next"`)
				} else {
					body["next"] = next
				}
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(body)
			}))
			defer srv.Close()
			p, err := New(restClient(t, srv.URL), Options{Style: style, Path: "items", PageSize: 5, RecordsPath: "items"}, "")
			if err != nil {
				t.Fatal(err)
			}
			ids := readIDs(t, p, func(int) int { return 10 - asked })
			if fmt.Sprint(ids) != fmt.Sprint(upTo(12)) || asked != 4 {
				t.Fatalf("read %v in %d pages, want 0 to 11 once each in 4", ids, asked)
			}
		})
	}
}

// TestChangeTimesInMillisecondsAreRead: a record's change time as a Unix
// time in milliseconds (as JavaScript apps write it) is that time, not one
// fifty thousand years ahead that no later run could ask from; and
// since_format unix_ms asks in milliseconds.
func TestChangeTimesInMillisecondsAreRead(t *testing.T) {
	at := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	for _, s := range []string{"1777622400", "1777622400000", "2026-05-01T08:00:00Z"} {
		if got, ok := parseTime(s); !ok || !got.Equal(at) {
			t.Errorf("parseTime(%q) = %s, %v; want %s", s, got, ok, at)
		}
	}
	if got := formatSince(at, "unix_ms"); got != "1777622400000" {
		t.Errorf("formatSince(unix_ms) = %q", got)
	}
}

// TestANoContentAnswerIsAnEmptyPage: an app that answers 204 No Content
// when a list has nothing (nothing changed since the last run, as Zoho's
// API does) ends the list in every style, rather than failing every run
// on an empty answer.
func TestANoContentAnswerIsAnEmptyPage(t *testing.T) {
	for _, style := range []Style{PageNumber, Offset, Cursor, LinkHeader, NextURL, Single} {
		t.Run(string(style), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusNoContent)
			}))
			defer srv.Close()
			opts := Options{Style: style, Path: "items", PageSize: 5, RecordsPath: "data", SinceParam: "since", UpdatedPath: "updated_at"}
			ids, cursor := readAll(t, restClient(t, srv.URL), opts, `{"since":"2026-05-01T08:09:00Z"}`)
			if len(ids) != 0 || cursor != `{"since":"2026-05-01T08:09:00Z"}` {
				t.Fatalf("read %v and left %s, want nothing and the cursor as it was", ids, cursor)
			}
		})
	}
}

// readIDs reads every page of p and returns the ids of its items in the
// order read. left says, given the pages read so far, how many more it may
// read; below zero, the test fails as reading for ever.
func readIDs(t *testing.T, p *Pager, left func(pages int) int) []int {
	t.Helper()
	var ids []int
	for pages := 0; ; pages++ {
		if left(pages) < 0 {
			t.Fatalf("still reading after %d pages, read %v", pages, ids)
		}
		pg, err := p.Next(context.Background())
		if errors.Is(err, connectors.ErrEndOfInput) {
			return ids
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range pg.Items {
			id, _ := strconv.Atoi(rest.LookupString(it, "id"))
			ids = append(ids, id)
		}
	}
}
