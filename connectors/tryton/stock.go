package tryton

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/erp"
	"github.com/switchboard-app/switchboard/connectors/since"
)

// readStock streams the stock of goods in the flow's warehouse: on the
// first run of every product, then of the products whose stock moves
// changed since the last run (less the overlap).
func (c *Conn) readStock(ctx context.Context, req connectors.ReadRequest, st since.State, size int) (connectors.PageStream, error) {
	code := req.Options.String(erp.OptWarehouse)
	if req.Options.Values == nil {
		code = "WH"
	}
	location, err := c.warehouse(ctx, code)
	if err != nil {
		return nil, err
	}
	s := &stockStream{c: c, st: st, started: req.Cursor, size: size, location: location, code: code, changed: map[int64]time.Time{}}
	from, incremental := st.From()
	if !incremental {
		// The first run reads every product; the next asks for the moves
		// since now, and the products moved just before it are remembered
		// as read with the time of their moves.
		now := time.Now().UTC()
		from = now.Add(-since.Overlap)
		if s.st.Max == "" {
			s.st.Max = now.Format(time.RFC3339Nano)
		}
	}
	if err := s.movesSince(ctx, from); err != nil {
		return nil, err
	}
	return s, nil
}

// warehouse finds a warehouse location by its code.
func (c *Conn) warehouse(ctx context.Context, code string) (int64, error) {
	id, err := c.idOf(ctx, "stock.location", []any{[]any{"code", "=", code}, []any{"type", "=", "warehouse"}}, "warehouse "+code)
	if err != nil {
		return 0, fmt.Errorf("%w; set the flow's warehouse to the code of a Tryton warehouse", err)
	}
	return id, nil
}

// stockStream reads the quantities of products in one warehouse.
type stockStream struct {
	c        *Conn
	st       since.State
	started  string
	size     int
	location int64
	code     string
	changed  map[int64]time.Time // products whose moves changed, and when; nil reads every product
	done     bool
}

// movesSince notes the products whose stock moves changed since from.
func (s *stockStream) movesSince(ctx context.Context, from time.Time) error {
	domain := []any{"OR", []any{"write_date", ">=", datetime(from)}, []any{"create_date", ">=", datetime(from)}}
	var after int64
	for {
		res, err := s.c.model(ctx, "stock.move", "search_read", []any{domain, []any{"id", ">", after}}, 0, 1000,
			[]any{[]any{"id", "ASC"}}, []string{"product", "write_date", "create_date"})
		if err != nil {
			return fmt.Errorf("reading the stock moves changed: %w", err)
		}
		moves := asList(res)
		for _, m := range moves {
			after, _ = toInt(m["id"])
			product, _ := toInt(m["product"])
			for _, f := range []string{"write_date", "create_date"} {
				if t, err := time.Parse(time.RFC3339Nano, text(m[f])); err == nil && t.After(s.changed[product]) {
					s.changed[product] = t
				}
			}
		}
		if len(moves) < 1000 {
			return nil
		}
	}
}

// Next reads the quantities of one page of products.
func (s *stockStream) Next(ctx context.Context) (connectors.Page, error) {
	if s.done {
		return connectors.Page{}, connectors.ErrEndOfInput
	}
	mctx, err := s.c.context(ctx)
	if err != nil {
		return connectors.Page{}, err
	}
	mctx["locations"] = []any{s.location}
	mctx["stock_date_end"] = datetimeDate(time.Now())
	res, err := s.c.rpc.call(ctx, "model.product.product.search_read", s.domain(), 0, s.size, []any{[]any{"id", "ASC"}},
		[]string{"code", "name", "quantity", "forecast_quantity"}, mctx)
	if err != nil {
		return connectors.Page{}, fmt.Errorf("reading the stock of warehouse %s: %w", s.code, err)
	}
	recs := asList(res)
	page := connectors.Page{Records: make([]connectors.Record, 0, len(recs))}
	for _, data := range recs {
		id, _ := toInt(data["id"])
		s.st.Pos = text(data["id"])
		data["product"], data["location"] = data["id"], s.code
		r := connectors.Record{ID: fmt.Sprintf("%d@%s", id, s.code), Key: text(data["code"]), Data: data, Updated: s.changed[id]}
		data["id"] = r.ID
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

// domain is the next page's products: goods, those whose moves changed
// on an incremental run, after the last read.
func (s *stockStream) domain() []any {
	d := []any{[]any{"type", "=", "goods"}}
	if _, incremental := s.st.From(); incremental {
		ids := make([]any, 0, len(s.changed))
		for id := range s.changed {
			ids = append(ids, id)
		}
		d = append(d, []any{"id", "in", ids})
	}
	if after, ok := toInt(s.st.Pos); ok && after > 0 {
		d = append(d, []any{"id", ">", after})
	}
	return d
}

// Close does nothing.
func (s *stockStream) Close() error { return nil }

// datetimeDate writes a day for Tryton.
func datetimeDate(t time.Time) map[string]any {
	return map[string]any{"__class__": "date", "year": t.Year(), "month": int(t.Month()), "day": t.Day()}
}
