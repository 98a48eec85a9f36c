package shopware

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"

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
		return c.writeStock(ctx, req)
	case connectors.Shipment:
		return c.writeShipment(ctx, req)
	case connectors.Order:
		return c.writeOrderState(ctx, req)
	}
	return connectors.WriteResult{}, connectors.Permanent(fmt.Errorf("Shopware: %s records are not written", req.Entity))
}

// uuid is Shopware's id form: 32 lower-case hex digits.
var uuid = regexp.MustCompile(`^[0-9a-f]{32}$`)

// newID is the id a created record gets: the same for every attempt of
// one write, so that a repeat after a lost answer names the same record.
func newID(seed string) string {
	sum := sha256.Sum256([]byte(seed))
	return hex.EncodeToString(sum[:16])
}

// writeProduct creates a product (POST) or updates one (PATCH) with the
// fields the flow syncs and its update policy allows, its tax rate and
// currencies resolved to Shopware's ids.
func (c *Conn) writeProduct(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	create, update, err := fieldset.FromOptions(req.Options)
	if err != nil {
		return connectors.WriteResult{}, err
	}
	sku := rest.LookupString(req.Data, "productNumber")
	if sku == "" {
		return connectors.WriteResult{}, connectors.Permanent(fmt.Errorf("product %s: the record has no productNumber; map one", req.Key))
	}
	fields := create
	if req.TargetID != "" {
		fields = update
	}
	body, err := c.resolve(ctx, fields.Keep(req.Data, "productNumber"), sku)
	if err != nil {
		return connectors.WriteResult{}, err
	}
	call := rest.Request{Method: http.MethodPatch, Path: "product/" + url.PathEscape(req.TargetID), JSON: body,
		Query: url.Values{"_response": {"basic"}}}
	if req.TargetID == "" {
		if body["taxId"] == nil {
			return connectors.WriteResult{}, connectors.Permanent(fmt.Errorf("product %s has no tax rate: Shopware 6 needs one for a new product; "+
				"map prices.tax_rate (a rule can set a default)", sku))
		}
		body["id"] = newID(req.IdempotencyKey + "/" + sku)
		if body["stock"] == nil {
			body["stock"] = 0 // Shopware needs a stock for a new product
		}
		call.Method, call.Path = http.MethodPost, "product"
	}
	var answer struct {
		Data map[string]any `json:"data"`
	}
	if _, err := c.client.DoJSON(ctx, call, &answer); err != nil {
		return connectors.WriteResult{}, fmt.Errorf("writing product %s: %w", sku, err)
	}
	id := rest.LookupString(answer.Data, "id")
	if id == "" {
		id = req.TargetID
	}
	return connectors.WriteResult{TargetID: id, Response: answer.Data}, nil
}

// resolve returns a copy of a product with its tax rate (taxId) and the
// currencies of its prices (price[].currencyId) given by name (21, EUR)
// replaced by Shopware's ids; an id is kept as it is.
func (c *Conn) resolve(ctx context.Context, data map[string]any, sku string) (map[string]any, error) {
	out := make(map[string]any, len(data)+1)
	for k, v := range data {
		out[k] = v
	}
	if rate := text(data["taxId"]); rate != "" && !uuid.MatchString(rate) {
		n, err := strconv.ParseFloat(rate, 64)
		if err != nil {
			return nil, connectors.Permanent(fmt.Errorf("product %s: taxId %q is neither a tax rate nor an id", sku, rate))
		}
		id, err := c.reference(ctx, "tax", "taxRate", json.Number(rate),
			fmt.Sprintf("Shopware 6 has no tax rate of %s%%; add it under Settings > Shop > Tax, or map the product's tax rate to one it has", strconv.FormatFloat(n, 'f', -1, 64)))
		if err != nil {
			return nil, fmt.Errorf("product %s: %w", sku, err)
		}
		out["taxId"] = id
	}
	prices, _ := data["price"].([]any)
	var resolved []any
	for _, p := range prices {
		price, _ := p.(map[string]any)
		if cur := text(price["currencyId"]); cur != "" && !uuid.MatchString(cur) {
			id, err := c.reference(ctx, "currency", "isoCode", cur,
				fmt.Sprintf("Shopware 6 has no currency %s; add it under Settings > Shop > Currencies, or map the price's currency to one it has", cur))
			if err != nil {
				return nil, fmt.Errorf("product %s: %w", sku, err)
			}
			copied := make(map[string]any, len(price))
			for k, v := range price {
				copied[k] = v
			}
			copied["currencyId"], price = id, copied
		}
		resolved = append(resolved, price)
	}
	if prices != nil {
		out["price"] = resolved
	}
	return out, nil
}

// reference finds the id of the record of a Shopware entity whose field
// has the value, once per connection; missing says what to do when the
// shop has none.
func (c *Conn) reference(ctx context.Context, entity, field string, value any, missing string) (string, error) {
	key := fmt.Sprint(entity, ":", value)
	if id, ok := c.refs.Load(key); ok {
		return id.(string), nil
	}
	rec, found, err := c.searchOne(ctx, entity, []any{equals(field, value)}, nil)
	if err != nil {
		return "", fmt.Errorf("looking %s %v up: %w", entity, value, err)
	}
	if !found {
		return "", connectors.Permanent(fmt.Errorf("%s", missing))
	}
	id := rest.LookupString(rec, "id")
	c.refs.Store(key, id)
	return id, nil
}

// warehouseID finds a warehouse by its name.
func (c *Conn) warehouseID(ctx context.Context, name string) (string, error) {
	return c.reference(ctx, "warehouse", "name", name,
		fmt.Sprintf("warehouse %s does not exist in Shopware 6; add it, or set the flow's %s option to one that exists", name, optWarehouse))
}

// searchOne returns the first record a search finds.
func (c *Conn) searchOne(ctx context.Context, entity string, filters []any, associations map[string]any) (map[string]any, bool, error) {
	list, err := c.search(ctx, entity, filters, associations, 1)
	if err != nil || len(list) == 0 {
		return nil, false, err
	}
	return list[0], true, nil
}

// search returns the first records a search finds.
func (c *Conn) search(ctx context.Context, entity string, filters []any, associations map[string]any, limit int) ([]map[string]any, error) {
	body := map[string]any{"page": 1, "limit": limit, "filter": filters, "total-count-mode": "none"}
	if associations != nil {
		body["associations"] = associations
	}
	var answer struct {
		Data []map[string]any `json:"data"`
	}
	if _, err := c.client.DoJSON(ctx, rest.Request{Method: http.MethodPost, Path: "search/" + entity, JSON: body}, &answer); err != nil {
		return nil, err
	}
	return answer.Data, nil
}

// FindByKey looks up a product by its number (SKU), an order by its
// number, and a shipment as the delivery of the order with its number.
func (c *Conn) FindByKey(ctx context.Context, entity connectors.Entity, key string) (string, bool, error) {
	switch entity {
	case connectors.Product:
		rec, found, err := c.searchOne(ctx, "product", []any{equals("productNumber", key)}, nil)
		return rest.LookupString(rec, "id"), found, err
	case connectors.Order:
		rec, found, err := c.searchOne(ctx, "order", []any{equals("orderNumber", key)}, nil)
		return rest.LookupString(rec, "id"), found, err
	case connectors.Shipment:
		o, found, err := c.findOrder(ctx, key)
		if err != nil || !found {
			return "", false, err
		}
		d, ok := o.delivery()
		return rest.LookupString(d, "id"), ok, nil
	}
	return "", false, nil
}

// text is a JSON value as text: numbers of any Go type as written, nil
// as "".
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}
