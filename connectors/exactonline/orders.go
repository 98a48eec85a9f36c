package exactonline

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/erp"
)

// document is how an order type is written: its resource, its id, its
// customer, date and lines fields.
type document struct {
	resource, id, customer, date, lines string
}

var documents = map[string]document{
	erp.Order:     {resource: "salesorder/SalesOrders", id: "OrderID", customer: "OrderedBy", date: "OrderDate", lines: "SalesOrderLines"},
	erp.Invoice:   {resource: "salesinvoice/SalesInvoices", id: "InvoiceID", customer: "OrderedBy", date: "InvoiceDate", lines: "SalesInvoiceLines"},
	erp.Quotation: {resource: "crm/Quotations", id: "QuotationID", customer: "OrderAccount", date: "QuotationDate", lines: "QuotationLines"},
}

// orderFields are the fields of the write mapping's order that the
// connector resolves; every other field goes onto the document as it is.
var orderFields = map[string]bool{"Type": true, "OrderedBy": true, "Lines": true, "OrderDate": true, "VATCountry": true,
	"ShippingMethod": true, "ShippingCost": true, "ShippingVATPercentage": true, "PaymentMethod": true}

// order is one order being written.
type order struct {
	c      *Conn
	number string
	doc    map[string]any
	opts   erp.Options
	who    string // the customer, for messages
}

// writeOrder creates the order as the document its type says. An order
// is written once: a later write of it (a target id is known) leaves the
// document alone, as Exact Online numbers, processes and invoices it.
func (c *Conn) writeOrder(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	if req.TargetID != "" {
		return written(req.TargetID), nil
	}
	opts, err := erp.Parse(Name, flowFields, req.Options)
	if err != nil {
		return connectors.WriteResult{}, connectors.Permanent(err)
	}
	o := &order{c: c, number: text(req.Data["YourRef"]), doc: req.Data, opts: opts}
	if o.number == "" {
		o.number = req.Key
	}
	kind, err := opts.TypeOf(o.number, text(req.Data["Type"]))
	if err != nil {
		return connectors.WriteResult{}, connectors.Permanent(err)
	}
	unlock := c.orders.Lock(o.number)
	defer unlock()
	if existing, err := c.orderByReference(ctx, o.number); err != nil || existing != "" {
		return written(existing), err // another write of the order made it meanwhile
	}
	d := documents[kind]
	body, err := o.body(ctx, kind, d)
	if err != nil {
		return connectors.WriteResult{}, err
	}
	rec, err := c.create(ctx, d.resource, body, req.IdempotencyKey)
	if err != nil {
		return connectors.WriteResult{}, err
	}
	return connectors.WriteResult{TargetID: kind + "/" + text(rec[d.id]), Response: rec}, nil
}

// written is the answer to a write of an order Exact Online has already.
func written(target string) connectors.WriteResult {
	return connectors.WriteResult{TargetID: target, Response: map[string]any{
		"unchanged": "the order is in Exact Online already (" + target + "); Switchboard writes an order once"}}
}

// body makes the document Exact Online takes from the order. Its
// customer is found or made last, so that an order that cannot be
// written makes no account.
func (o *order) body(ctx context.Context, kind string, d document) (map[string]any, error) {
	body := map[string]any{}
	for k, v := range withoutEmpty(o.doc) {
		if !orderFields[k] {
			body[k] = v
		}
	}
	if date := text(o.doc["OrderDate"]); date != "" {
		body[d.date] = date
	}
	o.who = o.customerName()
	var err error
	if body[d.lines], err = o.lines(ctx); err != nil {
		return nil, err
	}
	if err := o.header(ctx, kind, body); err != nil {
		return nil, err
	}
	if body[d.customer], err = o.customer(ctx); err != nil {
		return nil, err
	}
	return body, nil
}

