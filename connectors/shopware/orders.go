package shopware

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
)

// order is an order with its deliveries.
type order struct {
	rec map[string]any
}

// findOrder looks an order up by its number, with its deliveries and
// states.
func (c *Conn) findOrder(ctx context.Context, number string) (order, bool, error) {
	rec, found, err := c.searchOne(ctx, "order", []any{equals("orderNumber", number)}, map[string]any{
		"stateMachineState": map[string]any{}, "deliveries": with("stateMachineState")})
	return order{rec: rec}, found, err
}

func (o order) id() string { return rest.LookupString(o.rec, "id") }

// delivery is the order's primary delivery, or its first.
func (o order) delivery() (map[string]any, bool) {
	list, _ := o.rec["deliveries"].([]any)
	primary := rest.LookupString(o.rec, "primaryOrderDeliveryId")
	for _, d := range list {
		if m, ok := d.(map[string]any); ok && (primary == "" || rest.LookupString(m, "id") == primary) {
			return m, true
		}
	}
	return nil, false
}

// orderFor finds the order a record names, or says what to do.
func (c *Conn) orderFor(ctx context.Context, req connectors.WriteRequest, doing string) (order, error) {
	number := rest.LookupString(req.Data, "orderNumber")
	if number == "" {
		return order{}, connectors.Permanent(fmt.Errorf("%s %s: the record has no orderNumber; map one", req.Entity, req.Key))
	}
	o, found, err := c.findOrder(ctx, number)
	if err != nil {
		return order{}, fmt.Errorf("looking order %s up: %w", number, err)
	}
	if !found {
		return order{}, connectors.Permanent(fmt.Errorf("order %s does not exist in Shopware 6; Switchboard %s orders there, it does not create them: "+
			"check the order number, or wait until the order is in the shop and retry", number, doing))
	}
	return o, nil
}

// writeShipment adds the record's tracking codes to the order's delivery
// and marks the delivery shipped, once.
func (c *Conn) writeShipment(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	o, err := c.orderFor(ctx, req, "adds tracking codes to")
	if err != nil {
		return connectors.WriteResult{}, err
	}
	d, ok := o.delivery()
	if !ok {
		return connectors.WriteResult{}, connectors.Permanent(fmt.Errorf("order %s has no delivery in Shopware 6 to add tracking codes to",
			rest.LookupString(req.Data, "orderNumber")))
	}
	id := rest.LookupString(d, "id")
	codes, added := mergeCodes(d["trackingCodes"], req.Data["trackingCodes"])
	if added {
		if _, err := c.client.Do(ctx, rest.Request{Method: http.MethodPatch, Path: "order-delivery/" + id,
			JSON: map[string]any{"trackingCodes": codes}}); err != nil {
			return connectors.WriteResult{}, fmt.Errorf("adding tracking codes to the delivery of order %s: %w", rest.LookupString(req.Data, "orderNumber"), err)
		}
	}
	state := rest.LookupString(d, "stateMachineState.technicalName")
	shipped := false
	if rest.LookupString(req.Data, "state") == "shipped" && (state == "open" || state == "") {
		if err := c.transition(ctx, "order_delivery", id, "ship", req.Options.Bool(optSendMail)); err != nil {
			return connectors.WriteResult{}, err
		}
		shipped = true
	}
	return connectors.WriteResult{TargetID: id, Response: map[string]any{"delivery": id, "trackingCodes": codes, "shipped": shipped}}, nil
}

// mergeCodes adds the new tracking codes to the delivery's, reporting
// whether any was new.
func mergeCodes(have, add any) ([]any, bool) {
	var out []any
	seen := map[string]bool{}
	for _, list := range []any{have, add} {
		items, _ := list.([]any)
		for _, c := range items {
			s := fmt.Sprint(c)
			if s != "" && !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	old, _ := have.([]any)
	return out, len(out) > len(old)
}

// transition moves an order's or delivery's state.
func (c *Conn) transition(ctx context.Context, entity, id, action string, sendMail bool) error {
	path := "_action/" + entity + "/" + id + "/state/" + url.PathEscape(action)
	if _, err := c.client.Do(ctx, rest.Request{Method: http.MethodPost, Path: path, JSON: map[string]any{"sendMail": sendMail}}); err != nil {
		return fmt.Errorf("%s %s: %s: %w", strings.ReplaceAll(entity, "_", " "), id, action, err)
	}
	return nil
}

// writeOrderState moves an order to the record's state, through the
// transitions of Shopware's order state machine.
func (c *Conn) writeOrderState(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	o, err := c.orderFor(ctx, req, "changes the state of")
	if err != nil {
		return connectors.WriteResult{}, err
	}
	number, want := rest.LookupString(req.Data, "orderNumber"), rest.LookupString(req.Data, "state")
	current := rest.LookupString(o.rec, "stateMachineState.technicalName")
	if want == "" || want == current {
		return connectors.WriteResult{TargetID: o.id(), Response: map[string]any{"state": current, "note": "no change of state"}}, nil
	}
	path, ok := transitions(current, want)
	if !ok {
		return connectors.WriteResult{}, connectors.Permanent(fmt.Errorf("order %s cannot go from %s to %s in Shopware 6's order states; "+
			"change it by hand, or map the state differently", number, current, want))
	}
	for _, action := range path {
		if err := c.transition(ctx, "order", o.id(), action, req.Options.Bool(optSendMail)); err != nil {
			return connectors.WriteResult{}, err
		}
	}
	return connectors.WriteResult{TargetID: o.id(), Response: map[string]any{"from": current, "to": want, "transitions": strings.Join(path, ", ")}}, nil
}

// orderMachine is Shopware's order state machine: state -> action -> state.
var orderMachine = map[string]map[string]string{
	"open":        {"process": "in_progress", "cancel": "cancelled"},
	"in_progress": {"complete": "completed", "cancel": "cancelled"},
	"completed":   {"reopen": "open"},
	"cancelled":   {"reopen": "open"},
}

// endState are the states an order ends in.
var endState = map[string]bool{"completed": true, "cancelled": true}

// transitions is the shortest way of actions from one state to another
// that passes through no end state: an order is never completed or
// cancelled on the way to another state.
func transitions(from, to string) ([]string, bool) {
	type step struct {
		state string
		path  []string
	}
	queue, seen := []step{{state: from}}, map[string]bool{from: true}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if cur.state == to {
			return cur.path, true
		}
		actions := make([]string, 0, len(orderMachine[cur.state]))
		for a := range orderMachine[cur.state] {
			actions = append(actions, a)
		}
		slices.Sort(actions)
		for _, a := range actions {
			next := orderMachine[cur.state][a]
			if !seen[next] && (next == to || !endState[next]) {
				seen[next] = true
				queue = append(queue, step{state: next, path: append(append([]string(nil), cur.path...), a)})
			}
		}
	}
	return nil, false
}
