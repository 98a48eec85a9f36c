package adobecommerce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
	"github.com/switchboard-app/switchboard/connectors/rest/batch"
)

// sourceItems writes stock as MSI source items, many in one call.
type sourceItems struct{ c *Conn }

// SendBatch checks that the batch's products exist (one search), then
// saves the source items of those that do; a record whose SKU the shop
// does not know fails alone, saying what to do.
func (s sourceItems) SendBatch(ctx context.Context, reqs []connectors.WriteRequest) ([]batch.Result, error) {
	results := make([]batch.Result, len(reqs))
	items := make([]map[string]any, len(reqs))
	var skus []string
	for i, r := range reqs {
		items[i] = sourceItem(r)
		if sku := rest.LookupString(items[i], "sku"); sku != "" {
			skus = append(skus, sku)
		}
	}
	known, err := s.c.existingSKUs(ctx, skus)
	if err != nil {
		return nil, fmt.Errorf("looking the products of the stock up: %w", err)
	}
	sources, err := s.c.existingSources(ctx, items)
	if err != nil {
		return nil, fmt.Errorf("looking the sources of the stock up: %w", err)
	}
	var send []any
	var sent []int
	for i, item := range items {
		sku, invalid := rest.LookupString(item, "sku"), numbers(item)
		switch {
		case sku == "":
			results[i].Err = connectors.Permanent(fmt.Errorf("stock %s: the record has no sku; map one", reqs[i].Key))
		case invalid != nil:
			results[i].Err = connectors.Permanent(fmt.Errorf("stock %s: %w", sku, invalid))
		case !sources[rest.LookupString(item, "source_code")]:
			results[i].Err = connectors.Permanent(fmt.Errorf("source %s does not exist in Adobe Commerce; add it under Stores > "+
				"Inventory > Sources, or set the flow's %s option to a source that exists", rest.LookupString(item, "source_code"), optSource))
		case !known[sku]:
			results[i].Err = connectors.Permanent(fmt.Errorf("product %s does not exist in Adobe Commerce; add it there "+
				"(or let a product flow into this shop create it), then retry", sku))
		default:
			send, sent = append(send, item), append(sent, i)
			results[i] = batch.Result{TargetID: rest.LookupString(item, "source_code") + "/" + sku, Response: item}
		}
	}
	if len(send) == 0 {
		return results, nil
	}
	_, err = s.c.client.Do(ctx, rest.Request{Method: http.MethodPost, Path: "V1/inventory/source-items", JSON: map[string]any{"sourceItems": send}})
	if err != nil {
		err = fmt.Errorf("saving %d source items: %w", len(send), err)
		for _, i := range sent {
			results[i] = batch.Result{Err: err}
		}
	}
	return results, nil
}

// sourceItem is a stock record as a source item: at the flow's source,
// or the record's own when the flow names none (sourceCode), its quantity
// and status as numbers.
func sourceItem(r connectors.WriteRequest) map[string]any {
	item := make(map[string]any, len(r.Data)+1)
	for k, v := range r.Data {
		item[k] = v
	}
	item["source_code"] = sourceCode(r.Options, r.Data)
	for _, field := range []string{"quantity", "status"} {
		if n, ok := number(item[field]); ok {
			item[field] = n
		}
	}
	return item
}

// numbers checks a source item's quantity and status as Adobe Commerce
// does before it saves any item of a call: one item without a numeric
// quantity, or with a status other than 0 (out of stock) or 1 (in stock),
// refuses the whole call, naming neither the item nor its SKU.
func numbers(item map[string]any) error {
	if _, ok := item["quantity"].(json.Number); !ok {
		return fieldError("quantity", item["quantity"], "a number")
	}
	if st, ok := item["status"].(json.Number); !ok || (st != "0" && st != "1") {
		return fieldError("status", item["status"], "0 (out of stock) or 1 (in stock)")
	}
	return nil
}

func fieldError(field string, v any, want string) error {
	if v == nil {
		return fmt.Errorf("field %s: is required: Adobe Commerce needs %s", field, want)
	}
	return fmt.Errorf("field %s: %v is not %s", field, v, want)
}

// number is a JSON number of an int, a float, a json.Number or a text
// holding a number.
func number(v any) (json.Number, bool) {
	var text string
	switch n := v.(type) {
	case json.Number:
		text = n.String()
	case int:
		text = strconv.Itoa(n)
	case int64:
		text = strconv.FormatInt(n, 10)
	case float64:
		text = strconv.FormatFloat(n, 'f', -1, 64)
	case string:
		text = strings.TrimSpace(n)
	default:
		return "", false
	}
	if f, err := strconv.ParseFloat(text, 64); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return "", false
	}
	return json.Number(text), true
}

// existingSKUs returns which of the SKUs the shop has products of, in one
// search: an "in" filter of the SKUs, or of those without a comma, since
// Adobe Commerce reads its value as a list separated by commas; an SKU
// with one ("NYM-3x2,5") is a filter of its own in the same group.
func (c *Conn) existingSKUs(ctx context.Context, skus []string) (map[string]bool, error) {
	known := map[string]bool{}
	if len(skus) == 0 {
		return known, nil
	}
	var plain []string
	var conditions [][2]string
	for _, sku := range skus {
		if strings.Contains(sku, ",") {
			conditions = append(conditions, [2]string{"eq", sku})
		} else {
			plain = append(plain, sku)
		}
	}
	if len(plain) > 0 {
		conditions = append(conditions, [2]string{"in", strings.Join(plain, ",")})
	}
	crit := newCriteria().anyOf("sku", conditions...).page(len(skus), 1)
	products, err := c.search(ctx, "V1/products", crit)
	if err != nil {
		return nil, err
	}
	for _, p := range products {
		known[rest.LookupString(p, "sku")] = true
	}
	return known, nil
}

// existingSources returns which of the items' sources the shop has,
// asking once per connection for each source it found.
func (c *Conn) existingSources(ctx context.Context, items []map[string]any) (map[string]bool, error) {
	out := map[string]bool{}
	for _, item := range items {
		code := rest.LookupString(item, "source_code")
		if _, asked := out[code]; asked {
			continue
		}
		if _, known := c.sources.Load(code); known {
			out[code] = true
			continue
		}
		_, err := c.client.Do(ctx, rest.Request{Path: "V1/inventory/sources/" + url.PathEscape(code)})
		var se *rest.StatusError
		switch {
		case errors.As(err, &se) && se.Status == http.StatusNotFound:
			out[code] = false
		case err != nil:
			return nil, err
		default:
			out[code] = true
			c.sources.Store(code, true)
		}
	}
	return out, nil
}
