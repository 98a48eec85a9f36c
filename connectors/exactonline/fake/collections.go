package fake

import (
	"crypto/rand"
	"fmt"
	"strings"
)

// collection is one resource of a division, such as crm/Accounts.
type collection struct {
	name     string // the model's name in errors, such as "Account"
	key      string // the key property, such as ID or OrderID
	props    set    // what a POST or PUT may send
	readOnly set    // what only the server sets
	required []string
	unique   string            // a property no two records share (Code)
	padded   string            // a property padded to 18 characters (Code)
	refs     map[string]string // property -> the collection whose key it must name
	codes    map[string]string // property -> the collection whose Code it must name
	number   string            // a number the server assigns (OrderNumber)
	noPost   bool
	lines    *collection // the lines of a document
	linesKey string      // the lines' property, such as SalesOrderLines
	records  []map[string]any
	next     int // the last number assigned
}

type set map[string]bool

func setOf(names ...string) set {
	s := set{}
	for _, n := range names {
		s[n] = true
	}
	return s
}

// division is one company's administration.
type division struct {
	code int
	name string
	coll map[string]*collection
}

var lineReadOnly = setOf("ID", "ItemCode", "AmountFC", "AmountDC", "VATAmount", "VATPercentage", "LineNumber")

func newDivision(code int) *division {
	doc := func(name, key, linesKey string, props []string, required ...string) *collection {
		c := &collection{name: name, key: key, props: setOf(props...), required: required, linesKey: linesKey,
			readOnly: setOf(key, "Created", "Modified", "AmountFC", "AmountDC", "AmountFCExclVat", "VATAmountFC", "Status", "OrderedByName"),
			refs:     map[string]string{}, codes: map[string]string{"PaymentCondition": "cashflow/PaymentConditions"}}
		c.lines = &collection{name: name + "Line", props: setOf("Item", "Quantity", "UnitPrice", "NetPrice", "Discount", "VATCode", "Description", "DeliveryDate"),
			readOnly: lineReadOnly, required: []string{"Item"}, refs: map[string]string{"Item": "logistics/Items"},
			codes: map[string]string{"VATCode": "vat/VATCodes"}}
		return c
	}
	orders := doc("SalesOrder", "OrderID", "SalesOrderLines", []string{"OrderedBy", "DeliverTo", "InvoiceTo", "OrderDate", "YourRef", "Description",
		"Currency", "PaymentCondition", "ShippingMethod", "Warehouse", "Remarks", "DeliveryDate"}, "OrderedBy")
	orders.number, orders.next = "OrderNumber", 0
	orders.refs = map[string]string{"OrderedBy": "crm/Accounts", "DeliverTo": "crm/Accounts", "InvoiceTo": "crm/Accounts",
		"ShippingMethod": "sales/ShippingMethods", "Warehouse": "inventory/Warehouses"}
	invoices := doc("SalesInvoice", "InvoiceID", "SalesInvoiceLines", []string{"OrderedBy", "InvoiceTo", "DeliverTo", "InvoiceDate", "YourRef", "Description",
		"Currency", "Journal", "PaymentCondition", "Remarks", "Type"}, "OrderedBy", "Journal")
	invoices.number, invoices.next = "InvoiceNumber", 0
	invoices.refs = map[string]string{"OrderedBy": "crm/Accounts", "InvoiceTo": "crm/Accounts", "DeliverTo": "crm/Accounts"}
	invoices.codes["Journal"] = "financial/Journals"
	quotes := doc("Quotation", "QuotationID", "QuotationLines", []string{"OrderAccount", "InvoiceAccount", "DeliveryAccount", "QuotationDate", "YourRef",
		"Description", "Currency", "Remarks", "PaymentCondition"}, "OrderAccount")
	quotes.number, quotes.next = "QuotationNumber", 0
	quotes.refs = map[string]string{"OrderAccount": "crm/Accounts", "InvoiceAccount": "crm/Accounts", "DeliveryAccount": "crm/Accounts"}

	d := &division{code: code, name: fmt.Sprintf("Shop BV (%d)", code), coll: map[string]*collection{
		"crm/Accounts": {name: "Account", key: "ID", props: setOf("Code", "Name", "Email", "Phone", "VATNumber", "ChamberOfCommerce", "AddressLine1",
			"AddressLine2", "Postcode", "City", "State", "Country", "Language", "Status", "Website", "Remarks", "Blocked", "StartDate", "EndDate"),
			readOnly: setOf("ID", "Created", "Modified"), required: []string{"Name"}, unique: "Code", padded: "Code"},
		"logistics/Items": {name: "Item", key: "ID", props: setOf("Code", "Description", "ExtraDescription", "Notes", "Barcode", "IsSalesItem",
			"IsStockItem", "SalesVatCode", "CostPriceStandard", "Unit", "IsWebshopItem"),
			readOnly: setOf("ID", "Created", "Modified", "StandardSalesPrice", "Stock"), required: []string{"Code", "Description"}, unique: "Code",
			codes: map[string]string{"SalesVatCode": "vat/VATCodes"}},
		"logistics/SalesItemPrices": {name: "SalesItemPrice", key: "ID", props: setOf("Item", "Price", "Currency", "StartDate", "EndDate", "Unit", "Account", "Quantity"),
			readOnly: setOf("ID", "ItemCode", "Created", "Modified"), required: []string{"Item", "Price"}, refs: map[string]string{"Item": "logistics/Items"}},
		"inventory/ItemWarehouses":   {name: "ItemWarehouse", key: "ID", noPost: true},
		"inventory/Warehouses":       {name: "Warehouse", key: "ID", noPost: true},
		"sales/ShippingMethods":      {name: "ShippingMethod", key: "ID", noPost: true},
		"cashflow/PaymentConditions": {name: "PaymentCondition", key: "ID", noPost: true},
		"vat/VATCodes":               {name: "VATCode", key: "ID", noPost: true},
		"financial/Journals":         {name: "Journal", key: "ID", noPost: true},
		"system/Divisions":           {name: "Division", key: "Code", noPost: true},
		"salesorder/SalesOrders":     orders,
		"salesinvoice/SalesInvoices": invoices,
		"crm/Quotations":             quotes,
	}}
	d.seed()
	return d
}

