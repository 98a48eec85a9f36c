package woocommerce

import (
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/internal/docgen"
)

// docPage is the connector's documentation page.
var docPage = docgen.Page{
	Spec: Spec, App: "WooCommerce",
	Reads: map[connectors.Entity]string{
		connectors.Order:    "`GET orders`, changed since the last run (`modified_after`), by the flow's status and date; webhooks `order.created`, `order.updated`",
		connectors.Customer: "`GET customers` (`role=all`), whole every run: WooCommerce cannot filter customers by change; webhooks `customer.created`, `customer.updated`",
		connectors.Product:  "`GET products`, changed since the last run, a variable product with its `variations`; webhooks `product.created`, `product.updated`",
	},
	Writes: map[connectors.Entity]string{
		connectors.Customer: "`POST customers`, `PUT customers/<id>`",
		connectors.Product:  "`POST products/batch` (create and update), then `products/<id>/variations/batch` for its variations",
		connectors.Stock:    "`POST products/batch` (`manage_stock`, `stock_quantity`), `products/<id>/variations/batch` for a variation's SKU",
		connectors.Shipment: "the order's status (`PUT orders/<id>`) and a tracking note for the customer (`POST orders/<id>/notes`)",
	},
	Setup: "The connector speaks the REST API v3 (`https://<shop>/wp-json/wc/v3/`). In WordPress, WooCommerce > Settings > Advanced > " +
		"REST API > Add key, with Read/Write permissions, and copy the consumer key and secret into the connection. They go as HTTP Basic " +
		"authentication over HTTPS, or with `auth_in` set to `query` as the `consumer_key` and `consumer_secret` query parameters, for " +
		"servers that drop the `Authorization` header. WooCommerce itself has no locations or warehouses: stock is one quantity per " +
		"product or variation.",
	Behaviour: []string{
		"**Test connection** reads `system_status`: `connected to https://shop.example.com (WooCommerce 9.6.0)`, or why not (`login refused: GET /wp-json/wc/v3/system_status: 401 Unauthorized: Sorry, you cannot list resources.`).",
		"**Paging and incremental reads.** Lists are read 100 a page (`page`, `per_page`) up to the page `X-WP-TotalPages` names; behind a proxy or a cache that drops that header, until a page comes back less than full (`TestReadBehindAProxyThatDropsThePagingHeaders`). Orders and products are sorted by `modified` and asked `modified_after` a minute before the latest change the last run saw (GMT, `dates_are_gmt`); the records of that minute found unchanged are skipped (`connectors/since`). Within a run each page is asked from the latest change of the page before (less a second; the records of that second already read are not passed on again), so an order changed during the read, which moves to the end, shifts none the run has not read onto a page it has; only while a whole page changed in one second does the run go on to the next page of the same query. The flow's cursor holds that position after every page, so a first full sync that is cut off goes on from where it stopped.",
		"**Duplicates.** Products are found by SKU (`GET products?sku=`, which finds variations too), customers by e-mail address, orders by number, before one is created (`connectors.KeyFinder`). An order (of a shipment, too) is asked for by its number as its id (`GET orders/<number>`), then searched for (`GET orders?search=<number>`, a hundred at once: WooCommerce's search finds the number in addresses and line items too, newest first), so an older order is found behind newer ones shipped to `12 Main Street`. A stock level's target id is the product's id, or `<product>/<variation>` for a variation. A variable product's variations are matched by SKU: those the shop has are updated, the others created. A shipment's tracking note is not added twice to an order.",
		"**Update policy.** `product_fields` lists the product fields a product flow writes and `update_fields` those an update of a product the shop has may change (`connectors/rest/fieldset`); an update never sends empty lists, so it does not clear the shop's categories, images or attributes. A product or variation written with a price and no sale price gets an empty `sale_price`, so a sale that ended in the source ends in the shop (`TestASaleThatEndsEndsInTheShop`); leave `sale_price` out of `update_fields` to keep sale prices set in the shop.",
		"**Missing references.** A stock record whose SKU the shop does not have fails with `product SKU-123 does not exist in WooCommerce; add it or enable 'create missing products'`; a shipment of an unknown order says so too. In a batch, WooCommerce's refusal of one record (`Invalid or duplicated SKU.`) fails that record alone: `product DUP-1: WooCommerce refused it: Invalid or duplicated SKU. (product_invalid_sku)`.",
		"**Batch writes.** Products and stock go through the REST kit's batch writer ([rest-kit.md](../rest-kit.md#batch-writes-connectorsrestbatch)): the writes the engine's workers make at once are gathered, at most 100 a call (WooCommerce's limit), each handed its own result. A batch goes out in one call per endpoint (`products/batch`, and `products/<id>/variations/batch` for each product's variations); a call that fails as a whole (a 503) fails its own records alone, each named (`stock SHIRT-M: writing a batch of 1: … 503 Service Unavailable`), and the records of the other calls are written. A stock record whose product or variation the shop no longer has (deleted since the last write: `Invalid ID.` in the batch's answer, or a 404 for the variations of a deleted product) has its SKU looked up again and is written to the product that has it now (one made again by a re-import), or fails as a missing product does.",
		"**Webhooks.** WooCommerce signs each call with the webhook's secret: `X-WC-Webhook-Signature`, the base64 HMAC-SHA256 of the body. Webhook flows register one webhook per topic of their entity with the flow's address and secret (`POST webhooks`) and delete them (`DELETE webhooks/<id>?force=true`) when disabled. `X-WC-Webhook-Topic` names the entity, `X-WC-Webhook-Delivery-ID` is the delivery id, and the body is the record as the API answers it. A product's body names a variable product's variations by id only, and a change of a variation comes as `product.updated` with the variation's body: the connector makes each the record a read gives, the variable product with its variations whole (`GET products/<id>/variations`), a variation's parent product in its place (a variation whose parent is gone is left out), so that the default mappings apply to webhooks as to reads. When that read fails the call is answered 503. An order flow that reads orders of one status, or from a date, takes the webhooks of those orders only, as its read does (`TestOrderWebhookAtTheFlowsFilters`). The unsigned ping WooCommerce sends when a webhook is saved (a body of `webhook_id=<id>` alone) is answered 200 and stores nothing. A deleted topic (`order.deleted`, `product.deleted`, `customer.deleted`, whose body is the record's id alone) is answered 200 and stores nothing: there is nothing to move.",
		"**Records** are WooCommerce's JSON as the API answers it; each variation of a variable product also has `optionsByName` (`{\"Size\": \"M\"}`). The stock write takes `sku` and `stock_quantity`; the shipment write takes `order_number` and `note`.",
	},
	Limits: []string{
		"Calls are paced by the REST kit (`rate_limit`, `max_in_flight`), shared by every flow of the connection; a 429 pauses the connection's flows until its `Retry-After`.",
		"A batch call takes at most 100 records; a page at most 100.",
	},
	Tests: "WooCommerce publishes no OpenAPI spec: the connector and its fake (`connectors/woocommerce/fake`) follow the REST API reference. " +
		"The fake is stateful: consumer key and secret (Basic or query), `page`/`per_page` (1 to 100) with `X-WP-Total` and " +
		"`X-WP-TotalPages`, `modified_after`, `after`, `status`, `sku`, `email`, `search`, `orderby`/`order`; products with variations, " +
		"orders with notes, customers, webhooks; the batch endpoints (at most 100 records, a result or an error per record); and " +
		"WooCommerce's refusals (`rest_invalid_param` for a price that is not text or an unknown status, `product_invalid_sku` for a " +
		"duplicated SKU, `registration-error-email-exists`). Golden mappings, from the REST reference's examples: `testdata/golden`. " +
		"Through the engine (`app/webshops_e2e_test.go`, `app/crossconnector_e2e_test.go`): a supplier's CSV to products and " +
		"stock, a real Tryton's stock, and orders into Exact Online.",
}

// TestDocPage: docs/connectors/woocommerce.md is the page the spec and
// mappings make.
func TestDocPage(t *testing.T) {
	docgen.Check(t, docPage, "../../docs/connectors/woocommerce.md")
}
