package businesscentral

import (
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/internal/docgen"
)

// docPage is the connector's documentation page.
var docPage = docgen.Page{
	Spec: Spec, App: "Business Central",
	Reads: map[connectors.Entity]string{
		connectors.Customer: "`GET /companies({id})/customers`: by `$filter=lastModifiedDateTime gt …`, page by page (`@odata.nextLink`)",
		connectors.Product:  "`GET /companies({id})/items`: by `lastModifiedDateTime`, page by page",
		connectors.Stock:    "`GET /companies({id})/items`: each item's `inventory`, whole every run",
		connectors.Order:    "`GET /companies({id})/salesOrders?$expand=salesOrderLines`: by `lastModifiedDateTime`, page by page",
		connectors.Invoice:  "`GET /companies({id})/salesInvoices?$expand=salesInvoiceLines`: by `lastModifiedDateTime`, page by page",
	},
	Writes: map[connectors.Entity]string{
		connectors.Customer: "`POST /companies({id})/customers`, `PATCH …/customers({id})`",
		connectors.Product:  "`POST /companies({id})/items`, `PATCH …/items({id})`",
		connectors.Order:    "as a sales order, invoice or quote (`order_type`): `POST …/salesOrders` and `POST …/salesOrders({id})/salesOrderLines` (`salesInvoices`, `salesQuotes` alike); an update `PATCH`es the header and brings the lines in step",
	},
	Setup: "In the Azure portal (Microsoft Entra ID, App registrations), register an app, add the API permission Dynamics 365 Business " +
		"Central > Application permissions > `API.ReadWrite.All`, grant admin consent, and make a client secret. In Business Central, " +
		"open Microsoft Entra Applications, add the app's client id, set its state to Enabled and give it the permission sets it needs " +
		"(`D365 BUS FULL ACCESS`, or narrower ones for customers, items and sales documents). Make a Business Central connection with " +
		"your tenant (its id or domain), the environment's name (`production`), the company (empty when the environment has one), " +
		"and the app's client id and secret. Switchboard asks Entra ID for a token (OAuth2 client credentials, scope " +
		"`https://api.businesscentral.dynamics.com/.default`) and calls `https://api.businesscentral.dynamics.com/v2.0/<tenant>/<environment>/api/v1.0`.",
	Behaviour: []string{
		"**API v1.0.** The connector speaks Business Central's standard API v1.0, the only version with a published contract, and is tested against it. Where v2.0 differs (addresses as flat fields such as `billToAddressLine1`, `salesShipments`, `locationId` on lines, line ids that are GUIDs), the connector follows v1.0's contract; moving to v2.0 means its paths (`/api/v2.0`) and these fields.",
		"**Orders** become sales orders, invoices (draft) or quotes, as the flow's `order_type` says, or the order's own type when a rule sets it. The order's number is the document's `externalDocumentNumber`; the customer is found by e-mail address, VAT registration number or number, or made (a customer blocked for all sales, `blocked: All`, is passed over: an order whose customer only such a one matches fails naming it, `Business Central's customer C-OLD (Anna (old)), found by its e-mail address anna@example.nl, is blocked for all sales (blocked: All); no order is made for it: unblock it in Business Central, or give the customer another e-mail address`, and no second customer is made); each line's item is found by its number (the SKU, whatever its case: Business Central keeps item numbers in capitals) and a line whose item Business Central lacks fails the order (`order 1001: item NOPE-1 does not exist in Business Central; add it there (or let a product flow into Business Central make it), then retry`). With a `vat_codes` table each line gets the tax code (VAT product posting group) of its rate for the customer's country, and a country and rate the table lacks fail the order (`customer jane@example.com has no VAT code for DE at 19%; set one in the flow's VAT table (vat_codes)`); without one, Business Central takes the item's own. Shipping costs become a line on the flow's `shipping_sku` item (an order with costs and no such item fails, saying so). A line without a SKU (a shop's fee, such as a payment surcharge or gift wrapping, or a product that has none) is booked on the flow's `fee_sku` item, with its own description; without `fee_sku` such an order fails, naming the line (`order 1001 line 3 (Payment surcharge) has no SKU: a fee, or a product without one; set fee_sku to the SKU of a service product to book such lines on`). The source's shipping and payment methods become a shipment method and payment terms by the flow's `shipping_methods` and `payment_methods` tables (a method the table lacks, or a code Business Central lacks, fails the order, naming it). Prices go with tax (`pricesIncludeTax`) when every line has its price with tax, as shops for consumers keep them, and without otherwise; a quote takes prices without tax only (v1.0 quotes have no `pricesIncludeTax`), so they are computed from each line's rate, to four decimals. The company's own currency is left blank, as Business Central wants it.",
		"**Duplicate protection.** Before a document is made, Business Central is asked for a sales order, then an invoice, then a quote whose `externalDocumentNumber` is the order's number: an order whose link was lost is updated, and one that was shipped and invoiced (its order replaced by a posted invoice) is found among the invoices and left alone, also when the write names the sales order it was written as (a document the target id names that Business Central no longer has is looked for by the order's number, and made again when none has it); the look-up and the create run for one order at a time over every worker of the connection. A document that may no longer change (a released order, a posted invoice, an accepted quote) is left as it is, and the write says so. An update changes the header and brings the lines in step by their sequence (10000, 20000...): changed lines are patched, new ones added, dropped ones deleted. A customer is found by e-mail address (the engine asks before it creates one), VAT registration number or number before one is made, one at a time over every worker by the first of these it has (so one company spelt two ways in two orders at once is made once); an item by its number. Target ids of documents name their kind: `order/<id>`, `invoice/<id>`, `quotation/<id>`.",
		"**Guest orders** (no e-mail address, VAT id or customer number) are booked on the flow's `guest_customer`, a customer number; without one they fail with `order 1002 has no customer (no e-mail address, VAT id or customer number): a guest order; set the flow's customer of guest orders (guest_customer)`.",
		"**Incremental reads.** Customers, items, sales orders and invoices are asked for with `$filter=lastModifiedDateTime gt <time>`, a minute before the latest change the last run saw; the records of that minute read already are not passed on again. Pages are asked for with `Prefer: odata.maxpagesize` and followed through `@odata.nextLink`; a link back to a page this run read ends the read, which would otherwise never end. Stock (an item's inventory changes without changing the item) is read whole each run, and the engine passes on only what changed. Documents read get the company's currency where Business Central leaves it blank.",
		"**Update policy.** `sync_fields` and `update_fields` name the customer and item fields (Business Central's names, such as `unitPrice`) that a write sends and that an update may overwrite.",
		"**Test connection** names the company (`connected to Business Central company CRONUS NL`), lists the companies when there are several and none is chosen, and says why Entra ID or Business Central refuses the app (`login refused: …`).",
	},
	Limits: []string{
		"Business Central takes 6,000 calls in 5 minutes and 5 at once per user (the app is one); calls are paced to `rate_limit` a second (20) and 5 at once, shared by every flow of the connection. A 429 pauses the connection's flows until Business Central's `Retry-After`; it is not a failure.",
		"API v1.0 knows no stock per location: stock is an item's inventory over every location, and order lines name no location.",
		"Item numbers take at most 20 characters, names 100 (cut), external document numbers 35.",
	},
	Tests: "Against a fake of Business Central's own API v1.0 contract (`ms-business-central/BCOAS1.0.yaml`, `connectors/businesscentral/bctest` on `connectors/rest/spectest`, with the OData key-in-parentheses paths) behind an OAuth2 server (`connectors/rest/auth/authtest`) as Entra ID's token endpoint: every request the connector sends is checked against the contract, and every answer the fake gives and every golden file's native record too (the contract has no examples: the golden inputs follow the API's documentation). The fake keeps Business Central's server-driven pages, ETags, numbering (numbers in capitals), line amounts and totals, and its checks of customers, items, tax groups, currencies, shipment methods and payment terms.",
}

// TestDocPage: docs/connectors/businesscentral.md is the page the spec
// and mappings make.
func TestDocPage(t *testing.T) {
	docgen.Check(t, docPage, "../../docs/connectors/businesscentral.md")
}
