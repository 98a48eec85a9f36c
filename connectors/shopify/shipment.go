package shopify

import (
	"context"
	"fmt"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
)

// shopOrder is an order found by its number, with what it has shipped
// (every fulfilment: the list is not truncated) and what is left to ship.
type shopOrder struct {
	ID, Name     string
	Fulfillments []struct {
		ID           string
		TrackingInfo []struct{ Number, Company, URL string }
	}
	FulfillmentOrders fulfillmentOrders
}

// fulfillmentOrders are a page of an order's fulfilment orders: one for
// each location the order ships from.
type fulfillmentOrders struct {
	Nodes []struct {
		ID, Status string
		LineItems  foLines
	}
	PageInfo struct {
		HasNextPage bool
		EndCursor   string
	}
}

// foLines are a page of a fulfillment order's line items.
type foLines struct {
	Nodes []struct {
		ID, SKU           string
		RemainingQuantity int
	}
	PageInfo struct {
		HasNextPage bool
		EndCursor   string
	}
}

// withAllFulfillmentOrders reads the fulfilment orders that the order
// lookup left for a further page, so that an order shipped from many
// locations is shipped whole and a line at a later location is found.
func (c *Conn) withAllFulfillmentOrders(ctx context.Context, o *shopOrder) error {
	for page := o.FulfillmentOrders; page.PageInfo.HasNextPage; {
		var data struct {
			Order *struct{ FulfillmentOrders fulfillmentOrders } `json:"order"`
		}
		vars := map[string]any{"id": o.ID, "after": page.PageInfo.EndCursor}
		if err := c.gql.do(ctx, orderFulfillmentOrdersOp, vars, &data); err != nil {
			return fmt.Errorf("reading the fulfillment orders of order %s: %w", strings.TrimPrefix(o.Name, "#"), err)
		}
		if data.Order == nil {
			break
		}
		page = data.Order.FulfillmentOrders
		if page.PageInfo.HasNextPage && page.PageInfo.EndCursor == vars["after"] {
			return fmt.Errorf("reading the fulfillment orders of order %s: Shopify answered the same page again", strings.TrimPrefix(o.Name, "#"))
		}
		o.FulfillmentOrders.Nodes = append(o.FulfillmentOrders.Nodes, page.Nodes...)
	}
	return nil
}

// withAllLines reads the line items of the order's fulfillment orders
// that the order lookup left for a further page, so that a long order is
// shipped whole and a line after the first page is found.
func (c *Conn) withAllLines(ctx context.Context, o *shopOrder) error {
	for i := range o.FulfillmentOrders.Nodes {
		fo := &o.FulfillmentOrders.Nodes[i]
		for page := fo.LineItems; page.PageInfo.HasNextPage; {
			var data struct {
				FulfillmentOrder *struct{ LineItems foLines } `json:"fulfillmentOrder"`
			}
			vars := map[string]any{"id": fo.ID, "after": page.PageInfo.EndCursor}
			if err := c.gql.do(ctx, fulfillmentOrderLinesOp, vars, &data); err != nil {
				return fmt.Errorf("reading the lines of order %s: %w", strings.TrimPrefix(o.Name, "#"), err)
			}
			if data.FulfillmentOrder == nil {
				break
			}
			page = data.FulfillmentOrder.LineItems
			if page.PageInfo.HasNextPage && page.PageInfo.EndCursor == vars["after"] {
				return fmt.Errorf("reading the lines of order %s: Shopify answered the same page again", strings.TrimPrefix(o.Name, "#"))
			}
			fo.LineItems.Nodes = append(fo.LineItems.Nodes, page.Nodes...)
		}
	}
	return nil
}

// orderByNumber finds an order by its number, "1001" or "#1001".
func (c *Conn) orderByNumber(ctx context.Context, number string) (shopOrder, bool, error) {
	name := number
	if name != "" && name[0] >= '0' && name[0] <= '9' {
		name = "#" + name
	}
	var data struct {
		Orders struct{ Nodes []shopOrder } `json:"orders"`
	}
	if err := c.gql.do(ctx, orderByNameOp, map[string]any{"query": "name:" + quote(name)}, &data); err != nil {
		return shopOrder{}, false, fmt.Errorf("looking up order %s: %w", number, err)
	}
	for _, o := range data.Orders.Nodes {
		if o.Name == name || o.Name == number {
			return o, true, nil
		}
	}
	return shopOrder{}, false, nil
}

