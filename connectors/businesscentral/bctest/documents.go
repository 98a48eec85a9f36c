package bctest

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/switchboard-app/switchboard/connectors/rest/spectest"
)

// kind is a kind of sales document: its list, its lines, their path
// parameters, its numbering, and the statuses in which it may change.
type kind struct {
	list, lines, param, lineParam, numbering, table string
	editable                                        map[string]bool
	prices                                          bool
}

var kinds = []kind{
	{list: SalesOrders, lines: "salesOrderLines", param: "salesOrder_id", lineParam: "salesOrderLine_id", numbering: "S-ORD%06d",
		table: "Order", editable: map[string]bool{"Draft": true, "Open": true}, prices: true},
	{list: SalesInvoices, lines: "salesInvoiceLines", param: "salesInvoice_id", lineParam: "salesInvoiceLine_id", numbering: "S-INV%06d",
		table: "Invoice", editable: map[string]bool{"Draft": true}, prices: true},
	{list: SalesQuotes, lines: "salesQuoteLines", param: "salesQuote_id", lineParam: "salesQuoteLine_id", numbering: "S-QUO%06d",
		table: "Quote", editable: map[string]bool{"Draft": true, "Sent": true}},
}

func kindOf(list string) (kind, bool) {
	for _, k := range kinds {
		if k.list == list {
			return k, true
		}
	}
	return kind{}, false
}

func (b *BC) documentRoutes(d kind) {
	one := co + d.list + "({" + d.param + "})"
	lines := one + "/" + d.lines
	b.Handle("GET "+co+d.list, b.inCompany(b.list(d.list, nil)))
	b.Handle("GET "+one, b.inCompany(b.get(d.list, d.param)))
	b.Handle("POST "+co+d.list, b.inCompany(b.saveDocument(d)))
	b.Handle("PATCH "+one, b.inCompany(b.saveDocument(d)))
	b.Handle("GET "+lines, b.inCompany(b.list(d.lines, func(c *spectest.Call, l map[string]any) bool {
		return l["documentId"] == c.Params[d.param]
	})))
	b.Handle("POST "+lines, b.inCompany(b.saveLine(d)))
	b.Handle("PATCH "+lines+"('{"+d.lineParam+"}')", b.inCompany(b.saveLine(d)))
	b.Handle("DELETE "+lines+"('{"+d.lineParam+"}')", b.inCompany(b.deleteLine(d)))
}

// expand gives a document the lines $expand asks for.
func (b *BC) expand(c *spectest.Call, collection string, rec map[string]any) map[string]any {
	d, ok := kindOf(collection)
	if !ok || !strings.Contains(c.Query.Get("$expand"), d.lines) {
		return rec
	}
	rec[d.lines] = b.linesOf(d, fmt.Sprint(rec["id"]))
	return rec
}

func (b *BC) linesOf(d kind, docID string) []any {
	out := []any{}
	for _, l := range b.Store.All(d.lines) {
		if l["documentId"] == docID {
			out = append(out, l)
		}
	}
	return out
}

// notEditable is Business Central's answer to a change of a document
// whose status does not allow it.
func notEditable(d kind, doc map[string]any) spectest.Reply {
	return fail(http.StatusBadRequest, "Internal_ValidationError", fmt.Sprintf(
		"Status must be equal to 'Open'  in Sales Header: Document Type=%s, No.=%v. Current value is '%v'.", d.table, doc["number"], doc["status"]))
}

// saveDocument makes or changes a document's header: its customer,
// currency, shipment method and payment terms checked.
func (b *BC) saveDocument(d kind) spectest.Handler {
	return func(c *spectest.Call) spectest.Reply {
		docID := c.Params[d.param]
		old, exists := c.Store.Get(d.list, docID)
		switch {
		case docID != "" && !exists:
			return notFound()
		case exists && !matchesETag(c, old):
			return changed()
		case exists && !d.editable[fmt.Sprint(old["status"])]:
			return notEditable(d, old)
		}
		doc := merge(old, body(c))
		if !exists {
			n := c.Store.NextID(d.list)
			doc["id"], doc["number"], doc["status"] = id(d.list, n), fmt.Sprintf(d.numbering, 101000+n), "Draft"
		}
		if msg := b.checkHeader(c, doc); msg != "" {
			return fail(http.StatusBadRequest, "Internal_RecordNotFound", msg)
		}
		totals(d, doc, b.linesOf(d, fmt.Sprint(doc["id"])))
		status := http.StatusOK
		if !exists {
			status = http.StatusCreated
		}
		return spectest.JSON(status, b.keep(d.list, doc))
	}
}

