package woocommerce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

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
