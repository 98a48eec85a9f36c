package shopware

import (
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/internal/docgen"
)

// docPage is the connector's documentation page.
var docPage = docgen.Page{
	Spec: Spec, App: "Shopware 6",
	Reads: map[connectors.Entity]string{
		connectors.Order:    "`POST /search/order` with its line items, deliveries, addresses, customer, currency and transactions: by `updatedAt` (or `createdAt`), of the flow's states",
		connectors.Customer: "`POST /search/customer` with its default addresses and group: by `updatedAt` (or `createdAt`)",
		connectors.Product:  "`POST /search/product` with its tax and manufacturer: by `updatedAt` (or `createdAt`)",
		connectors.Stock:    "`POST /search/product`, or a warehouse's `POST /search/product-warehouse`: whole",
	},
	Writes: map[connectors.Entity]string{
		connectors.Product:  "`POST /product`, `PATCH /product/{id}`",
		connectors.Stock:    "`POST /_action/sync` (upserts of `product` or `product_warehouse`), up to 100 at once",
		connectors.Shipment: "`PATCH /order-delivery/{id}` (tracking codes), `POST /_action/order_delivery/{id}/state/ship`",
		connectors.Order:    "`POST /_action/order/{id}/state/{transition}`: the order's state, not the order",
	},
	Setup: "In the shop's administration, Settings > System > Integrations > Add integration: give it a name, and a role " +
		"that may read orders, customers and products and write products, stock (and warehouses), deliveries and order " +
		"states, or tick Administrator. Copy the Access key ID and the Secret access key (shown once) into the connection. " +
		"Switchboard signs in with them at `<address>/api/oauth/token` (OAuth2 client credentials) and keeps the token, " +
		"sealed, until shortly before it expires.\n\n" +
		"**App webhooks** (optional: flows read on their schedule without them). Shopware sends webhooks to apps only, " +
		"declared in the app's `manifest.xml`, not made by API: Switchboard registers nothing in the shop. Tick the flow's " +
		"*Webhook* option and declare the flow's webhook address (`https://<switchboard>/hooks/<flow id>`) for the events " +
		"of its records, with the rights to read them:\n\n" +
		"```xml\n" +
		"<manifest xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n" +
		"          xsi:noNamespaceSchemaLocation=\"https://raw.githubusercontent.com/shopware/shopware/trunk/src/Core/Framework/App/Manifest/Schema/manifest-3.0.xsd\">\n" +
		"    <meta>...</meta>\n" +
		"    <setup>...</setup>\n" +
		"    <permissions>\n" +
		"        <read>product</read>\n" +
		"        <read>order</read>\n" +
		"    </permissions>\n" +
		"    <webhooks>\n" +
		"        <webhook name=\"switchboard-products\" url=\"https://switchboard.example.com/hooks/k3v9q2x8m4p1a7s\" event=\"product.written\"/>\n" +
		"        <webhook name=\"switchboard-orders\" url=\"https://switchboard.example.com/hooks/b5n8w1c6r2t9y4u\" event=\"order.written\" onlyLiveVersion=\"true\"/>\n" +
		"    </webhooks>\n" +
		"</manifest>\n" +
		"```\n\n" +
		"The events: `product.written` for a product flow and for a stock flow (the product's own stock, or its entry in the " +
		"flow's warehouse), `product_warehouse.written` for a stock flow with a warehouse, `order.written` for an order flow " +
		"(`onlyLiveVersion`, Shopware 6.5.7 and later, leaves out orders being edited), `customer.written` for a customer flow. " +
		"Shopware signs each call (`shopware-shop-signature`) with the secret the shop holds for the app, the one the app's " +
		"registration gave it (Shopware's app registration, which Switchboard does not perform): paste that secret into the " +
		"connection's `webhook_secret` (App secret), which serves every flow of the connection; without it each flow's own " +
		"webhook secret is checked, for an app whose registration gave the shop that flow's secret.",
	Behaviour: []string{
		"**Incremental reads.** Orders, customers and products are searched by their change time, from the last change the previous run saw less a minute (the overlap; records read twice are skipped by the engine's delta check): a record changed on or after it (`updatedAt`), or made on or after it and never changed since (`updatedAt` empty, `createdAt`). The first run reads from the flow's `from_date`, or everything. Pages of up to 500 (100 by default), sorted by creation.",
		"**Duplicate protection.** Before creating, the engine asks the shop: a product by its number (`productNumber`), an order by its number, a shipment as the delivery of the order with its number. A new product's id is made from the write's idempotency key, the same on every attempt. Tracking codes the delivery has already are not added twice, and a delivery is marked shipped only while it is open. Stock is upserted.",
		"**Update policy.** `update_fields` lists the product fields an update may overwrite (a create sends every field, or the `sync_fields`), so that descriptions and media enriched in the shop are kept.",
		"**References by name.** A product's `taxId` may hold its tax rate (21) and its price's `currencyId` a currency code (EUR): the connector finds the ids the shop knows them by, once per connection. A warehouse is named by its name.",
		"**Missing references** are errors a person can act on, and fail only their own record: `product A-2 does not exist in Shopware 6; add it there (or let a product flow into this shop create it), then retry` (stock); `Shopware 6 has no tax rate of 7%; add it under Settings > Shop > Tax, or map the product's tax rate to one it has`; `Shopware 6 has no currency CHF; add it under Settings > Shop > Currencies`; `warehouse Rotterdam does not exist in Shopware 6`; `order 99999 does not exist in Shopware 6; Switchboard changes the state of orders there, it does not create them`; `product A-1 has no tax rate: Shopware 6 needs one for a new product`.",
		"**Order states.** An order is taken to the record's state by the shortest way through Shopware's order state machine (open, in_progress, completed, cancelled; `reopen` from an end state) that passes through no end state: an order is never completed or cancelled on the way, and one that cannot get there says so (`order 10023 cannot go from in_progress to open`).",
		"**App webhooks.** A call is taken once its signature (the hex HMAC-SHA256 of the body under the app secret, in `shopware-shop-signature`) matches, else answered 401. Shopware's events name the records written by their ids only: the connector fetches them with one `POST /search/<entity>` filtered on those ids (`equalsAny`, a hundred at a time) with the associations and filters of the flow's scheduled read (its order states, its warehouse), so that a webhook's records are the ones a run reads and the default mappings apply; a record no longer there, or not in the flow's order states, is left out. When the fetch fails the call is answered 503, nothing is kept, and Shopware sends it again. The event id (`source.eventId`, or the `X-Shopware-Event-Id` header) is the delivery id: a redelivery is answered 200 and not taken twice. Deletes (a `deleted` event, or a `delete` in a written event's payload) are answered 200 and take nothing: there is nothing to move. An event the connector does not take (`mail_template.written`) is refused with 400, naming it, so that a manifest sending it to a flow shows up in the shop's webhook log; an event of other records than the flow's (`order.written` at a product flow) is refused with 422.",
		"**Test connection** signs in and names the shop's version (`connected to Shopware 6.7.10.1`), or says why not: `login refused: POST /api/oauth/token: 401 Unauthorized: The user credentials were incorrect.`",
	},
	Limits: []string{
		"Calls are paced by the REST kit: 4 calls a second by default (`rate_limit`), at most 4 at once (`max_in_flight`), shared by every flow of the connection; a 429 pauses the connection's flows until its `Retry-After`.",
		"Stock is written in batches of up to 100 (one search of the products and one sync call); products, deliveries and order states one at a time. Shopware writes all of a sync call's rows or none: when it refuses a call (400, a value a row's field does not take), the rows are sent again in halves, down to single rows, so that only the refused rows fail, each with Shopware's reason and its product number (`stock of product A-3: POST /api/_action/sync: 400 Bad Request: …`), and the others are written. Each refused row costs a few more calls (about 15 for one in a batch of 100).",
		"A token lives as long as the shop says (10 minutes by default); the connector signs in again before it expires, and once when the shop refuses it (401).",
		"App webhooks are declared in the app's manifest: the connector registers none by API. The body's `timestamp` is not held against the clock (Shopware retries a failed delivery for hours after the event); a replay is recognised by its event id. Each call's fetch is a call to the shop like any other, within the connection's `rate_limit`: in a burst of calls some wait their turn, and one that Shopware stops waiting for (it waits a few seconds) it sends again.",
	},
	Tests: "Against a fake of Shopware's own Admin API spec (`shopware/adminApiSchema-6.7.10.1.json.gz`, `connectors/shopware/shopwaretest` on `connectors/rest/spectest`): every request the connector sends is checked against the spec, and every answer the fake gives and every golden file's native record too. Through the engine (`app/shops_e2e_test.go`, `app/crossconnector_e2e_test.go`): products from a folder CSV and from Shopify; `app/shopware_webhook_e2e_test.go`: a signed `product.written` call puts the product, fetched, through a flow to a folder, its redelivery is not taken twice, and a call with a bad signature is answered 401.",
}

// TestDocPage: docs/connectors/shopware.md is the page the spec and
// mappings make.
func TestDocPage(t *testing.T) {
	docgen.Check(t, docPage, "../../docs/connectors/shopware.md")
}
