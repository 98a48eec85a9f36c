package shopware

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
	"github.com/switchboard-app/switchboard/connectors/rest/page"
)

// list is how one entity is read: a search of a Shopware entity.
type list struct {
	entity       string // the Shopware entity: order, customer, product, product-warehouse
	key          string // where a record holds its business key
	associations map[string]any
	incremental  bool
}

// with is an association's criteria that loads further associations.
func with(names ...string) map[string]any {
	inner := map[string]any{}
	for _, n := range names {
		inner[n] = map[string]any{}
	}
	return map[string]any{"associations": inner}
}

var lists = map[connectors.Entity]list{
	connectors.Order: {entity: "order", key: "orderNumber", incremental: true, associations: map[string]any{
		"lineItems": map[string]any{}, "orderCustomer": map[string]any{}, "currency": map[string]any{}, "stateMachineState": map[string]any{},
		"billingAddress": with("country"),
		"deliveries":     map[string]any{"associations": map[string]any{"shippingMethod": map[string]any{}, "stateMachineState": map[string]any{}, "shippingOrderAddress": with("country")}},
		"transactions":   with("paymentMethod", "stateMachineState"),
	}},
	connectors.Customer: {entity: "customer", key: "email", incremental: true, associations: map[string]any{
		"defaultBillingAddress": with("country"), "defaultShippingAddress": with("country"), "group": map[string]any{}}},
	connectors.Product: {entity: "product", key: "productNumber", incremental: true, associations: map[string]any{
		"tax": map[string]any{}, "manufacturer": map[string]any{}}},
	connectors.Stock: {entity: "product", key: "productNumber"},
}

// warehouseStock reads the stock of one warehouse.
var warehouseStock = list{entity: "product-warehouse", key: "product.productNumber",
	associations: map[string]any{"product": map[string]any{}, "warehouse": map[string]any{}}}

// firstRun is when a first run reads from without a from date: before
// any Shopware 6 shop.
var firstRun = time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)

// Read streams the entity's records, changed since the cursor when the
// entity is read incrementally.
func (c *Conn) Read(ctx context.Context, req connectors.ReadRequest) (connectors.PageStream, error) {
	l, filters, err := c.listFor(ctx, req)
	if err != nil {
		return nil, err
	}
	opts, err := l.pageOptions(req, filters)
	if err != nil {
		return nil, err
	}
	p, err := page.New(c.client, opts, req.Cursor)
	if err != nil {
		return nil, connectors.Permanent(err)
	}
	return page.Stream{Pager: p, Record: l.record}, nil
}

// listFor is how a flow with req's entity and options reads: the list
// and the filters of its options (the order states, the warehouse).
func (c *Conn) listFor(ctx context.Context, req connectors.ReadRequest) (list, []any, error) {
	l, ok := lists[req.Entity]
	if !ok {
		return list{}, nil, connectors.Permanent(fmt.Errorf("Shopware: %s records are not read", req.Entity))
	}
	var filters []any
	switch req.Entity {
	case connectors.Order:
		if states := splitList(req.Options.String(optStates)); len(states) > 0 {
			filters = append(filters, equalsAny("stateMachineState.technicalName", states))
		}
	case connectors.Stock:
		if name := req.Options.String(optWarehouse); name != "" {
			id, err := c.warehouseID(ctx, name)
			if err != nil {
				return list{}, nil, err
			}
			l, filters = warehouseStock, []any{equals("warehouseId", id)}
		}
	}
	return l, filters, nil
}

// pageOptions are the kit's paging of the list: POST search/<entity> with
// the criteria in the body.
func (l list) pageOptions(req connectors.ReadRequest, filters []any) (page.Options, error) {
	size := req.PageSize
	if size <= 0 || size > 500 {
		size = 100
	}
	opts := page.Options{Style: page.PageNumber, Path: "search/" + l.entity, PageSize: size, RecordsPath: "data",
		Search: func(q page.Query) any { return l.criteria(q, filters) }}
	if l.incremental {
		from, err := fromDate(req.Options)
		if err != nil {
			return page.Options{}, connectors.Permanent(fmt.Errorf("%s: %w", optFrom, err))
		}
		if from.IsZero() {
			from = firstRun
		}
		opts.UpdatedPath, opts.CreatedPath, opts.From = "updatedAt", "createdAt", from
	}
	return opts, nil
}

// criteria is the search body of a page.
func (l list) criteria(q page.Query, filters []any) map[string]any {
	all := append([]any(nil), filters...)
	if !q.Since.IsZero() {
		since := q.Since.UTC().Format(time.RFC3339)
		all = append(all, map[string]any{"type": "multi", "operator": "or", "queries": []any{
			rangeFrom("updatedAt", since), rangeFrom("createdAt", since)}})
	}
	body := map[string]any{"page": q.Page, "limit": q.Size, "total-count-mode": "none",
		"sort": []any{map[string]any{"field": "createdAt", "order": "ASC"}, map[string]any{"field": "id", "order": "ASC"}}}
	if len(all) > 0 {
		body["filter"] = all
	}
	if len(l.associations) > 0 {
		body["associations"] = l.associations
	}
	return body
}

func equals(field string, value any) map[string]any {
	return map[string]any{"type": "equals", "field": field, "value": value}
}

func equalsAny(field string, values []string) map[string]any {
	list := make([]any, len(values))
	for i, v := range values {
		list[i] = v
	}
	return map[string]any{"type": "equalsAny", "field": field, "value": list}
}

func rangeFrom(field, since string) map[string]any {
	return map[string]any{"type": "range", "field": field, "parameters": map[string]any{"gte": since}}
}

// record makes a native record of a list's item; one that is not an
// object or lacks its id fails alone.
func (l list) record(item any, i int) connectors.Record {
	data, ok := item.(map[string]any)
	if !ok {
		return connectors.Record{ID: fmt.Sprintf("#%d", i+1), Err: fmt.Errorf("item %d of the list is not an object", i+1)}
	}
	r := connectors.Record{ID: rest.LookupString(data, "id"), Key: rest.LookupString(data, l.key), Data: data}
	if r.ID == "" {
		r.ID, r.Err = fmt.Sprintf("#%d", i+1), fmt.Errorf("item %d of the list has no id", i+1)
	}
	if r.Key == "" {
		r.Key = r.ID
	}
	for _, path := range []string{"updatedAt", "createdAt"} {
		if t, err := time.Parse(time.RFC3339Nano, rest.LookupString(data, path)); err == nil {
			r.Updated = t
			break
		}
	}
	return r
}
