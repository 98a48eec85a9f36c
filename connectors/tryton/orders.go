package tryton

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/erp"
)

// order is one order being written: the write mapping's order (a
// reference, a party, addresses, lines with product codes and VAT rates)
// and the flow's options.
type order struct {
	c      *Conn
	number string
	doc    map[string]any
	opts   erp.Options
	kind   string
	who    string
	party  int64
}

// writeOrder makes a sale (quoted for a quotation, confirmed for an
// order) or a draft customer invoice. An order is written once: written
// again (a target id is known), a sale left in draft by an interrupted
// write is finished, and anything else is left alone.
func (c *Conn) writeOrder(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	opts, err := erp.Parse(Name, flowFields, req.Options)
	if err != nil {
		return connectors.WriteResult{}, connectors.Permanent(err)
	}
	o := &order{c: c, number: firstOf(text(req.Data["reference"]), req.Key), doc: req.Data, opts: opts}
	if o.kind, err = opts.TypeOf(o.number, text(req.Data["type"])); err != nil {
		return connectors.WriteResult{}, connectors.Permanent(err)
	}
	if req.TargetID != "" {
		return o.again(ctx, req.TargetID)
	}
	unlock := c.orders.Lock(o.number)
	defer unlock()
	if existing, found, err := c.FindByKey(ctx, connectors.Order, o.number); err != nil || found {
		if err != nil {
			return connectors.WriteResult{}, err
		}
		return o.again(ctx, existing) // another write of the order made it meanwhile
	}
	if o.kind == erp.Invoice {
		return o.invoice(ctx)
	}
	return o.sale(ctx)
}

// again answers a second write of an order Tryton has: a sale still in
// draft is quoted (and confirmed) as its type says, a confirmed sale
// that was not processed (an earlier write was cut short) is processed,
// and a draft invoice gets its taxes computed (an earlier write may have
// been cut short before Tryton computed them).
func (o *order) again(ctx context.Context, target string) (connectors.WriteResult, error) {
	model, id, err := splitTarget(target)
	if err != nil {
		return connectors.WriteResult{}, err
	}
	if model == "account.invoice" {
		return o.invoiceAgain(ctx, target, id)
	}
	rec, err := o.c.read(ctx, model, id, "state")
	if err != nil {
		return connectors.WriteResult{}, err
	}
	if rec["state"] == "draft" {
		err = o.advance(ctx, id)
	} else {
		err = o.processed(ctx, id)
	}
	if err != nil {
		return connectors.WriteResult{}, err
	}
	return o.c.result(ctx, model, id, "sale/", "number", "reference", "state", "total_amount")
}

// invoiceAgain answers a second write of an order whose invoice Tryton
// has: a draft invoice is written again, which computes its taxes; any
// other is left alone.
func (o *order) invoiceAgain(ctx context.Context, target string, id int64) (connectors.WriteResult, error) {
	rec, err := o.c.read(ctx, "account.invoice", id, "state")
	if err != nil {
		return connectors.WriteResult{}, err
	}
	if rec["state"] != "draft" {
		return connectors.WriteResult{TargetID: target, Response: map[string]any{"unchanged": "the order is in Tryton already; Switchboard writes an order once"}}, nil
	}
	if err := o.c.write(ctx, "account.invoice", id, map[string]any{"reference": o.number}); err != nil {
		return connectors.WriteResult{}, fmt.Errorf("computing the taxes of the invoice of order %s: %w", o.number, err)
	}
	return o.c.result(ctx, "account.invoice", id, "invoice/", "number", "reference", "state", "total_amount")
}

// sale makes the sale and quotes it (and confirms it, for an order); a
// sale that Tryton refuses to quote or confirm is removed again, so that
// nothing half made stays. Its customer is found or made last, so that an
// order that cannot be written makes no party.
func (o *order) sale(ctx context.Context) (connectors.WriteResult, error) {
	o.who = o.customerName()
	lines, err := o.lines(ctx, false)
	if err != nil {
		return connectors.WriteResult{}, err
	}
	values := map[string]any{"lines": []any{[]any{"create", lines}}}
	if err := o.saleOptions(ctx, values); err != nil {
		return connectors.WriteResult{}, err
	}
	if err := o.header(ctx, values); err != nil {
		return connectors.WriteResult{}, err
	}
	id, err := o.c.create(ctx, "sale.sale", values)
	if err != nil {
		return connectors.WriteResult{}, err
	}
	if err := o.advance(ctx, id); err != nil {
		o.remove(ctx, id)
		return connectors.WriteResult{}, err
	}
	return o.c.result(ctx, "sale.sale", id, "sale/", "number", "reference", "state", "total_amount")
}

