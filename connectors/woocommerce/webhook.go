package woocommerce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
)

// VerifyWebhook checks WooCommerce's signature: the base64 HMAC-SHA256
// of the body in X-WC-Webhook-Signature, under the secret the webhook
// was registered with (the flow's).
// WooCommerce's ping, sent unsigned when a webhook is saved to check its
// address, carries nothing but the webhook's id: it is taken, and stores
// nothing.
func (c *Conn) VerifyWebhook(req connectors.WebhookRequest) error {
	if isPing(req.Body) {
		return nil
	}
	_, err := webhookScheme.Verify(req)
	return err
}

// isPing reports whether a body is WooCommerce's ping: webhook_id=<digits>.
func isPing(body []byte) bool {
	id, ok := strings.CutPrefix(string(body), "webhook_id=")
	if !ok || id == "" {
		return false
	}
	for _, c := range id {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// ParseWebhook reads a webhook call: X-WC-Webhook-Topic (order.updated)
// says the entity; the body is the record as the REST API answers it. A
// deleted topic's body is the record's id alone: it gives no record.
func (c *Conn) ParseWebhook(req connectors.WebhookRequest) (connectors.Webhook, error) {
	if isPing(req.Body) {
		return connectors.Webhook{}, nil
	}
	if err := connectors.RequireJSON(req.Header); err != nil {
		return connectors.Webhook{}, err
	}
	var body map[string]any
	if err := rest.DecodeJSON(req.Body, &body); err != nil {
		return connectors.Webhook{}, fmt.Errorf("the webhook's body: %w", err)
	}
	topic := req.Header.Get("X-WC-Webhook-Topic")
	resource, event, _ := strings.Cut(topic, ".")
	entity, key := map[string]connectors.Entity{"order": connectors.Order, "product": connectors.Product, "customer": connectors.Customer}[resource],
		map[string]string{"order": "number", "product": "sku", "customer": "email"}[resource]
	if entity == "" {
		return connectors.Webhook{}, fmt.Errorf("webhook topic %q is not one the woocommerce connector reads (order, product, customer)", topic)
	}
	hook := connectors.Webhook{DeliveryID: req.Header.Get("X-WC-Webhook-Delivery-ID"), Entity: entity}
	if event == "deleted" {
		return hook, nil // the body is {"id": …} alone: nothing to move
	}
	r := connectors.Record{ID: rest.LookupString(body, "id"), Key: rest.LookupString(body, key), Data: body}
	if r.ID == "" {
		r.Err = fmt.Errorf("the webhook's %s has no id", resource)
	}
	hook.Records = []connectors.Record{r}
	return hook, nil
}

// CompleteWebhook implements [connectors.WebhookCompleter]: a product
// webhook's body is the product as GET products/<id> answers it, with a
// variable product's variations by id only, or a variation (WooCommerce
// sends product.updated for a change of a variation too). Each record is
// made the one a scheduled read gives: a variation's body is replaced by
// its parent product, and a variable product gets its variations whole,
// with optionsByName. A variation whose parent is gone is left out. An
// order flow takes the orders of its order status and date only, as its
// read does. A call at a flow of other records is returned as it is, and
// the engine refuses it.
func (c *Conn) CompleteWebhook(ctx context.Context, req connectors.ReadRequest, hook connectors.Webhook) (connectors.Webhook, error) {
	if hook.Entity == connectors.Order && req.Entity == connectors.Order {
		hook.Records = connectors.KeepMatching(hook.Records, func(order map[string]any) bool {
			return orderMatches(order, req.Options)
		})
		return hook, nil
	}
	if hook.Entity != connectors.Product || req.Entity != connectors.Product {
		return hook, nil
	}
	var out []connectors.Record
	for _, r := range hook.Records {
		if r.Err != nil {
			out = append(out, r)
			continue
		}
		done, ok, err := c.completeProduct(ctx, r.Data)
		if err != nil {
			return hook, err
		}
		if ok {
			out = append(out, done)
		}
	}
	hook.Records = out
	return hook, nil
}

// orderMatches reports whether an order is one the flow's read asks for:
// of its order status, and placed on or after its date (in GMT, as the
// read's after).
func orderMatches(order map[string]any, opts connectors.Config) bool {
	if st := opts.String("order_status"); st != "" && st != "any" && st != rest.LookupString(order, "status") {
		return false
	}
	if from := opts.String("orders_from"); from != "" {
		created := rest.LookupString(order, "date_created_gmt")
		if len(created) >= len(from) && created[:len(from)] < from {
			return false
		}
	}
	return true
}

// completeProduct is the product record of a webhook's product or
// variation, as a read makes it; false when a variation's parent is gone.
func (c *Conn) completeProduct(ctx context.Context, item map[string]any) (connectors.Record, bool, error) {
	if rest.LookupString(item, "type") == "variation" {
		parent := rest.LookupString(item, "parent_id")
		var p map[string]any
		_, err := c.client.DoJSON(ctx, rest.Request{Path: "products/" + url.PathEscape(parent)}, &p)
		var se *rest.StatusError
		switch {
		case errors.As(err, &se) && se.Status == http.StatusNotFound:
			return connectors.Record{}, false, nil
		case err != nil:
			return connectors.Record{}, false, fmt.Errorf("reading product %s, the parent of variation %s: %w", parent, rest.LookupString(item, "sku"), err)
		}
		item = p
	}
	r := connectors.Record{ID: rest.LookupString(item, "id"), Key: rest.LookupString(item, "sku"), Data: item}
	r.Updated, _ = time.Parse(wooTime, rest.LookupString(item, "date_modified_gmt"))
	if rest.LookupString(item, "type") == "variable" {
		vars, err := c.variations(ctx, r.ID)
		if err != nil {
			return connectors.Record{}, false, err
		}
		withOptionsByName(vars)
		item["variations"] = vars
	}
	if r.Key == "" {
		r.Key = r.ID
	}
	return r, true, nil
}

// topics are the webhook topics registered for each entity.
var topics = map[connectors.Entity][]string{
	connectors.Order:    {"order.created", "order.updated"},
	connectors.Product:  {"product.created", "product.updated"},
	connectors.Customer: {"customer.created", "customer.updated"},
}

// RegisterWebhook creates a webhook per topic of the flow's entity, with
// the flow's address and secret; the id is their ids, separated by commas.
func (c *Conn) RegisterWebhook(ctx context.Context, reg connectors.WebhookRegistration) (string, error) {
	list := topics[reg.Entity]
	if len(list) == 0 {
		return "", connectors.Permanent(fmt.Errorf("WooCommerce sends no webhooks for %s records", reg.Entity))
	}
	var ids []string
	for _, topic := range list {
		var answer map[string]any
		body := map[string]any{"name": "Switchboard " + topic, "topic": topic, "delivery_url": reg.URL, "secret": reg.Secret, "status": "active"}
		if _, err := c.client.DoJSON(ctx, rest.Request{Method: http.MethodPost, Path: "webhooks", JSON: body}, &answer); err != nil {
			return strings.Join(ids, ","), fmt.Errorf("registering the webhook for %s: %w", topic, err)
		}
		ids = append(ids, rest.LookupString(answer, "id"))
	}
	return strings.Join(ids, ","), nil
}

// RemoveWebhook deletes the webhooks; one already gone is no error.
func (c *Conn) RemoveWebhook(ctx context.Context, id string) error {
	for _, one := range strings.Split(id, ",") {
		if one == "" {
			continue
		}
		_, err := c.client.Do(ctx, rest.Request{Method: http.MethodDelete, Path: "webhooks/" + url.PathEscape(one), Query: url.Values{"force": {"true"}}})
		var se *rest.StatusError
		if errors.As(err, &se) && (se.Status == http.StatusNotFound || se.Status == http.StatusGone) {
			continue
		}
		if err != nil {
			return fmt.Errorf("removing the webhook %s: %w", one, err)
		}
	}
	return nil
}
