package adobecommerce

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
	"github.com/switchboard-app/switchboard/connectors/rest/page"
)

// list is how one entity is read.
type list struct {
	path string
	// id and key are where a record holds its id and business key.
	id, key string
	// incremental lists are read by updated_at.
	incremental bool
	// filters adds the entity's own filter groups.
	filters func(c *criteria, opts connectors.Config)
	// recordID makes a record's id when the app gives none of its own.
	recordID func(rec map[string]any) string
	// sortBy is the field the pages are sorted by: without a sort order
	// the database's order is not stable between pages, and paging by
	// page number would skip records or read them twice.
	sortBy string
}

// lists are the entities the connector reads.
var lists = map[connectors.Entity]list{
	connectors.Order: {path: "V1/orders", id: "entity_id", key: "increment_id", incremental: true,
		filters: func(c *criteria, opts connectors.Config) {
			if statuses := splitList(opts.String(optStatuses)); len(statuses) > 0 {
				c.filter("status", "in", strings.Join(statuses, ","))
			}
		}, sortBy: "entity_id"},
	connectors.Customer: {path: "V1/customers/search", id: "id", key: "email", incremental: true, sortBy: "entity_id"},
	connectors.Product:  {path: "V1/products", id: "id", key: "sku", incremental: true, sortBy: "entity_id"},
	// A source's items are one per SKU.
	connectors.Stock: {path: "V1/inventory/source-items", key: "sku", sortBy: "sku",
		filters: func(c *criteria, opts connectors.Config) {
			c.filter("source_code", "eq", sourceCode(opts, nil))
		},
		recordID: func(rec map[string]any) string {
			if rest.LookupString(rec, "sku") == "" {
				return ""
			}
			return rest.LookupString(rec, "source_code") + "/" + rest.LookupString(rec, "sku")
		}},
}

// firstRun is when a first run reads from without an "orders from" date:
// before any Adobe Commerce 2 shop.
var firstRun = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// Read streams the entity's records, changed since the cursor when the
// entity is read incrementally.
func (c *Conn) Read(_ context.Context, req connectors.ReadRequest) (connectors.PageStream, error) {
	l, ok := lists[req.Entity]
	if !ok {
		return nil, connectors.Permanent(fmt.Errorf("Adobe Commerce: %s records are not read", req.Entity))
	}
	size := req.PageSize
	if size <= 0 || size > 300 {
		size = 100
	}
	crit := newCriteria()
	if l.filters != nil {
		l.filters(crit, req.Options)
	}
	crit.sort(l.sortBy, "ASC")
	opts := page.Options{Style: page.PageNumber, Path: l.path, Query: crit.q, PageSize: size, RecordsPath: "items",
		PageParam: currentPageParam, SizeParam: pageSizeParam, TotalPath: "total_count"}
	if l.incremental {
		from, err := fromDate(req.Options)
		if err != nil {
			return nil, connectors.Permanent(fmt.Errorf("%s: %w", optFrom, err))
		}
		if from.IsZero() {
			from = firstRun
		}
		opts.SinceParam, opts.UpdatedPath, opts.SinceFormat = crit.sinceParam("updated_at"), "updated_at", adobeTime
		opts.CreatedPath, opts.From = "created_at", from
	}
	p, err := page.New(c.client, opts, req.Cursor)
	if err != nil {
		return nil, connectors.Permanent(err)
	}
	return page.Stream{Pager: p, Record: l.record}, nil
}

// record makes a native record of a list's item; one that is not an
// object or lacks its id fails alone.
func (l list) record(item any, i int) connectors.Record {
	data, ok := item.(map[string]any)
	if !ok {
		return connectors.Record{ID: fmt.Sprintf("#%d", i+1), Err: fmt.Errorf("item %d of the list is not an object", i+1)}
	}
	r := connectors.Record{Data: data, Key: rest.LookupString(data, l.key)}
	if l.recordID != nil {
		r.ID = l.recordID(data)
	} else {
		r.ID = rest.LookupString(data, l.id)
	}
	if r.ID == "" {
		what := l.id
		if what == "" {
			what = l.key
		}
		r.ID, r.Err = fmt.Sprintf("#%d", i+1), fmt.Errorf("item %d of the list has no %s", i+1, what)
	}
	if r.Key == "" {
		r.Key = r.ID
	}
	if t, err := time.Parse(adobeTime, rest.LookupString(data, "updated_at")); err == nil {
		r.Updated = t
	}
	return r
}

// sourceCode is the MSI source of a stock record: the flow's option when
// it names one, which a record's own source_code (the location of the
// system it comes from, such as an ERP's warehouse code) does not
// override; else the record's source_code; else the default source.
func sourceCode(opts connectors.Config, rec map[string]any) string {
	if code := opts.String(optSource); code != "" {
		return code
	}
	if code := rest.LookupString(rec, "source_code"); code != "" {
		return code
	}
	return "default"
}
