package tryton

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/since"
)

// pageSize is how many records a search_read asks for when the engine
// names no page size.
const pageSize = 100

// list says how an entity is read: its model, fields (dotted names read
// related records), the domain every read has, and where a record holds
// its business key.
type list struct {
	model   string
	fields  []string
	domain  []any
	changed []string // the fields whose time says a record changed
	key     func(rec map[string]any) string
}

var addressFields = []string{"name", "street", "postal_code", "city", "country.code", "subdivision.code"}

func prefixed(prefix string, names ...string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = prefix + "." + n
	}
	return out
}

func fieldsOf(groups ...[]string) []string {
	var out []string
	for _, g := range groups {
		out = append(out, g...)
	}
	return append(out, "create_date", "write_date")
}

var lineFields = []string{"type", "product.code", "description", "quantity", "unit_price", "amount", "taxes.name", "taxes.rate"}

var lists = map[connectors.Entity]list{
	connectors.Customer: {model: "party.party", changed: []string{"write_date", "create_date"},
		fields: fieldsOf([]string{"name", "code", "lang.code", "identifiers.type", "identifiers.code",
			"contact_mechanisms.type", "contact_mechanisms.value"}, prefixed("addresses", addressFields...)),
		key: func(r map[string]any) string { return firstOf(contact(r, "email"), text(r["code"])) }},
	connectors.Product: {model: "product.product", changed: []string{"write_date", "create_date", "template.write_date"},
		fields: fieldsOf([]string{"code", "name", "description", "list_price", "cost_price", "template.type", "template.salable",
			"template.account_category.name", "identifiers.type", "identifiers.code", "template.write_date"}),
		key: func(r map[string]any) string { return text(r["code"]) }},
	connectors.Order: {model: "sale.sale", changed: []string{"write_date", "create_date"},
		fields: fieldsOf([]string{"number", "reference", "description", "comment", "state", "sale_date", "currency.code",
			"party.name", "party.code", "party.contact_mechanisms.type", "party.contact_mechanisms.value",
			"payment_term.name", "warehouse.code", "untaxed_amount", "tax_amount", "total_amount"},
			prefixed("invoice_address", addressFields...), prefixed("shipment_address", addressFields...), prefixed("lines", lineFields...)),
		key: func(r map[string]any) string { return firstOf(text(r["number"]), text(r["reference"])) }},
	connectors.Invoice: {model: "account.invoice", domain: []any{[]any{"type", "=", "out"}}, changed: []string{"write_date", "create_date"},
		fields: fieldsOf([]string{"number", "reference", "description", "state", "invoice_date", "currency.code",
			"party.name", "party.code", "party.contact_mechanisms.type", "party.contact_mechanisms.value", "payment_term.name",
			"untaxed_amount", "tax_amount", "total_amount", "amount_to_pay", "lines_to_pay.maturity_date", "sales.number", "sales.reference"},
			prefixed("invoice_address", addressFields...), prefixed("lines", lineFields...)),
		key: func(r map[string]any) string { return firstOf(text(r["number"]), text(r["reference"])) }},
}

// Read streams the entity's records changed since the cursor (less the
// overlap), by id.
func (c *Conn) Read(ctx context.Context, req connectors.ReadRequest) (connectors.PageStream, error) {
	st, err := since.Parse(req.Cursor, Name)
	if err != nil {
		return nil, err
	}
	size := req.PageSize
	if size <= 0 {
		size = pageSize
	}
	if req.Entity == connectors.Stock {
		return c.readStock(ctx, req, st, size)
	}
	l, ok := lists[req.Entity]
	if !ok {
		return nil, connectors.Permanent(fmt.Errorf("Tryton does not read %s records", req.Entity))
	}
	if req.Entity == connectors.Customer {
		if l, err = c.withoutCompanies(ctx, l); err != nil {
			return nil, err
		}
	}
	return &stream{c: c, list: l, st: st, started: req.Cursor, size: size}, nil
}

