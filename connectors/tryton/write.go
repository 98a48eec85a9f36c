package tryton

import (
	"context"
	"fmt"

	"github.com/switchboard-app/switchboard/connectors"
)

// Write creates or updates a party or a product, or creates an order as
// a sale (quoted, or confirmed) or a customer invoice.
func (c *Conn) Write(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	var res connectors.WriteResult
	var err error
	switch req.Entity {
	case connectors.Customer:
		res, err = c.writeParty(ctx, req)
	case connectors.Product:
		res, err = c.writeProduct(ctx, req)
	case connectors.Order:
		res, err = c.writeOrder(ctx, req)
	default:
		return res, connectors.Permanent(fmt.Errorf("Tryton does not take %s records", req.Entity))
	}
	if err != nil {
		c.forget()
		return res, fmt.Errorf("writing %s %s to Tryton: %w", req.Entity, req.Key, err)
	}
	return res, nil
}

// writeParty creates a party, or updates the target id's.
func (c *Conn) writeParty(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	p := party(req.Data)
	id, err := c.targetID(req.TargetID)
	if err != nil {
		return connectors.WriteResult{}, err
	}
	if id == 0 {
		id, err = c.createParty(ctx, p)
	} else {
		err = c.updateParty(ctx, id, p)
	}
	if err != nil {
		return connectors.WriteResult{}, err
	}
	return c.result(ctx, "party.party", id, "", "name", "code")
}

// targetID reads a party's or a product's target id: Tryton's id.
func (c *Conn) targetID(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	id, ok := toInt(s)
	if !ok {
		return 0, connectors.Permanent(fmt.Errorf("the target id %q is not a Tryton id", s))
	}
	return id, nil
}

// result reads back what was written, for the Activity page.
func (c *Conn) result(ctx context.Context, model string, id int64, prefix string, fields ...string) (connectors.WriteResult, error) {
	rec, err := c.read(ctx, model, id, fields...)
	if err != nil {
		return connectors.WriteResult{}, err
	}
	return connectors.WriteResult{TargetID: prefix + text(rec["id"]), Response: rec}, nil
}
