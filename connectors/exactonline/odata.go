package exactonline

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
)

// envelope is Exact Online's answer to a list: {"d": {"results": [...],
// "__next": "<address of the next page>"}}.
type envelope struct {
	D struct {
		Results []any  `json:"results"`
		Next    string `json:"__next"`
	} `json:"d"`
}

// single is its answer to a POST or a GET by key: {"d": {...}}.
type single struct {
	D map[string]any `json:"d"`
}

// quote writes text as an OData literal.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// guid writes an id as an OData guid literal.
func guid(id string) string { return "guid'" + strings.ReplaceAll(id, "'", "") + "'" }

// datetime writes a time as Exact Online takes it in a filter: without a
// zone, in UTC.
func datetime(t time.Time) string { return "datetime'" + t.UTC().Format("2006-01-02T15:04:05") + "'" }

// padCode writes an account code as Exact Online keeps it: right-aligned
// in 18 characters; a filter on an unpadded code finds nothing.
func padCode(code string) string { return fmt.Sprintf("%18s", strings.TrimSpace(code)) }

// find reads the first page of a resource's records that pass filter,
// with the selected fields ("" for all).
func (c *Conn) find(ctx context.Context, resource, filter, fields string) ([]map[string]any, error) {
	q := url.Values{}
	if filter != "" {
		q.Set("$filter", filter)
	}
	if fields != "" {
		q.Set("$select", fields)
	}
	var env envelope
	if _, err := c.client.DoJSON(ctx, rest.Request{Path: c.path(resource), Query: q}, &env); err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(env.D.Results))
	for _, r := range env.D.Results {
		if m, ok := r.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out, nil
}

// lookup finds the value of field of the one record of resource that
// passes filter, remembered for the connection's life; "" when there is
// none.
func (c *Conn) lookup(ctx context.Context, resource, filter, field string) (string, error) {
	key := resource + "|" + filter + "|" + field
	c.mu.Lock()
	v, ok := c.cache[key]
	c.mu.Unlock()
	if ok {
		return v, nil
	}
	recs, err := c.find(ctx, resource, filter, field)
	if err != nil || len(recs) == 0 {
		return "", err
	}
	v = rest.LookupString(recs[0], field)
	c.mu.Lock()
	c.cache[key] = v
	c.mu.Unlock()
	return v, nil
}

// create posts a record and returns the one Exact Online made.
func (c *Conn) create(ctx context.Context, resource string, body map[string]any, idempotencyKey string) (map[string]any, error) {
	var out single
	_, err := c.client.DoJSON(ctx, rest.Request{Method: http.MethodPost, Path: c.path(resource), JSON: body,
		Header: http.Header{"Prefer": {"return=representation"}}, IdempotencyKey: idempotencyKey}, &out)
	if err != nil {
		return nil, err
	}
	if out.D == nil {
		return nil, connectors.Permanent(fmt.Errorf("POST %s: the answer holds no record", resource))
	}
	return out.D, nil
}

// update puts a record's fields; Exact Online answers 204 without a body.
func (c *Conn) update(ctx context.Context, resource, id string, body map[string]any) error {
	_, err := c.client.Do(ctx, rest.Request{Method: http.MethodPut, Path: c.path(resource) + "(" + guid(id) + ")", JSON: body})
	return err
}
