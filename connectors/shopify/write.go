package shopify

import (
	"context"
	"fmt"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
)

// Write writes a product (productSet), a stock level
// (inventorySetQuantities) or a shipment (fulfillmentCreate).
func (c *Conn) Write(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	switch req.Entity {
	case connectors.Product:
		return c.writeProduct(ctx, req)
	case connectors.Stock:
		return c.writeStock(ctx, req)
	case connectors.Shipment:
		return c.writeShipment(ctx, req)
	}
	return connectors.WriteResult{}, connectors.Permanent(fmt.Errorf("the shopify connector does not write %s records", req.Entity))
}

// FindByKey finds a record Shopify has already: a product or a stock
// level by SKU (the product's id, the inventory item's id), an order by
// its number, a customer by e-mail address. A shipment is never found by
// its order's number (an order may ship in parts); its tracking number
// keeps it from being created twice.
func (c *Conn) FindByKey(ctx context.Context, entity connectors.Entity, key string) (string, bool, error) {
	switch entity {
	case connectors.Product, connectors.Stock:
		v, found, err := c.variantBySKU(ctx, key)
		if err != nil || !found {
			return "", false, err
		}
		if entity == connectors.Stock {
			return v.InventoryItem.ID, true, nil
		}
		return v.Product.ID, true, nil
	case connectors.Order:
		o, found, err := c.orderByNumber(ctx, key)
		return o.ID, found, err
	case connectors.Customer:
		return c.customerByEmail(ctx, key)
	}
	return "", false, nil
}

// variant is a variant found by its SKU.
type variant struct {
	ID            string              `json:"id"`
	SKU           string              `json:"sku"`
	Product       struct{ ID string } `json:"product"`
	InventoryItem struct{ ID string } `json:"inventoryItem"`
}

// variantBySKU finds the variant with the SKU. Shopify's search matches
// words, so the answer is checked for the SKU itself. Shopify lets two
// variants have one SKU: then neither is taken, and the error names the
// products that share it, since writing to one would leave the other
// stale.
func (c *Conn) variantBySKU(ctx context.Context, sku string) (variant, bool, error) {
	if sku == "" {
		return variant{}, false, nil
	}
	var data struct {
		ProductVariants struct{ Nodes []variant } `json:"productVariants"`
	}
	if err := c.gql.do(ctx, variantBySKUOp, map[string]any{"query": "sku:" + quote(sku)}, &data); err != nil {
		return variant{}, false, fmt.Errorf("looking up SKU %s: %w", sku, err)
	}
	var found []variant
	var products []string
	for _, v := range data.ProductVariants.Nodes {
		if v.SKU == sku {
			found, products = append(found, v), append(products, v.Product.ID)
		}
	}
	switch len(found) {
	case 0:
		return variant{}, false, nil
	case 1:
		return found[0], true, nil
	}
	return variant{}, false, connectors.Permanent(fmt.Errorf("SKU %s is on %d variants in Shopify (products %s); "+
		"Switchboard finds products and stock by SKU, so give each variant its own SKU in Shopify", sku, len(found), strings.Join(products, ", ")))
}

func (c *Conn) customerByEmail(ctx context.Context, email string) (string, bool, error) {
	var data struct {
		Customers struct {
			Nodes []struct{ ID, Email string }
		}
	}
	if err := c.gql.do(ctx, customerByEmailOp, map[string]any{"query": "email:" + quote(email)}, &data); err != nil {
		return "", false, fmt.Errorf("looking up customer %s: %w", email, err)
	}
	for _, n := range data.Customers.Nodes {
		if strings.EqualFold(n.Email, email) {
			return n.ID, true, nil
		}
	}
	return "", false, nil
}

// quote makes a search value of a text: "SKU-1", with quotes and
// backslashes escaped.
func quote(s string) string {
	out := []byte{'"'}
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			out = append(out, '\\')
		}
		out = append(out, s[i])
	}
	return string(append(out, '"'))
}