// seed gives a new division what every administration has.
func (d *division) seed() {
	add := func(coll string, rec map[string]any) {
		rec["ID"] = newGUID()
		d.coll[coll].records = append(d.coll[coll].records, rec)
	}
	for _, v := range [][4]any{{"0", "Geen BTW", 0.0, "B"}, {"1", "BTW verkopen laag", 0.09, "S"}, {"2", "BTW verkopen hoog", 0.21, "S"},
		{"5", "OSS Duitsland hoog", 0.19, "S"}} {
		add("vat/VATCodes", map[string]any{"Code": v[0], "Description": v[1], "Percentage": v[2], "VATTransactionType": v[3], "IsBlocked": false})
	}
	add("inventory/Warehouses", map[string]any{"Code": "1", "Description": "Hoofdmagazijn"})
	add("sales/ShippingMethods", map[string]any{"Code": "DHL", "Description": "DHL Parcel"})
	add("sales/ShippingMethods", map[string]any{"Code": "POST", "Description": "PostNL"})
	add("cashflow/PaymentConditions", map[string]any{"Code": "00", "Description": "Direct"})
	add("cashflow/PaymentConditions", map[string]any{"Code": "30", "Description": "30 dagen"})
	add("financial/Journals", map[string]any{"Code": "70", "Description": "Verkoopboek", "Type": 20})
	d.coll["system/Divisions"].records = []map[string]any{{"Code": d.code, "Description": d.name, "Currency": "EUR"}}
}

// find returns the record whose property has the value.
func (c *collection) find(prop string, value any) map[string]any {
	for _, rec := range c.records {
		if strings.EqualFold(strings.TrimSpace(fmt.Sprint(rec[prop])), strings.TrimSpace(fmt.Sprint(value))) {
			return rec
		}
	}
	return nil
}

func newGUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// pad writes a code as Exact Online keeps account codes: right-aligned
// in 18 characters.
func pad(code string) string { return fmt.Sprintf("%18s", strings.TrimSpace(code)) }
