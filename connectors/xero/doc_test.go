package xero

import (
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/internal/docgen"
)

// docPage is the connector's documentation page.
var docPage = docgen.Page{
	Spec: Spec, App: "Xero",
	Reads: map[connectors.Entity]string{
		connectors.Customer: "`GET /Contacts`: the active contacts, by `If-Modified-Since`, 100 a page",
		connectors.Product:  "`GET /Items`: by `If-Modified-Since`, whole",
		connectors.Invoice:  "`GET /Invoices` (sales invoices, ACCREC) or `GET /CreditNotes` (ACCRECCREDIT), as `documents` says: by `If-Modified-Since`, 100 a page",
	},
	Writes: map[connectors.Entity]string{
		connectors.Customer: "`PUT /Contacts`, `POST /Contacts/{ContactID}`",
		connectors.Product:  "`PUT /Items`, `POST /Items/{ItemID}`",
		connectors.Order:    "as a sales invoice: `PUT /Invoices`, `POST /Invoices/{InvoiceID}`, with its contact (`PUT /Contacts`) and a tax type per line (`GET /TaxRates`)",
	},
	Setup: "At [developer.xero.com](https://developer.xero.com/app/manage), My Apps, add a Web app with the redirect URI " +
		"`https://<your Switchboard>/api/switchboard/oauth/callback`, and generate a client secret. Make a Xero connection with " +
		"the app's client id and secret, save it and press **Connect**: Xero asks you to sign in and to pick the organisations " +
		"the app may use. With one organisation, that is the connection's; with several, the connection test lists them and you " +
		"set the connection's organisation (`tenant_id`, by name or id). Every call names it in the `xero-tenant-id` header. " +
		"The scopes asked for are `offline_access` (a refresh token, so the connection keeps working), `accounting.transactions`, " +
		"`accounting.contacts` and `accounting.settings.read` (tax rates).",
	Behaviour: []string{
		"**Orders become sales invoices.** Xero has no sales orders: an order becomes a sales invoice (ACCREC) with the order's number as its `Reference`, dated the order's date, in its currency, with the status of the flow's `invoice_status` (`DRAFT` to review it first). Its lines keep their prices with tax (`Inclusive`) when every line has its price with tax, as shops for consumers keep them, and without (`Exclusive`) otherwise; Xero computes the tax. Each line gets the tax type of its rate for the customer's country (the shipping address's, else the billing address's): from the flow's `vat_codes` table, or, when the flow has none, the one active Xero tax rate for sales at that rate. A line's item code is kept when Xero has the item (one `GET /Items` for the order's SKUs) and dropped when not, so a webshop's products need not be Xero items; lines are booked on the flow's `sales_account`. Shipping costs become a line of their own (on the `shipping_sku` item when the flow names one), taxed at the shipping's rate or, without one, the highest rate of the lines.",
		"**Duplicate protection.** Before an invoice is made, Xero is asked for a sales invoice whose reference is the order's number (`Type==\"ACCREC\" AND Reference==\"1001\"`, deleted and voided ones aside), so an order whose link was lost is updated, never made twice; the look-up and the create run for one order at a time over every worker of the connection. An invoice that is paid, voided or deleted is left as it is, and the write says so. A customer is found by e-mail address (the engine asks before it creates one), then by tax number and account number, before a contact is made, one at a time over every worker by the first of these it has and by its name (so one company spelt two ways in two orders at once is made once); a contact of the same name without another e-mail address is the same contact. Xero's contact names are unique among its active contacts: a new customer whose name another active contact has is made as `Name (e-mail address)`. Only active contacts are invoiced: the look-ups by key ask for archived contacts too (`includeArchived=true`), and an order (or a customer) whose key only an archived contact, or one under a GDPR request, has fails naming it, with no invoice and no second contact made: `Xero's contact \"Anna de Vries\", found by its e-mail address anna@example.nl, is archived; no invoice is made out to it: restore it in Xero, or give the customer another e-mail address`. Items are found by code. Every write carries its transaction's id as Xero's `Idempotency-Key`, so a write repeated after a lost answer is not applied twice.",
		"**Guest orders** (no e-mail address, VAT id or account number) are booked on the flow's `guest_customer`, an active contact found by its contact number or name (an archived one fails naming it); without one they fail with `order 1002 has no customer (no e-mail address, VAT id or customer number): a guest order; set the flow's customer of guest orders (guest_customer)`.",
		"**Errors a person can act on**: `customer jane@example.com has no VAT code for DE at 19%; set one in the flow's VAT table (vat_codes); Xero has no active tax rate of 19% for sales`; `Xero has 2 tax rates of 0% for sales: EXEMPTOUTPUT (Exempt), ZERORATEDOUTPUT (Zero rated)`; Xero's own validation errors, each in its words (`Email address must be valid.`).",
		"**Incremental reads.** Contacts, items, invoices and credit notes are asked for with `If-Modified-Since` a minute before the latest change the last run saw, oldest change first (`order=UpdatedDateUTC ASC`); the records of that minute read already are not passed on again. The first run reads from the flow's `from_date`, or everything. Within a run each page of contacts, invoices or credit notes is asked from the latest change of the page before (less a second; the records of that second already read are not passed on again), so an invoice changed during the read, which moves to the end, shifts none the run has not read onto a page it has.",
		"**Unit amounts to four decimals.** Xero rounds the unit amounts of invoice lines and the prices of items to two decimals unless a call asks for four: every call on invoices, credit notes and items asks for four (`unitdp=4`), so a price such as 0.0125 is invoiced, kept and read back as it is (ten thousand at 0.0125 are 125.00, not 100.00 at 0.01).",
		"**Update policy.** `sync_fields` and `update_fields` name the contact and item fields (Xero's names, such as `SalesDetails.UnitPrice`) that a write sends and that an update may overwrite.",
		"**Test connection** names the organisation (`connected to Xero organisation Demo Company (NL)`), lists the organisations connected when there are several and none is chosen, says when Xero refuses the organisation (`Xero refused organisation …: it is not connected to this app (AuthenticationUnsuccessful); press Connect and pick it`), and asks to connect again when the refresh token is gone.",
	},
	Limits: []string{
		"Xero takes 60 calls a minute, 5,000 a day and 5 at once per organisation. Calls are paced to `rate_limit` a minute (60) and 5 at once, shared by every flow of the connection; an answer whose `X-MinLimit-Remaining` (or `X-AppMinLimit-Remaining`) is 0 pauses the connection for a minute and one whose `X-DayLimit-Remaining` is 0 for as long as the kit pauses, before a 429 comes. A 429 pauses the connection's flows until Xero's `Retry-After` (at most `SWITCHBOARD_RETRY_MAX`, 30 minutes, after which one call asks again: the day's limit may be hours away), and says which limit it hit (`X-Rate-Limit-Problem`: minute, day, concurrent or appminute); it is not a failure.",
		"Access tokens last 30 minutes and are refreshed before they expire; the refresh token, which Xero rotates, is kept sealed after every refresh.",
		"Item codes take at most 30 characters and names 50: names are cut, longer codes are refused by Xero. Contact names are unique per organisation.",
		"An order of type quotation fails: the connector makes invoices only.",
	},
	Tests: "Against a fake of Xero's own Accounting API spec (`xero/xero_accounting.yaml`, `connectors/xero/xerotest` on `connectors/rest/spectest`) behind an OAuth2 server (`connectors/rest/auth/authtest`) as Xero's identity service: every request the connector sends is checked against the spec, and every answer the fake gives and every golden file's native record too (the golden inputs are the spec's own examples). The fake keeps Xero's limits with their headers, its idempotency keys, unique contact names and item codes, rounds unit amounts to two decimals unless a call asks for four, and computes invoices' taxes and totals.",
}

// TestDocPage: docs/connectors/xero.md is the page the spec and mappings
// make.
func TestDocPage(t *testing.T) {
	docgen.Check(t, docPage, "../../docs/connectors/xero.md")
}
