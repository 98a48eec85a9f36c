package businesscentral

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/erp"
	"github.com/switchboard-app/switchboard/connectors/rest"
)

// The fields of the order write mapping that the connector resolves
// itself; every other field goes onto the document's header as it is.
const (
	fieldOrderType      = "OrderType"      // the order's canonical type
	fieldCustomer       = "Customer"       // found or made: customerId
	fieldLines          = "Lines"          // itemNumber, description, quantity, unitPrice, discountAmount, taxRate
	fieldShipping       = "Shipping"       // description, amount, taxRate: a line on the shipping_sku item
	fieldShippingMethod = "ShippingMethod" // the source's name: shipmentMethodId by the flow's table
	fieldPaymentMethod  = "PaymentMethod"  // the source's name: paymentTermsId by the flow's table
	fieldTaxCountry     = "TaxCountry"     // where the customer's VAT applies
)

var ownFields = map[string]bool{fieldOrderType: true, fieldCustomer: true, fieldLines: true, fieldShipping: true,
	fieldShippingMethod: true, fieldPaymentMethod: true, fieldTaxCountry: true}

// order is one order being written as a sales document.
type order struct {
	c      *Conn
	opts   erp.Options
	number string
	data   map[string]any
	// untax is set for a document that takes prices without tax (a
	// quote) of an order whose prices include it.
	untax bool
}

// build is the document's header, with its customer, shipment method and
// payment terms resolved, and its lines, with their items and tax codes.
func (o *order) build(ctx context.Context, d document) (map[string]any, []map[string]any, error) {
	customer, _ := o.data[fieldCustomer].(map[string]any)
	header, err := o.header(ctx, d)
	if err != nil {
		return nil, nil, err
	}
	o.untax = !d.prices && o.data["pricesIncludeTax"] == true
	lines, err := o.lines(ctx, customerLabelOf(customer, o.number))
	if err != nil {
		return nil, nil, err
	}
	// last: an order that cannot be written makes no customer
	if header["customerId"], err = o.customerID(ctx, customer); err != nil {
		return nil, nil, err
	}
	return header, lines, nil
}

// header is the mapped record without the connector's fields, its date
// under the document's name for it, and its codes resolved.
func (o *order) header(ctx context.Context, d document) (map[string]any, error) {
	header := map[string]any{}
	for k, v := range o.data {
		if !ownFields[k] {
			header[k] = v
		}
	}
	if date, ok := header["orderDate"]; ok && d.date != "orderDate" {
		delete(header, "orderDate")
		header[d.date] = date
	}
	if !d.prices {
		delete(header, "pricesIncludeTax")
	}
	co, err := o.c.companies.get(ctx)
	if err != nil {
		return nil, err
	}
	if cur := rest.LookupString(header, "currencyCode"); cur == "" || strings.EqualFold(cur, co.currency) {
		delete(header, "currencyCode") // the company's own currency is left blank
	}
	for _, code := range []struct{ field, option, list, target string }{
		{fieldShippingMethod, erp.OptShippingMethods, "shipmentMethods", "shipmentMethodId"},
		{fieldPaymentMethod, erp.OptPaymentMethods, "paymentTerms", "paymentTermsId"},
	} {
		id, err := o.codeID(ctx, code.field, code.option, code.list)
		if err != nil {
			return nil, err
		}
		if id != "" {
			header[code.target] = id
		}
	}
	return header, nil
}

// codeID translates the source's shipping or payment method by the flow's
// table and finds the code's id; "" when the table or the order names
// none.
func (o *order) codeID(ctx context.Context, field, option, list string) (string, error) {
	name := rest.LookupString(o.data, field)
	translate := o.opts.ShippingMethod
	if field == fieldPaymentMethod {
		translate = o.opts.PaymentMethod
	}
	code, err := translate(o.number, name)
	if err != nil || code == "" {
		return "", connectors.Permanent(err)
	}
	rec, err := o.c.findFirst(ctx, list, "code eq "+literal(code))
	if err != nil {
		return "", err
	}
	if rec == nil {
		return "", connectors.Permanent(fmt.Errorf("order %s: the code %s that the flow's %s table gives %q does not exist in Business Central's %s; "+
			"add it there or correct the table", o.number, code, option, name, list))
	}
	return rest.LookupString(rec, "id"), nil
}

// customerLabelOf names an order's customer in messages.
func customerLabelOf(customer map[string]any, number string) string {
	if label := customerLabel(customer); label != "without a name" {
		return label
	}
	return "of order " + number
}

// customerID is the customer the document is for: the order's (made when
// Business Central does not have it), or for a guest order the flow's
// guest customer.
func (o *order) customerID(ctx context.Context, customer map[string]any) (string, error) {
	if !guest(customer) {
		id, _, err := o.c.customerID(ctx, customer)
		return id, err
	}
	number := o.opts.GuestCustomer
	if number == "" {
		return "", connectors.Permanent(erp.NoGuestCustomer(o.number))
	}
	rec, err := o.c.customerBy(ctx, "number", number)
	if err != nil || rec != nil {
		return rest.LookupString(rec, "id"), err
	}
	return "", connectors.Permanent(fmt.Errorf("order %s is a guest order, and the flow's customer of guest orders, %s, is not a customer in Business Central; "+
		"add it there, or set %s to the number of a customer", o.number, number, erp.OptGuestCustomer))
}

// guest reports whether a customer has nothing that names one: no e-mail
// address, VAT registration number or customer number.
func guest(customer map[string]any) bool {
	for _, k := range []string{"email", "taxRegistrationNumber", "number"} {
		if strings.TrimSpace(rest.LookupString(customer, k)) != "" {
			return false
		}
	}
	return true
}

// higher is the higher of two rates in percent; "" is none.
func higher(a, b string) string {
	x, errA := strconv.ParseFloat(a, 64)
	y, errB := strconv.ParseFloat(b, 64)
	if errA != nil || (errB == nil && y > x) {
		return b
	}
	return a
}
