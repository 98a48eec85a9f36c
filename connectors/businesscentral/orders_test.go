package businesscentral

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/businesscentral/bctest"
)

// lineSummary is a document's lines as "item|description|tax code|amount
// with tax", in their order.
func lineSummary(b *bctest.BC, collection, docID string) string {
	var out []string
	for _, l := range b.All(collection) {
		if l["documentId"] == docID {
			d := l["lineDetails"].(map[string]any)
			out = append(out, fmt.Sprint(l["sequence"], "|", d["number"], "|", l["description"], "|", l["taxCode"], "|", l["amountIncludingTax"]))
		}
	}
	return strings.Join(out, "\n")
}

// TestAnOrderBecomesASalesOrder: an order becomes a sales order with its
// customer made, each line on its item with the tax code of its rate, the
// shipping costs on the flow's shipping item, the shipment method and
// payment terms by the flow's tables, and the company's own currency
// left blank. Written again (the link lost), the same order is updated
// and its lines brought in step, not made twice.
func TestAnOrderBecomesASalesOrder(t *testing.T) {
	b := bctest.New(t)
	items(b)
	c := open(t, b, nil)
	res, err := write(t, c, connectors.Order, "", "1001", anOrder("1001"), orderOptions)
	if err != nil {
		t.Fatal(err)
	}
	kind, id, _ := strings.Cut(res.TargetID, "/")
	order, ok := b.Get(bctest.SalesOrders, id)
	if kind != "order" || !ok {
		t.Fatalf("the target id is %q", res.TargetID)
	}
	want := "10000|SPK-200-BLK|Bookshelf speaker - Black|VAT21|238.40\n20000|CBL-3M|Speaker cable 3 m|VAT21|12.95\n30000|SHIP|Shipping: Standard Shipping|VAT21|6.95"
	if got := lineSummary(b, "salesOrderLines", id); got != want {
		t.Fatalf("the order's lines:\n%s\nwant:\n%s", got, want)
	}
	if order["externalDocumentNumber"] != "1001" || order["currencyCode"] != nil || order["orderDate"] != "2025-03-14" ||
		fmt.Sprint(order["totalAmountIncludingTax"], " ", order["totalTaxAmount"]) != "258.30 44.84" {
		t.Fatalf("the order is %v", order)
	}
	customers := b.All(bctest.Customers)
	if len(customers) != 1 || order["customerId"] != customers[0]["id"] || customers[0]["email"] != "anna.devries@example.nl" {
		t.Fatalf("customers %v; the order's %v", customers, order["customerId"])
	}
	if !codeIs(b, bctest.ShipmentMethod, order["shipmentMethodId"], "POSTNL") || !codeIs(b, bctest.PaymentTerms, order["paymentTermsId"], "0D") {
		t.Fatalf("the order's shipment method %v and payment terms %v", order["shipmentMethodId"], order["paymentTermsId"])
	}
	again := anOrder("1001")
	again["Lines"] = again["Lines"].([]any)[1:]
	res2, err := write(t, c, connectors.Order, "", "1001", again, orderOptions)
	if err != nil || res2.TargetID != res.TargetID || len(b.All(bctest.SalesOrders)) != 1 {
		t.Fatalf("writing the order again: %v, %v; Business Central has %d orders", res2, err, len(b.All(bctest.SalesOrders)))
	}
	want = "10000|CBL-3M|Speaker cable 3 m|VAT21|12.95\n20000|SHIP|Shipping: Standard Shipping|VAT21|6.95"
	if got := lineSummary(b, "salesOrderLines", id); got != want {
		t.Fatalf("the order's lines after the update:\n%s\nwant:\n%s", got, want)
	}
}

// TestALineWithoutASKUIsBookedOnTheFeeProduct: a shop's fee (a payment
// surcharge) has no SKU; it is a line on the flow's fee item, with the
// fee's own description.
func TestALineWithoutASKUIsBookedOnTheFeeProduct(t *testing.T) {
	b := bctest.New(t)
	items(b)
	c := open(t, b, nil)
	o := anOrder("1101")
	o["Lines"] = append(o["Lines"].([]any), map[string]any{"description": "Payment surcharge", "quantity": 1, "unitPrice": 2.50, "taxRate": "21.0"})
	res, err := write(t, c, connectors.Order, "", "1101", o, withOptions(orderOptions, "fee_sku", "SHIP"))
	if err != nil {
		t.Fatal(err)
	}
	want := "10000|SPK-200-BLK|Bookshelf speaker - Black|VAT21|238.40\n20000|CBL-3M|Speaker cable 3 m|VAT21|12.95\n" +
		"30000|SHIP|Payment surcharge|VAT21|2.50\n40000|SHIP|Shipping: Standard Shipping|VAT21|6.95"
	if got := lineSummary(b, "salesOrderLines", strings.TrimPrefix(res.TargetID, "order/")); got != want {
		t.Fatalf("the order's lines:\n%s\nwant:\n%s", got, want)
	}
}

