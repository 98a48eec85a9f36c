package tryton

import (
	"context"
	"fmt"

	"github.com/switchboard-app/switchboard/connectors"
)

// invoice makes a draft customer invoice of the order, in the flow's
// journal, on the party's receivable account. Its customer is found or
// made last, so that an order that cannot be written makes no party.
func (o *order) invoice(ctx context.Context) (connectors.WriteResult, error) {
	o.who = o.customerName()
	lines, err := o.lines(ctx, true)
	if err != nil {
		return connectors.WriteResult{}, err
	}
	values := map[string]any{"type": "out", "lines": []any{[]any{"create", lines}}}
	if values["journal"], err = o.c.idOf(ctx, "account.journal", []any{[]any{"code", "=", o.opts.Journal}}, "journal "+o.opts.Journal); err != nil {
		return connectors.WriteResult{}, fmt.Errorf("%w; set the flow's journal to the code of a revenue journal", err)
	}
	if err := o.dated(values, "invoice_date"); err != nil {
		return connectors.WriteResult{}, err
	}
	if err := o.paymentTerm(ctx, values); err != nil {
		return connectors.WriteResult{}, err
	}
	if err := o.header(ctx, values); err != nil {
		return connectors.WriteResult{}, err
	}
	if values["account"], err = o.c.receivable(ctx, o.party); err != nil {
		return connectors.WriteResult{}, err
	}
	id, err := o.c.create(ctx, "account.invoice", values)
	if err != nil {
		return connectors.WriteResult{}, err
	}
	// A draft invoice's taxes are computed when it is written.
	if err := o.c.write(ctx, "account.invoice", id, map[string]any{"reference": o.number}); err != nil {
		return connectors.WriteResult{}, fmt.Errorf("computing the taxes of the invoice of order %s: %w", o.number, err)
	}
	return o.c.result(ctx, "account.invoice", id, "invoice/", "number", "reference", "state", "total_amount")
}

// receivable is the party's receivable account, or the accounting
// configuration's default.
func (c *Conn) receivable(ctx context.Context, party int64) (int64, error) {
	rec, err := c.read(ctx, "party.party", party, "account_receivable")
	if err != nil {
		return 0, err
	}
	if id, ok := toInt(rec["account_receivable"]); ok && id != 0 {
		return id, nil
	}
	conf, err := c.read(ctx, "account.configuration", 1, "default_account_receivable")
	if err != nil {
		return 0, err
	}
	if id, ok := toInt(conf["default_account_receivable"]); ok && id != 0 {
		return id, nil
	}
	return 0, connectors.Permanent(fmt.Errorf("the party has no receivable account and Tryton's accounting configuration no default one"))
}
