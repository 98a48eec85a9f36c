// Package page reads an app's lists page by page, in the paging styles
// apps use (a page number, an offset and a limit, a cursor token in the
// body, a Link header, the next address in the body), and optionally
// incrementally: only the records changed since an "updated since" value
// kept in the flow's cursor, asked for with an overlap so that a record
// changed during a read is not missed (the engine's delta hash skips the
// records read twice).
//
// A [Pager] is a connector's PageStream core: Next returns the records of
// one page and the cursor to keep once they are committed. Its position
// moves only when a page was read, so after a failed Next (a rate limit) it
// reads the same page again.
package page

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
)

// Style is how an app pages a list.
type Style string

// The paging styles.
const (
	// PageNumber asks ?page=N (from FirstPage) and the page size; a short
	// page is the last.
	PageNumber Style = "page"
	// Offset asks ?offset=N and the page size; a short page is the last.
	Offset Style = "offset"
	// Cursor asks ?cursor=<token>, the token the last answer held at
	// NextCursorPath; an answer without one is the last.
	Cursor Style = "cursor"
	// LinkHeader follows the answer's Link header to rel="next".
	LinkHeader Style = "link"
	// NextURL follows the address the answer holds at NextURLPath.
	NextURL Style = "next_url"
	// Single reads one answer: the list is not paged.
	Single Style = "none"
)

// Styles lists every style, for a select field.
var Styles = []string{string(PageNumber), string(Offset), string(Cursor), string(LinkHeader), string(NextURL), string(Single)}

// Options describe one list.
type Options struct {
	Style Style
	// Path is the list's path, relative to the client's base URL; Query is
	// added to every request of the list.
	Path  string
	Query url.Values
	// PageSize is how many records to ask for (SizeParam); 0 asks for none.
	PageSize int
	// RecordsPath is where an answer holds the list of records, as a
	// dotted path ("data.items"); "" when the answer is the list.
	RecordsPath string
	// The query parameters of each style, with their defaults: "page",
	// "per_page" (PageNumber) or "limit", "offset", "cursor".
	PageParam, SizeParam, OffsetParam, CursorParam string
	// FirstPage is the number of the first page (1 when 0; see
	// PagesFromZero for an app whose first page is 0).
	FirstPage int
	// PagesFromZero numbers the pages from 0 (Spring's page=0), whatever
	// FirstPage says.
	PagesFromZero bool
	// NextCursorPath and NextURLPath are where an answer holds the next
	// cursor token ("next_cursor") and the next page's address ("next").
	NextCursorPath, NextURLPath string
	// ShortPageEnds makes a page shorter than PageSize the last one in
	// the cursor, link and next_url styles too (as it always is for page
	// numbers and offsets), saving a request for an empty page.
	ShortPageEnds bool
	// CheckShortPages asks, in the page and offset styles, for the page
	// after a short one before the list ends: an app that answers fewer
	// records than asked for (a cap of its own) is read on, and the list
	// ends at an empty answer, one the same as the page before, or one
	// refused with a 4xx as past the end.
	CheckShortPages bool
	// Resume keeps a Cursor style's last token after the end of a run, so
	// that the next run goes on from there (a feed of changes); otherwise
	// a run that read to the end makes the next one start over.
	Resume bool
	// Incremental reads: SinceParam is the query parameter that asks for
	// the records changed since a time ("updated_since"), UpdatedPath
	// where a record holds the time it changed ("updated_at"), SinceFormat
	// the parameter's layout (RFC 3339 when ""; "unix" for seconds,
	// "unix_ms" for milliseconds), and
	// Overlap how far before the last change seen the next run asks
	// (one minute when 0).
	SinceParam, UpdatedPath, SinceFormat string
	Overlap                              time.Duration
	// CreatedPath is where a record holds when it was created, for apps
	// that leave the change time empty until the first change: such a
	// record's change is its creation.
	CreatedPath string
	// From is the change time a first run (an empty cursor) asks from,
	// such as a flow's "orders from" date; a first run reads everything
	// when it is zero.
	From time.Time
	// TotalPath is where an answer holds the number of records the list
	// has in all. With page numbers and offsets, the page that reaches it
	// is the last, so a page past the end is never asked for (some apps
	// answer one with the last page again).
	TotalPath string
	// Search, when set, makes each page a POST of the JSON body it
	// returns for the page's query, instead of query parameters: a search
	// endpoint that takes its paging and filters in the body. With
	// UpdatedPath set, the reads are incremental and the query's Since is
	// when to ask from.
	Search func(q Query) any
}

