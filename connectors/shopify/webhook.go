package shopify

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
)

// VerifyWebhook checks Shopify's signature: the base64 HMAC-SHA256 of the
// body in X-Shopify-Hmac-Sha256, under the app's client secret (the
// connection's webhook secret), or under the flow's secret when the
// connection has none.
func (c *Conn) VerifyWebhook(req connectors.WebhookRequest) error {
	if c.webhookSecret != "" {
		req.Secret = c.webhookSecret
	}
	_, err := webhookScheme.Verify(req)
	return err
}

// topics are the webhook topics registered for each entity.
var topics = map[connectors.Entity][]string{
	connectors.Order:    {"ORDERS_CREATE", "ORDERS_UPDATED"},
	connectors.Product:  {"PRODUCTS_CREATE", "PRODUCTS_UPDATE"},
	connectors.Stock:    {"INVENTORY_LEVELS_UPDATE"},
	connectors.Customer: {"CUSTOMERS_CREATE", "CUSTOMERS_UPDATE"},
}

// ParseWebhook reads a webhook call: its topic (X-Shopify-Topic) says the
// entity, and its body, the REST form of the record Shopify sends, is
// made the same shape as what the connector reads through GraphQL, so
// that one mapping serves both.
func (c *Conn) ParseWebhook(req connectors.WebhookRequest) (connectors.Webhook, error) {
	if err := connectors.RequireJSON(req.Header); err != nil {
		return connectors.Webhook{}, err
	}
	var body map[string]any
	if err := rest.DecodeJSON(req.Body, &body); err != nil {
		return connectors.Webhook{}, fmt.Errorf("the webhook's body: %w", err)
	}
	topic := req.Header.Get("X-Shopify-Topic")
	hook := connectors.Webhook{DeliveryID: req.Header.Get("X-Shopify-Webhook-Id")}
	if hook.DeliveryID == "" {
		hook.DeliveryID = req.Header.Get("X-Shopify-Event-Id")
	}
	if entity, ok := deleteTopics[topic]; ok {
		hook.Entity = entity
		return hook, nil
	}
	if !recordTopics[topic] {
		return connectors.Webhook{}, fmt.Errorf("webhook topic %q is not one the shopify connector reads (%s; %s are taken and store nothing)",
			topic, topicList(recordTopics), topicList(deleteTopics))
	}
	var node map[string]any
	switch {
	case strings.HasPrefix(topic, "orders/"):
		hook.Entity, node = connectors.Order, orderFromREST(body)
	case strings.HasPrefix(topic, "products/"):
		hook.Entity, node = connectors.Product, productFromREST(body)
		c.learnSKUs(node)
		withOptionsByName(node)
	case strings.HasPrefix(topic, "customers/"):
		hook.Entity, node = connectors.Customer, customerFromREST(body)
	case strings.HasPrefix(topic, "inventory_levels/"):
		hook.Entity = connectors.Stock
		hook.Records = []connectors.Record{c.levelFromREST(body)}
		return hook, nil
	default:
		return connectors.Webhook{}, fmt.Errorf("webhook topic %q is not one the shopify connector reads (orders, products, customers, inventory_levels)", topic)
	}
	key := map[connectors.Entity]string{
		connectors.Order:    strings.TrimPrefix(rest.LookupString(node, "name"), "#"),
		connectors.Product:  productKey(node),
		connectors.Customer: rest.LookupString(node, "email"),
	}[hook.Entity]
	hook.Records = []connectors.Record{record(node, key)}
	return hook, nil
}

// recordTopics are the webhook topics whose body is the record itself.
var recordTopics = map[string]bool{
	"orders/create": true, "orders/updated": true, "orders/paid": true, "orders/cancelled": true,
	"orders/fulfilled": true, "orders/partially_fulfilled": true,
	"products/create": true, "products/update": true,
	"customers/create": true, "customers/update": true, "customers/enable": true, "customers/disable": true,
	"inventory_levels/connect": true, "inventory_levels/update": true,
}

