package adobecommerce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
	"github.com/switchboard-app/switchboard/connectors/rest/fieldset"
)

// Write creates or updates one record.
func (c *Conn) Write(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	switch req.Entity {
	case connectors.Product:
		return c.writeProduct(ctx, req)
	case connectors.Stock:
		return c.stock.Write(ctx, req)
	case connectors.Shipment:
		return c.writeShipment(ctx, req)
	case connectors.Invoice:
		return c.writeInvoice(ctx, req)
	}
	return connectors.WriteResult{}, connectors.Permanent(fmt.Errorf("Adobe Commerce: %s records are not written", req.Entity))
}

// writeProduct creates a product (POST) or updates one by its SKU (PUT)
// with the fields the flow syncs and its update policy allows.
func (c *Conn) writeProduct(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	create, update, err := fieldset.FromOptions(req.Options)
	if err != nil {
		return connectors.WriteResult{}, err
	}
	sku := rest.LookupString(req.Data, "sku")
	if sku == "" {
		return connectors.WriteResult{}, connectors.Permanent(fmt.Errorf("product %s: the record has no sku; map one", req.Key))
	}
	call := rest.Request{Method: http.MethodPost, Path: "V1/products", JSON: map[string]any{"product": create.Keep(req.Data, "sku")}}
	if req.TargetID != "" {
		call = rest.Request{Method: http.MethodPut, Path: "V1/products/" + url.PathEscape(req.TargetID),
			JSON: map[string]any{"product": update.Keep(req.Data, "sku")}}
	}
	var answer map[string]any
	if _, err := c.client.DoJSON(ctx, call, &answer); err != nil {
		return connectors.WriteResult{}, fmt.Errorf("writing product %s: %w", sku, err)
	}
	id := rest.LookupString(answer, "sku")
	if id == "" {
		id = sku
	}
	return connectors.WriteResult{TargetID: id, Response: answer}, nil
}

// FindByKey looks up a product by SKU, a shipment by its order's number
// and an invoice by its number.
func (c *Conn) FindByKey(ctx context.Context, entity connectors.Entity, key string) (string, bool, error) {
	switch entity {
	case connectors.Product:
		return c.findProduct(ctx, key)
	case connectors.Shipment:
		return c.findShipment(ctx, key)
	case connectors.Invoice:
		return c.findOne(ctx, "V1/invoices", newCriteria().filter("increment_id", "eq", key), "entity_id")
	}
	return "", false, nil
}

// findProduct asks for a product by SKU; a 404 is no product.
func (c *Conn) findProduct(ctx context.Context, sku string) (string, bool, error) {
	var p map[string]any
	_, err := c.client.DoJSON(ctx, rest.Request{Path: "V1/products/" + url.PathEscape(sku)}, &p)
	var se *rest.StatusError
	switch {
	case errors.As(err, &se) && se.Status == http.StatusNotFound:
		return "", false, nil
	case err != nil:
		return "", false, err
	}
	return rest.LookupString(p, "sku"), true, nil
}

// findOne returns the id of the first record a search finds.
func (c *Conn) findOne(ctx context.Context, path string, crit *criteria, id string) (string, bool, error) {
	rec, found, err := c.searchOne(ctx, path, crit)
	if err != nil || !found {
		return "", false, err
	}
	return rest.LookupString(rec, id), true, nil
}

// searchOne returns the first record a search finds: the oldest, so that
// the same one is found each time when several match.
func (c *Conn) searchOne(ctx context.Context, path string, crit *criteria) (map[string]any, bool, error) {
	items, err := c.search(ctx, path, crit.sort("entity_id", "ASC").page(1, 1))
	if err != nil || len(items) == 0 {
		return nil, false, err
	}
	return items[0], true, nil
}

// search returns the records of one page of a search.
func (c *Conn) search(ctx context.Context, path string, crit *criteria) ([]map[string]any, error) {
	var answer struct {
		Items []map[string]any `json:"items"`
	}
	if _, err := c.client.DoJSON(ctx, rest.Request{Path: path, Query: crit.q}, &answer); err != nil {
		return nil, err
	}
	return answer.Items, nil
}