// Query is the page a Search body asks for.
type Query struct {
	// Page is the page number (page style), Offset the position (offset
	// style), Cursor the token (cursor style); Size the page size.
	Page, Offset, Size int
	Cursor             string
	// Since is the change time to ask from (already less the overlap);
	// zero asks for everything.
	Since time.Time
}

// incremental reports whether the list is read by change time.
func (o Options) incremental() bool {
	return o.SinceParam != "" || (o.Search != nil && o.UpdatedPath != "")
}

func (o Options) withDefaults() Options {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&o.PageParam, "page")
	def(&o.OffsetParam, "offset")
	def(&o.CursorParam, "cursor")
	def(&o.NextCursorPath, "next_cursor")
	def(&o.NextURLPath, "next")
	if o.Style == PageNumber {
		def(&o.SizeParam, "per_page")
	}
	def(&o.SizeParam, "limit")
	switch {
	case o.PagesFromZero:
		o.FirstPage = 0
	case o.FirstPage == 0:
		o.FirstPage = 1
	}
	if o.Overlap <= 0 {
		o.Overlap = time.Minute
	}
	if o.Style == "" {
		o.Style = Single
	}
	return o
}

// Page is one page of a list.
type Page struct {
	// Items are the list's entries, decoded (objects are map[string]any).
	Items []any
	// Cursor is the position to keep once the page is committed.
	Cursor string
}

// Pager reads one list from a cursor on. It is not safe for concurrent
// use.
type Pager struct {
	client    *rest.Client
	opts      Options
	st        state
	started   string // the cursor the run started from
	done      bool
	asked     map[string]bool // the positions of the pages read in this run
	last      []byte          // the answer of the page read last
	lastItems []any           // and its records
	short     bool            // the page read last was short, and not taken for the last
	fullest   int             // the most records a page of this run held: an app's own page size when it caps the one asked for
}

// New returns a pager for the list, from the flow's cursor.
func New(client *rest.Client, opts Options, cursor string) (*Pager, error) {
	opts = opts.withDefaults()
	switch opts.Style {
	case PageNumber, Offset, Cursor, LinkHeader, NextURL, Single:
	default:
		return nil, fmt.Errorf("unknown paging style %q", opts.Style)
	}
	st, err := parseState(cursor, opts)
	if err != nil {
		return nil, err
	}
	return &Pager{client: client, opts: opts, st: st, started: cursor, asked: map[string]bool{}}, nil
}

// Next reads the next page; connectors.ErrEndOfInput when the list is
// read. A run that ends on an empty answer still returns a last page,
// without items, to keep the cursor where the next run starts.
func (p *Pager) Next(ctx context.Context) (Page, error) {
	if p.done {
		return Page{}, connectors.ErrEndOfInput
	}
	res, err := p.client.Do(ctx, p.request())
	if err != nil {
		if p.short && pastTheEnd(err) {
			return p.end()
		}
		return Page{}, err
	}
	var body any
	if res.Status != http.StatusNoContent { // 204: nothing, as an empty list
		if err := res.Decode(&body); err != nil {
			return Page{}, err
		}
	}
	items, err := p.items(body)
	if err != nil {
		return Page{}, err
	}
	next, last := p.next(res, body, len(items))
	if p.repeated(res.Body, items) {
		items, last = nil, true // the app answered the page read last again
	}
	p.asked[p.st.Pos] = true
	if p.st.Pos == "" && res.URL != nil { // the first page by its address, for a link back to it
		p.asked[res.URL.String()] = true
	}
	last = last || p.asked[next]
	p.st.seen(items, p.opts)
	if last {
		p.done = true
		p.st = p.st.finished(p.opts, next)
		if len(items) == 0 && p.st.String(p.opts) == p.started {
			return Page{}, connectors.ErrEndOfInput
		}
	} else {
		p.st.Pos = next
	}
	p.short = p.opts.CheckShortPages && p.opts.PageSize > 0 && len(items) < p.opts.PageSize
	return Page{Items: items, Cursor: p.st.String(p.opts)}, nil
}

