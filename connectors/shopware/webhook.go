package shopware

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
	"github.com/switchboard-app/switchboard/connectors/rest/hooks"
	"github.com/switchboard-app/switchboard/connectors/rest/page"
)

// webhookScheme is how Shopware signs an app's webhook calls: the hex
// HMAC-SHA256 of the body, under the secret the shop holds for the app.
var webhookScheme = hooks.Scheme{Header: "shopware-shop-signature"}

// EventIDHeader carries a delivery's event id in Shopware 6.7 and later,
// the same on every retry; older shops send it as source.eventId only.
const EventIDHeader = "X-Shopware-Event-Id"

// eventEntities are the Shopware entities whose written and deleted
// events the connector takes, with the entity they are about.
var eventEntities = map[string]connectors.Entity{
	"product": connectors.Product, "order": connectors.Order, "customer": connectors.Customer,
	"product_warehouse": connectors.Stock,
}

// maxIDsPerSearch bounds the ids one search fetches.
const maxIDsPerSearch = 100

// VerifyWebhook checks Shopware's signature: shopware-shop-signature holds
// the hex HMAC-SHA256 of the body under the app's secret: the connection's
// app secret, or the flow's webhook secret when the connection has none.
func (c *Conn) VerifyWebhook(req connectors.WebhookRequest) error {
	if c.appSecret != "" {
		req.Secret = c.appSecret
	}
	_, err := webhookScheme.Verify(req)
	return err
}

// ParseWebhook reads an app webhook call: data.event names the event
// (product.written), data.payload the records written, by their ids only
// (primaryKey); CompleteWebhook fetches them. Deletes carry nothing to
// take: a deleted event, or a payload entry whose operation is delete,
// gives no record. The event id (source.eventId, or the
// X-Shopware-Event-Id header) is the delivery id. An event the connector
// does not take is refused, naming it.
func (c *Conn) ParseWebhook(req connectors.WebhookRequest) (connectors.Webhook, error) {
	if err := connectors.RequireJSON(req.Header); err != nil {
		return connectors.Webhook{}, err
	}
	var body map[string]any
	if err := rest.DecodeJSON(req.Body, &body); err != nil {
		return connectors.Webhook{}, fmt.Errorf("the webhook's body: %w", err)
	}
	event := rest.LookupString(body, "data.event")
	name, op, _ := strings.Cut(event, ".")
	entity, ok := eventEntities[name]
	if !ok || (op != "written" && op != "deleted") {
		return connectors.Webhook{}, fmt.Errorf("Shopware event %q is not one the shopware connector takes (%s); "+
			"remove it from the app's manifest, or send it to a flow of its records", event, takenEvents())
	}
	hook := connectors.Webhook{DeliveryID: rest.LookupString(body, "source.eventId"), Entity: entity}
	if hook.DeliveryID == "" {
		hook.DeliveryID = req.Header.Get(EventIDHeader)
	}
	if op == "deleted" {
		return hook, nil
	}
	payload, _ := rest.Lookup(body, "data.payload")
	entries, ok := payload.([]any)
	if !ok {
		return connectors.Webhook{}, fmt.Errorf("the %s event's data.payload is %s, not a list of the records written", event, kindOf(payload))
	}
	hook.Records = writtenRecords(name, event, entries)
	return hook, nil
}

// takenEvents lists the events the connector takes.
func takenEvents() string {
	var names []string
	for name := range eventEntities {
		names = append(names, name+".written")
	}
	sort.Strings(names)
	return strings.Join(names, ", ") + "; their deleted events are taken and ignored"
}

