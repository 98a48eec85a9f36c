package shopware

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest/spectest"
	"github.com/switchboard-app/switchboard/connectors/shopware/shopwaretest"
)

// appSecret is the secret the shop signs its app's webhooks with.
const appSecret = "shop-secret-from-the-app-registration-7f3a"

// appEvent is an app webhook's body as Shopware sends it.
func appEvent(event, eventID, payload string) string {
	source := `{"url": "https://shop.example", "appVersion": "1.0.0", "shopId": "dgrH7nLU6tlE"` + eventID + `}`
	return `{"data": {"payload": ` + payload + `, "event": "` + event + `"}, "source": ` + source + `, "timestamp": 1740823200}`
}

func written(entity, op string, ids ...string) string {
	var entries []string
	for _, id := range ids {
		entries = append(entries, `{"entity": "`+entity+`", "operation": "`+op+`", "primaryKey": "`+id+`", "updatedFields": ["stock"], "versionId": "0fa91ce3e96a4bc2be4bd9ce752c3425"}`)
	}
	return "[" + strings.Join(entries, ", ") + "]"
}

// signedCall is a call signed as Shopware signs it, with the flow's secret.
func signedCall(secret, body string) connectors.WebhookRequest {
	h := http.Header{"Content-Type": {"application/json"}}
	h.Set("shopware-shop-signature", webhookScheme.Sign(secret, time.Now(), []byte(body)))
	return connectors.WebhookRequest{Header: h, Body: []byte(body), Secret: appSecret}
}

// TestVerifyAndParseWebhooks: the signature is the hex HMAC-SHA256 of the
// body under the app's secret; written events give the ids they name,
// deletes nothing, and an event the connector does not take is refused.
func TestVerifyAndParseWebhooks(t *testing.T) {
	productID := shopwaretest.ID("p-CBL-3M")
	good := appEvent("product.written", `, "eventId": "e-1"`, written("product", "update", productID, productID))
	changed := signedCall(appSecret, good)
	changed.Body = []byte(strings.Replace(good, productID, shopwaretest.ID("p-other"), 1))
	unsigned := signedCall(appSecret, good)
	unsigned.Header.Del("shopware-shop-signature")
	headerID := signedCall(appSecret, appEvent("order.written", "", written("order", "insert", "o-1")))
	headerID.Header.Set(EventIDHeader, "e-from-header")
	notJSON := signedCall(appSecret, good)
	notJSON.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, tc := range []struct {
		name      string
		req       connectors.WebhookRequest
		verifyErr string
		parseErr  string
		entity    connectors.Entity
		ids       string
		delivery  string
	}{
		{name: "a good signature", req: signedCall(appSecret, good), entity: connectors.Product, ids: productID, delivery: "e-1"},
		{name: "a wrong secret", req: signedCall("another-secret", good), verifyErr: "signature does not match"},
		{name: "a missing header", req: unsigned, verifyErr: "missing shopware-shop-signature header"},
		{name: "a body changed after signing", req: changed, verifyErr: "signature does not match"},
		{name: "an event id in the header", req: headerID, entity: connectors.Order, ids: "o-1", delivery: "e-from-header"},
		{name: "an unknown event", req: signedCall(appSecret, appEvent("mail_template.written", `, "eventId": "e-2"`, written("mail_template", "update", "m-1"))),
			parseErr: `Shopware event "mail_template.written" is not one the shopware connector takes`},
		{name: "a delete in a written event", req: signedCall(appSecret, appEvent("product.written", `, "eventId": "e-3"`, written("product", "delete", productID))),
			entity: connectors.Product, delivery: "e-3"},
		{name: "a deleted event", req: signedCall(appSecret, appEvent("customer.deleted", `, "eventId": "e-4"`, written("customer", "delete", "c-1"))),
			entity: connectors.Customer, delivery: "e-4"},
		{name: "a warehouse's stock", req: signedCall(appSecret, appEvent("product_warehouse.written", `, "eventId": "e-5"`, written("product_warehouse", "update", "pw-1"))),
			entity: connectors.Stock, ids: "pw-1", delivery: "e-5"},
		{name: "a payload that is not a list", req: signedCall(appSecret, appEvent("product.written", "", `{"id": "x"}`)),
			parseErr: "the product.written event's data.payload is an object, not a list"},
		{name: "not JSON", req: notJSON, parseErr: "the content type is not JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Conn{}
			err := c.VerifyWebhook(tc.req)
			if tc.verifyErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.verifyErr) {
					t.Fatalf("VerifyWebhook = %v, want %q", err, tc.verifyErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("VerifyWebhook: %v", err)
			}
			hook, err := c.ParseWebhook(tc.req)
			if tc.parseErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.parseErr) {
					t.Fatalf("ParseWebhook = %+v, %v; want %q", hook, err, tc.parseErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range hook.Records {
				ids = append(ids, r.ID)
			}
			if hook.Entity != tc.entity || strings.Join(ids, ",") != tc.ids || hook.DeliveryID != tc.delivery {
				t.Fatalf("hook %s %q delivery %q; want %s %q delivery %q", hook.Entity, ids, hook.DeliveryID, tc.entity, tc.ids, tc.delivery)
			}
		})
	}
}