// deleteTopics are the webhook topics that tell of a record gone (by its
// id only): there is nothing to move, and the call is taken with no
// records.
var deleteTopics = map[string]connectors.Entity{
	"orders/delete": connectors.Order, "products/delete": connectors.Product, "customers/delete": connectors.Customer,
	"inventory_levels/disconnect": connectors.Stock,
}

// topicList names the topics of a set, sorted, separated by commas.
func topicList[V any](set map[string]V) string {
	var out []string
	for t := range set {
		out = append(out, t)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// skuCache keeps the SKU of each inventory item the connection has seen,
// because Shopify's inventory webhooks name the item but not its SKU.
type skuCache struct {
	mu   sync.Mutex
	skus map[string]string
}

func (c *Conn) skus() *skuCache {
	return c.shared.Load("shopify/skus", func() any { return &skuCache{skus: map[string]string{}} }).(*skuCache)
}

// learnSKUs notes the SKU of each variant's inventory item of a product.
func (c *Conn) learnSKUs(product map[string]any) {
	cache := c.skus()
	cache.mu.Lock()
	defer cache.mu.Unlock()
	nodes, _ := rest.Lookup(product, "variants.nodes")
	list, _ := nodes.([]any)
	for _, v := range list {
		if item, sku := rest.LookupString(v, "inventoryItem.id"), rest.LookupString(v, "sku"); item != "" && sku != "" {
			cache.skus[item] = sku
		}
	}
}

func (c *Conn) learnSKU(item, sku string) {
	cache := c.skus()
	cache.mu.Lock()
	defer cache.mu.Unlock()
	cache.skus[item] = sku
}

// levelFromREST makes a stock record of an inventory_levels/update call.
// The call names the inventory item, not its SKU: the SKU is the one the
// connection saw the item with in a read or a product webhook; an item it
// has not seen is a record that fails, saying so.
func (c *Conn) levelFromREST(body map[string]any) connectors.Record {
	item := "gid://shopify/InventoryItem/" + rest.LookupString(body, "inventory_item_id")
	loc := "gid://shopify/Location/" + rest.LookupString(body, "location_id")
	cache := c.skus()
	cache.mu.Lock()
	sku := cache.skus[item]
	cache.mu.Unlock()
	node := map[string]any{"id": rest.LookupString(body, "admin_graphql_api_id"), "updatedAt": body["updated_at"],
		"location": map[string]any{"id": loc}, "item": map[string]any{"id": item, "sku": nullable(sku)},
		"quantities": []any{map[string]any{"name": "available", "quantity": body["available"]}}}
	r := record(node, sku)
	if sku == "" {
		r.Key = item
		r.Err = fmt.Errorf("Shopify's inventory webhook names inventory item %s but not its SKU, and this connection has not read that item yet; "+
			"the stock flow's next scheduled read brings its quantity", rest.LookupString(body, "inventory_item_id"))
	}
	return r
}

// RegisterWebhook subscribes the flow's address to its entity's topics;
// the id is the subscriptions' ids, separated by commas. Shopify signs
// with the app's client secret, not the flow's: set the connection's
// webhook secret.
func (c *Conn) RegisterWebhook(ctx context.Context, reg connectors.WebhookRegistration) (string, error) {
	list := topics[reg.Entity]
	if len(list) == 0 {
		return "", connectors.Permanent(fmt.Errorf("Shopify sends no webhooks for %s records", reg.Entity))
	}
	var ids []string
	for _, topic := range list {
		var data struct {
			WebhookSubscriptionCreate struct {
				WebhookSubscription *struct{ ID string } `json:"webhookSubscription"`
				UserErrors          userErrors           `json:"userErrors"`
			} `json:"webhookSubscriptionCreate"`
		}
		vars := map[string]any{"topic": topic, "subscription": map[string]any{"callbackUrl": reg.URL, "format": "JSON"}}
		if err := c.gql.do(ctx, webhookCreateOp, vars, &data); err != nil {
			return strings.Join(ids, ","), fmt.Errorf("registering the webhook for %s: %w", topic, err)
		}
		if err := data.WebhookSubscriptionCreate.UserErrors.err("the webhook for " + topic); err != nil {
			return strings.Join(ids, ","), err
		}
		ids = append(ids, data.WebhookSubscriptionCreate.WebhookSubscription.ID)
	}
	return strings.Join(ids, ","), nil
}

// RemoveWebhook deletes the subscriptions; one already gone is no error.
func (c *Conn) RemoveWebhook(ctx context.Context, id string) error {
	for _, one := range strings.Split(id, ",") {
		if one == "" {
			continue
		}
		var data struct {
			WebhookSubscriptionDelete struct {
				UserErrors userErrors `json:"userErrors"`
			} `json:"webhookSubscriptionDelete"`
		}
		if err := c.gql.do(ctx, webhookDeleteOp, map[string]any{"id": one}, &data); err != nil {
			return fmt.Errorf("removing the webhook %s: %w", one, err)
		}
		for _, e := range data.WebhookSubscriptionDelete.UserErrors {
			if !strings.Contains(e.Message, "does not exist") {
				return data.WebhookSubscriptionDelete.UserErrors.err("removing the webhook " + one)
			}
		}
	}
	return nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// CompleteWebhook implements [connectors.WebhookCompleter]: a call takes
// what the flow's scheduled read would. An order flow takes the orders of
// its order status, payment status and date only. An inventory webhook
// names its level's location by id alone: each stock record gets the
// location's name, as a read gives it, and a flow that names a location
// takes the levels at that location only. A flow that needs no name to
// choose (it names no location, or names it by id) takes its records with
// the location's id alone when the shop's locations cannot be read. The
// records left are returned; calls of other records are returned as they
// are.
func (c *Conn) CompleteWebhook(ctx context.Context, req connectors.ReadRequest, hook connectors.Webhook) (connectors.Webhook, error) {
	if hook.Entity == connectors.Order && req.Entity == connectors.Order {
		hook.Records = connectors.KeepMatching(hook.Records, func(order map[string]any) bool {
			return orderMatches(order, req.Options)
		})
		return hook, nil
	}
	if hook.Entity != connectors.Stock || req.Entity != connectors.Stock || len(hook.Records) == 0 {
		return hook, nil
	}
	want := req.Options.String("location")
	var out []connectors.Record
	for _, r := range hook.Records {
		loc, _ := r.Data["location"].(map[string]any)
		id := rest.LookupString(loc, "id")
		name, err := c.locationName(ctx, id)
		if err != nil && want != "" && want != id {
			return hook, err
		}
		if loc != nil && name != "" {
			loc["name"] = name
		}
		if want == "" || want == id || (name != "" && strings.EqualFold(want, name)) {
			out = append(out, r)
		}
	}
	hook.Records = out
	return hook, nil
}

// locationName is the name of the location with an id, read anew when the
// connection has not seen it yet; "" when the shop has no such active
// location.
func (c *Conn) locationName(ctx context.Context, id string) (string, error) {
	for _, fresh := range []bool{false, true} {
		list, err := c.locations(ctx, fresh)
		if err != nil {
			return "", err
		}
		for _, l := range list {
			if l.ID == id {
				return l.Name, nil
			}
		}
	}
	return "", nil
}

// orderMatches reports whether an order is one the flow's read asks for
// (searchQuery): of its order status (open: neither closed nor
// cancelled), its payment status, and placed on or after its date, in the
// shop's own time as the order's createdAt writes it.
func orderMatches(order map[string]any, opts connectors.Config) bool {
	closed, cancelled := rest.LookupString(order, "closedAt") != "", rest.LookupString(order, "cancelledAt") != ""
	switch opts.String("order_status") {
	case "open":
		if closed || cancelled {
			return false
		}
	case "closed":
		if !closed {
			return false
		}
	case "cancelled":
		if !cancelled {
			return false
		}
	}
	if st := opts.String("financial_status"); st != "" && st != "any" && !strings.EqualFold(st, rest.LookupString(order, "displayFinancialStatus")) {
		return false
	}
	if from := opts.String("orders_from"); from != "" {
		created := rest.LookupString(order, "createdAt")
		if len(created) >= len(from) && created[:len(from)] < from {
			return false
		}
	}
	return true
}
