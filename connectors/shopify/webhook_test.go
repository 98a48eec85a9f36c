package shopify

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/shopify/fake"
)

// restOrder is an orders/create webhook's body, from Shopify's example.
const restOrder = `{"id": 820982911946154508, "admin_graphql_api_id": "gid://shopify/Order/820982911946154508",
 "name": "#1001", "email": "jon@example.com", "created_at": "2025-03-14T10:21:05+01:00", "updated_at": "2025-03-14T10:25:40+01:00",
 "processed_at": "2025-03-14T10:21:05+01:00", "currency": "EUR", "financial_status": "paid", "fulfillment_status": null,
 "taxes_included": true, "source_name": "web", "payment_gateway_names": ["mollie_ideal"], "discount_codes": [{"code": "SPRING10", "amount": "29.80"}],
 "customer": {"id": 115310627314723954, "admin_graphql_api_id": "gid://shopify/Customer/115310627314723954", "email": "jon@example.com", "first_name": "Jon", "last_name": "Snow"},
 "shipping_address": {"first_name": "Jon", "last_name": "Snow", "name": "Jon Snow", "address1": "Keizersgracht 123", "city": "Amsterdam", "zip": "1015 CJ", "country_code": "NL"},
 "line_items": [{"id": 866550311766439020, "admin_graphql_api_id": "gid://shopify/LineItem/866550311766439020", "sku": "SPK-200-BLK",
   "name": "Bookshelf speaker - Black", "title": "Bookshelf speaker", "quantity": 2, "price": "149.00", "total_discount": "29.80",
   "price_set": {"shop_money": {"amount": "149.00", "currency_code": "EUR"}}, "total_discount_set": {"shop_money": {"amount": "29.80", "currency_code": "EUR"}},
   "tax_lines": [{"title": "BTW", "rate": 0.21, "price": "46.55", "price_set": {"shop_money": {"amount": "46.55", "currency_code": "EUR"}}}]}],
 "shipping_lines": [{"title": "Standard Shipping", "code": "standard", "price_set": {"shop_money": {"amount": "6.95", "currency_code": "EUR"}}}],
 "subtotal_price_set": {"shop_money": {"amount": "281.15", "currency_code": "EUR"}}, "total_discounts_set": {"shop_money": {"amount": "29.80", "currency_code": "EUR"}},
 "total_shipping_price_set": {"shop_money": {"amount": "6.95", "currency_code": "EUR"}}, "total_tax_set": {"shop_money": {"amount": "50.00", "currency_code": "EUR"}},
 "total_price_set": {"shop_money": {"amount": "288.10", "currency_code": "EUR"}}}`

func signed(secret, topic, body string) connectors.WebhookRequest {
	h := http.Header{"Content-Type": {"application/json"}, "X-Shopify-Topic": {topic}, "X-Shopify-Webhook-Id": {"d4c1e9b6-1"}}
	h.Set("X-Shopify-Hmac-Sha256", webhookScheme.Sign(secret, time.Now(), []byte(body)))
	return connectors.WebhookRequest{Header: h, Body: []byte(body), Secret: "the-flows-own-secret"}
}

func TestWebhookSignedWithTheAppsSecret(t *testing.T) {
	s := newShop(t, fake.Options{})
	cfg, err := Spec.ResolveAndValidate(s.config(), map[string]string{"access_token": testToken, "webhook_secret": "app-client-secret"}, connectors.Env{})
	if err != nil {
		t.Fatal(err)
	}
	conn, _ := New(cfg, testEnv())
	c := conn.(*Conn)
	if err := c.VerifyWebhook(signed("app-client-secret", "orders/create", restOrder)); err != nil {
		t.Fatalf("a call signed with the app's secret was refused: %v", err)
	}
	if err := c.VerifyWebhook(signed("the-flows-own-secret", "orders/create", restOrder)); err == nil {
		t.Fatal("a call signed with another secret than the app's was taken")
	}
}

