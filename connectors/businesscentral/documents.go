package businesscentral

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/erp"
	"github.com/switchboard-app/switchboard/connectors/rest"
)

// document is a kind of sales document an order becomes: its list, its
// lines, its date field, whether it says if prices include tax, and the
// statuses in which it may still change.
type document struct {
	kind, path, lines, date string
	prices                  bool
	editable                map[string]bool
}

var documents = map[string]document{
	erp.Order: {kind: erp.Order, path: "salesOrders", lines: "salesOrderLines", date: "orderDate", prices: true,
		editable: map[string]bool{"Draft": true, "Open": true}},
	erp.Invoice: {kind: erp.Invoice, path: "salesInvoices", lines: "salesInvoiceLines", date: "invoiceDate", prices: true,
		editable: map[string]bool{"Draft": true}},
	erp.Quotation: {kind: erp.Quotation, path: "salesQuotes", lines: "salesQuoteLines", date: "documentDate",
		editable: map[string]bool{"Draft": true, "Sent": true}},
}

// searchOrder is the order in which an order's number is looked for: a
// sales order that was shipped and invoiced is gone, and its invoice has
// the number.
var searchOrder = []string{erp.Order, erp.Invoice, erp.Quotation}

// found is a document Business Central has.
type found struct {
	doc document
	rec map[string]any
}

func (f found) id() string { return rest.LookupString(f.rec, "id") }

// target is the document's target id: its kind and id, order/<id>.
func (f found) target() string { return f.doc.kind + "/" + f.id() }

// documentByNumber finds the sales document whose external document
// number is the order's number.
func (c *Conn) documentByNumber(ctx context.Context, number string) (found, bool, error) {
	for _, kind := range searchOrder {
		d := documents[kind]
		rec, err := c.findFirst(ctx, d.path, "externalDocumentNumber eq "+literal(number))
		if err != nil {
			return found{}, false, err
		}
		if rec != nil {
			return found{doc: d, rec: rec}, true, nil
		}
	}
	return found{}, false, nil
}

// documentByTarget reads the document a target id names.
func (c *Conn) documentByTarget(ctx context.Context, target string) (found, error) {
	kind, id, _ := strings.Cut(target, "/")
	d, ok := documents[kind]
	if !ok || id == "" {
		return found{}, connectors.Permanent(fmt.Errorf("%q is not a Business Central document (order/<id>, invoice/<id> or quotation/<id>)", target))
	}
	var rec map[string]any
	if err := c.call(ctx, rest.Request{Path: d.path + "(" + id + ")"}, &rec); err != nil {
		return found{}, fmt.Errorf("reading %s %s: %w", kind, id, err)
	}
	return found{doc: d, rec: rec}, nil
}

// writeOrder makes a sales order, invoice or quote of an order, as the
// flow (or the order's type) says, or updates the one Business Central
// has: the one the engine knows, or the one whose external document
// number is the order's. A document that is released, posted or sent on
// is left alone.
func (c *Conn) writeOrder(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	opts, err := erp.Parse(Name, flowFields, req.Options)
	if err != nil {
		return connectors.WriteResult{}, connectors.Permanent(err)
	}
	number := coalesce(rest.LookupString(req.Data, "externalDocumentNumber"), req.Key)
	kind, err := opts.TypeOf(number, rest.LookupString(req.Data, fieldOrderType))
	if err != nil {
		return connectors.WriteResult{}, connectors.Permanent(err)
	}
	unlock := c.orders.Lock(number)
	defer unlock()
	current, exists, err := c.current(ctx, req.TargetID, number)
	if err != nil {
		return connectors.WriteResult{}, err
	}
	if exists && !current.doc.editable[rest.LookupString(current.rec, "status")] {
		return unchanged(current, number), nil
	}
	d := documents[kind]
	if exists {
		d = current.doc
	}
	o := &order{c: c, opts: opts, number: number, data: req.Data}
	header, lines, err := o.build(ctx, d)
	if err != nil {
		return connectors.WriteResult{}, err
	}
	saved, err := c.saveDocument(ctx, d, current.id(), header, lines)
	if err != nil {
		return connectors.WriteResult{}, fmt.Errorf("writing the %s of order %s: %w", d.kind, number, err)
	}
	return connectors.WriteResult{TargetID: saved.target(), Response: summary(saved.rec)}, nil
}