// writeShipment fulfils an order's lines with tracking details
// (fulfillmentCreate), or updates the tracking of its fulfilment
// (fulfillmentTrackingInfoUpdate). A shipment whose tracking number the
// order has already is not fulfilled twice.
func (c *Conn) writeShipment(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	number := rest.LookupString(req.Data, "order_number")
	tracking := trackingInput(req.Data)
	if req.TargetID != "" {
		return c.updateTracking(ctx, req, tracking)
	}
	order, found, err := c.orderByNumber(ctx, number)
	if err != nil {
		return connectors.WriteResult{}, err
	}
	if !found {
		return connectors.WriteResult{}, connectors.Permanent(fmt.Errorf("order %s does not exist in Shopify; check the shipment's order number", number))
	}
	if id := shippedWith(order, rest.LookupString(tracking, "number")); id != "" {
		return connectors.WriteResult{TargetID: id, Response: map[string]any{"fulfillment": id, "note": "the order has this tracking number already"}}, nil
	}
	if err := c.withAllFulfillmentOrders(ctx, &order); err != nil {
		return connectors.WriteResult{}, err
	}
	if err := c.withAllLines(ctx, &order); err != nil {
		return connectors.WriteResult{}, err
	}
	groups, err := fulfillmentLines(order, req.Data)
	if err != nil {
		return connectors.WriteResult{}, err
	}
	input := map[string]any{"lineItemsByFulfillmentOrder": groups, "notifyCustomer": req.Options.Bool("notify_customer")}
	if len(tracking) > 0 {
		input["trackingInfo"] = tracking
	}
	var data struct {
		FulfillmentCreate struct {
			Fulfillment map[string]any `json:"fulfillment"`
			UserErrors  userErrors     `json:"userErrors"`
		} `json:"fulfillmentCreate"`
	}
	if err := c.gql.do(ctx, fulfillmentCreateOp, map[string]any{"fulfillment": input}, &data); err != nil {
		return connectors.WriteResult{}, fmt.Errorf("fulfilling order %s: %w", number, err)
	}
	if err := data.FulfillmentCreate.UserErrors.err("shipment of order " + number); err != nil {
		return connectors.WriteResult{}, err
	}
	f := data.FulfillmentCreate.Fulfillment
	return connectors.WriteResult{TargetID: rest.LookupString(f, "id"), Response: f}, nil
}

// trackingInput is the record's trackingInfo: number, company, url.
func trackingInput(rec map[string]any) map[string]any {
	out := map[string]any{}
	for _, k := range []string{"number", "company", "url"} {
		if v := rest.LookupString(rec, "trackingInfo."+k); v != "" {
			out[k] = v
		}
	}
	return out
}

func shippedWith(o shopOrder, number string) string {
	if number == "" {
		return ""
	}
	for _, f := range o.Fulfillments {
		for _, t := range f.TrackingInfo {
			if t.Number == number {
				return f.ID
			}
		}
	}
	return ""
}

// fulfillmentLines picks the order's open fulfillment order lines to
// fulfil: the record's lines by SKU and quantity, or without lines all
// that is left.
func fulfillmentLines(o shopOrder, rec map[string]any) ([]any, error) {
	want := map[string]int{}
	lines, _ := rec["lines"].([]any)
	for _, l := range lines {
		qty := int(num(numberText(l, "quantity")))
		want[rest.LookupString(l, "sku")] += qty
	}
	var groups []any
	for _, fo := range o.FulfillmentOrders.Nodes {
		if fo.Status != "OPEN" && fo.Status != "IN_PROGRESS" {
			continue
		}
		var items []any
		for _, li := range fo.LineItems.Nodes {
			qty := li.RemainingQuantity
			if len(lines) > 0 {
				qty = min(qty, want[li.SKU])
				want[li.SKU] -= qty
			}
			if qty > 0 {
				items = append(items, map[string]any{"id": li.ID, "quantity": qty})
			}
		}
		if len(items) > 0 {
			groups = append(groups, map[string]any{"fulfillmentOrderId": fo.ID, "fulfillmentOrderLineItems": items})
		}
	}
	var missing []string
	for sku, left := range want {
		if left > 0 {
			missing = append(missing, fmt.Sprintf("%d × %s", left, sku))
		}
	}
	if len(missing) > 0 {
		return nil, connectors.Permanent(fmt.Errorf("order %s has nothing left to ship of %s in Shopify: shipped already, or not on the order",
			strings.TrimPrefix(o.Name, "#"), strings.Join(missing, ", ")))
	}
	if len(groups) == 0 {
		return nil, connectors.Permanent(fmt.Errorf("order %s has nothing left to ship in Shopify", strings.TrimPrefix(o.Name, "#")))
	}
	return groups, nil
}

func num(s string) float64 {
	var f float64
	_, _ = fmt.Sscan(s, &f)
	return f
}

func (c *Conn) updateTracking(ctx context.Context, req connectors.WriteRequest, tracking map[string]any) (connectors.WriteResult, error) {
	var data struct {
		FulfillmentTrackingInfoUpdate struct {
			Fulfillment map[string]any `json:"fulfillment"`
			UserErrors  userErrors     `json:"userErrors"`
		} `json:"fulfillmentTrackingInfoUpdate"`
	}
	vars := map[string]any{"id": req.TargetID, "tracking": tracking, "notify": req.Options.Bool("notify_customer")}
	if err := c.gql.do(ctx, trackingUpdateOp, vars, &data); err != nil {
		return connectors.WriteResult{}, fmt.Errorf("updating the tracking of order %s: %w", req.Key, err)
	}
	if err := data.FulfillmentTrackingInfoUpdate.UserErrors.err("shipment of order " + req.Key); err != nil {
		return connectors.WriteResult{}, err
	}
	return connectors.WriteResult{TargetID: req.TargetID, Response: data.FulfillmentTrackingInfoUpdate.Fulfillment}, nil
}
