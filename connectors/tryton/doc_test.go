package tryton

import (
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/internal/docgen"
)

// docPage is the connector's documentation page.
var docPage = docgen.Page{
	Spec: Spec, App: "Tryton",
	Reads: map[connectors.Entity]string{
		connectors.Customer: "`party.party` (not the companies' own parties), with contact mechanisms, identifiers and addresses",
		connectors.Product:  "`product.product` with its template's type, salable flag and account category",
		connectors.Stock:    "the quantity and forecast quantity of each product of type goods in the flow's warehouse",
		connectors.Order:    "`sale.sale` with its party, addresses and lines",
		connectors.Invoice:  "`account.invoice` of type out (customer invoices) with their lines and sales",
	},
	Writes: map[connectors.Entity]string{
		connectors.Customer: "`party.party`: created, or updated by the target id (name and language changed; contact mechanisms, VAT number and addresses added when missing, never removed)",
		connectors.Product:  "`product.template` with one variant: created (goods, salable, in units, of the flow's account category), or updated by the target id (the variant's id)",
		connectors.Order:    "a sale (`sale.sale`), quoted for a quotation and confirmed for an order, or a draft customer invoice (`account.invoice`), as the flow's `order_type` or the order's own type says",
	},
	Setup: "Give the connection the Tryton server's address without the database (`https://erp.example.com`; calls go to " +
		"`<base_url>/<database>/`), the database's name, and the user Switchboard works as, with the groups of sales, stock and " +
		"accounting it needs. `company` picks the company by name when the user works for several.",
	Behaviour: []string{
		"**Sessions.** The connection logs in (`common.db.login`) at its first call and sends the session (`Authorization: Session …`) with every call after, shared by every flow and worker; when Tryton refuses the session (it expired, or the server restarted) it logs in again once. A refused password is **not tried again** until the connection's password changes (or Switchboard restarts): Tryton refuses every login of the user for minutes after five failed ones. Model calls carry the user's context (company, language). Decimals and dates travel as Tryton's classes (`{\"__class__\": \"Decimal\", \"decimal\": \"12.50\"}`); the connector reads them as text (`\"12.50\"`, `\"2026-05-01\"`) and times in RFC 3339 in UTC, and writes them back as classes.",
		"**Test connection** answers `connected as Administrator to database shop (Switchboard Test BV)`, or why not: `login refused: Tryton refused the user name \"admin\" or its password for database \"shop\"`, `the database \"shop\" is not on this Tryton server`, `Tryton refuses logins of \"admin\" for a few minutes after failed ones; fix the password, then wait`, and the REST kit's verdicts for the network.",
		"**Incremental reads.** Each run asks for the records created or written at most a minute before the latest change the last run saw (`write_date`/`create_date`, and the template's for products), by id in pages; the records read in that minute are remembered in the cursor (`connectors/since`) and not passed on again unless they changed. Stock: the first run reads every product of type goods, later runs the products whose stock moves changed since.",
		"**Duplicates.** Before a record is created, the engine asks the connector for it (`connectors.KeyFinder`) unless it knows where it went: an order by its number in the `reference` of sales and customer invoices, so an order already in Tryton is never created again when the xref was lost; a party by e-mail address (in any case), VAT number or code (an active party only: an order or customer whose key only an inactive party has fails naming it, `Tryton's party \"Jane Old\" (code C-JANE), found by its e-mail address jane@example.com, is inactive; orders are not booked on it: make it active in Tryton, or give the customer another e-mail address`, and no second party is made); a product by code. Two writes of one order at once (two transactions of one order number, on two workers) make one sale: the look-up and the create run for one order number, and for one party, at a time over every flow and worker of the connection. An order's party is found the same way and created when none matches, once the order's products, taxes, payment term and warehouse are found (an order that fails on those makes no party), and its addresses are found among the party's (street, postal code, city and country) or added. An order is written once: written again, a sale that an interrupted write left in draft is quoted and confirmed, one it left confirmed is processed, a draft customer invoice gets its taxes computed (an interrupted write may have left it without), and anything else is left alone. A sale that Tryton refuses to quote, confirm or process (Tryton processes a confirmed sale in a task that reports nothing to the caller; the connector processes a sale still confirmed once more, which says why) is taken back to draft and deleted, so nothing half made stays; a customer invoice gets its taxes computed before it is answered.",
		"**Errors** name the record, the field and what to do, and fail the transaction (permanent), such as: `customer jane@example.com has no VAT code for DE at 7%; set one in the flow's VAT table (vat_codes)`, `Tryton has no tax named \"MwSt 19%\"; fix the flow's VAT table (vat_codes)`, without a VAT table a line's tax is Tryton's one percentage tax of its rate for sales (taxes of a tax group for purchases left aside), or else `…; Tryton's taxes of 6% are for purchases only: \"VAT 6% purchases\"` or `…; Tryton has 2 sales taxes of 9%: \"VAT 9%\", \"VAT 9% shop\"`, `order 1001 line 2: Tryton has no product with code LAMP; add it, or sync products first` (a line's code that differs from a product's in case only, `chair-oak` for `CHAIR-OAK`, finds it; several such fail naming them), `Tryton has no country AT; add it under Party > Configuration > Countries`, `Tryton has no warehouse STORE; set the flow's warehouse to the code of a Tryton warehouse`. Tryton's own refusals (`UserError`, `AccessError`) come with its message (`The European VAT Number \"NL001234567B01\" for party \"Jane van Dijk\" is not valid.`); a call the user's groups do not allow (403) says `the Tryton user may not do this (403 Forbidden); give it the access rights (groups) it needs`; a concurrent change is transient.",
		"**Records.** The order write mapping makes the sale the connector resolves: `reference` (the order number), `date`, `currency`, `party` (name, e-mail address, phone, VAT number), `invoice_address`, `shipment_address`, `lines` (`product` code, `quantity`, `unit_price` after the line's discount, `tax_rate`), `vat_country`, `shipping_method`, `shipping_cost` (without VAT) with `shipping_tax_rate` (the shipping's own rate, or else the highest rate of the lines), `payment_method`. Shipping methods become the description of the shipping line (Tryton's carriers are a module of their own). A line without a SKU (a shop's fee, such as a payment surcharge or gift wrapping, or a product that has none) is booked on the flow's `fee_sku` product, with its own description; without `fee_sku` such an order fails, naming the line (`order 1001 line 3 (Payment surcharge) has no SKU: a fee, or a product without one; set fee_sku to the SKU of a service product to book such lines on`). A draft invoice's number is `draft <id>`; what is paid and due is read only once it is posted.",
	},
	Limits: []string{
		"Calls are paced by the REST kit: no rate of its own by default (`rate_limit`), at most 2 at once (`max_in_flight`), shared by every flow of the connection.",
	},
	Tests: "`.ci/servers/trytond.sh` installs `tryton-server` 6.0 and the product, party, sale, stock and account-invoice modules from " +
		"Debian, creates a template database once (`trytond-admin`, then `.ci/servers/trytond_setup.py`: a company in euros, the admin " +
		"working for it, a few countries, a minimal chart of accounts, fiscal years from last year to next, VAT taxes of 21%, 9%, 0% and " +
		"Germany's 19%, an account category \"Goods\", payment terms \"Direct\" and \"30 days\"), and starts `trytond` on 127.0.0.1 " +
		"(`SWITCHBOARD_IT_TRYTON_PORT`, 8000). It prints `SWITCHBOARD_IT_TRYTON_URL`, `_DB_DIR`, `_TEMPLATE`, `_USER` and `_PASS`. Each " +
		"test copies the template into a database of its own (seconds, where a new one takes a minute) and removes it after; without the " +
		"server the tests skip, unless `SWITCHBOARD_REQUIRE_IT=1`. They run the conformance suite, every order type, the errors, the " +
		"look-ups, incremental reads of sales, invoices and stock, a session Tryton ended, the test verdicts (one wrong password, never " +
		"two), and the default mappings on what the server answers; the golden mappings are in `testdata/golden`. " +
		"`app/crossconnector_e2e_test.go` sends Shopify's products and orders into it through the engine, and its stock into WooCommerce.",
}

// TestDocPage: docs/connectors/tryton.md is the page the spec and
// mappings make.
func TestDocPage(t *testing.T) {
	docgen.Check(t, docPage, "../../docs/connectors/tryton.md")
}