// current is the document Business Central has of the order: by its
// target id, or by the order's number. A document the target id names
// that is gone (a sales order shipped and invoiced, a quote made into an
// order) is looked for by the order's number too.
func (c *Conn) current(ctx context.Context, target, number string) (found, bool, error) {
	if target != "" {
		f, err := c.documentByTarget(ctx, target)
		var se *rest.StatusError
		if !errors.As(err, &se) || se.Status != http.StatusNotFound {
			return f, err == nil, err
		}
	}
	return c.documentByNumber(ctx, number)
}

// unchanged is the answer to a write of an order whose document may not
// change any more.
func unchanged(f found, number string) connectors.WriteResult {
	return connectors.WriteResult{TargetID: f.target(), Response: map[string]any{"id": f.id(), "number": rest.LookupString(f.rec, "number"),
		"unchanged": fmt.Sprintf("the %s of order %s is %s in Business Central; it is not changed", f.doc.kind, number, rest.LookupString(f.rec, "status"))}}
}

// summary is what the Activity page shows of a saved document.
func summary(rec map[string]any) map[string]any {
	out := map[string]any{}
	for _, k := range []string{"id", "number", "externalDocumentNumber", "customerNumber", "status", "currencyCode", "pricesIncludeTax",
		"totalAmountExcludingTax", "totalTaxAmount", "totalAmountIncludingTax"} {
		if v, ok := rec[k]; ok {
			out[k] = v
		}
	}
	return out
}

// saveDocument creates the document and its lines, or changes its header
// and brings its lines in step (by sequence: changed, added, removed),
// and reads it back with its totals.
func (c *Conn) saveDocument(ctx context.Context, d document, id string, header map[string]any, lines []map[string]any) (found, error) {
	if id == "" {
		rec, err := c.create(ctx, d.path, header)
		if err != nil {
			return found{}, err
		}
		id = rest.LookupString(rec, "id")
	} else if _, err := c.patch(ctx, d.path+"("+id+")", header); err != nil {
		return found{}, err
	}
	if err := c.syncLines(ctx, d, id, lines); err != nil {
		return found{}, err
	}
	return c.documentByTarget(ctx, d.kind+"/"+id)
}

// syncLines makes the document's lines the given ones, matched by their
// sequence.
func (c *Conn) syncLines(ctx context.Context, d document, id string, lines []map[string]any) error {
	base := d.path + "(" + id + ")/" + d.lines
	var body struct {
		Value []map[string]any `json:"value"`
	}
	if err := c.call(ctx, rest.Request{Path: base}, &body); err != nil {
		return fmt.Errorf("reading the lines: %w", err)
	}
	have := map[string]string{}
	for _, l := range body.Value {
		have[fmt.Sprint(l["sequence"])] = rest.LookupString(l, "id")
	}
	for _, l := range lines {
		seq := fmt.Sprint(l["sequence"])
		var err error
		if lineID, ok := have[seq]; ok {
			_, err = c.patch(ctx, base+"('"+lineID+"')", l)
			delete(have, seq)
		} else {
			_, err = c.create(ctx, base, l)
		}
		if err != nil {
			return fmt.Errorf("line %s: %w", seq, err)
		}
	}
	for seq, lineID := range have {
		if err := c.call(ctx, rest.Request{Method: http.MethodDelete, Path: base + "('" + lineID + "')"}, nil); err != nil {
			return fmt.Errorf("removing line %s: %w", seq, err)
		}
	}
	return nil
}
