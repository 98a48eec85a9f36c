package restapi

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
	"github.com/switchboard-app/switchboard/connectors/rest/page"
)

// Read streams the entity's list from the cursor on.
func (c *Conn) Read(_ context.Context, req connectors.ReadRequest) (connectors.PageStream, error) {
	spec, err := c.entity(req.Entity)
	if err != nil {
		return nil, err
	}
	if spec.List == nil {
		return nil, connectors.Permanent(fmt.Errorf("the connection has no list request for %s records", req.Entity))
	}
	size := req.PageSize
	if size <= 0 {
		size = 100
	}
	p, err := page.New(c.client, spec.List.pageOptions(size), req.Cursor)
	if err != nil {
		return nil, connectors.Permanent(err)
	}
	return page.Stream{Pager: p, Record: spec.record}, nil
}

// record makes a native record of a list's item; an item that is not an
// object or has no id is a record with an error, which fails alone.
func (e Entity) record(item any, i int) connectors.Record {
	data, ok := item.(map[string]any)
	if !ok {
		return connectors.Record{ID: fmt.Sprintf("#%d", i+1), Err: fmt.Errorf("record %d is not an object", i+1)}
	}
	r := connectors.Record{ID: rest.LookupString(data, e.idPath()), Data: data}
	if r.ID == "" {
		r.Err = fmt.Errorf("record %d has no id at %q", i+1, e.idPath())
	}
	r.Key = r.ID
	for _, path := range e.Key {
		if k := rest.LookupString(data, path); k != "" {
			r.Key = k
			break
		}
	}
	if e.List != nil && e.List.Updated != "" {
		r.Updated, _ = parseTime(rest.LookupString(data, e.List.Updated))
	}
	return r
}

func parseTime(s string) (time.Time, error) { return time.Parse(time.RFC3339Nano, s) }