// TestOrderWebhookIsShapedAsARead: the REST body of an orders/create
// call comes out in the GraphQL shape the order mapping reads.
func TestOrderWebhookIsShapedAsARead(t *testing.T) {
	s := newShop(t, fake.Options{})
	hook, err := s.open(t).ParseWebhook(signed("x", "orders/create", restOrder))
	if err != nil {
		t.Fatal(err)
	}
	if hook.Entity != connectors.Order || hook.DeliveryID != "d4c1e9b6-1" || len(hook.Records) != 1 || hook.Records[0].Key != "1001" {
		t.Fatalf("hook %+v", hook)
	}
	o := hook.Records[0].Data
	line := o["lineItems"].(map[string]any)["nodes"].([]any)[0].(map[string]any)
	checks := map[string]any{
		"id": o["id"], "displayFinancialStatus": o["displayFinancialStatus"], "discountCodes": o["discountCodes"],
		"country": o["shippingAddress"].(map[string]any)["countryCodeV2"], "discounted": line["discountedUnitPriceSet"].(map[string]any)["shopMoney"].(map[string]any)["amount"],
		"rate": line["taxLines"].([]any)[0].(map[string]any)["ratePercentage"], "total": o["totalPriceSet"].(map[string]any)["shopMoney"].(map[string]any)["amount"],
	}
	want := map[string]any{"id": "gid://shopify/Order/820982911946154508", "displayFinancialStatus": "PAID", "discountCodes": "[SPRING10]",
		"country": "NL", "discounted": "134.10", "rate": "21.00", "total": "288.10"}
	for k, w := range want {
		if got := strings.Trim(strings.ReplaceAll(fmtAny(checks[k]), " ", ""), ""); got != w {
			t.Errorf("%s = %s, want %s", k, got, w)
		}
	}
}

// TestInventoryWebhookFindsTheSKU: Shopify's inventory_levels/update names
// the item; the SKU comes from what the connection has read, and an item
// it has not read fails with the reason.
func TestInventoryWebhookFindsTheSKU(t *testing.T) {
	s := newShop(t, fake.Options{})
	s.AddProduct(fake.Product{Title: "Cable", Variants: []*fake.Variant{{SKU: "CBL-3M", Price: "12.95"}}})
	c := s.open(t)
	stock, _ := readAll(t, c, connectors.Stock, "", options(t, connectors.UseRead, nil))
	item := stock[0].Data["item"].(map[string]any)["id"].(string)
	number := item[strings.LastIndex(item, "/")+1:]
	body := `{"inventory_item_id": ` + number + `, "location_id": 905684977, "available": 6, "updated_at": "2025-03-14T10:25:40+01:00", "admin_graphql_api_id": "gid://shopify/InventoryLevel/905684977?inventory_item_id=` + number + `"}`
	hook, err := c.ParseWebhook(signed("x", "inventory_levels/update", body))
	if err != nil || hook.Entity != connectors.Stock || hook.Records[0].Key != "CBL-3M" || hook.Records[0].Err != nil {
		t.Fatalf("hook %+v, %v", hook, err)
	}
	unknown := strings.ReplaceAll(body, number, "4242")
	hook, _ = c.ParseWebhook(signed("x", "inventory_levels/update", unknown))
	if hook.Records[0].Err == nil || !strings.Contains(hook.Records[0].Err.Error(), "inventory item 4242") {
		t.Fatalf("an unknown item gave %+v", hook.Records[0])
	}
}