// TestCompleteWebhooks: the ids an event names are fetched with one
// search, as the flow's scheduled read yields them: with its
// associations, its order states and its warehouse.
func TestCompleteWebhooks(t *testing.T) {
	shop := shopwaretest.New(t)
	cable := shop.AddProduct("CBL-3M", "Speaker cable 3 m", 7)
	lamp := shop.AddProduct("LMP-1", "Desk lamp", 2)
	shop.Add(shopwaretest.Warehouses, map[string]any{"id": shopwaretest.ID("wh-tilburg"), "name": "Tilburg"})
	shop.Add(shopwaretest.ProductWarehouses, map[string]any{"id": shopwaretest.ID("pw-1"), "productId": cable["id"],
		"warehouseId": shopwaretest.ID("wh-tilburg"), "stock": 40})
	open1, cancelled := anOrder(t, 1, "open", "2025-01-02T10:00:00.000+00:00"), anOrder(t, 2, "cancelled", "2025-01-03T10:00:00.000+00:00")
	shop.Add(shopwaretest.Orders, open1)
	shop.Add(shopwaretest.Orders, cancelled)
	c := open(t, shop)
	gone := shopwaretest.ID("p-gone")
	for _, tc := range []struct {
		name   string
		event  string
		flow   connectors.Entity
		opts   map[string]any
		entity connectors.Entity
		keys   string
	}{
		{"products", appEvent("product.written", "", written("product", "update", cable["id"].(string), gone, lamp["id"].(string))),
			connectors.Product, nil, connectors.Product, "CBL-3M,LMP-1"},
		{"a product's stock", appEvent("product.written", "", written("product", "update", lamp["id"].(string))),
			connectors.Stock, nil, connectors.Stock, "LMP-1"},
		{"a product's stock in a warehouse", appEvent("product.written", "", written("product", "update", cable["id"].(string), lamp["id"].(string))),
			connectors.Stock, map[string]any{"warehouse": "Tilburg"}, connectors.Stock, "CBL-3M"},
		{"a warehouse's stock", appEvent("product_warehouse.written", "", written("product_warehouse", "update", shopwaretest.ID("pw-1"))),
			connectors.Stock, map[string]any{"warehouse": "Tilburg"}, connectors.Stock, "CBL-3M"},
		{"a warehouse's stock at a flow of the products' own", appEvent("product_warehouse.written", "", written("product_warehouse", "update", shopwaretest.ID("pw-1"))),
			connectors.Stock, nil, connectors.Stock, ""},
		{"orders of the flow's states", appEvent("order.written", "", written("order", "update", open1["id"].(string), cancelled["id"].(string))),
			connectors.Order, nil, connectors.Order, "1"},
		{"products at an order flow", appEvent("product.written", "", written("product", "update", lamp["id"].(string))),
			connectors.Order, nil, connectors.Product, lamp["id"].(string)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hook, err := c.ParseWebhook(signedCall(appSecret, tc.event))
			if err != nil {
				t.Fatal(err)
			}
			req := connectors.ReadRequest{Entity: tc.flow, Options: options(t, connectors.UseRead, tc.opts)}
			hook, err = c.CompleteWebhook(ctx(t), req, hook)
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, r := range hook.Records {
				keys = append(keys, r.Key)
			}
			if hook.Entity != tc.entity || strings.Join(keys, ",") != tc.keys {
				t.Fatalf("completed to %s %q, want %s %q", hook.Entity, keys, tc.entity, tc.keys)
			}
		})
	}
}