// checkHeader checks what a header refers to, and fills in its customer.
func (b *BC) checkHeader(c *spectest.Call, doc map[string]any) string {
	customer, ok := c.Store.Get(Customers, fmt.Sprint(doc["customerId"]))
	if !ok {
		return fmt.Sprintf("The Customer does not exist. Identification fields and values: Id='%v'", doc["customerId"])
	}
	doc["customerNumber"], doc["customerName"] = customer["number"], customer["displayName"]
	if doc["billToName"] == nil {
		doc["billToName"], doc["billToCustomerId"], doc["billToCustomerNumber"] = customer["displayName"], customer["id"], customer["number"]
	}
	if cur := fmt.Sprint(doc["currencyCode"]); doc["currencyCode"] != nil && cur != "" && !currencies[cur] {
		return fmt.Sprintf("The Currency does not exist. Identification fields and values: Code='%s'", cur)
	}
	for field, list := range map[string]string{"shipmentMethodId": ShipmentMethod, "paymentTermsId": PaymentTerms} {
		if ref := doc[field]; ref != nil {
			if _, ok := c.Store.Get(list, fmt.Sprint(ref)); !ok {
				return fmt.Sprintf("The %s does not exist. Identification fields and values: Id='%v'", list, ref)
			}
		}
	}
	return ""
}

// saveLine makes or changes a line of a document that may change: its
// item and tax group checked, its amounts computed, the document's
// totals again.
func (b *BC) saveLine(d kind) spectest.Handler {
	return func(c *spectest.Call) spectest.Reply {
		doc, ok := c.Store.Get(d.list, c.Params[d.param])
		if !ok {
			return notFound()
		}
		if !d.editable[fmt.Sprint(doc["status"])] {
			return notEditable(d, doc)
		}
		lineID := c.Params[d.lineParam]
		old, exists := c.Store.Get(d.lines, lineID)
		switch {
		case lineID != "" && !exists:
			return notFound()
		case exists && !matchesETag(c, old):
			return changed()
		}
		line := merge(old, body(c))
		if !exists {
			b.newLine(d, doc, line)
		}
		if msg := b.checkLine(c, line); msg != "" {
			return fail(http.StatusBadRequest, "Internal_RecordNotFound", msg)
		}
		amounts(line, d.prices && doc["pricesIncludeTax"] == true)
		saved := b.keep(d.lines, line)
		b.retotal(d, doc)
		status := http.StatusOK
		if !exists {
			status = http.StatusCreated
		}
		return spectest.JSON(status, saved)
	}
}

// newLine numbers a new line: after the document's last, unless it names
// its sequence; its id is the document's and its sequence.
func (b *BC) newLine(d kind, doc, line map[string]any) {
	if line["sequence"] == nil {
		last := 0
		for _, l := range b.linesOf(d, fmt.Sprint(doc["id"])) {
			last = max(last, int(num(l.(map[string]any)["sequence"])))
		}
		line["sequence"] = last + 10000
	}
	line["documentId"] = doc["id"]
	line["id"] = fmt.Sprintf("%v-%v", doc["id"], line["sequence"])
	if line["lineType"] == nil {
		line["lineType"] = "Item"
	}
}

// checkLine checks a line's item and tax group, and fills in the item's
// details, description and price.
func (b *BC) checkLine(c *spectest.Call, line map[string]any) string {
	item, ok := c.Store.Get(Items, fmt.Sprint(line["itemId"]))
	if line["lineType"] == "Item" && !ok {
		return fmt.Sprintf("The Item does not exist. Identification fields and values: Id='%v'", line["itemId"])
	}
	line["lineDetails"] = map[string]any{"number": item["number"], "displayName": item["displayName"]}
	if line["description"] == nil {
		line["description"] = item["displayName"]
	}
	if line["unitPrice"] == nil {
		line["unitPrice"] = item["unitPrice"]
	}
	if line["taxCode"] == nil {
		line["taxCode"] = "VAT21" // the item's VAT product posting group
	}
	if _, ok := taxRates[fmt.Sprint(line["taxCode"])]; !ok {
		return fmt.Sprintf("The VAT Product Posting Group does not exist. Identification fields and values: Code='%v'", line["taxCode"])
	}
	return ""
}

