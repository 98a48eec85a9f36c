package shopify

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
)

// writeStock sets the available quantity of an SKU at the flow's location
// with inventorySetQuantities. An SKU Shopify does not have fails with
// what to do, or, with the flow option create_missing_products, becomes a
// draft product stocked at the location.
func (c *Conn) writeStock(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	sku := rest.LookupString(req.Data, "sku")
	qty, err := quantity(req)
	if err != nil {
		return connectors.WriteResult{}, err
	}
	loc, err := c.locationFor(ctx, req)
	if err != nil {
		return connectors.WriteResult{}, err
	}
	itemID := req.TargetID
	if itemID == "" {
		v, found, err := c.variantBySKU(ctx, sku)
		if err != nil {
			return connectors.WriteResult{}, err
		}
		if !found {
			return c.missingProduct(ctx, req, sku, qty, loc)
		}
		itemID = v.InventoryItem.ID
	}
	res, err := c.setQuantity(ctx, req, itemID, loc, qty)
	if isGone(err) && req.TargetID != "" { // the item went since the last write: find the SKU again
		req.TargetID = ""
		return c.writeStock(ctx, req)
	}
	return res, err
}

// quantity reads the record's quantity: a whole number.
func quantity(req connectors.WriteRequest) (int, error) {
	raw := numberText(req.Data, "quantity")
	if raw == "" {
		return 0, connectors.Permanent(fmt.Errorf("stock %s: field quantity: is required", req.Key))
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || f != float64(int(f)) {
		return 0, connectors.Permanent(fmt.Errorf("stock %s: field quantity: %q is not a whole number, which Shopify counts in", req.Key, raw))
	}
	return int(f), nil
}

// numberText is the number or text at a path, as text: mappings give
// json.Number, tests and other writers ints and floats.
func numberText(v any, path string) string {
	x, _ := rest.Lookup(v, path)
	switch n := x.(type) {
	case int, int64, int32:
		return fmt.Sprint(n)
	case float64:
		return strconv.FormatFloat(n, 'f', -1, 64)
	}
	return rest.LookupString(v, path)
}

// errGone marks an inventory item Shopify no longer has.
var errGone = fmt.Errorf("the inventory item is gone")

func isGone(err error) bool { return err != nil && strings.Contains(err.Error(), errGone.Error()) }

func (c *Conn) setQuantity(ctx context.Context, req connectors.WriteRequest, itemID string, loc location, qty int) (connectors.WriteResult, error) {
	input := map[string]any{"name": "available", "reason": "correction", "ignoreCompareQuantity": true,
		"quantities": []any{map[string]any{"inventoryItemId": itemID, "locationId": loc.ID, "quantity": qty}}}
	var data struct {
		InventorySetQuantities struct {
			InventoryAdjustmentGroup map[string]any `json:"inventoryAdjustmentGroup"`
			UserErrors               userErrors     `json:"userErrors"`
		} `json:"inventorySetQuantities"`
	}
	if err := c.gql.do(ctx, inventorySetOp, map[string]any{"input": input}, &data); err != nil {
		return connectors.WriteResult{}, fmt.Errorf("setting the stock of %s: %w", req.Key, err)
	}
	for _, e := range data.InventorySetQuantities.UserErrors {
		switch e.Code {
		case "INVALID_INVENTORY_ITEM":
			return connectors.WriteResult{}, connectors.Permanent(fmt.Errorf("stock %s: %w", req.Key, errGone))
		case "ITEM_NOT_STOCKED_AT_LOCATION":
			return connectors.WriteResult{}, connectors.Permanent(fmt.Errorf(
				"product %s is not stocked at location %q in Shopify; stock it there in Shopify (Products, Inventory) or choose another location for the flow", req.Key, loc.Name))
		}
	}
	if err := data.InventorySetQuantities.UserErrors.err("stock " + req.Key); err != nil {
		return connectors.WriteResult{}, err
	}
	return connectors.WriteResult{TargetID: itemID, Response: data.InventorySetQuantities.InventoryAdjustmentGroup}, nil
}

// missingProduct fails a stock record whose SKU Shopify does not have, or
// creates a draft product for it when the flow says so.
func (c *Conn) missingProduct(ctx context.Context, req connectors.WriteRequest, sku string, qty int, loc location) (connectors.WriteResult, error) {
	if !req.Options.Bool("create_missing_products") {
		return connectors.WriteResult{}, connectors.Permanent(fmt.Errorf(
			"product %s does not exist in Shopify; add it or enable 'create missing products'", sku))
	}
	input := map[string]any{"title": sku, "status": "DRAFT",
		"productOptions": []any{map[string]any{"name": "Title", "values": []any{map[string]any{"name": "Default Title"}}}},
		"variants": []any{map[string]any{"sku": sku, "optionValues": []any{map[string]any{"optionName": "Title", "name": "Default Title"}},
			"inventoryQuantities": []any{map[string]any{"locationId": loc.ID, "name": "available", "quantity": qty}}}}}
	var data struct {
		ProductSet struct {
			Product    map[string]any `json:"product"`
			UserErrors userErrors     `json:"userErrors"`
		} `json:"productSet"`
	}
	if err := c.gql.do(ctx, productSetOp, map[string]any{"input": input}, &data); err != nil {
		return connectors.WriteResult{}, fmt.Errorf("creating the missing product %s: %w", sku, err)
	}
	if err := data.ProductSet.UserErrors.err("creating the missing product " + sku); err != nil {
		return connectors.WriteResult{}, err
	}
	itemID := rest.LookupString(data.ProductSet.Product, "variants.nodes.0.inventoryItem.id")
	return connectors.WriteResult{TargetID: itemID, Response: data.ProductSet.Product}, nil
}

// location is a Shopify location.
type location struct {
	ID, Name string
	Primary  bool
}

// locations are the shop's locations, read once per connection.
type locations struct {
	mu   sync.Mutex
	list []location
}

// locationFor finds the flow's location, by name or id; the primary
// location when the flow names none. A location not among those the
// connection read before (one opened in the shop since) is looked for
// again in the shop's locations read anew.
func (c *Conn) locationFor(ctx context.Context, req connectors.WriteRequest) (location, error) {
	list, err := c.locations(ctx, false)
	if err != nil {
		return location{}, err
	}
	want := req.Options.String("location")
	if _, ok := pick(list, want); !ok {
		if list, err = c.locations(ctx, true); err != nil {
			return location{}, err
		}
	}
	if l, ok := pick(list, want); ok {
		return l, nil
	}
	var names []string
	for _, l := range list {
		names = append(names, strconv.Quote(l.Name))
	}
	if want == "" {
		return location{}, connectors.Permanent(fmt.Errorf("Shopify named no primary location; set the flow's location (one of %s)", strings.Join(names, ", ")))
	}
	return location{}, connectors.Permanent(fmt.Errorf("location %q does not exist in Shopify; the shop's locations are %s", want, strings.Join(names, ", ")))
}

// pick is the location of a list a flow names by name or id, or the
// primary one when it names none.
func pick(list []location, want string) (location, bool) {
	for _, l := range list {
		if (want == "" && l.Primary) || (want != "" && (l.ID == want || strings.EqualFold(l.Name, want))) {
			return l, true
		}
	}
	return location{}, false
}

// locations are the shop's active locations, kept for the connection;
// fresh reads them from the shop again.
func (c *Conn) locations(ctx context.Context, fresh bool) ([]location, error) {
	cache := c.shared.Load("shopify/locations", func() any { return &locations{} }).(*locations)
	cache.mu.Lock()
	defer cache.mu.Unlock()
	if cache.list != nil && !fresh {
		return cache.list, nil
	}
	var data struct {
		Primary   *struct{ ID, Name string } `json:"primary"`
		Locations struct {
			Nodes []struct {
				ID, Name string
				IsActive bool
			}
		} `json:"locations"`
	}
	if err := c.gql.do(ctx, locationsOp, nil, &data); err != nil {
		return nil, fmt.Errorf("reading the shop's locations: %w", err)
	}
	var list []location
	for _, n := range data.Locations.Nodes {
		if n.IsActive {
			list = append(list, location{ID: n.ID, Name: n.Name, Primary: data.Primary != nil && data.Primary.ID == n.ID})
		}
	}
	cache.list = list
	return list, nil
}