// TestCompletedRecordsAreTheReadsRecords: a product fetched for a webhook
// is the record a scheduled read yields, with its tax association, so
// that the default mapping applies.
func TestCompletedRecordsAreTheReadsRecords(t *testing.T) {
	shop := shopwaretest.New(t)
	cable := shop.AddProduct("CBL-3M", "Speaker cable 3 m", 7)
	c := open(t, shop)
	req := connectors.ReadRequest{Entity: connectors.Product, Options: options(t, connectors.UseRead, nil)}
	stream, err := c.Read(ctx(t), req)
	if err != nil {
		t.Fatal(err)
	}
	page, err := stream.Next(ctx(t))
	if err != nil || len(page.Records) != 1 {
		t.Fatalf("read %+v, %v", page, err)
	}
	hook, _ := c.ParseWebhook(signedCall(appSecret, appEvent("product.written", "", written("product", "insert", cable["id"].(string)))))
	hook, err = c.CompleteWebhook(ctx(t), req, hook)
	if err != nil || len(hook.Records) != 1 {
		t.Fatalf("completed %+v, %v", hook, err)
	}
	got, want := hook.Records[0], page.Records[0]
	if got.ID != want.ID || got.Key != want.Key || !got.Updated.Equal(want.Updated) || !reflect.DeepEqual(got.Data, want.Data) {
		t.Fatalf("the webhook's record\n%+v\nis not the read's\n%+v", got, want)
	}
	if got.Data["tax"] == nil {
		t.Fatal("the record lacks its tax association")
	}
}

// TestAFailedFetchIsAnError: when the shop does not answer the search,
// the completion fails, so that the engine asks Shopware to send again.
func TestAFailedFetchIsAnError(t *testing.T) {
	shop := shopwaretest.New(t)
	cable := shop.AddProduct("CBL-3M", "Speaker cable 3 m", 7)
	shop.Handle("POST /search/product", func(*spectest.Call) spectest.Reply {
		return spectest.JSON(http.StatusServiceUnavailable, map[string]any{"errors": []any{map[string]any{"status": "503", "title": "Service Unavailable"}}})
	})
	c := open(t, shop)
	hook, _ := c.ParseWebhook(signedCall(appSecret, appEvent("product.written", "", written("product", "update", cable["id"].(string)))))
	_, err := c.CompleteWebhook(ctx(t), connectors.ReadRequest{Entity: connectors.Product, Options: options(t, connectors.UseRead, nil)}, hook)
	if err == nil || !strings.Contains(err.Error(), "fetching the product records the webhook names") {
		t.Fatalf("CompleteWebhook = %v, want the failed fetch", err)
	}
}

// TestWebhooksAreNotRegisteredByAPI: Shopware takes app webhooks from the
// app's manifest.
func TestWebhooksAreNotRegisteredByAPI(t *testing.T) {
	c := &Conn{}
	if _, err := c.RegisterWebhook(ctx(t), connectors.WebhookRegistration{Entity: connectors.Product}); !errors.Is(err, connectors.ErrNoWebhookAPI) {
		t.Fatalf("RegisterWebhook = %v, want ErrNoWebhookAPI", err)
	}
	if err := c.RemoveWebhook(ctx(t), "x"); !errors.Is(err, connectors.ErrNoWebhookAPI) {
		t.Fatalf("RemoveWebhook = %v, want ErrNoWebhookAPI", err)
	}
}

// TestTheConnectionsAppSecretSigns: with the connection's app secret set,
// calls are checked against it, whatever the flow's own secret.
func TestTheConnectionsAppSecretSigns(t *testing.T) {
	shop := shopwaretest.New(t)
	secrets := shop.Secrets()
	secrets["webhook_secret"] = "the-apps-shop-secret-91c2"
	cfg, err := Spec.ResolveAndValidate(shop.Config(), secrets, env)
	if err != nil {
		t.Fatal(err)
	}
	conn, _ := New(cfg, env)
	c := conn.(*Conn)
	body := appEvent("product.written", "", written("product", "update", "p-1"))
	if err := c.VerifyWebhook(signedCall("the-apps-shop-secret-91c2", body)); err != nil {
		t.Fatalf("a call signed with the connection's app secret was refused: %v", err)
	}
	if err := c.VerifyWebhook(signedCall(appSecret, body)); err == nil {
		t.Fatal("a call signed with the flow's secret was taken while the connection names the app's")
	}
}