// withoutCompanies leaves the companies' own parties out of customers.
func (c *Conn) withoutCompanies(ctx context.Context, l list) (list, error) {
	res, err := c.model(ctx, "company.company", "search_read", []any{}, 0, nil, nil, []string{"party"})
	if err != nil {
		return l, fmt.Errorf("reading the companies: %w", err)
	}
	var parties []any
	for _, r := range asList(res) {
		parties = append(parties, r["party"])
	}
	l.domain = append(append([]any{}, l.domain...), []any{"id", "not in", parties})
	return l, nil
}

// stream reads a model's records by id within a run (the state's Pos is
// the last id read), incrementally across runs (package since).
type stream struct {
	c       *Conn
	list    list
	st      since.State
	started string
	size    int
	done    bool
}

// Next reads one page; after a failed Next it reads the same page again.
func (s *stream) Next(ctx context.Context) (connectors.Page, error) {
	if s.done {
		return connectors.Page{}, connectors.ErrEndOfInput
	}
	res, err := s.c.model(ctx, s.list.model, "search_read", s.domain(), 0, s.size, []any{[]any{"id", "ASC"}}, s.list.fields)
	if err != nil {
		return connectors.Page{}, fmt.Errorf("reading %s: %w", s.list.model, err)
	}
	recs := asList(res)
	page := connectors.Page{Records: make([]connectors.Record, 0, len(recs))}
	for _, data := range recs {
		r := s.list.record(data)
		s.st.Pos = r.ID
		if s.st.Take(r.ID, r.Updated) {
			page.Records = append(page.Records, r)
		}
	}
	if len(recs) == s.size {
		page.Cursor = s.st.String()
		return page, nil
	}
	s.done = true
	s.st = s.st.Finished()
	page.Cursor = s.st.String()
	if len(page.Records) == 0 && page.Cursor == s.started {
		return connectors.Page{}, connectors.ErrEndOfInput
	}
	return page, nil
}

// domain is the next page's: the list's own, changed since the cursor's
// time (less the overlap), after the last id read.
func (s *stream) domain() []any {
	d := append([]any{}, s.list.domain...)
	if from, ok := s.st.From(); ok {
		or := []any{"OR"}
		for _, f := range s.list.changed {
			or = append(or, []any{f, ">=", datetime(from)})
		}
		d = append(d, or)
	}
	if after, err := strconv.ParseInt(s.st.Pos, 10, 64); err == nil {
		d = append(d, []any{"id", ">", after})
	}
	return d
}

// Close does nothing.
func (s *stream) Close() error { return nil }

// record makes a native record of what search_read answered: related
// records under their field's name (Tryton's "party." becomes "party").
func (l list) record(data map[string]any) connectors.Record {
	data = undot(data).(map[string]any)
	r := connectors.Record{ID: text(data["id"]), Data: data, Key: l.key(data)}
	for _, f := range l.changed {
		if t, err := time.Parse(time.RFC3339Nano, text(lookup(data, f))); err == nil && t.After(r.Updated) {
			r.Updated = t
		}
	}
	return r
}

// undot renames Tryton's related records ("party.": {...}) to their
// field's name, replacing the id.
func undot(v any) any {
	switch x := v.(type) {
	case []any:
		for i := range x {
			x[i] = undot(x[i])
		}
	case map[string]any:
		for k, e := range x {
			if name, ok := strings.CutSuffix(k, "."); ok {
				delete(x, k)
				x[name] = undot(e)
			}
		}
		for k, e := range x {
			x[k] = undot(e)
		}
	}
	return v
}

// lookup reads a dotted path of a record.
func lookup(data map[string]any, path string) any {
	var v any = data
	for _, part := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[part]
	}
	return v
}

// contact is a party's first contact mechanism of a type.
func contact(party map[string]any, kind string) string {
	for _, m := range anyList(party["contact_mechanisms"]) {
		if cm, ok := m.(map[string]any); ok && cm["type"] == kind {
			return text(cm["value"])
		}
	}
	return ""
}