func codeIs(b *bctest.BC, collection string, id any, code string) bool {
	rec, ok := b.Get(collection, fmt.Sprint(id))
	return ok && rec["code"] == code
}

// TestOrderTypes: the flow's order type, or the order's own type, makes a
// sales invoice (dated by invoiceDate) or a sales quote (documentDate,
// and prices without tax, which is all a quote takes: its total may be a
// cent off the order's) instead of a sales order.
func TestOrderTypes(t *testing.T) {
	b := bctest.New(t)
	items(b)
	c := open(t, b, nil)
	withType := func(o map[string]any, typ string) map[string]any { o["OrderType"] = typ; return o }
	flowType := anOrder("2001")
	delete(flowType, "OrderType") // the flow's type, then
	inv, err := write(t, c, connectors.Order, "", "2001", flowType, withOptions(orderOptions, "order_type", "invoice"))
	if err != nil {
		t.Fatal(err)
	}
	quote, err := write(t, c, connectors.Order, "", "2002", withType(anOrder("2002"), "Quotation"), orderOptions)
	if err != nil {
		t.Fatal(err)
	}
	i, _ := b.Get(bctest.SalesInvoices, strings.TrimPrefix(inv.TargetID, "invoice/"))
	q, _ := b.Get(bctest.SalesQuotes, strings.TrimPrefix(quote.TargetID, "quotation/"))
	if i["invoiceDate"] != "2025-03-14" || i["externalDocumentNumber"] != "2001" || q["documentDate"] != "2025-03-14" || q["pricesIncludeTax"] != nil ||
		fmt.Sprint(q["totalAmountIncludingTax"]) != "258.29" {
		t.Fatalf("the invoice %v\nthe quote %v", i, q)
	}
	if len(b.All(bctest.SalesOrders)) != 0 || !strings.Contains(lineSummary(b, "salesQuoteLines", q["id"].(string)), "SPK-200-BLK") {
		t.Fatal("the quote has no lines, or an order was made")
	}
	if _, err := write(t, c, connectors.Order, "", "2003", withType(anOrder("2003"), "financial_mutation"), orderOptions); err == nil ||
		!strings.Contains(err.Error(), `order 2003 has type "financial_mutation"; the order types written are order, invoice, quotation`) {
		t.Fatalf("a type Business Central does not make: %v", err)
	}
}

