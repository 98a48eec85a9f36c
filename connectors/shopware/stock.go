package shopware

import (
	"context"
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
	var payload []any
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
			payload, sent = append(payload, rows[i]), append(sent, i)
			results[i] = batch.Result{TargetID: rest.LookupString(rows[i], "id"), Response: rows[i]}
		}
	}
	if len(payload) == 0 {
		return results, nil
	}
	body := []any{map[string]any{"action": "upsert", "entity": entity, "payload": payload}}
	if _, err := b.c.client.Do(ctx, rest.Request{Method: http.MethodPost, Path: "_action/sync", JSON: body}); err != nil {
		err = fmt.Errorf("saving the stock of %d products: %w", len(payload), err)
		for _, i := range sent {
			results[i] = batch.Result{Err: err}
		}
	}
	return results, nil
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
