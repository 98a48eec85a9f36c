package exactonline

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/exactonline/fake"
)

// shop seeds the items orders name.
func shop(srv *fake.Server) {
	for _, sku := range []string{"CHAIR-OAK", "CUSHION", "SHIPPING"} {
		srv.AddRecord(division, "logistics/Items", map[string]any{"Code": sku, "Description": sku, "IsSalesItem": true})
	}
}

// webOrder is what the default write mapping makes of a webshop order.
func webOrder(number, email string) map[string]any {
	return map[string]any{
		"YourRef": number, "Description": "Webshop order " + number, "OrderDate": "2024-05-01T10:15:00", "Currency": "EUR",
		"OrderedBy": map[string]any{"Email": email, "Name": "Jane van Dijk", "City": "Utrecht", "Country": "NL"},
		"Lines": []any{
			map[string]any{"ItemCode": "CHAIR-OAK", "Description": "Oak dining chair", "Quantity": 2, "UnitPrice": 149.95, "VATPercentage": "19"},
			map[string]any{"ItemCode": "CUSHION", "Quantity": 1, "UnitPrice": 20, "VATPercentage": "19"},
		},
		"VATCountry": "DE", "ShippingMethod": "DHL Express", "ShippingCost": 5, "ShippingVATPercentage": "19", "PaymentMethod": "ideal",
	}
}

func writeOptions(t *testing.T, values map[string]any) connectors.Config {
	t.Helper()
	all := map[string]any{"vat_codes": `{"DE": {"19": "5"}, "NL": {"21": "2", "9": "1"}}`, "shipping_methods": `{"DHL Express": "DHL", "*": "POST"}`,
		"payment_methods": `{"ideal": "00", "invoice": "30"}`, "shipping_sku": "SHIPPING", "warehouse": "1"}
	for k, v := range values {
		all[k] = v
	}
	opts, err := Spec.ResolveAndValidateFlow(connectors.UseWrite, all, connectors.Config{}, connectors.Env{})
	if err != nil {
		t.Fatal(err)
	}
	return opts
}

func TestOrdersBecomeTheDocumentsTheFlowAsks(t *testing.T) {
	tests := []struct {
		orderType, recordType, collection, customerField, linesField string
		check                                                        func(t *testing.T, doc map[string]any)
	}{
		{"order", "", "salesorder/SalesOrders", "OrderedBy", "SalesOrderLines", func(t *testing.T, doc map[string]any) {
			if doc["ShippingMethod"] == nil || doc["Warehouse"] == nil || doc["PaymentCondition"] != "00" {
				t.Errorf("sales order without its shipping method, warehouse or payment condition: %v", doc)
			}
		}},
		{"order", "invoice", "salesinvoice/SalesInvoices", "OrderedBy", "SalesInvoiceLines", func(t *testing.T, doc map[string]any) {
			if doc["Journal"] != "70" || doc["InvoiceDate"] != "2024-05-01T10:15:00" {
				t.Errorf("invoice without the default journal 70 or its date: %v", doc)
			}
		}},
		{"quotation", "", "crm/Quotations", "OrderAccount", "QuotationLines", func(t *testing.T, doc map[string]any) {
			if doc["QuotationDate"] != "2024-05-01T10:15:00" {
				t.Errorf("quotation without its date: %v", doc)
			}
		}},
	}
	for i, tt := range tests {
		t.Run(tt.collection, func(t *testing.T) {
			srv, base := exact(t, fake.Options{})
			shop(srv)
			c, _ := connected(t, base)
			number := fmt.Sprint(1001 + i)
			data := webOrder(number, "jane@example.com")
			if tt.recordType != "" {
				data["Type"] = tt.recordType
			}
			res, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Key: number, Data: data,
				Options: writeOptions(t, map[string]any{"order_type": tt.orderType})})
			if err != nil {
				t.Fatal(err)
			}
			docs := srv.Records(division, tt.collection)
			if len(docs) != 1 || !strings.HasSuffix(res.TargetID, fmt.Sprint(docs[0][srv.KeyOf(tt.collection)])) {
				t.Fatalf("%d documents in %s, target id %q", len(docs), tt.collection, res.TargetID)
			}
			doc := docs[0]
			accounts := srv.Records(division, "crm/Accounts")
			if len(accounts) != 1 || doc[tt.customerField] != accounts[0]["ID"] || accounts[0]["Email"] != "jane@example.com" {
				t.Fatalf("the document's customer %v; accounts %v", doc[tt.customerField], accounts)
			}
			lines := doc[tt.linesField].([]any)
			if len(lines) != 3 {
				t.Fatalf("%d lines, want the two items and shipping", len(lines))
			}
			for i, want := range []string{"CHAIR-OAK", "CUSHION", "SHIPPING"} {
				l := lines[i].(map[string]any)
				if l["ItemCode"] != want || l["VATCode"] != "5" {
					t.Errorf("line %d = %v, want item %s with VAT code 5 (DE 19%%)", i+1, l, want)
				}
			}
			if doc["YourRef"] != number {
				t.Errorf("YourRef %v, want the shop's order number %s", doc["YourRef"], number)
			}
			tt.check(t, doc)
		})
	}
}