// end ends the list where the page after a short one was refused as past
// its end.
func (p *Pager) end() (Page, error) {
	p.done = true
	p.st = p.st.finished(p.opts, "")
	if p.st.String(p.opts) == p.started {
		return Page{}, connectors.ErrEndOfInput
	}
	return Page{Cursor: p.st.String(p.opts)}, nil
}

// pastTheEnd reports whether err is an app's refusal of a page as past
// the list's end: a permanent 4xx other than a refused login.
func pastTheEnd(err error) bool {
	var se *rest.StatusError
	if !errors.As(err, &se) || se.Status < 400 || se.Status >= 500 || se.Status == http.StatusUnauthorized || se.Status == http.StatusForbidden {
		return false
	}
	class, _ := connectors.Classify(err)
	return class == connectors.ClassPermanent
}

// repeated reports whether an answer is the one the page before got: an
// app that does not page (or not with these parameters) answers every
// page with the same records, and the list would never end. A page with
// records is compared by its records, since such an app may add what
// changes with every answer (its time, a request id); one without, by
// its whole answer. The answer is kept for the next page's comparison.
func (p *Pager) repeated(body []byte, items []any) bool {
	same := p.last != nil && len(items) == 0 && len(p.lastItems) == 0 && bytes.Equal(body, p.last)
	if len(items) > 0 && len(items) == len(p.lastItems) {
		same = reflect.DeepEqual(items, p.lastItems)
	}
	p.last, p.lastItems = body, items
	return same
}

// items finds the list of records in an answer.
func (p *Pager) items(body any) ([]any, error) {
	found, ok := rest.Lookup(body, p.opts.RecordsPath)
	if !ok {
		if p.opts.RecordsPath != "" && body != nil {
			if obj, isObject := body.(map[string]any); isObject {
				if other := listElsewhere(obj); other != "" {
					return nil, connectors.Permanent(fmt.Errorf("%s: the answer has no list of records at %q; it has one at %q",
						p.opts.Path, p.opts.RecordsPath, other))
				}
				return nil, nil // the key is absent: no records
			}
		}
		if body == nil {
			return nil, nil
		}
		return nil, connectors.Permanent(fmt.Errorf("%s: the answer has no list of records at %q", p.opts.Path, p.opts.RecordsPath))
	}
	list, isList := found.([]any)
	if !isList {
		return nil, connectors.Permanent(fmt.Errorf("%s: the answer holds %s at %q, not a list of records", p.opts.Path, kind(found), p.opts.RecordsPath))
	}
	return list, nil
}

// listElsewhere is the key of an answer's top level that holds a list of
// objects, when the records path finds none: the records are there, and
// the path is set wrong (an app that leaves its list out when it is empty
// has no other); "" when there is no such key.
func listElsewhere(obj map[string]any) string {
	var keys []string
	for k, v := range obj {
		if list, ok := v.([]any); ok && len(list) > 0 {
			if _, isObject := list[0].(map[string]any); isObject {
				keys = append(keys, k)
			}
		}
	}
	if len(keys) == 0 {
		return ""
	}
	slices.Sort(keys)
	return keys[0]
}

func kind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case string:
		return "a text"
	}
	return "a value"
}

// formatSince writes a time as the since parameter wants it.
func formatSince(t time.Time, layout string) string {
	switch layout {
	case "", "rfc3339":
		return t.UTC().Format(time.RFC3339)
	case "unix":
		return strconv.FormatInt(t.Unix(), 10)
	case "unix_ms":
		return strconv.FormatInt(t.UnixMilli(), 10)
	}
	return t.UTC().Format(layout)
}

// Stream is a connector's PageStream over a pager: Record makes each
// item of a page a record (the i-th of its page), so that an item that
// is not an object, or lacks its id, fails alone.
type Stream struct {
	Pager  *Pager
	Record func(item any, i int) connectors.Record
}

// Next reads the next page; after a failed Next it reads the same page.
func (s Stream) Next(ctx context.Context) (connectors.Page, error) {
	pg, err := s.Pager.Next(ctx)
	if err != nil {
		return connectors.Page{}, err
	}
	out := connectors.Page{Cursor: pg.Cursor, Records: make([]connectors.Record, 0, len(pg.Items))}
	for i, item := range pg.Items {
		out.Records = append(out.Records, s.Record(item, i))
	}
	return out, nil
}

// Close does nothing: the stream holds nothing open.
func (s Stream) Close() error { return nil }
