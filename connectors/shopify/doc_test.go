package shopify

import (
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/internal/docgen"
)

// docPage is the connector's documentation page.
var docPage = docgen.Page{
	Spec: Spec, App: "Shopify",
	Reads: map[connectors.Entity]string{
		connectors.Order:    "`orders`, changed since the last run, with their lines (an order of more than 20 lines is completed with further queries) as they are now, after edits and refunds (`currentQuantity`, the `current*` totals); webhooks `ORDERS_CREATE`, `ORDERS_UPDATED`",
		connectors.Customer: "`customers`, changed since the last run; webhooks `CUSTOMERS_CREATE`, `CUSTOMERS_UPDATE`",
		connectors.Product:  "`products` with their variants, changed since the last run; webhooks `PRODUCTS_CREATE`, `PRODUCTS_UPDATE`",
		connectors.Stock:    "`inventoryItems` with their inventory levels: one record per SKU and location (items without an SKU are left out; the levels of an item at more than ten locations are read whole with further queries); webhook `INVENTORY_LEVELS_UPDATE`",
	},
	Writes: map[connectors.Entity]string{
		connectors.Product:  "`productSet` (create, or update with its variants), `productUpdate` (an update that may not change variants)",
		connectors.Stock:    "`inventorySetQuantities` (the `available` quantity, reason `correction`)",
		connectors.Shipment: "`fulfillmentCreate` with tracking, `fulfillmentTrackingInfoUpdate`",
	},
	Setup: "The connector speaks the Admin GraphQL API, version 2025-01 (`POST https://<store>.myshopify.com/admin/api/2025-01/graphql.json`). " +
		"For one store, make a custom app in the store's admin (Settings > Apps and sales channels > Develop apps), give it the Admin API " +
		"scopes the flows need, install it, and copy its Admin API access token (`shpat_…`) into `access_token`. For an app of your own, " +
		"choose `oauth2`, give its client id and secret, register `https://<your Switchboard>/api/switchboard/oauth/callback` as its " +
		"redirect address, and press Connect. Shopify takes the token in `X-Shopify-Access-Token` (OAuth2 tokens too).",
	Behaviour: []string{
		"**Test connection** answers `connected as <shop name> (<store>.myshopify.com)`, or why not (`login refused: POST /admin/api/2025-01/graphql.json: 401 Unauthorized: [API] Invalid API key or access token …`).",
		"**Paging and incremental reads.** Lists page with Relay cursors (`first`, `after`), sorted by `UPDATED_AT`. The flow's cursor keeps the position within a run after every committed page, so a run stopped half-way (a first sync of tens of thousands of products) goes on from the next page. The next run asks for `updated_at:>=` a minute before the latest change the last run saw, and skips the records of that minute it finds unchanged (`connectors/since`). Stock is read whole every run (a level's change does not move its item's time); the engine's delta hash skips what did not change. A page whose answer gives back the cursor it was asked with (a fault of the shop) fails the read, naming the list or the order, instead of reading that page for ever.",
		"**Duplicates.** A product or a stock level is found by SKU before it is created (`connectors.KeyFinder`: `productVariants(query: \"sku:…\")`, the SKU compared exactly), so a product made by hand in Shopify is updated, not made twice. Shopify lets two variants have one SKU; such an SKU is not guessed at: a product or stock write for it fails, naming the SKU and the products that share it (`SKU CBL-3M is on 2 variants in Shopify (products gid://shopify/Product/1, gid://shopify/Product/2); Switchboard finds products and stock by SKU, so give each variant its own SKU in Shopify`). Orders are found by their number, customers by e-mail. An update of a product sends each variant with its id in Shopify (found by SKU), so `productSet` changes it instead of making a new one; the variants the record does not have are removed, as `productSet` does. An update whose policy leaves out the variants uses `productUpdate` and does not touch them. A shipment is not fulfilled twice: an order that has a fulfilment with the same tracking number, among all its fulfilments, answers with it. A shipment reads every fulfilment order of the order (one for each location it ships from: 10 with the order, the rest 20 at a time, `order(id:) { fulfillmentOrders }`) and every line of each (40 with the order, the rest 250 at a time, `fulfillmentOrder(id:)`), so a shipment of everything left fulfils a long order, or one shipped from many locations, whole, and a line after the 40th or at the 11th location is found.",
		"**Update policy.** `product_fields` lists the product fields a product flow writes and `update_fields` those an update of a product Shopify has may change (`connectors/rest/fieldset`); a `variants.x` field writes only x of each variant, with the fields that identify it. A variant written with a price and no sale price gets `compareAtPrice` null, so a sale that ended in the source ends in Shopify (`TestASaleThatEndsEndsInTheShop`); leave `variants.compareAtPrice` out of `update_fields` to keep compare-at prices set in Shopify.",
		"**Missing references.** A stock record whose SKU is not in Shopify fails with `product SKU-123 does not exist in Shopify; add it or enable 'create missing products'`; an SKU not stocked at the location, an unknown location, or a shipment of an unknown order says so the same way; a location is looked for again among the shop's locations read anew before it is called unknown, so a location opened since the connection read them is found (`TestStockAtALocationAddedSinceTheLastRead`). Mutations' `userErrors` are errors naming the record and the field: `product SKU-1: Shopify refused it: variants.0.price: …`.",
		"**Webhooks.** Shopify signs its calls with the app's client secret: `X-Shopify-Hmac-Sha256`, the base64 HMAC-SHA256 of the body; set the connection's `webhook_secret`. `X-Shopify-Topic` names the entity and `X-Shopify-Webhook-Id` is the delivery id. The topics whose body is the record are taken (`orders/create`, `orders/updated`, `orders/paid`, `orders/cancelled`, `orders/fulfilled`, `orders/partially_fulfilled`, `products/create`, `products/update`, `customers/create`, `customers/update`, `customers/enable`, `customers/disable`, `inventory_levels/connect`, `inventory_levels/update`); deletes (`orders/delete`, `products/delete`, `customers/delete`, `inventory_levels/disconnect`) name the record by its id only and are answered 200 with nothing stored; any other topic (`orders/edited`, `customers/merge`) carries something else than the record and is refused with 400, naming it. The body is the REST form of the record; the connector gives it the shape of its GraphQL reads, so one mapping serves both (`TestOrderWebhookMapsLikeARead`); an order's shipping lines are added up into one, as the read's `shippingLine` sums all shipping costs (`TestOrderWebhookShipsEveryShippingLine`). An inventory webhook names the inventory item, not its SKU: the SKU is the one the connection saw the item with in a read or a product webhook; an item it has not seen yet is a record that fails, saying so (the next stock read brings its quantity). An order flow that reads only some orders (its order status, payment status, orders from) takes the webhooks of those orders only, as its read does (`TestOrderWebhookAtTheFlowsFilters`). An inventory call names its location by id: the record gets the location's name, as a read gives it, and a stock flow that names a location takes the calls of that location only, as its read does (`TestInventoryWebhookAtTheFlowsLocation`). Webhook flows register their address for their entity's topics (`webhookSubscriptionCreate`) and remove them when disabled.",
		"**Records** are Shopify's GraphQL objects as the operations select them; a variant also has `optionsByName` (`{\"Color\": \"Pink\"}`), a stock record is an `InventoryLevel` with its `item` (`id`, `sku`). The shipment write takes `order_number`, `trackingInfo` (`number`, `company`, `url`) and `lines` (`sku`, `quantity`; without lines everything left is fulfilled).",
	},
	Limits: []string{
		"Shopify charges each query points from a bucket (2,000 points, restored at 100 a second on the standard plan) and refuses a query over 1,000 points. The connector's page sizes keep every query under 1,000 points (orders 4 with 20 lines each, products 8 with 20 variants, inventory items 30 with 10 levels, customers 100; the test checks each operation's cost).",
		"After every answer it reads `extensions.cost.throttleStatus`; when the bucket could not pay for the same query again, it pauses the connection's pacer (every flow and worker of the connection) until the bucket has restored enough. A query Shopify still refuses as `THROTTLED` comes back as a rate limit with the wait the bucket needs: the engine waits and reads the same page again, without counting a failure.",
		"Shopify answers its own failures (`INTERNAL_SERVER_ERROR`) with 200 and an error in the body; the connector takes them as transient, so the engine tries the record or the page again with backoff. Other errors in an answer (`ACCESS_DENIED`, `MAX_COST_EXCEEDED`, a field Shopify does not know) fail at once.",
	},
	Tests: "Every operation the connector can send is in `connectors/shopify/operations.go`, and `TestOperationsAreValid` validates each " +
		"against Shopify's published schema (`shopify/admin_schema_2025-01.json.gz` in the specs folder, `SWITCHBOARD_SPECS`). The tests run " +
		"against a stateful fake (`connectors/shopify/fake`) that validates every operation and its variables with gqlparser against the " +
		"published schema and refuses what Shopify would (the tests fail on any refusal), answers from what it holds (orders, customers, " +
		"products with variants, locations, inventory levels; `productSet`, `productUpdate`, `inventorySetQuantities`, `fulfillmentCreate`, " +
		"`fulfillmentTrackingInfoUpdate`, webhook subscriptions), pages Relay connections, reads Shopify's search syntax for the fields it " +
		"knows, charges the published query costs from a leaky bucket (`THROTTLED`, `MAX_COST_EXCEEDED`, `extensions.cost`), and plays " +
		"Shopify's OAuth. `TestFullSyncOfManyProductsResumes` reads 2,000 products (more than the cursor remembers) over four runs cut off after 80 pages, each product exactly once. " +
		"Golden mappings: `testdata/golden`. Through the engine (`app/webshops_e2e_test.go`, `app/crossconnector_e2e_test.go`): " +
		"orders to a CSV on SFTP, products to Shopware, and products and orders into a real Tryton.",
}

// TestDocPage: docs/connectors/shopify.md is the page the spec and
// mappings make.
func TestDocPage(t *testing.T) {
	docgen.Check(t, docPage, "../../docs/connectors/shopify.md")
}
