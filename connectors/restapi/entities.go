package restapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest/page"
)

// Entity is how one entity is read and written: the "entities" field of a
// connection holds one per entity name.
type Entity struct {
	// List reads the entity's records.
	List *List `json:"list,omitempty"`
	// Get fetches one record by id, for webhooks that carry only ids.
	Get *Call `json:"get,omitempty"`
	// Create and Update write one record.
	Create *Call `json:"create,omitempty"`
	Update *Call `json:"update,omitempty"`
	// ID is where a record holds its id ("id" when "").
	ID string `json:"id,omitempty"`
	// Key lists where a record may hold its business key (order number,
	// SKU, e-mail); the first found is the key, the id when none is.
	Key []string `json:"key,omitempty"`
}

// List is an entity's list request.
type List struct {
	Path string `json:"path"`
	// Query is added to every request.
	Query map[string]string `json:"query,omitempty"`
	// Records is where an answer holds the records ("" when it is the list).
	Records string `json:"records,omitempty"`
	// Paging is the style: page, offset, cursor, link, next_url or none.
	Paging   string `json:"paging,omitempty"`
	PageSize int    `json:"page_size,omitempty"`
	// The parameters and paths of the paging style (see package page).
	PageParam   string `json:"page_param,omitempty"`
	SizeParam   string `json:"size_param,omitempty"`
	OffsetParam string `json:"offset_param,omitempty"`
	CursorParam string `json:"cursor_param,omitempty"`
	// FirstPage is the number of the first page: 1 when not set, and 0
	// when set so (an app whose pages count from 0).
	FirstPage  *int   `json:"first_page,omitempty"`
	NextCursor string `json:"next_cursor,omitempty"`
	NextURL    string `json:"next_url,omitempty"`
	Resume     bool   `json:"resume,omitempty"`
	// ShortPageEnds: a short page is the last (cursor, link, next_url).
	ShortPageEnds bool `json:"short_page_ends,omitempty"`
	// Incremental reads: the "updated since" parameter, where a record
	// holds when it changed, the parameter's format and the overlap.
	Since       string `json:"since,omitempty"`
	Updated     string `json:"updated,omitempty"`
	SinceFormat string `json:"since_format,omitempty"`
	Overlap     string `json:"overlap,omitempty"`
}

// Call is one request of an entity.
type Call struct {
	// Method is GET for get, POST for create and PUT for update when "".
	Method string `json:"method,omitempty"`
	// Path is relative to the base URL; {id} is the record's id in the
	// app and {key} its business key, both escaped for where they stand
	// (a path segment, or a query value after "?").
	Path string `json:"path"`
	// Wrap puts the record under this key of the body ({"order": {...}}).
	Wrap string `json:"wrap,omitempty"`
	// Record is where the answer holds the record ("" when it is the
	// answer).
	Record string `json:"record,omitempty"`
}

// idPath is where the entity's records hold their id.
func (e Entity) idPath() string {
	if e.ID == "" {
		return "id"
	}
	return e.ID
}

// pageOptions turns the list into the paging package's options.
func (l List) pageOptions(size int) page.Options {
	if l.PageSize > 0 {
		size = l.PageSize
	}
	q := map[string][]string{}
	for k, v := range l.Query {
		q[k] = []string{v}
	}
	overlap, _ := time.ParseDuration(l.Overlap)
	first := 0
	if l.FirstPage != nil {
		first = *l.FirstPage
	}
	return page.Options{Style: page.Style(l.Paging), Path: l.Path, Query: q, PageSize: size, RecordsPath: l.Records,
		PageParam: l.PageParam, SizeParam: l.SizeParam, OffsetParam: l.OffsetParam, CursorParam: l.CursorParam,
		FirstPage: first, PagesFromZero: l.FirstPage != nil && first == 0, NextCursorPath: l.NextCursor, NextURLPath: l.NextURL, Resume: l.Resume, ShortPageEnds: l.ShortPageEnds,
		SinceParam: l.Since, UpdatedPath: l.Updated, SinceFormat: l.SinceFormat, Overlap: overlap,
		CheckShortPages: l.Paging == string(page.PageNumber) || l.Paging == string(page.Offset)}
}

// sinceFormatOK reports whether a since_format writes a time: one of the
// named formats, or a Go layout that holds at least one of its parts (a
// layout written as another language writes one, "yyyy-MM-dd" or "Y-m-d",
// would be sent as it is, the same text every run).
func sinceFormatOK(layout string) bool {
	switch layout {
	case "", "rfc3339", "unix", "unix_ms":
		return true
	}
	at := time.Date(2026, 11, 23, 17, 48, 39, 0, time.UTC)
	return at.Format(layout) != layout
}

// ParseEntities reads the "entities" field: JSON of entity names and how
// each is read and written. Every problem is named by its place, such as
// "order.list.paging: unknown style \"pages\"".
func ParseEntities(text string) (map[connectors.Entity]Entity, error) {
	out := map[connectors.Entity]Entity{}
	if strings.TrimSpace(text) == "" {
		return out, nil
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(text)))
	dec.DisallowUnknownFields()
	var raw map[string]Entity
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("not the JSON of entities and their requests: %w", err)
	}
	var problems []string
	for name, e := range raw {
		if !connectors.Entity(name).Valid() {
			problems = append(problems, fmt.Sprintf("%s: not an entity (%s)", name, strings.Join(entityNames(), ", ")))
			continue
		}
		problems = append(problems, e.check(name)...)
		out[connectors.Entity(name)] = e
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return out, nil
}

func entityNames() []string {
	var names []string
	for _, e := range connectors.Entities() {
		names = append(names, string(e))
	}
	return names
}

// check names what is wrong with one entity's requests.
func (e Entity) check(name string) []string {
	var problems []string
	if e.List == nil && e.Create == nil && e.Update == nil && e.Get == nil {
		problems = append(problems, name+": no request (list, get, create or update)")
	}
	if l := e.List; l != nil {
		if l.Path == "" {
			problems = append(problems, name+".list.path: is required")
		}
		if l.Paging != "" && !slices.Contains(page.Styles, l.Paging) {
			problems = append(problems, fmt.Sprintf("%s.list.paging: unknown style %q (%s)", name, l.Paging, strings.Join(page.Styles, ", ")))
		}
		if _, err := time.ParseDuration(l.Overlap); l.Overlap != "" && err != nil {
			problems = append(problems, fmt.Sprintf("%s.list.overlap: %q is not a duration such as 5m", name, l.Overlap))
		}
		if l.FirstPage != nil && *l.FirstPage < 0 {
			problems = append(problems, fmt.Sprintf("%s.list.first_page: %d is not a page number (0, 1 or more)", name, *l.FirstPage))
		}
		if !sinceFormatOK(l.SinceFormat) {
			problems = append(problems, fmt.Sprintf("%s.list.since_format: %q is not rfc3339, unix, unix_ms or a Go layout such as 2006-01-02 15:04:05", name, l.SinceFormat))
		}
		if (l.Since == "") != (l.Updated == "") {
			problems = append(problems, name+".list: since and updated go together")
		}
	}
	for call, c := range map[string]*Call{"get": e.Get, "create": e.Create, "update": e.Update} {
		if c != nil && c.Path == "" {
			problems = append(problems, name+"."+call+".path: is required")
		}
	}
	return problems
}
