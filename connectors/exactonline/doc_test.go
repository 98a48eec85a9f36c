package exactonline

import (
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/internal/docgen"
)

// docPage is the connector's documentation page.
var docPage = docgen.Page{
	Spec: Spec, App: "Exact Online",
	Reads: map[connectors.Entity]string{
		connectors.Customer: "`crm/Accounts` with status C (customers)",
		connectors.Product:  "`logistics/Items`",
		connectors.Stock:    "`inventory/ItemWarehouses`: the stock position of each item per warehouse",
		connectors.Order:    "`salesorder/SalesOrders` with their lines (`$expand`)",
		connectors.Invoice:  "`salesinvoice/SalesInvoices` with their lines",
	},
	Writes: map[connectors.Entity]string{
		connectors.Customer: "`crm/Accounts`: created, or updated by the target id",
		connectors.Product:  "`logistics/Items`, and the list price as the item's general `logistics/SalesItemPrices` record in the record's currency (the division's without one): made for an item that has none, changed when the price differs, left alone when it is the same, so that writing items again adds no price records; a customer's prices and prices from a quantity up are left alone",
		connectors.Order:    "a sales order (`salesorder/SalesOrders`), a sales invoice (`salesinvoice/SalesInvoices`) or a quotation (`crm/Quotations`), as the flow's `order_type` or the order's own type says",
	},
	Setup: "Register an app in the Exact Online App Center with the redirect URI `https://<your Switchboard>/api/switchboard/oauth/callback`, " +
		"and give the connection its client id and secret, the division (the number of the administration) and, outside the Netherlands, " +
		"the `base_url` of your country (`.be`, `.de`, `.fr`, `.es`, `.co.uk`, or `https://start.exactonline.com` in the United States); " +
		"the OAuth2 addresses are `<base_url>/api/oauth2/auth` and `/token`, the API `<base_url>/api/v1/<division>/…`. Press **Connect** " +
		"after saving: Exact Online asks the user to agree, and sends the browser back with a code that Switchboard trades for tokens " +
		"(kept in `oauth_access_token`, `oauth_refresh_token` and `oauth_token_info`; leave them empty).",
	Behaviour: []string{
		"**Tokens.** An access token lives 10 minutes; it is refreshed shortly before it expires (or when Exact Online refuses it), and every refresh gives a new refresh token, the old one dying when the new one is first used. The REST kit keeps the new tokens sealed **before** it uses them ([rest-kit.md](../rest-kit.md#authentication-connectorsrestauth)): if keeping them fails, or Switchboard stops between the refresh and the save, the new token is never used, the kept one stays valid, and the next call (after a restart too) refreshes again. A refresh token that Exact Online refuses (the user disconnected the app, or it was unused for 30 days) sets the connection to \"reconnect needed\", and its flows wait until someone presses Connect.",
		"**Test connection** answers `connected as Jan de Vries to division 1234567 (Shop BV)`, or why not: `connected as Jan de Vries, but division 999 is not one this user can reach (the user's current division is 1234567); check the division number`, `reconnect needed: the connection is not connected yet; press Connect`, and the REST kit's verdicts for the network and the app.",
		"**Incremental reads.** Each run asks for the records whose `Modified` is at most a minute before the latest change the last run saw (`$filter=Modified ge datetime'…'`, in UTC), and follows the `__next` address of each answer to the end; an address back to a page this run read ends the read, which would otherwise never end. A record changed during a run, or committed late, is read by the next run; the records the last run read in that minute are remembered in the cursor (`connectors/since`, up to 1,000) and not passed on again unless they changed.",
		"**Duplicates.** Before a record is created, the engine asks the connector for it (`connectors.KeyFinder`) unless it knows where it went: an order by its number in `YourRef` among sales orders, invoices and quotations, so an order already in Exact Online is never created again when the xref was lost; a customer by e-mail address, VAT number or account code; an item by code. Two writes of one order at once (two transactions of one order number, on two workers) make one document: the look-up and the create run for one order number, and for one customer, at a time over every flow and worker of the connection. An order's customer is found the same way (e-mail address, then VAT number, then account code, which Exact Online keeps padded to 18 characters: the connector pads what it asks for; only an active account, neither blocked nor past its end date, is taken, and an order whose customer only an inactive account matches fails naming it) and created when none matches, once the order's items, VAT codes, methods and warehouse are found: an order that fails on those makes no account. An order is written once: a later change in the source leaves the document in Exact Online alone (Exact Online numbers, processes and invoices it), while customers and items are updated.",
		"**Errors** name the record, the field and what to do, and fail the transaction (permanent), such as: `customer jane@example.com has no VAT code for DE at 7%; set one in the flow's VAT table (vat_codes)`, without a VAT table `…; Exact Online has 2 VAT codes of 21%: 2 (BTW verkopen hoog), 7 (BTW verkopen hoog winkel)` for a rate it has several sales codes of (codes for purchases only and blocked codes are left aside: `…; Exact Online's VAT codes of 6% are not for sales: 3 (BTW inkopen 6%) is for purchases only`), `Exact Online's account 1201 (Jane Old), found by its e-mail address jane@example.com, is blocked; orders are not booked on an inactive account: make it active in Exact Online, or give the customer another e-mail address` (or `ended on 2024-04-30`, its end date passed), `order 1001 line 2: Exact Online has no item with code LAMP; add it, or sync products first`, `order 1001 has no customer (no e-mail address, VAT id or customer number): a guest order; set the flow's customer of guest orders (guest_customer)`, `order 1001 has shipping costs of 4.95 but the flow has no shipping cost product; set shipping_sku to the SKU of a service product`. A line without an `ItemCode` (a shop's fee, such as a payment surcharge or gift wrapping, or a product that has none) is booked on the flow's `fee_sku` item, with its own description; without `fee_sku` such an order fails, naming the line (`order 1001 line 3 (Payment surcharge) has no SKU: a fee, or a product without one; set fee_sku to the SKU of a service product to book such lines on`). Exact Online's own refusals come with its message (`The property 'Colour' does not exist on type 'Exact.Web.Api.Models.SalesOrder'`).",
		"**Records.** The order write mapping makes the order the connector resolves: `YourRef` (the order number), `OrderedBy` (the customer's e-mail address, name, VAT number, address), `Lines` (`ItemCode`, `Quantity`, `UnitPrice` excluding VAT, `Discount` as a fraction, `VATPercentage`), `VATCountry`, `ShippingMethod`, `ShippingCost` (excluding VAT) with `ShippingVATPercentage` (the shipping's own rate, or else the highest rate of the lines), `PaymentMethod`; any other field goes onto the document as it is. Account codes are read unpadded (`attributes.code`).",
	},
	Limits: []string{
		"Exact Online takes a number of calls per minute and per day per company, and says where each stands in `X-RateLimit-Minutely-Remaining`/`-Reset` and `X-RateLimit-Remaining`/`-Reset` (resets in Unix milliseconds) on every answer. The connection's pacer keeps both windows for every flow and worker at once, so a run waits for the minute (or the day) to end instead of being refused; a 429 pauses the connection until the spent window's reset, without counting as a failure.",
	},
	Tests: "`connectors/exactonline/fake` is a stateful Exact Online built from the REST reference: the OAuth2 consent page and token endpoint " +
		"(10-minute access tokens, rotating refresh tokens that die when a newer one is first used, `invalid_grant` for a dead one), the " +
		"division in every path (`current/Me` without), OData lists with `$filter`, `$select`, `$expand`, `$top` and `__next` paging, the `d` " +
		"envelope, `/Date(ms)/` dates, account codes padded to 18 characters, required fields, references and unknown properties refused " +
		"with OData error bodies, and the minutely and daily limits with their six headers. The connector's tests run the conformance suite, " +
		"the golden mappings (`testdata/golden`), every order type, the errors, the duplicate look-ups, incremental reads, a token rotation in " +
		"the middle of a run, a save of a rotated token that fails followed by a restart, and workers sharing a connection within a minutely " +
		"limit. `app/crossconnector_e2e_test.go` sends WooCommerce's orders into it through the engine, with a token rotation in the " +
		"middle of the run.",
}

// TestDocPage: docs/connectors/exactonline.md is the page the spec and
// mappings make.
func TestDocPage(t *testing.T) {
	docgen.Check(t, docPage, "../../docs/connectors/exactonline.md")
}