func TestRegisterAndRemoveWebhooks(t *testing.T) {
	s := newShop(t, fake.Options{})
	c := s.open(t)
	id, err := c.RegisterWebhook(ctx(t), connectors.WebhookRegistration{Entity: connectors.Order, URL: "https://sb.example.com/hooks/f1", Secret: "x"})
	if err != nil || strings.Count(id, ",") != 1 {
		t.Fatalf("RegisterWebhook = %q, %v; want two subscriptions", id, err)
	}
	if err := c.RemoveWebhook(ctx(t), id); err != nil {
		t.Fatal(err)
	}
	if err := c.RemoveWebhook(ctx(t), id); err != nil {
		t.Fatalf("removing subscriptions already gone: %v", err)
	}
}

func TestConnectWithOAuth2(t *testing.T) {
	s := newShop(t, fake.Options{ClientID: "app-client", ClientSecret: "app-client-secret-value"})
	cfg := map[string]any{"shop": s.url, "auth": "oauth2", "oauth_client_id": "app-client"}
	resolved, err := Spec.ResolveAndValidate(cfg, map[string]string{"oauth_client_secret": "app-client-secret-value"}, connectors.Env{})
	if err != nil {
		t.Fatal(err)
	}
	conn, _ := New(resolved, testEnv())
	c := conn.(*Conn)
	authURL, verifier, err := c.AuthCodeURL("https://sb.example.com/api/switchboard/oauth/callback", "state-1")
	if err != nil || !strings.HasPrefix(authURL, s.url+"/admin/oauth/authorize?") {
		t.Fatalf("AuthCodeURL = %q, %v", authURL, err)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	back, _ := url.Parse(res.Header.Get("Location"))
	secrets, err := c.ExchangeCode(context.Background(), "https://sb.example.com/api/switchboard/oauth/callback", back.Query().Get("code"), verifier)
	if err != nil {
		t.Fatal(err)
	}
	secrets["oauth_client_secret"] = "app-client-secret-value"
	resolved, _ = Spec.ResolveAndValidate(cfg, secrets, connectors.Env{})
	connected, _ := New(resolved, testEnv())
	verdict, _ := connected.Test(ctx(t))
	if !verdict.OK || verdict.Message != "connected as Demo Shop (demo.myshopify.com)" {
		t.Fatalf("Test after connecting = %+v", verdict)
	}
}

func TestVerdictOfAWrongToken(t *testing.T) {
	s := newShop(t, fake.Options{})
	cfg, _ := Spec.ResolveAndValidate(s.config(), map[string]string{"access_token": "shpat_wrong_one"}, connectors.Env{})
	c, _ := New(cfg, testEnv())
	verdict, _ := c.Test(ctx(t))
	if verdict.OK || !strings.HasPrefix(verdict.Message, "login refused: POST /admin/api/2025-01/graphql.json: 401 Unauthorized: [API] Invalid API key") {
		t.Fatalf("Test = %+v", verdict)
	}
}

func TestConfigIsChecked(t *testing.T) {
	tests := []struct {
		cfg     map[string]any
		secrets map[string]string
		field   string
	}{
		{map[string]any{"shop": "your-store"}, map[string]string{"access_token": "x"}, "shop"},
		{map[string]any{"shop": "https://your-store.myshopify.com/admin"}, map[string]string{"access_token": "x"}, "shop"},
		{map[string]any{"shop": "https://your-store.myshopify.com"}, nil, "access_token"},
		{map[string]any{"shop": "https://your-store.myshopify.com", "auth": "oauth2"}, nil, "oauth_client_id"},
	}
	for _, tt := range tests {
		_, err := Spec.ResolveAndValidate(tt.cfg, tt.secrets, connectors.Env{})
		var ve *connectors.ValidationError
		if !errorsAs(err, &ve) || ve.Fields[tt.field] == "" {
			t.Errorf("config %v: got %v, want an error on %s", tt.cfg, err, tt.field)
		}
	}
	_, err := Spec.ResolveAndValidateFlow(connectors.UseRead, map[string]any{"orders_from": "14-03-2025"}, connectors.Config{}, connectors.Env{})
	if err == nil || !strings.Contains(err.Error(), "orders_from") {
		t.Errorf("a date not as YYYY-MM-DD was taken: %v", err)
	}
	_, err = Spec.ResolveAndValidateFlow(connectors.UseWrite, map[string]any{"update_fields": "price"}, connectors.Config{}, connectors.Env{})
	if err == nil || !strings.Contains(err.Error(), `unknown field "price"`) {
		t.Errorf("an unknown update field was taken: %v", err)
	}
}

// TestWebhooksThatCarryNoRecord: a delete names the record by its id only,
// and other topics of an entity carry something else than the record
// (an order edit, a merge); none of them is taken as a record of the
// flow's entity, which would move an empty record on. Deletes are taken
// with nothing to store; the others are refused, naming their topic.
func TestWebhooksThatCarryNoRecord(t *testing.T) {
	c := newShop(t, fake.Options{}).open(t)
	for _, tc := range []struct {
		topic, body string
		refused     bool
	}{
		{"orders/delete", `{"id": 820982911946154508}`, false},
		{"products/delete", `{"id": 788032119674292922}`, false},
		{"customers/delete", `{"id": 706405506930370084, "phone": null, "addresses": [], "tax_exemptions": [], "email_marketing_consent": null, "admin_graphql_api_id": "gid://shopify/Customer/706405506930370084"}`, false},
		{"inventory_levels/disconnect", `{"inventory_item_id": 271878346596884015, "location_id": 24826418}`, false},
		{"orders/edited", `{"order_edit": {"id": 78912328, "app_id": null, "created_at": "2025-03-14T10:21:05+01:00", "notify_customer": false, "order_id": 450789469}}`, true},
		{"orders/risk_assessment_changed", `{"provider_id": null, "provider_title": null, "risk_level": "high", "order_id": 450789469}`, true},
		{"customers/merge", `{"admin_graphql_api_customer_kept_id": "gid://shopify/Customer/1", "admin_graphql_api_customer_deleted_id": "gid://shopify/Customer/2"}`, true},
	} {
		hook, err := c.ParseWebhook(signed("x", tc.topic, tc.body))
		switch {
		case tc.refused && (err == nil || !strings.Contains(err.Error(), tc.topic)):
			t.Errorf("%s: ParseWebhook = %+v, %v; want it refused, naming the topic", tc.topic, hook, err)
		case !tc.refused && (err != nil || len(hook.Records) != 0):
			t.Errorf("%s: ParseWebhook = %+v, %v; want no records", tc.topic, hook, err)
		}
	}
	for _, topic := range []string{"orders/create", "orders/updated", "orders/paid", "orders/cancelled", "orders/fulfilled", "orders/partially_fulfilled"} {
		if hook, err := c.ParseWebhook(signed("x", topic, restOrder)); err != nil || len(hook.Records) != 1 || hook.Records[0].Key != "1001" {
			t.Errorf("%s: ParseWebhook = %+v, %v; want the order", topic, hook, err)
		}
	}
}

// TestOrderWebhookShipsEveryShippingLine: an order webhook with two
// shipping lines gives the summary of all shipping costs a read's
// shippingLine gives, not the first line's cost alone.
func TestOrderWebhookShipsEveryShippingLine(t *testing.T) {
	s := newShop(t, fake.Options{})
	body := strings.Replace(restOrder, `"shipping_lines": [{"title": "Standard Shipping", "code": "standard", "price_set": {"shop_money": {"amount": "6.95", "currency_code": "EUR"}}}]`,
		`"shipping_lines": [{"title": "Standard Shipping", "code": "standard", "price_set": {"shop_money": {"amount": "6.95", "currency_code": "EUR"}}},
		 {"title": "Bulky goods", "code": "bulky", "price_set": {"shop_money": {"amount": "10.05", "currency_code": "EUR"}}}]`, 1)
	hook, err := s.open(t).ParseWebhook(signed("x", "orders/create", body))
	if err != nil {
		t.Fatal(err)
	}
	line, _ := hook.Records[0].Data["shippingLine"].(map[string]any)
	if got := fmtAny(line["originalPriceSet"].(map[string]any)["shopMoney"].(map[string]any)["amount"]); got != "17.00" {
		t.Errorf("shipping costs %s, want 17.00 (both lines)", got)
	}
	if line["title"] != "Standard Shipping" {
		t.Errorf("shipping line %v", line)
	}
}

// TestInventoryWebhookAtTheFlowsLocation: a stock flow at one location
// takes an inventory webhook of that location only, as its read does,
// with the location's name; a level at another location was taken as
// the flow's stock of the SKU.
func TestInventoryWebhookAtTheFlowsLocation(t *testing.T) {
	s := newShop(t, fake.Options{})
	floor := s.AddLocation("Shop floor")
	s.AddProduct(fake.Product{Title: "Cable", Variants: []*fake.Variant{{SKU: "CBL-3M", Price: "12.95"}}})
	c := s.open(t)
	stock, _ := readAll(t, c, connectors.Stock, "", options(t, connectors.UseRead, nil))
	item := stock[0].Data["item"].(map[string]any)["id"].(string)
	number := item[strings.LastIndex(item, "/")+1:]
	level := func(loc string) connectors.WebhookRequest {
		locNumber := loc[strings.LastIndex(loc, "/")+1:]
		return signed("x", "inventory_levels/update", `{"inventory_item_id": `+number+`, "location_id": `+locNumber+`, "available": 6, "updated_at": "2025-03-14T10:25:40+01:00"}`)
	}
	for _, tc := range []struct {
		flowAt, levelAt string
		want            string // the location of the record taken, "" for none
	}{
		{"Shop floor", floor, "Shop floor"},
		{"shop floor", floor, "Shop floor"},
		{floor, floor, "Shop floor"},
		{"Shop floor", s.location, ""},
		{"", s.location, "Warehouse Amsterdam"},
		{"", floor, "Shop floor"},
	} {
		hook, err := c.ParseWebhook(level(tc.levelAt))
		if err != nil {
			t.Fatal(err)
		}
		req := connectors.ReadRequest{Entity: connectors.Stock, Options: options(t, connectors.UseRead, map[string]any{"location": tc.flowAt})}
		hook, err = c.CompleteWebhook(ctx(t), req, hook)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if len(hook.Records) == 1 {
			got = fmtAny(hook.Records[0].Data["location"].(map[string]any)["name"])
		}
		if len(hook.Records) > 1 || got != tc.want {
			t.Errorf("a flow at %q took a level at %s as %v; want %q", tc.flowAt, tc.levelAt, hook.Records, tc.want)
		}
	}
}

// TestOrderWebhookKeepsDiscountAllocations: a REST line's
// discount_allocations (an order-level discount's share, which its
// total_discount leaves out) become the discountAllocations a read gives.
func TestOrderWebhookKeepsDiscountAllocations(t *testing.T) {
	s := newShop(t, fake.Options{})
	body := strings.Replace(restOrder, `"total_discount": "29.80",`,
		`"total_discount": "0.00", "discount_allocations": [{"amount": "29.80", "amount_set": {"shop_money": {"amount": "29.80", "currency_code": "EUR"}}, "discount_application_index": 0}],`, 1)
	hook, err := s.open(t).ParseWebhook(signed("x", "orders/create", body))
	if err != nil {
		t.Fatal(err)
	}
	line := hook.Records[0].Data["lineItems"].(map[string]any)["nodes"].([]any)[0].(map[string]any)
	if got := fmtAny(line["discountAllocations"]); got != "[map[allocatedAmountSet:map[shopMoney:map[amount:29.80 currencyCode:EUR]]]]" {
		t.Errorf("discountAllocations %s", got)
	}
}

// TestOrderWebhookAtTheFlowsFilters: an order flow that reads only some
// orders (paid ones, open ones, those from a date) takes the order
// webhooks of those orders only, as its read does; it took every order
// Shopify told of, unpaid ones into a flow of paid orders.
func TestOrderWebhookAtTheFlowsFilters(t *testing.T) {
	s := newShop(t, fake.Options{})
	c := s.open(t)
	for _, tc := range []struct {
		options map[string]any
		edit    func(string) string
		taken   bool
	}{
		{nil, nil, true},
		{map[string]any{"financial_status": "paid"}, nil, true},
		{map[string]any{"financial_status": "paid"}, func(b string) string {
			return strings.Replace(b, `"financial_status": "paid"`, `"financial_status": "pending"`, 1)
		}, false},
		{map[string]any{"financial_status": "partially_refunded"}, func(b string) string {
			return strings.Replace(b, `"financial_status": "paid"`, `"financial_status": "partially_refunded"`, 1)
		}, true},
		{map[string]any{"order_status": "open"}, nil, true},
		{map[string]any{"order_status": "cancelled"}, nil, false},
		{map[string]any{"order_status": "open"}, func(b string) string {
			return strings.Replace(b, `"fulfillment_status": null,`, `"fulfillment_status": null, "cancelled_at": "2025-03-15T09:00:00+01:00", "closed_at": "2025-03-15T09:00:00+01:00",`, 1)
		}, false},
		{map[string]any{"order_status": "closed"}, func(b string) string {
			return strings.Replace(b, `"fulfillment_status": null,`, `"fulfillment_status": null, "closed_at": "2025-03-15T09:00:00+01:00",`, 1)
		}, true},
		{map[string]any{"orders_from": "2025-03-14"}, nil, true},
		{map[string]any{"orders_from": "2025-03-15"}, nil, false},
	} {
		body := restOrder
		if tc.edit != nil {
			body = tc.edit(body)
		}
		hook, err := c.ParseWebhook(signed("x", "orders/updated", body))
		if err != nil {
			t.Fatal(err)
		}
		req := connectors.ReadRequest{Entity: connectors.Order, Options: options(t, connectors.UseRead, tc.options)}
		hook, err = c.CompleteWebhook(ctx(t), req, hook)
		if err != nil {
			t.Fatal(err)
		}
		if taken := len(hook.Records) == 1; taken != tc.taken {
			t.Errorf("a flow with %v took the order: %v, want %v", tc.options, taken, tc.taken)
		}
	}
}

// TestProductWebhookKeyAsARead: a product webhook's record has the key a
// read gives it: its first variant's SKU, or its handle when it has none.
func TestProductWebhookKeyAsARead(t *testing.T) {
	s := newShop(t, fake.Options{})
	c := s.open(t)
	for _, tc := range []struct{ sku, want string }{{"TSH-S", "TSH-S"}, {"", "gift-wrap"}} {
		body := `{"id": 632910392, "admin_graphql_api_id": "gid://shopify/Product/632910392", "title": "Gift wrap", "handle": "gift-wrap",
 "status": "active", "tags": "", "created_at": "2025-03-14T10:21:05+01:00", "updated_at": "2025-03-14T10:25:40+01:00",
 "options": [{"name": "Title", "values": ["Default Title"]}],
 "variants": [{"id": 808950810, "admin_graphql_api_id": "gid://shopify/ProductVariant/808950810", "sku": "` + tc.sku + `", "title": "Default Title",
   "price": "2.50", "option1": "Default Title", "inventory_item_id": 39072856, "inventory_quantity": 0}]}`
		hook, err := c.ParseWebhook(signed("x", "products/update", body))
		if err != nil {
			t.Fatal(err)
		}
		if len(hook.Records) != 1 || hook.Records[0].Key != tc.want {
			t.Errorf("SKU %q: records %+v; want the key %q", tc.sku, hook.Records, tc.want)
		}
	}
}
