package xero

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/erp"
	"github.com/switchboard-app/switchboard/connectors/rest"
)

// The fields of the order write mapping that the connector resolves
// itself; every other field goes onto the invoice as it is.
const (
	fieldOrderType  = "OrderType"  // the order's canonical type
	fieldTaxCountry = "TaxCountry" // where the customer's VAT applies
	fieldShipping   = "Shipping"   // Description, Amount, TaxRate
	fieldLineRate   = "TaxRate"    // of each of LineItems: the VAT rate in percent
)

// finalStatuses are the statuses of an invoice that is not changed any
// more: paid, voided or deleted.
var finalStatuses = map[string]bool{"PAID": true, "VOIDED": true, "DELETED": true}

// writeOrder makes a sales invoice (ACCREC) of an order, or updates the
// one Xero has for it: the one the engine knows, or the one whose
// reference is the order's number. An invoice that is paid, voided or
// deleted is left alone.
func (c *Conn) writeOrder(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	opts, err := erp.Parse(Name, flowFields, req.Options)
	if err != nil {
		return connectors.WriteResult{}, connectors.Permanent(err)
	}
	number := rest.LookupString(req.Data, "Reference")
	if number == "" {
		number = req.Key
	}
	if _, err := opts.TypeOf(number, recordType(req.Data)); err != nil {
		return connectors.WriteResult{}, connectors.Permanent(err)
	}
	unlock := c.orders.Lock(number)
	defer unlock()
	current, err := c.currentInvoice(ctx, req.TargetID, number)
	if err != nil {
		return connectors.WriteResult{}, err
	}
	if status := rest.LookupString(current, "Status"); finalStatuses[status] {
		return unchanged(current, number), nil
	}
	o := &order{c: c, opts: opts, number: number, data: req.Data, key: req.IdempotencyKey,
		status: req.Options.String(optStatus), account: req.Options.String(optAccount)}
	body, err := o.invoice(ctx, current == nil)
	if err != nil {
		return connectors.WriteResult{}, err
	}
	saved, err := c.save(ctx, "Invoices", rest.LookupString(current, "InvoiceID"), body, req.IdempotencyKey+"/invoice")
	if err != nil {
		return connectors.WriteResult{}, fmt.Errorf("writing the invoice of order %s: %w", number, err)
	}
	return connectors.WriteResult{TargetID: rest.LookupString(saved, "InvoiceID"), Response: summary(saved)}, nil
}

// recordType is the kind of document an order's record asks for: Xero
// makes no sales orders, so an order (the type shops give their orders)
// becomes what the flow says, an invoice.
func recordType(data map[string]any) string {
	if t := rest.LookupString(data, fieldOrderType); !strings.EqualFold(t, erp.Order) {
		return t
	}
	return ""
}

// currentInvoice is the invoice Xero has of the order: by its id, or by
// the order's number; nil when there is none.
func (c *Conn) currentInvoice(ctx context.Context, id, number string) (map[string]any, error) {
	if id == "" {
		return c.invoiceByReference(ctx, number)
	}
	var body map[string]any
	if err := c.call(ctx, rest.Request{Path: "Invoices/" + url.PathEscape(id)}, &body); err != nil {
		return nil, fmt.Errorf("reading invoice %s of order %s: %w", id, number, err)
	}
	list, _ := body["Invoices"].([]any)
	if len(list) == 0 {
		return nil, connectors.Permanent(fmt.Errorf("Xero has no invoice %s of order %s any more", id, number))
	}
	inv, _ := list[0].(map[string]any)
	return inv, nil
}

// invoiceByReference finds the sales invoice whose reference is the
// order's number, leaving deleted and voided ones aside.
func (c *Conn) invoiceByReference(ctx context.Context, number string) (map[string]any, error) {
	return c.findOne(ctx, "Invoices", `Type=="ACCREC" AND Reference==`+quote(number)+` AND Status!="DELETED" AND Status!="VOIDED"`)
}

// unchanged is the answer to a write of an order whose invoice is final.
func unchanged(inv map[string]any, number string) connectors.WriteResult {
	return connectors.WriteResult{TargetID: rest.LookupString(inv, "InvoiceID"), Response: map[string]any{
		"InvoiceID": rest.LookupString(inv, "InvoiceID"), "InvoiceNumber": rest.LookupString(inv, "InvoiceNumber"),
		"unchanged": fmt.Sprintf("the invoice of order %s is %s in Xero; it is not changed", number, rest.LookupString(inv, "Status"))}}
}

// summary is what the Activity page shows of a saved invoice.
func summary(inv map[string]any) map[string]any {
	out := map[string]any{}
	for _, k := range []string{"InvoiceID", "InvoiceNumber", "Reference", "Status", "LineAmountTypes", "SubTotal", "TotalTax", "Total", "CurrencyCode"} {
		if v, ok := inv[k]; ok {
			out[k] = v
		}
	}
	return out
}

// order is one order being written as an invoice.
type order struct {
	c               *Conn
	opts            erp.Options
	number, key     string
	data            map[string]any
	status, account string
}

// invoice is the invoice to send: the mapping's record with its contact,
// tax types, items, account and shipping line resolved.
func (o *order) invoice(ctx context.Context, creating bool) (map[string]any, error) {
	contact, _ := o.data["Contact"].(map[string]any)
	lines, err := o.lines(ctx, customerLabel(contact, o.number))
	if err != nil {
		return nil, err
	}
	contactID, err := o.contactID(ctx, contact) // last: an order that cannot be written makes no contact
	if err != nil {
		return nil, err
	}
	body := map[string]any{}
	for k, v := range o.data {
		switch k {
		case fieldOrderType, fieldTaxCountry, fieldShipping:
		default:
			body[k] = v
		}
	}
	body["Contact"], body["LineItems"] = map[string]any{"ContactID": contactID}, lines
	if creating {
		body["Status"] = o.status
	} else {
		delete(body, "Status") // an update leaves the status as Xero has it
	}
	return body, nil
}

// customerLabel names an order's customer in messages.
func customerLabel(contact map[string]any, number string) string {
	if label := contactLabel(contact); label != "without a name" {
		return label
	}
	return "of order " + number
}

// contactID is the contact the invoice is for: the customer's (made when
// Xero does not have it), or for a guest order the flow's guest customer.
func (o *order) contactID(ctx context.Context, contact map[string]any) (string, error) {
	if !guest(contact) {
		id, _, err := o.c.contactID(ctx, contact, o.key+"/contact")
		return id, err
	}
	name := o.opts.GuestCustomer
	if name == "" {
		return "", connectors.Permanent(erp.NoGuestCustomer(o.number))
	}
	for _, field := range []string{"ContactNumber", "Name"} {
		rec, err := o.c.contactBy(ctx, field, name)
		if err != nil || rec != nil {
			return rest.LookupString(rec, "ContactID"), err
		}
	}
	return "", connectors.Permanent(fmt.Errorf("order %s is a guest order, and the flow's customer of guest orders, %q, is not a contact in Xero; "+
		"add it there, or set %s to the name or number of a contact", o.number, name, erp.OptGuestCustomer))
}

// guest reports whether a contact has nothing that names a customer: no
// e-mail address, tax number or account number.
func guest(contact map[string]any) bool {
	for _, k := range []string{"EmailAddress", "TaxNumber", "AccountNumber"} {
		if strings.TrimSpace(rest.LookupString(contact, k)) != "" {
			return false
		}
	}
	return true
}