func withOptions(base map[string]any, kv ...string) map[string]any {
	out := map[string]any{}
	for k, v := range base {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// TestAnInvoicedOrderIsFoundAndLeftAlone: an order that was shipped and
// invoiced (its sales order replaced by a posted invoice) is found by its
// number among the invoices, and a later write of it changes nothing and
// makes no second order, also when it names the sales order it was
// written as, which Business Central removed; so is a released order.
func TestAnInvoicedOrderIsFoundAndLeftAlone(t *testing.T) {
	b := bctest.New(t)
	items(b)
	c := open(t, b, nil)
	first, err := write(t, c, connectors.Order, "", "3001", anOrder("3001"), orderOptions)
	if err != nil {
		t.Fatal(err)
	}
	posted := b.InvoiceOrder(strings.TrimPrefix(first.TargetID, "order/"))
	target, found, err := c.FindByKey(ctx(t), connectors.Order, "3001")
	if err != nil || !found || target != "invoice/"+posted["id"].(string) {
		t.Fatalf("FindByKey(3001) = %q, %v, %v; want the posted invoice", target, found, err)
	}
	for _, known := range []string{target, first.TargetID} { // found again, or by the sales order it was written as
		res, err := write(t, c, connectors.Order, known, "3001", anOrder("3001"), orderOptions)
		if err != nil || res.TargetID != target ||
			!strings.Contains(fmt.Sprint(res.Response["unchanged"]), "the invoice of order 3001 is Open in Business Central; it is not changed") {
			t.Fatalf("writing an invoiced order known as %s: %v, %v", known, res, err)
		}
	}
	if n := len(b.All(bctest.SalesOrders)); n != 0 {
		t.Fatalf("Business Central has %d sales orders after an invoiced order was written again", n)
	}
	second, err := write(t, c, connectors.Order, "", "3002", anOrder("3002"), orderOptions)
	if err != nil {
		t.Fatal(err)
	}
	b.Release(strings.TrimPrefix(second.TargetID, "order/"))
	if res, err := write(t, c, connectors.Order, "", "3002", anOrder("3002"), orderOptions); err != nil || res.Response["unchanged"] == nil {
		t.Fatalf("writing a released order: %v, %v", res, err)
	}
}

// TestOrdersThatCannotBeWrittenSayWhy: what is missing fails the order
// with what to do, and nothing is made.
func TestOrdersThatCannotBeWrittenSayWhy(t *testing.T) {
	b := bctest.New(t)
	items(b)
	b.AddCustomer(map[string]any{"displayName": "Webshop guests", "number": "WEBSHOP"})
	c := open(t, b, nil)
	guest := func() map[string]any {
		o := anOrder("4007")
		o["Customer"] = map[string]any{"displayName": "J. Doe"}
		return o
	}
	german := anOrder("4002")
	german["TaxCountry"], german["Customer"].(map[string]any)["email"] = "DE", "jane@example.com"
	german["Lines"].([]any)[0].(map[string]any)["taxRate"] = "19"
	fee := anOrder("4008")
	fee["Lines"] = append(fee["Lines"].([]any), map[string]any{"description": "Payment surcharge", "quantity": 1, "unitPrice": 2.50, "taxRate": "21.0"})
	unknownItem := anOrder("4001")
	unknownItem["Lines"].([]any)[1].(map[string]any)["itemNumber"] = "NOPE-1"
	tests := []struct {
		name  string
		order map[string]any
		opts  map[string]any
		want  string
	}{
		{"an item it lacks", unknownItem, orderOptions, "order 4001: item NOPE-1 does not exist in Business Central; add it there (or let a product flow into Business Central make it), then retry"},
		{"no VAT code", german, orderOptions, "customer jane@example.com has no VAT code for DE at 19%; set one in the flow's VAT table (vat_codes)"},
		{"no shipping item", anOrder("4003"), withOptions(orderOptions, "shipping_sku", ""), "order 4003 has shipping costs of 6.95 but the flow has no shipping cost product; set shipping_sku to the SKU of a service product"},
		{"a shipping method not in the table", anOrder("4004"), withOptions(orderOptions, "shipping_methods", `{"DHL Express": "DHL"}`), `the shipping method "Standard Shipping" of order 4004 is not in the flow's shipping table (shipping_methods)`},
		{"a code it lacks", anOrder("4005"), withOptions(orderOptions, "payment_methods", `{"*": "60 DAYS"}`), `order 4005: the code 60 DAYS that the flow's payment_methods table gives "mollie_ideal" does not exist in Business Central's paymentTerms`},
		{"a line without a SKU and no fee product", fee, orderOptions, "order 4008 line 3 (Payment surcharge) has no SKU: a fee, or a product without one; set fee_sku"},
		{"a guest order", guest(), orderOptions, "order 4007 has no customer (no e-mail address, VAT id or customer number): a guest order; set the flow's customer of guest orders (guest_customer)"},
		{"a guest customer it lacks", guest(), withOptions(orderOptions, "guest_customer", "WALK-IN"), "the flow's customer of guest orders, WALK-IN, is not a customer in Business Central"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := write(t, c, connectors.Order, "", "x", tt.order, tt.opts)
			if class, _ := connectors.Classify(err); err == nil || class != connectors.ClassPermanent || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want a permanent %q", err, tt.want)
			}
		})
	}
	if orders, customers := len(b.All(bctest.SalesOrders)), len(b.All(bctest.Customers)); orders != 0 || customers != 1 {
		t.Fatalf("orders that could not be written made %d sales orders and %d customers", orders, customers-1)
	}
	res, err := write(t, c, connectors.Order, "", "4007", guest(), withOptions(orderOptions, "guest_customer", "WEBSHOP"))
	if err != nil {
		t.Fatal(err)
	}
	if o, _ := b.Get(bctest.SalesOrders, strings.TrimPrefix(res.TargetID, "order/")); o["customerNumber"] != "WEBSHOP" {
		t.Fatalf("the guest order is for %v", o["customerNumber"])
	}
}

// TestOneOrderWrittenAtOnceMakesOneOrder: four workers writing one order
// at once make one sales order and one customer.
func TestOneOrderWrittenAtOnceMakesOneOrder(t *testing.T) {
	b := bctest.New(t)
	items(b)
	c := open(t, b, nil)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = write(t, c, connectors.Order, "", "5001", anOrder("5001"), orderOptions)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if orders, customers := len(b.All(bctest.SalesOrders)), len(b.All(bctest.Customers)); orders != 1 || customers != 1 {
		t.Fatalf("four writes of one order at once made %d orders and %d customers", orders, customers)
	}
}