// header sets the payment condition, and for a sales order the shipping
// method and warehouse, for an invoice the journal.
func (o *order) header(ctx context.Context, kind string, body map[string]any) error {
	pay, err := o.opts.PaymentMethod(o.number, text(o.doc["PaymentMethod"]))
	if err != nil {
		return connectors.Permanent(err)
	}
	if pay != "" {
		body["PaymentCondition"] = pay
	}
	switch kind {
	case erp.Invoice:
		body["Journal"] = o.opts.Journal
	case erp.Order:
		return o.delivery(ctx, body)
	}
	return nil
}

// delivery sets a sales order's shipping method and warehouse, by code.
func (o *order) delivery(ctx context.Context, body map[string]any) error {
	method, err := o.opts.ShippingMethod(o.number, text(o.doc["ShippingMethod"]))
	if err != nil {
		return connectors.Permanent(err)
	}
	if method != "" {
		id, err := o.c.idByCode(ctx, "sales/ShippingMethods", method, "shipping method")
		if err != nil {
			return err
		}
		body["ShippingMethod"] = id
	}
	if o.opts.Warehouse != "" {
		id, err := o.c.idByCode(ctx, "inventory/Warehouses", o.opts.Warehouse, "warehouse")
		if err != nil {
			return err
		}
		body["Warehouse"] = id
	}
	return nil
}

// idByCode finds the id of a record of reference data by its code.
func (c *Conn) idByCode(ctx context.Context, resource, code, what string) (string, error) {
	id, err := c.lookup(ctx, resource, "Code eq "+quote(code), "ID")
	if err != nil {
		return "", fmt.Errorf("finding %s %s: %w", what, code, err)
	}
	if id == "" {
		return "", connectors.Permanent(fmt.Errorf("Exact Online has no %s with code %q; check the flow's options", what, code))
	}
	return id, nil
}

// lines makes the document's lines: each item found by its code, each
// VAT code by country and rate; shipping costs as a line of their own.
func (o *order) lines(ctx context.Context) ([]any, error) {
	in, _ := o.doc["Lines"].([]any)
	if len(in) == 0 {
		return nil, connectors.Permanent(fmt.Errorf("order %s has no lines", o.number))
	}
	out := make([]any, 0, len(in)+1)
	for i, l := range in {
		line, ok := l.(map[string]any)
		if !ok {
			return nil, connectors.Permanent(fmt.Errorf("order %s line %d is not an object", o.number, i+1))
		}
		made, err := o.line(ctx, i+1, line)
		if err != nil {
			return nil, err
		}
		out = append(out, made)
	}
	shipping, err := o.shippingLine(ctx)
	if err != nil || shipping == nil {
		return out, err
	}
	return append(out, shipping), nil
}

// line makes one line: ItemCode (the flow's fee product for a line
// without one) becomes the item's id, VATPercentage the VAT code.
func (o *order) line(ctx context.Context, n int, line map[string]any) (map[string]any, error) {
	out := map[string]any{}
	for k, v := range withoutEmpty(line) {
		if k != "ItemCode" && k != "VATPercentage" {
			out[k] = v
		}
	}
	code := text(line["ItemCode"])
	if code == "" { // a fee: booked on the flow's fee product
		if o.opts.FeeSKU == "" {
			return nil, connectors.Permanent(erp.NoFeeSKU(o.number, n, text(line["Description"])))
		}
		code = o.opts.FeeSKU
	}
	item, err := o.c.lookup(ctx, "logistics/Items", "Code eq "+quote(code), "ID")
	if err != nil {
		return nil, fmt.Errorf("finding item %s: %w", code, err)
	}
	if item == "" {
		return nil, connectors.Permanent(fmt.Errorf("order %s line %d: Exact Online has no item with code %s; add it, or sync products first", o.number, n, code))
	}
	out["Item"] = item
	if rate := text(line["VATPercentage"]); rate != "" {
		vat, err := o.vatCode(ctx, rate)
		if err != nil {
			return nil, fmt.Errorf("order %s line %d: %w", o.number, n, err)
		}
		out["VATCode"] = vat
	}
	return out, nil
}