// writtenRecords are the records a written event names, once each: ids
// only, the payload entry as their data. Entries of other entities and
// deletes are left out; an entry without an id fails alone.
func writtenRecords(name, event string, entries []any) []connectors.Record {
	var out []connectors.Record
	seen := map[string]bool{}
	for i, e := range entries {
		entry, _ := e.(map[string]any)
		if entry == nil {
			out = append(out, connectors.Record{ID: fmt.Sprintf("#%d", i+1), Err: fmt.Errorf("entry %d of the %s event's payload is not an object", i+1, event)})
			continue
		}
		if entity := rest.LookupString(entry, "entity"); (entity != "" && entity != name) || rest.LookupString(entry, "operation") == "delete" {
			continue
		}
		id, _ := entry["primaryKey"].(string)
		if id == "" {
			out = append(out, connectors.Record{ID: fmt.Sprintf("#%d", i+1), Err: fmt.Errorf("entry %d of the %s event's payload has no primaryKey", i+1, event)})
			continue
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, connectors.Record{ID: id, Key: id, Data: entry})
		}
	}
	return out
}

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "missing"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// CompleteWebhook implements [connectors.WebhookCompleter]: Shopware's
// written events name records by their ids, and one search of the flow's
// list by those ids (with the associations and the filters of the flow's
// scheduled read: its order states, its warehouse) fetches the records as
// a scheduled read yields them. A record the search does not return (gone
// since, or in another order state) is left out. A product's event serves
// a stock flow too: the product's own stock, or its entry in the flow's
// warehouse. A call about records the flow does not read is returned as
// it is, and the engine refuses it.
func (c *Conn) CompleteWebhook(ctx context.Context, req connectors.ReadRequest, hook connectors.Webhook) (connectors.Webhook, error) {
	field, serves := idField(hook.Entity, req)
	if !serves {
		return hook, nil
	}
	hook.Entity = req.Entity
	var ids []string
	var failed []connectors.Record
	for _, r := range hook.Records {
		if r.Err != nil {
			failed = append(failed, r)
		} else {
			ids = append(ids, r.ID)
		}
	}
	hook.Records = failed
	if field == "" || len(ids) == 0 {
		return hook, nil
	}
	l, filters, err := c.listFor(ctx, req)
	if err != nil {
		return hook, err
	}
	fetched, err := c.fetchByIDs(ctx, l, field, ids, filters)
	if err != nil {
		return hook, err
	}
	hook.Records = append(hook.Records, fetched...)
	return hook, nil
}

// idField is the field of the flow's list that the event's ids are in,
// and whether the event serves the flow at all; "" when it does, but
// names none of the flow's records (a warehouse's stock event at a flow
// of the products' own stock).
func idField(event connectors.Entity, req connectors.ReadRequest) (string, bool) {
	warehouse := req.Entity == connectors.Stock && req.Options.String(optWarehouse) != ""
	switch {
	case event == req.Entity && event != connectors.Stock:
		return "id", true
	case event == connectors.Product && req.Entity == connectors.Stock && warehouse:
		return "productId", true
	case event == connectors.Product && req.Entity == connectors.Stock:
		return "id", true
	case event == connectors.Stock && req.Entity == connectors.Stock && warehouse:
		return "id", true
	case event == connectors.Stock && req.Entity == connectors.Stock:
		return "", true
	}
	return "", false
}

// fetchByIDs searches the list for the records whose field holds one of
// the ids, a hundred ids at a time.
func (c *Conn) fetchByIDs(ctx context.Context, l list, field string, ids []string, filters []any) ([]connectors.Record, error) {
	var out []connectors.Record
	for start := 0; start < len(ids); start += maxIDsPerSearch {
		chunk := ids[start:min(len(ids), start+maxIDsPerSearch)]
		body := l.criteria(page.Query{Page: 1, Size: len(chunk)}, append([]any{equalsAny(field, chunk)}, filters...))
		var answer struct {
			Data []any `json:"data"`
		}
		if _, err := c.client.DoJSON(ctx, rest.Request{Method: http.MethodPost, Path: "search/" + l.entity, JSON: body}, &answer); err != nil {
			return nil, fmt.Errorf("fetching the %s records the webhook names: %w", l.entity, err)
		}
		for _, item := range answer.Data {
			out = append(out, l.record(item, len(out)))
		}
	}
	return out, nil
}

// RegisterWebhook answers ErrNoWebhookAPI: Shopware takes an app's
// webhooks from its manifest, not by API (see the connector's page).
func (c *Conn) RegisterWebhook(context.Context, connectors.WebhookRegistration) (string, error) {
	return "", connectors.ErrNoWebhookAPI
}

// RemoveWebhook answers ErrNoWebhookAPI, as RegisterWebhook.
func (c *Conn) RemoveWebhook(context.Context, string) error {
	return connectors.ErrNoWebhookAPI
}

var (
	_ connectors.WebhookReceiver  = (*Conn)(nil)
	_ connectors.WebhookCompleter = (*Conn)(nil)
	_ connectors.WebhookRegistrar = (*Conn)(nil)
)