// amounts computes a line's amounts from its quantity, price, discount
// and tax group: with its prices including tax, the tax is taken out.
func amounts(line map[string]any, inclusive bool) {
	rate := taxRates[fmt.Sprint(line["taxCode"])]
	amount := round(num(line["quantity"])*num(line["unitPrice"]) - num(line["discountAmount"]))
	excl := amount
	if inclusive {
		excl = round(amount / (1 + rate/100))
	}
	tax := round(excl * rate / 100)
	if inclusive {
		tax = round(amount - excl)
	}
	line["taxPercent"], line["amountExcludingTax"], line["totalTaxAmount"] = rate, money(excl), money(tax)
	line["amountIncludingTax"], line["netAmount"], line["netTaxAmount"] = money(excl+tax), money(excl), money(tax)
	line["netAmountIncludingTax"], line["discountAppliedBeforeTax"] = money(excl+tax), true
}

// retotal computes a document's totals from its lines and keeps it.
func (b *BC) retotal(d kind, doc map[string]any) {
	totals(d, doc, b.linesOf(d, fmt.Sprint(doc["id"])))
	b.keep(d.list, doc)
}

func totals(_ kind, doc map[string]any, lines []any) {
	var excl, tax float64
	for _, l := range lines {
		m := l.(map[string]any)
		excl += num(m["netAmount"])
		tax += num(m["netTaxAmount"])
	}
	doc["totalAmountExcludingTax"], doc["totalTaxAmount"], doc["totalAmountIncludingTax"] = money(excl), money(tax), money(excl+tax)
}

// deleteLine removes a line of a document that may change.
func (b *BC) deleteLine(d kind) spectest.Handler {
	return func(c *spectest.Call) spectest.Reply {
		doc, ok := c.Store.Get(d.list, c.Params[d.param])
		if !ok {
			return notFound()
		}
		if !d.editable[fmt.Sprint(doc["status"])] {
			return notEditable(d, doc)
		}
		if _, ok := c.Store.Get(d.lines, c.Params[d.lineParam]); !ok {
			return notFound()
		}
		c.Store.Delete(d.lines, c.Params[d.lineParam])
		b.retotal(d, doc)
		return spectest.Reply{Status: http.StatusNoContent}
	}
}

func num(v any) float64 {
	f, _ := strconv.ParseFloat(fmt.Sprint(v), 64)
	return f
}

func round(f float64) float64 { return math.Round(f*100) / 100 }

func money(f float64) json.Number { return json.Number(strconv.FormatFloat(round(f), 'f', 2, 64)) }

// Release releases a sales order: it no longer changes.
func (b *BC) Release(orderID string) {
	doc, _ := b.Store.Get(SalesOrders, orderID)
	doc["status"] = "Released"
	b.keep(SalesOrders, doc)
}

// InvoiceOrder ships and invoices a sales order as Business Central
// posts it: a posted (Open) invoice with the order's lines, external
// document number and number takes its place, and the order is gone.
func (b *BC) InvoiceOrder(orderID string) map[string]any {
	order, _ := b.Store.Get(SalesOrders, orderID)
	n := b.Store.NextID(SalesInvoices)
	inv := map[string]any{"id": id(SalesInvoices, n), "number": fmt.Sprintf("PS-INV%06d", 103000+n), "status": "Open",
		"orderId": orderID, "orderNumber": order["number"]}
	for _, k := range []string{"externalDocumentNumber", "customerId", "customerNumber", "customerName", "billToName", "currencyCode",
		"pricesIncludeTax", "totalAmountExcludingTax", "totalTaxAmount", "totalAmountIncludingTax", "orderDate"} {
		if order[k] != nil {
			inv[k] = order[k]
		}
	}
	inv["invoiceDate"], inv["remainingAmount"] = inv["orderDate"], inv["totalAmountIncludingTax"]
	delete(inv, "orderDate")
	for _, l := range b.linesOf(kinds[0], orderID) {
		line := spectest.Copy(l.(map[string]any))
		line["documentId"], line["id"] = inv["id"], fmt.Sprintf("%v-%v", inv["id"], line["sequence"])
		b.keep("salesInvoiceLines", line)
		b.Store.Delete("salesOrderLines", fmt.Sprint(l.(map[string]any)["id"]))
	}
	b.Store.Delete(SalesOrders, orderID)
	return b.keep(SalesInvoices, inv)
}