func TestOrderErrorsSayWhatToDo(t *testing.T) {
	tests := []struct {
		name    string
		change  func(data map[string]any)
		options map[string]any
		want    string
	}{
		{"no VAT code for the country and rate", func(d map[string]any) { d["Lines"].([]any)[0].(map[string]any)["VATPercentage"] = "7" },
			nil, "customer jane@example.com has no VAT code for DE at 7%; set one in the flow's VAT table (vat_codes)"},
		{"an item Exact Online does not have", func(d map[string]any) { d["Lines"].([]any)[1].(map[string]any)["ItemCode"] = "LAMP" },
			nil, "order 2001 line 2: Exact Online has no item with code LAMP; add it, or sync products first"},
		{"a guest order without a guest customer", func(d map[string]any) { d["OrderedBy"] = map[string]any{"Name": "Guest"} },
			nil, "order 2001 has no customer (no e-mail address, VAT id or customer number): a guest order; set the flow's customer of guest orders (guest_customer)"},
		{"a guest customer Exact Online does not have", func(d map[string]any) { d["OrderedBy"] = map[string]any{"Name": "Guest"} },
			map[string]any{"guest_customer": "9999"}, "the customer of guest orders, 9999, is not an account of Exact Online"},
		{"shipping costs without a shipping product", func(map[string]any) {},
			map[string]any{"shipping_sku": ""}, "order 2001 has shipping costs of 5 but the flow has no shipping cost product; set shipping_sku"},
		{"a line without a SKU and no fee product", func(d map[string]any) {
			d["Lines"] = append(d["Lines"].([]any), map[string]any{"Description": "Payment surcharge", "Quantity": 1, "UnitPrice": 2.5, "VATPercentage": "19"})
		},
			nil, "order 2001 line 3 (Payment surcharge) has no SKU: a fee, or a product without one; set fee_sku"},
		{"a payment method not in the table", func(d map[string]any) { d["PaymentMethod"] = "klarna" },
			nil, `the payment method "klarna" of order 2001 is not in the flow's payment table (payment_methods)`},
		{"a warehouse Exact Online does not have", func(map[string]any) {},
			map[string]any{"warehouse": "9"}, `Exact Online has no warehouse with code "9"`},
		{"a field Exact Online does not know", func(d map[string]any) { d["Colour"] = "red" },
			nil, "The property 'Colour' does not exist on type 'Exact.Web.Api.Models.SalesOrder'"},
		{"an order type Exact Online is not written", func(d map[string]any) { d["Type"] = "financial_mutation" },
			nil, `order 2001 has type "financial_mutation"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, base := exact(t, fake.Options{})
			shop(srv)
			c, _ := connected(t, base)
			data := webOrder("2001", "jane@example.com")
			tt.change(data)
			_, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Key: "2001", Data: data, Options: writeOptions(t, tt.options)})
			permanent(t, err, tt.want)
			if n := len(srv.Records(division, "salesorder/SalesOrders")); n != 0 {
				t.Fatalf("%d sales orders made of an order that failed", n)
			}
			if n := len(srv.Records(division, "crm/Accounts")); n != 0 && !strings.Contains(tt.want, "Exact.Web.Api") { // all but an order Exact Online refused
				t.Fatalf("%d accounts made of an order that failed before it was sent", n)
			}
		})
	}
}

func TestGuestOrdersGoToTheGuestCustomer(t *testing.T) {
	srv, base := exact(t, fake.Options{})
	shop(srv)
	guest := srv.AddRecord(division, "crm/Accounts", map[string]any{"Code": "9000", "Name": "Webshop customers", "Status": "C"})
	c, _ := connected(t, base)
	data := webOrder("3001", "")
	data["OrderedBy"] = map[string]any{"Name": "A guest"}
	if _, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Key: "3001", Data: data,
		Options: writeOptions(t, map[string]any{"guest_customer": "9000"})}); err != nil {
		t.Fatal(err)
	}
	orders := srv.Records(division, "salesorder/SalesOrders")
	if len(orders) != 1 || orders[0]["OrderedBy"] != guest || len(srv.Records(division, "crm/Accounts")) != 1 {
		t.Fatalf("a guest order went to %v (guest customer %s), accounts %d", orders[0]["OrderedBy"], guest, len(srv.Records(division, "crm/Accounts")))
	}
}

func TestTheVATCodeIsFoundByItsRateWithoutATable(t *testing.T) {
	srv, base := exact(t, fake.Options{})
	shop(srv)
	c, _ := connected(t, base)
	data := webOrder("4001", "jane@example.com")
	data["VATCountry"] = "NL"
	for _, l := range data["Lines"].([]any) {
		l.(map[string]any)["VATPercentage"] = "21.00"
	}
	data["ShippingVATPercentage"] = "21"
	if _, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Key: "4001", Data: data,
		Options: writeOptions(t, map[string]any{"vat_codes": ""})}); err != nil {
		t.Fatal(err)
	}
	for _, l := range srv.Records(division, "salesorder/SalesOrders")[0]["SalesOrderLines"].([]any) {
		if code := l.(map[string]any)["VATCode"]; code != "2" {
			t.Fatalf("VAT code %v, want 2, Exact Online's one code of 21%%", code)
		}
	}
}

// TestAnOrderWrittenAtOnceByTwoWorkersIsMadeOnce: the same order (and its
// new customer) written by several workers at once makes one sales order
// and one account.
func TestAnOrderWrittenAtOnceByTwoWorkersIsMadeOnce(t *testing.T) {
	srv, base := exact(t, fake.Options{})
	shop(srv)
	k := newKeeper(connect(t, base))
	shared := connectors.NewShared()
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := open(t, config(base), k.secrets(), connectors.Env{Shared: shared, Secrets: k})
			if _, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Key: "9001", Data: webOrder("9001", "new@example.com"),
				Options: writeOptions(t, nil)}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if o, a := len(srv.Records(division, "salesorder/SalesOrders")), len(srv.Records(division, "crm/Accounts")); o != 1 || a != 1 {
		t.Fatalf("%d sales orders and %d accounts of one order written at once; want one each", o, a)
	}
}

// TestALineWithoutASKUIsBookedOnTheFeeProduct: a shop's fee (a payment
// surcharge) has no SKU; it is a line on the flow's fee product, with the
// fee's own description.
func TestALineWithoutASKUIsBookedOnTheFeeProduct(t *testing.T) {
	srv, base := exact(t, fake.Options{})
	shop(srv)
	c, _ := connected(t, base)
	data := webOrder("2201", "jane@example.com")
	data["Lines"] = append(data["Lines"].([]any), map[string]any{"Description": "Payment surcharge", "Quantity": 1, "UnitPrice": 2.5, "VATPercentage": "19"})
	if _, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Key: "2201", Data: data,
		Options: writeOptions(t, map[string]any{"fee_sku": "SHIPPING"})}); err != nil {
		t.Fatal(err)
	}
	docs := srv.Records(division, "salesorder/SalesOrders")
	if len(docs) != 1 {
		t.Fatalf("%d sales orders", len(docs))
	}
	lines := docs[0]["SalesOrderLines"].([]any)
	if len(lines) != 4 {
		t.Fatalf("%d lines, want the two items, the fee and shipping", len(lines))
	}
	if fee := lines[2].(map[string]any); fee["ItemCode"] != "SHIPPING" || fee["Description"] != "Payment surcharge" || fee["VATCode"] != "5" {
		t.Fatalf("the fee is the line %v", fee)
	}
}

// TestVATCodesAreSalesCodes: without a VAT table, a line's VAT code is
// Exact Online's one sales code of its rate; codes for purchases only and
// blocked ones are left aside, and a rate without one fails naming them;
// several sales codes of a rate fail naming them, not as a rate it has
// no code of.
func TestVATCodesAreSalesCodes(t *testing.T) {
	tests := []struct {
		name  string
		codes [][4]any // code, description, percentage, transaction type; "X" for a blocked sales code
		rate  string
		want  string // the lines' VAT code, or the error
	}{
		{"purchase code of the rate", [][4]any{{"4", "BTW inkopen hoog", 0.21, "P"}}, "21", "2"},
		{"blocked code of the rate", [][4]any{{"8", "BTW hoog oud", 0.21, "X"}}, "21", "2"},
		{"code for both", [][4]any{{"9", "BTW 6%", 0.06, "B"}}, "6", "9"},
		{"only a purchase code", [][4]any{{"3", "BTW inkopen 6%", 0.06, "P"}, {"6", "BTW 6% oud", 0.06, "X"}}, "6",
			"order 4002 line 1: customer jane@example.com has no VAT code for NL at 6%; set one in the flow's VAT table (vat_codes); " +
				"Exact Online's VAT codes of 6% are not for sales: 3 (BTW inkopen 6%) is for purchases only, 6 (BTW 6% oud) is blocked"},
		{"several sales codes", [][4]any{{"4", "BTW inkopen hoog", 0.21, "P"}, {"7", "BTW verkopen hoog winkel", 0.21, "S"}}, "21",
			"order 4002 line 1: customer jane@example.com has no VAT code for NL at 21%; set one in the flow's VAT table (vat_codes); " +
				"Exact Online has 2 VAT codes of 21%: 2 (BTW verkopen hoog), 7 (BTW verkopen hoog winkel)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, base := exact(t, fake.Options{})
			shop(srv)
			for _, v := range tt.codes {
				srv.AddRecord(division, "vat/VATCodes", map[string]any{"Code": v[0], "Description": v[1], "Percentage": v[2],
					"VATTransactionType": map[bool]any{true: "S", false: v[3]}[v[3] == "X"], "IsBlocked": v[3] == "X"})
			}
			c, _ := connected(t, base)
			data := webOrder("4002", "jane@example.com")
			data["VATCountry"], data["ShippingCost"] = "NL", 0
			data["Lines"] = data["Lines"].([]any)[:1]
			data["Lines"].([]any)[0].(map[string]any)["VATPercentage"] = tt.rate
			_, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Key: "4002", Data: data,
				Options: writeOptions(t, map[string]any{"vat_codes": ""})})
			if strings.Contains(tt.want, " ") {
				permanent(t, err, tt.want)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			line := srv.Records(division, "salesorder/SalesOrders")[0]["SalesOrderLines"].([]any)[0].(map[string]any)
			if line["VATCode"] != tt.want {
				t.Fatalf("VAT code %v, want %s", line["VATCode"], tt.want)
			}
		})
	}
}