// TestItemNumbersAreFoundWhateverTheirCase: Business Central keeps item
// numbers in capitals (they are Code fields) and finds them whatever the
// case asked for; an order whose SKUs a shop writes in small letters, or
// a fee and shipping item set so in the flow, is booked on those items.
func TestItemNumbersAreFoundWhateverTheirCase(t *testing.T) {
	b := bctest.New(t)
	items(b)
	b.AddItem(map[string]any{"number": "FEE", "displayName": "Fees", "type": "Service"})
	c := open(t, b, nil)
	if _, err := write(t, c, connectors.Product, "", "lamp-1", map[string]any{"number": "lamp-1", "displayName": "Desk lamp"}, nil); err != nil {
		t.Fatal(err)
	}
	order := anOrder("1010")
	order["Lines"] = []any{
		map[string]any{"itemNumber": "spk-200-blk", "description": "Bookshelf speaker - Black", "quantity": 1, "unitPrice": 149.00, "taxRate": "21.0"},
		map[string]any{"itemNumber": "lamp-1", "description": "Desk lamp", "quantity": 1, "unitPrice": 39.95, "taxRate": "21.0"},
		map[string]any{"description": "Gift wrapping", "quantity": 1, "unitPrice": 2.50, "taxRate": "21.0"},
	}
	values := map[string]any{}
	for k, v := range orderOptions {
		values[k] = v
	}
	values["shipping_sku"], values["fee_sku"] = "ship", "fee"
	res, err := write(t, c, connectors.Order, "", "1010", order, values)
	if err != nil {
		t.Fatal(err)
	}
	_, id, _ := strings.Cut(res.TargetID, "/")
	want := "10000|SPK-200-BLK|Bookshelf speaker - Black|VAT21|149.00\n20000|LAMP-1|Desk lamp|VAT21|39.95\n30000|FEE|Gift wrapping|VAT21|2.50\n40000|SHIP|Shipping: Standard Shipping|VAT21|6.95"
	if got := lineSummary(b, "salesOrderLines", id); got != want {
		t.Fatalf("the order's lines:\n%s\nwant:\n%s", got, want)
	}
}

// TestBlockedCustomersGetNoOrders: an order whose customer only a
// customer blocked for everything has the e-mail address or number of
// fails naming it, and makes no order and no second customer; one that
// is not blocked is taken over a blocked one, and one blocked for
// shipping only still gets its orders.
func TestBlockedCustomersGetNoOrders(t *testing.T) {
	tests := []struct {
		name      string
		customers []map[string]any
		want      string // the order's customer number, or the error
	}{
		{"blocked for all", []map[string]any{{"displayName": "Anna (old)", "number": "C-OLD", "email": "anna.devries@example.nl", "blocked": "All"}},
			"Business Central's customer C-OLD (Anna (old)), found by its e-mail address anna.devries@example.nl, is blocked for all sales (blocked: All); " +
				"no order is made for it: unblock it in Business Central, or give the customer another e-mail address"},
		{"one not blocked too", []map[string]any{{"displayName": "Anna (old)", "number": "C-OLD", "email": "anna.devries@example.nl", "blocked": "All"},
			{"displayName": "Anna de Vries", "number": "C-NEW", "email": "anna.devries@example.nl"}}, "C-NEW"},
		{"blocked for shipping", []map[string]any{{"displayName": "Anna de Vries", "number": "C-SHIP", "email": "anna.devries@example.nl", "blocked": "Ship"}}, "C-SHIP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := bctest.New(t)
			items(b)
			for _, cust := range tt.customers {
				b.AddCustomer(cust)
			}
			c := open(t, b, nil)
			res, err := write(t, c, connectors.Order, "", "4101", anOrder("4101"), orderOptions)
			if strings.HasPrefix(tt.want, "Business Central") {
				if class, _ := connectors.Classify(err); err == nil || class != connectors.ClassPermanent || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("got %v, want a permanent %q", err, tt.want)
				}
				if orders, customers := len(b.All(bctest.SalesOrders)), len(b.All(bctest.Customers)); orders != 0 || customers != len(tt.customers) {
					t.Fatalf("an order of a blocked customer made %d sales orders and %d customers", orders, customers-len(tt.customers))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o, _ := b.Get(bctest.SalesOrders, strings.TrimPrefix(res.TargetID, "order/")); o["customerNumber"] != tt.want {
				t.Fatalf("the order is for %v, want %s", o["customerNumber"], tt.want)
			}
		})
	}
}
