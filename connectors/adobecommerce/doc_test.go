package adobecommerce

import (
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/internal/docgen"
)

// docPage is the connector's documentation page.
var docPage = docgen.Page{
	Spec: Spec, App: "Adobe Commerce",
	Reads: map[connectors.Entity]string{
		connectors.Order:    "`GET /V1/orders`: by `updated_at`, of the flow's statuses",
		connectors.Customer: "`GET /V1/customers/search`: by `updated_at`",
		connectors.Product:  "`GET /V1/products`: by `updated_at`",
		connectors.Stock:    "`GET /V1/inventory/source-items`: the flow's MSI source, whole",
	},
	Writes: map[connectors.Entity]string{
		connectors.Product:  "`POST /V1/products`, `PUT /V1/products/{sku}`",
		connectors.Stock:    "`POST /V1/inventory/source-items`, up to 100 at once, at the flow's source (`source_code`) whatever location a record names; at each record's own when the flow names none",
		connectors.Shipment: "`POST /V1/order/{orderId}/ship` with tracks; `POST /V1/shipment/track`",
		connectors.Invoice:  "`POST /V1/order/{orderId}/invoice`",
	},
	Setup: "In the shop's admin, System > Extensions > Integrations > Add New Integration: give it a name, and under API " +
		"the resources Sales (orders, shipments, invoices), Catalog (products), Customers and Stores > Inventory (sources, " +
		"source items). Save, Activate, and copy the Access Token into the connection. Adobe Commerce 2.4.4 and later take " +
		"an integration's token as a bearer token only with Stores > Configuration > Services > OAuth > Consumer Settings > " +
		"Allow OAuth Access Tokens to be used as standalone Bearer tokens set to Yes. The shop's address is the one its " +
		"REST API answers on (`<address>/rest/all/V1/...`).",
	Behaviour: []string{
		"**Incremental reads.** Orders, customers and products are read by `updated_at`, from the last change the previous run saw less a minute (the overlap: records read twice are skipped by the engine's delta check); the first run from the flow's `from_date`, or everything. Pages of up to 300 records (100 by default) are asked for by `searchCriteria[currentPage]` until `total_count`: Adobe Commerce answers a page past the end with the last page again, so the connector never asks for one. Every read sorts its pages (`searchCriteria[sortOrders]`: orders, customers and products by `entity_id`, stock by `sku`), because without a sort order the database's order need not be the same from one page to the next, and a record could be skipped or read twice. Stock is read whole each run, from the flow's source.",
		"**Duplicate protection.** Before creating a product the engine asks the shop for its SKU (`GET /V1/products/{sku}`), so a product made by hand is updated, not made twice. A shipment for an order that has one already adds the record's new tracking numbers to that shipment (found by the order's number); an invoice for an order that has one is that invoice. Source items are saved by SKU and source, so a repeat is an update.",
		"**Update policy.** `update_fields` lists the product fields an update may overwrite (a create sends every field, or the `sync_fields`), so descriptions and images enriched in the shop are kept. A product written with a list price and no sale price gets `special_price` empty, which removes it, so a sale that ended in the source ends in the shop (`TestASaleThatEndsEndsInTheShop`); leave `custom_attributes` out of `update_fields` to keep special prices set in the shop.",
		"**Missing references** are errors a person can act on, and fail only their own record: `product SKU-123 does not exist in Adobe Commerce; add it there (or let a product flow into this shop create it), then retry` (stock of an unknown SKU, which Adobe Commerce would save without a product); `source rotterdam does not exist in Adobe Commerce; add it under Stores > Inventory > Sources, or set the flow's source_code option to a source that exists`; `order 000000099 does not exist in Adobe Commerce; check the order number`; `order 000000041 has no line with SKU XX-9`.",
		"**Test connection** lists the store views the token sees, or says why not: `login refused: GET /rest/all/V1/store/storeViews: 401 Unauthorized: The consumer isn't authorized to access %resources.`",
	},
	Limits: []string{
		"Calls are paced by the REST kit: 4 calls a second by default (`rate_limit`), at most 4 at once (`max_in_flight`), shared by every flow of the connection; a 429 pauses the connection's flows until its `Retry-After`.",
		"Stock is written in batches of up to 100 source items per call; products, shipments and invoices one per call. Adobe Commerce refuses a whole call for one source item without a numeric quantity or a status of 0 or 1 (`Validation Failed`, naming no item), so such a record fails alone before the call, naming its SKU and the field (`stock A-2: field quantity: is required: Adobe Commerce needs a number`); the others are saved.",
		"Adobe Commerce's integration tokens do not expire unless the shop is set to expire them; a revoked token fails the connection test with `login refused`.",
		"A stock batch's SKUs are checked in one search: those without a comma in one `in` filter (Adobe Commerce reads its value as a list separated by commas), each SKU with a comma (`NYM-3x2,5`) in an `eq` filter of the same group. A product's stock item (`extension_attributes.stock_item`) is not written: stock goes through MSI source items.",
	},
	Tests: "Against a fake of Adobe's own admin REST spec (`adobe-commerce/admin-schema-2.4.9.yaml`, `connectors/adobecommerce/adobetest` on `connectors/rest/spectest`): every request the connector sends is checked against the spec, and every answer the fake gives and every golden file's native record too.",
}

// TestDocPage: docs/connectors/adobecommerce.md is the page the spec and
// mappings make.
func TestDocPage(t *testing.T) {
	docgen.Check(t, docPage, "../../docs/connectors/adobecommerce.md")
}