// shippingLine books shipping costs on the flow's shipping product.
func (o *order) shippingLine(ctx context.Context) (map[string]any, error) {
	cost := text(o.doc["ShippingCost"])
	if f, err := strconv.ParseFloat(cost, 64); cost == "" || err != nil || f == 0 {
		return nil, nil
	}
	if o.opts.ShippingSKU == "" {
		return nil, connectors.Permanent(erp.NoShippingSKU(o.number, cost))
	}
	line := map[string]any{"ItemCode": o.opts.ShippingSKU, "Quantity": 1, "UnitPrice": o.doc["ShippingCost"],
		"VATPercentage": o.doc["ShippingVATPercentage"], "Description": text(o.doc["ShippingMethod"])}
	return o.line(ctx, len(o.doc["Lines"].([]any))+1, line)
}

// vatCode finds the VAT code of a line: the flow's table by country and
// rate, or else the one VAT code of Exact Online with that percentage.
func (o *order) vatCode(ctx context.Context, rate string) (string, error) {
	country := strings.ToUpper(text(o.doc["VATCountry"]))
	code, found, err := o.opts.VATCode(country, rate)
	if err != nil || found {
		return code, connectors.Permanent(err)
	}
	pct, err := strconv.ParseFloat(rate, 64)
	if err != nil {
		return "", connectors.Permanent(fmt.Errorf("the VAT rate %q is not a number", rate))
	}
	all, err := o.c.find(ctx, "vat/VATCodes", "Percentage eq "+strconv.FormatFloat(pct/100, 'f', -1, 64), "Code,Description,VATTransactionType,IsBlocked")
	if err != nil {
		return "", fmt.Errorf("finding the VAT code of %s%%: %w", rate, err)
	}
	recs, unfit := salesVATCodes(all)
	switch {
	case len(recs) == 1:
		return text(recs[0]["Code"]), nil
	case len(recs) > 1:
		return "", connectors.Permanent(fmt.Errorf("%w; %s", erp.NoVATCode(o.who, country, rate), severalVATCodes(recs, rate)))
	case len(unfit) > 0:
		return "", connectors.Permanent(fmt.Errorf("%w; Exact Online's VAT codes of %s%% are not for sales: %s", erp.NoVATCode(o.who, country, rate),
			rate, strings.Join(unfit, ", ")))
	}
	return "", connectors.Permanent(erp.NoVATCode(o.who, country, rate))
}

// salesVATCodes are the VAT codes that sales may be booked with: not
// blocked, for sales or for both sales and purchases; unfit says why
// each of the others is not, such as "4 (BTW inkopen hoog) is for
// purchases only".
func salesVATCodes(recs []map[string]any) (sales []map[string]any, unfit []string) {
	for _, r := range recs {
		name := fmt.Sprintf("%s (%s)", text(r["Code"]), text(r["Description"]))
		switch {
		case r["IsBlocked"] == true:
			unfit = append(unfit, name+" is blocked")
		case strings.EqualFold(text(r["VATTransactionType"]), "P"):
			unfit = append(unfit, name+" is for purchases only")
		default:
			sales = append(sales, r)
		}
	}
	sort.Strings(unfit)
	return sales, unfit
}

// severalVATCodes says which VAT codes Exact Online has of one rate, when
// it has several to choose from.
func severalVATCodes(recs []map[string]any, rate string) string {
	codes := make([]string, 0, len(recs))
	for _, r := range recs {
		codes = append(codes, fmt.Sprintf("%s (%s)", text(r["Code"]), text(r["Description"])))
	}
	sort.Strings(codes)
	r, ok := erp.NormalRate(rate)
	if !ok {
		r = rate
	}
	return fmt.Sprintf("Exact Online has %d VAT codes of %s%%: %s", len(recs), r, strings.Join(codes, ", "))
}
