package shopware

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
	"github.com/switchboard-app/switchboard/connectors/rest/batch"
)

// writeStock sets the stock of one product, or of one product in the
// flow's warehouse, in batches: the engine's workers' writes gathered
// into one search of the products and one sync call.
func (c *Conn) writeStock(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	w, _ := c.stock.LoadOrStore(req.Options.String(optWarehouse), batch.New(stockBatch{c: c, warehouse: req.Options.String(optWarehouse)}, batch.Options{Max: 100, Logger: c.logger}))
	return w.(*batch.Writer).Write(ctx, req)
}

// stockBatch writes the stock of a batch of products.
type stockBatch struct {
	c         *Conn
	warehouse string // by name; "" for the products' own stock
}

// SendBatch finds the batch's products by number (one search), fails the
// records of numbers the shop does not have with what to do, and sets the
// others' stock with one sync call.
func (b stockBatch) SendBatch(ctx context.Context, reqs []connectors.WriteRequest) ([]batch.Result, error) {
	results := make([]batch.Result, len(reqs))
	var skus []string
	for _, r := range reqs {
		skus = append(skus, rest.LookupString(r.Data, "productNumber"))
	}
	products, err := b.c.productIDs(ctx, skus)
	if err != nil {
		return nil, fmt.Errorf("looking the products of the stock up: %w", err)
	}
	var sent []int
	entity, rows, err := b.rows(ctx, reqs, products)
	if err != nil {
		return nil, err
	}
	for i, r := range reqs {
		sku := skus[i]
		switch {
		case sku == "":
			results[i].Err = connectors.Permanent(fmt.Errorf("stock %s: the record has no productNumber; map one", r.Key))
		case products[sku] == "":
			results[i].Err = connectors.Permanent(fmt.Errorf("product %s does not exist in Shopware 6; add it there "+
				"(or let a product flow into this shop create it), then retry", sku))
		default:
			sent = append(sent, i)
			results[i] = batch.Result{TargetID: rest.LookupString(rows[i], "id"), Response: rows[i]}
		}
	}
	b.sync(ctx, entity, rows, skus, sent, results)
	return results, nil
}

// sync upserts the rows of the records at sent with one sync call. Shopware
// writes all of a call's rows or none, so when it refuses the call (400,
// which is about its rows) the rows are sent again in halves, down to
// single rows: only the rows it refuses fail, each with Shopware's reason
// and its product's number, and the others are written.
func (b stockBatch) sync(ctx context.Context, entity string, rows []map[string]any, skus []string, sent []int, results []batch.Result) {
	if len(sent) == 0 {
		return
	}
	payload := make([]any, len(sent))
	for k, i := range sent {
		payload[k] = rows[i]
	}
	body := []any{map[string]any{"action": "upsert", "entity": entity, "payload": payload}}
	_, err := b.c.client.Do(ctx, rest.Request{Method: http.MethodPost, Path: "_action/sync", JSON: body})
	switch {
	case err == nil:
		return
	case len(sent) > 1 && refusedRows(err) && ctx.Err() == nil:
		b.sync(ctx, entity, rows, skus, sent[:len(sent)/2], results)
		b.sync(ctx, entity, rows, skus, sent[len(sent)/2:], results)
		return
	case len(sent) == 1:
		err = fmt.Errorf("stock of product %s: %w", skus[sent[0]], err)
	default:
		err = fmt.Errorf("saving the stock of %d products: %w", len(sent), err)
	}
	for _, i := range sent {
		results[i] = batch.Result{Err: err}
	}
}

// refusedRows tells whether Shopware refused a sync call for what its rows
// hold (400: a value that does not fit the field), rather than for the
// connection, its rights or its own trouble.
func refusedRows(err error) bool {
	var se *rest.StatusError
	return errors.As(err, &se) && se.Status == http.StatusBadRequest
}

// rows are the sync payload of each record: the product's stock, or the
// product's entry in the warehouse (its id when it has one, or a new one).
func (b stockBatch) rows(ctx context.Context, reqs []connectors.WriteRequest, products map[string]string) (string, []map[string]any, error) {
	rows := make([]map[string]any, len(reqs))
	if b.warehouse == "" {
		for i, r := range reqs {
			rows[i] = map[string]any{"id": products[rest.LookupString(r.Data, "productNumber")], "stock": r.Data["stock"]}
		}
		return "product", rows, nil
	}
	warehouse, err := b.c.warehouseID(ctx, b.warehouse)
	if err != nil {
		return "", nil, err
	}
	entries, err := b.c.warehouseEntries(ctx, warehouse, products)
	if err != nil {
		return "", nil, err
	}
	for i, r := range reqs {
		product := products[rest.LookupString(r.Data, "productNumber")]
		id := entries[product]
		if id == "" {
			id = newID(warehouse + "/" + product)
		}
		rows[i] = map[string]any{"id": id, "productId": product, "warehouseId": warehouse, "stock": r.Data["stock"]}
	}
	return "product_warehouse", rows, nil
}

// productIDs finds the ids of the products with the numbers.
func (c *Conn) productIDs(ctx context.Context, skus []string) (map[string]string, error) {
	var wanted []string
	for _, s := range skus {
		if s != "" {
			wanted = append(wanted, s)
		}
	}
	out := map[string]string{}
	if len(wanted) == 0 {
		return out, nil
	}
	found, err := c.search(ctx, "product", []any{equalsAny("productNumber", wanted)}, nil, len(wanted))
	if err != nil {
		return nil, err
	}
	for _, p := range found {
		out[rest.LookupString(p, "productNumber")] = rest.LookupString(p, "id")
	}
	return out, nil
}

// warehouseEntries finds the warehouse's entries of the products, by
// product id.
func (c *Conn) warehouseEntries(ctx context.Context, warehouse string, products map[string]string) (map[string]string, error) {
	var ids []string
	for _, id := range products {
		ids = append(ids, id)
	}
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	found, err := c.search(ctx, "product-warehouse", []any{equals("warehouseId", warehouse), equalsAny("productId", ids)}, nil, len(ids))
	if err != nil {
		return nil, fmt.Errorf("looking up the stock of warehouse %s: %w", warehouse, err)
	}
	for _, e := range found {
		out[rest.LookupString(e, "productId")] = rest.LookupString(e, "id")
	}
	return out, nil
}