// advance quotes a draft sale, and confirms and processes it when it is
// an order.
func (o *order) advance(ctx context.Context, id int64) error {
	steps := []string{"quote"}
	if o.kind == erp.Order {
		steps = append(steps, "confirm")
	}
	for _, step := range steps {
		if _, err := o.c.model(ctx, "sale.sale", step, []any{id}); err != nil {
			return fmt.Errorf("%s the sale of order %s: %w", map[string]string{"quote": "quoting", "confirm": "confirming"}[step], o.number, err)
		}
	}
	return o.processed(ctx, id)
}

// processed makes sure the confirmed sale of an order was processed into
// its invoice and shipment. Tryton processes a sale in a task after the
// confirm, and a task that fails (its database busy) says nothing to the
// caller: a sale still confirmed is processed once more, which says why
// it cannot be.
func (o *order) processed(ctx context.Context, id int64) error {
	if o.kind != erp.Order {
		return nil
	}
	rec, err := o.c.read(ctx, "sale.sale", id, "state")
	if err != nil || rec["state"] != "confirmed" {
		return err
	}
	if _, err := o.c.model(ctx, "sale.sale", "process", []any{id}); err != nil {
		return fmt.Errorf("confirming the sale of order %s: %w", o.number, err)
	}
	return nil
}

// remove takes a sale that could not be quoted or confirmed back to draft
// and deletes it; it is the best that can be done, so errors are ignored.
func (o *order) remove(ctx context.Context, id int64) {
	_, _ = o.c.model(ctx, "sale.sale", "draft", []any{id})
	_, _ = o.c.model(ctx, "sale.sale", "delete", []any{id})
}

// header sets what a sale and an invoice share: company, currency,
// reference, description, and last the party and its addresses.
func (o *order) header(ctx context.Context, values map[string]any) error {
	mctx, err := o.c.context(ctx)
	if err != nil {
		return err
	}
	values["company"], values["reference"] = mctx["company"], o.number
	for _, f := range []string{"description", "comment"} {
		if v := text(o.doc[f]); v != "" {
			values[f] = v
		}
	}
	code := strings.ToUpper(text(o.doc["currency"]))
	if code != "" {
		if values["currency"], err = o.c.idOf(ctx, "currency.currency", []any{[]any{"code", "=", code}}, "currency "+code); err != nil {
			return err
		}
	}
	if o.party, err = o.customer(ctx); err != nil {
		return err
	}
	values["party"] = o.party
	return o.addresses(ctx, values)
}

// addresses finds or adds the party's invoice and shipment addresses.
func (o *order) addresses(ctx context.Context, values map[string]any) error {
	invoice, err := o.c.addressOf(ctx, o.party, o.doc["invoice_address"])
	if err != nil {
		return err
	}
	shipment, err := o.c.addressOf(ctx, o.party, o.doc["shipment_address"])
	if err != nil {
		return err
	}
	if invoice == 0 {
		invoice, err = o.anyAddress(ctx)
	}
	if shipment == 0 {
		shipment = invoice
	}
	values["invoice_address"] = invoice
	if o.kind != erp.Invoice {
		values["shipment_address"] = shipment
	}
	return err
}

// anyAddress is the party's first address, for an order without one.
func (o *order) anyAddress(ctx context.Context) (int64, error) {
	id, found, err := o.c.search(ctx, "party.address", []any{[]any{"party", "=", o.party}})
	if err == nil && !found {
		err = connectors.Permanent(fmt.Errorf("order %s has no address and its customer %s has none in Tryton", o.number, o.who))
	}
	return id, err
}

// saleOptions sets a sale's date, payment term and warehouse.
func (o *order) saleOptions(ctx context.Context, values map[string]any) error {
	if err := o.dated(values, "sale_date"); err != nil {
		return err
	}
	if err := o.paymentTerm(ctx, values); err != nil {
		return err
	}
	if o.opts.Warehouse != "" {
		id, err := o.c.warehouse(ctx, o.opts.Warehouse)
		if err != nil {
			return err
		}
		values["warehouse"] = id
	}
	return nil
}

// dated sets a date field from the order's date.
func (o *order) dated(values map[string]any, field string) error {
	day := text(o.doc["date"])
	if day == "" {
		return nil
	}
	d, err := date(day)
	if err != nil {
		return connectors.Permanent(fmt.Errorf("order %s: %w", o.number, err))
	}
	values[field] = d
	return nil
}

// paymentTerm sets the payment term the flow's table gives the order's
// payment method.
func (o *order) paymentTerm(ctx context.Context, values map[string]any) error {
	term, err := o.opts.PaymentMethod(o.number, text(o.doc["payment_method"]))
	if err != nil || term == "" {
		return connectors.Permanent(err)
	}
	values["payment_term"], err = o.c.idOf(ctx, "account.invoice.payment_term", []any{[]any{"name", "=", term}}, "payment term "+strconv.Quote(term))
	return err
}
