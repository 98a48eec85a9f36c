package woocommerce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
	"github.com/switchboard-app/switchboard/connectors/rest/batch"
)

// sender writes gathered products and stock levels through the batch
// endpoints: /products/batch, and /products/<id>/variations/batch for the
// variations of each product.
type sender struct{ c *Conn }

// productKeep identify a product and its variations whatever the policy.
var productKeep = []string{"id", "sku", "type", "attributes", "variations.id", "variations.sku", "variations.attributes"}

// SendBatch writes a batch; each record gets its own result. The records
// go out in one call per endpoint; a call that fails as a whole fails its
// own records alone, each named, and the other calls are made.
func (s sender) SendBatch(ctx context.Context, reqs []connectors.WriteRequest) ([]batch.Result, error) {
	results := make([]batch.Result, len(reqs))
	var group []item
	for i, req := range reqs {
		it, err := s.prepare(ctx, req)
		if err != nil {
			results[i].Err = err
			continue
		}
		it.index = i
		group = append(group, it)
	}
	s.sendAll(ctx, group, results)
	s.sendAll(ctx, s.foundAgain(ctx, group, results), results)
	for _, it := range group {
		if results[it.index].Err == nil && it.variations != nil {
			results[it.index].Err = s.c.syncVariations(ctx, results[it.index].TargetID, it)
		}
	}
	return results, nil
}

// sendAll sends the items in one call per endpoint; a call that fails as
// a whole fails its own records alone, each named.
func (s sender) sendAll(ctx context.Context, items []item, results []batch.Result) {
	byPath := map[string][]item{}
	for _, it := range items {
		byPath[it.path] = append(byPath[it.path], it)
	}
	for path, items := range byPath {
		if err := s.send(ctx, path, items, results); err != nil {
			for _, it := range items {
				results[it.index].Err = fmt.Errorf("%s %s: %w", it.req.Entity, it.key, err)
			}
		}
	}
}

// foundAgain are the stock records that were written to a product or
// variation the shop no longer has (deleted since their last write, and
// perhaps made again with its SKU, as a re-import does), prepared again
// with their SKU looked up anew.
func (s sender) foundAgain(ctx context.Context, group []item, results []batch.Result) []item {
	var again []item
	for _, it := range group {
		if it.req.Entity != connectors.Stock || it.req.TargetID == "" || !gone(results[it.index].Err) {
			continue
		}
		req := it.req
		req.TargetID = ""
		redo, err := s.prepare(ctx, req)
		if err != nil {
			results[it.index].Err = err
			continue
		}
		redo.index = it.index
		again = append(again, redo)
	}
	return again
}

// gone tells whether a write failed because its product or variation is
// not in the shop: WooCommerce's invalid id in a batch's answer, or a 404
// for the variations of a product it does not have.
func gone(err error) bool {
	var r *refusal
	var se *rest.StatusError
	return (errors.As(err, &r) && strings.HasSuffix(r.code, "_invalid_id")) || (errors.As(err, &se) && se.Status == http.StatusNotFound)
}

// refusal is WooCommerce's refusal of one record of a batch.
type refusal struct{ message, code string }

func (r *refusal) Error() string { return "WooCommerce refused it: " + r.message + " (" + r.code + ")" }

// item is one record of a batch call: the batch path, and the body for
// create (no id) or update.
type item struct {
	index      int
	path       string
	body       map[string]any
	update     bool
	key        string
	targetID   string
	variations []any
	req        connectors.WriteRequest
}

// prepare makes a record's batch item: a product as the policies allow,
// or a stock level as an update of its product or variation.
func (s sender) prepare(ctx context.Context, req connectors.WriteRequest) (item, error) {
	if req.Entity == connectors.Stock {
		return s.c.stockItem(ctx, req)
	}
	create, update, err := productFields.Read(req.Options)
	if err != nil {
		return item{}, err
	}
	body := create.Keep(req.Data, productKeep...)
	it := item{path: "products/batch", key: req.Key, req: req}
	if req.TargetID != "" {
		body = withoutEmptyLists(update.Keep(req.Data, productKeep...))
		body = with(body, "id", atoi(req.TargetID))
		it.update, it.targetID = true, req.TargetID
	}
	if vars, ok := body["variations"].([]any); ok {
		it.variations = vars
		body = without(body, "variations")
		body = with(body, "type", "variable")
	}
	it.body = body
	return it, nil
}

// send posts one batch call and hands out its results.
func (s sender) send(ctx context.Context, path string, items []item, results []batch.Result) error {
	var create, update []any
	var creates, updates []item
	for _, it := range items {
		if it.update {
			update, updates = append(update, it.body), append(updates, it)
		} else {
			create, creates = append(create, it.body), append(creates, it)
		}
	}
	body := map[string]any{}
	if len(create) > 0 {
		body["create"] = create
	}
	if len(update) > 0 {
		body["update"] = update
	}
	var answer struct {
		Create []map[string]any `json:"create"`
		Update []map[string]any `json:"update"`
	}
	if _, err := s.c.client.DoJSON(ctx, rest.Request{Method: http.MethodPost, Path: path, JSON: body}, &answer); err != nil {
		return fmt.Errorf("writing a batch of %d: %w", len(items), err)
	}
	if len(answer.Create) != len(creates) || len(answer.Update) != len(updates) {
		return connectors.Permanent(fmt.Errorf("%s answered %d and %d results for %d creates and %d updates", path, len(answer.Create), len(answer.Update), len(creates), len(updates)))
	}
	for i, it := range creates {
		results[it.index] = result(it, answer.Create[i])
	}
	for i, it := range updates {
		results[it.index] = result(it, answer.Update[i])
	}
	return nil
}

