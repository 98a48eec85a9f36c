package xero

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
	"github.com/switchboard-app/switchboard/connectors/since"
)

// list is how one entity is read.
type list struct {
	// path is the list's path, and the key of its records in an answer.
	path string
	// id and keys are where a record holds its id and its business key
	// (the first of keys it has).
	id   string
	keys []string
	// paged lists take page and pageSize; the others answer whole.
	paged bool
	where string
}

// listOf is the list an entity is read from.
func listOf(entity connectors.Entity, opts connectors.Config) (list, error) {
	switch entity {
	case connectors.Customer:
		return list{path: "Contacts", id: "ContactID", keys: []string{"EmailAddress", "Name"}, paged: true, where: `ContactStatus=="ACTIVE"`}, nil
	case connectors.Product:
		return list{path: "Items", id: "ItemID", keys: []string{"Code"}}, nil
	case connectors.Invoice:
		if opts.String(optDocuments) == docCreditNotes {
			return list{path: "CreditNotes", id: "CreditNoteID", keys: []string{"CreditNoteNumber"}, paged: true,
				where: `Type=="ACCRECCREDIT" AND Status!="DELETED"`}, nil
		}
		return list{path: "Invoices", id: "InvoiceID", keys: []string{"InvoiceNumber"}, paged: true,
			where: `Type=="ACCREC" AND Status!="DELETED"`}, nil
	}
	return list{}, connectors.Permanent(fmt.Errorf("Xero: %s records are not read", entity))
}

// The page sizes Xero takes.
const (
	defaultPageSize = 100
	maxPageSize     = 1000
)

// Read streams the entity's records changed since the cursor (less a
// minute), oldest change first, asked for with If-Modified-Since.
func (c *Conn) Read(_ context.Context, req connectors.ReadRequest) (connectors.PageStream, error) {
	l, err := listOf(req.Entity, req.Options)
	if err != nil {
		return nil, err
	}
	from, err := fromDate(req.Options)
	if err != nil {
		return nil, connectors.Permanent(fmt.Errorf("%s: %w", optFrom, err))
	}
	cur, err := since.Parse(req.Cursor, Name)
	if err != nil {
		return nil, err
	}
	size := req.PageSize
	if size <= 0 {
		size = defaultPageSize
	}
	return &stream{conn: c, list: l, cur: cur, from: from, size: min(size, maxPageSize)}, nil
}

type stream struct {
	conn *Conn
	list list
	cur  since.State
	from time.Time // the flow's "records from", for a first run
	size int
	done bool
}

// Next reads the next page; after an error it reads the same page again.
func (s *stream) Next(ctx context.Context) (connectors.Page, error) {
	if s.done {
		return connectors.Page{}, connectors.ErrEndOfInput
	}
	items, err := s.fetch(ctx)
	if err != nil {
		return connectors.Page{}, err
	}
	next := s.cur
	next.Near = maps.Clone(s.cur.Near) // a page read again after an error takes its records again
	out := make([]connectors.Record, 0, len(items))
	var last time.Time
	for i, item := range items {
		r := s.list.record(item, i)
		last = r.Updated
		if r.Err == nil && (next.Passed(r.ID, r.Updated) || !next.Take(r.ID, r.Updated)) {
			continue // read by this run already, or by the last one, unchanged
		}
		out = append(out, r)
	}
	if s.list.paged && len(items) == s.size {
		next.Pos = s.advance(last).String()
	} else {
		s.done, next = true, next.Finished()
	}
	s.cur = next
	return connectors.Page{Records: out, Cursor: next.String()}, nil
}

// Close does nothing: the stream holds nothing open.
func (s *stream) Close() error { return nil }

// advance is the position after a full page whose last record changed
// at last: asked from a second before, unless that is no later than what
// the page's own query asked from.
func (s *stream) advance(last time.Time) since.Position {
	pos := since.ParsePosition(s.cur.Pos)
	after := last.Add(-time.Second).Truncate(time.Second)
	if last.IsZero() || !after.After(s.changedFrom()) {
		return pos.NextPage() // the same query would answer the same page
	}
	return since.Position{After: after.UTC().Format(time.RFC3339), Page: 1}
}

func (s *stream) page() int { return since.ParsePosition(s.cur.Pos).Page }

// fetch asks for the stream's page; Xero's 304 (nothing changed since) is
// no records.
func (s *stream) fetch(ctx context.Context) ([]any, error) {
	q := url.Values{"order": {"UpdatedDateUTC ASC"}}
	if s.list.where != "" {
		q.Set("where", s.list.where)
	}
	if s.list.paged {
		q.Set("page", strconv.Itoa(s.page()))
		q.Set("pageSize", strconv.Itoa(s.size))
	}
	header := http.Header{}
	if from := s.changedFrom(); !from.IsZero() {
		header.Set("If-Modified-Since", from.UTC().Format(time.RFC3339))
	}
	var body map[string]any
	err := s.conn.call(ctx, rest.Request{Path: s.list.path, Query: q, Header: header}, &body)
	var se *rest.StatusError
	if errors.As(err, &se) && se.Status == http.StatusNotModified {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", s.list.path, err)
	}
	items, _ := body[s.list.path].([]any)
	return items, nil
}

// changedFrom is when the records asked for changed at the earliest: the
// run's position, a minute before the last change the last run saw, or
// the flow's date.
func (s *stream) changedFrom() time.Time {
	if after := since.ParsePosition(s.cur.Pos).After; after != "" {
		if t, err := time.Parse(time.RFC3339, after); err == nil {
			return t
		}
	}
	if from, ok := s.cur.From(); ok {
		return from
	}
	return s.from
}

// record makes a native record of a list's item; one that is not an
// object or lacks its id fails alone.
func (l list) record(item any, i int) connectors.Record {
	data, ok := item.(map[string]any)
	if !ok {
		return connectors.Record{ID: fmt.Sprintf("#%d", i+1), Err: fmt.Errorf("item %d of %s is not an object", i+1, l.path)}
	}
	r := connectors.Record{ID: rest.LookupString(data, l.id), Data: data}
	for _, k := range l.keys {
		if r.Key = rest.LookupString(data, k); r.Key != "" {
			break
		}
	}
	if r.ID == "" {
		r.ID, r.Err = fmt.Sprintf("#%d", i+1), fmt.Errorf("item %d of %s has no %s", i+1, l.path, l.id)
	}
	if r.Key == "" {
		r.Key = r.ID
	}
	r.Updated, _ = rest.MicrosoftDate(rest.LookupString(data, "UpdatedDateUTC"))
	return r
}