// result is one record's answer in a batch: its id, or its own error.
func result(it item, answer map[string]any) batch.Result {
	if msg := rest.LookupString(answer, "error.message"); msg != "" {
		return batch.Result{Err: connectors.Permanent(fmt.Errorf("%s %s: %w", it.req.Entity, it.key,
			&refusal{message: msg, code: rest.LookupString(answer, "error.code")}))}
	}
	id := rest.LookupString(answer, "id")
	if it.targetID != "" && it.req.Entity == connectors.Stock {
		id = it.targetID
	}
	return batch.Result{TargetID: id, Response: answer}
}

// stockItem makes a stock level an update of its product or variation,
// found by SKU when no earlier write is known; an SKU the shop does not
// have fails with what to do, or becomes a draft product.
func (c *Conn) stockItem(ctx context.Context, req connectors.WriteRequest) (item, error) {
	sku := rest.LookupString(req.Data, "sku")
	qty, err := wholeNumber(req)
	if err != nil {
		return item{}, err
	}
	target := req.TargetID
	if target == "" {
		f, ok, err := c.bySKU(ctx, sku)
		if err != nil {
			return item{}, err
		}
		if !ok {
			return c.missingProduct(ctx, req, sku, qty)
		}
		target = f.id
		if f.parent != "" {
			target = f.parent + "/" + f.id
		}
	}
	body := map[string]any{"manage_stock": true, "stock_quantity": qty}
	it := item{path: "products/batch", update: true, key: req.Key, targetID: target, req: req}
	if parent, variation, ok := strings.Cut(target, "/"); ok {
		it.path = "products/" + parent + "/variations/batch"
		body["id"] = atoi(variation)
	} else {
		body["id"] = atoi(target)
	}
	it.body = body
	return it, nil
}

// wholeNumber reads a stock record's quantity, which WooCommerce counts
// in whole numbers.
func wholeNumber(req connectors.WriteRequest) (int, error) {
	raw := numberText(req.Data, "stock_quantity")
	if raw == "" {
		return 0, connectors.Permanent(fmt.Errorf("stock %s: field stock_quantity: is required", req.Key))
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || f != float64(int(f)) {
		return 0, connectors.Permanent(fmt.Errorf("stock %s: field stock_quantity: %q is not a whole number, which WooCommerce counts in", req.Key, raw))
	}
	return int(f), nil
}

func numberText(v any, path string) string {
	x, _ := rest.Lookup(v, path)
	switch n := x.(type) {
	case int, int64:
		return fmt.Sprint(n)
	case float64:
		return strconv.FormatFloat(n, 'f', -1, 64)
	}
	return rest.LookupString(v, path)
}

// missingProduct fails a stock level whose SKU the shop does not have, or
// makes it a draft product's creation when the flow says so.
func (c *Conn) missingProduct(_ context.Context, req connectors.WriteRequest, sku string, qty int) (item, error) {
	if !req.Options.Bool("create_missing_products") {
		return item{}, connectors.Permanent(fmt.Errorf("product %s does not exist in WooCommerce; add it or enable 'create missing products'", sku))
	}
	return item{path: "products/batch", key: req.Key, req: req,
		body: map[string]any{"name": sku, "sku": sku, "status": "draft", "manage_stock": true, "stock_quantity": qty}}, nil
}

// syncVariations writes a variable product's variations: those whose SKU
// the product has are updated, the others created.
func (c *Conn) syncVariations(ctx context.Context, productID string, it item) error {
	existing, err := c.variations(ctx, productID)
	if err != nil {
		return err
	}
	ids := map[string]int{}
	for _, v := range existing {
		ids[rest.LookupString(v, "sku")] = atoi(rest.LookupString(v, "id"))
	}
	var create, update []any
	for _, v := range it.variations {
		m, _ := v.(map[string]any)
		if id := ids[rest.LookupString(m, "sku")]; id != 0 {
			update = append(update, with(m, "id", id))
		} else {
			create = append(create, m)
		}
	}
	var answer struct{ Create, Update []map[string]any }
	body := map[string]any{"create": create, "update": update}
	if _, err := c.client.DoJSON(ctx, rest.Request{Method: http.MethodPost, Path: "products/" + productID + "/variations/batch", JSON: body}, &answer); err != nil {
		return fmt.Errorf("writing the variations of product %s: %w", it.key, err)
	}
	var refused []string
	for _, a := range append(answer.Create, answer.Update...) {
		if msg := rest.LookupString(a, "error.message"); msg != "" {
			refused = append(refused, msg)
		}
	}
	if len(refused) > 0 {
		return connectors.Permanent(fmt.Errorf("product %s: WooCommerce refused variations: %s", it.key, strings.Join(refused, "; ")))
	}
	return nil
}

func with(m map[string]any, key string, v any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, x := range m {
		out[k] = x
	}
	out[key] = v
	return out
}

// withoutEmptyLists leaves out the empty lists of an update (no
// categories, images or attributes in the record), so that it does not
// clear what the shop has.
func withoutEmptyLists(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if l, ok := v.([]any); ok && len(l) == 0 {
			continue
		}
		out[k] = v
	}
	return out
}
