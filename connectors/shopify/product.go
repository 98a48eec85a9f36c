package shopify

import (
	"context"
	"fmt"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
)

// productKeep are the fields that identify a product's parts: they go with
// the fields a policy lets through.
var productKeep = []string{"id", "productOptions", "variants.id", "variants.sku", "variants.optionValues"}

// writeProduct creates a product with productSet, or updates one: with
// productSet when the update may change its variants (each variant sent
// with its id in Shopify, found by SKU; the variants the record does not
// have are removed, as productSet does), with productUpdate otherwise, so
// that the variants are left alone.
func (c *Conn) writeProduct(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	create, update, err := productFields.Read(req.Options)
	if err != nil {
		return connectors.WriteResult{}, err
	}
	input := create.Keep(req.Data, productKeep...)
	if req.TargetID != "" {
		input = withField(update.Keep(req.Data, productKeep...), "id", req.TargetID)
	}
	if _, ok := input["variants"]; !ok {
		delete(input, "productOptions")
		if req.TargetID != "" {
			return c.productUpdate(ctx, req, input)
		}
	}
	if req.TargetID != "" {
		if input, err = c.withVariantIDs(ctx, req.TargetID, input); err != nil {
			return connectors.WriteResult{}, err
		}
	}
	input = withOptionValues(withEndedSales(input))
	var data struct {
		ProductSet struct {
			Product    map[string]any `json:"product"`
			UserErrors userErrors     `json:"userErrors"`
		} `json:"productSet"`
	}
	if err := c.gql.do(ctx, productSetOp, map[string]any{"input": input}, &data); err != nil {
		return connectors.WriteResult{}, fmt.Errorf("writing product %s: %w", req.Key, err)
	}
	if err := data.ProductSet.UserErrors.err("product " + req.Key); err != nil {
		return connectors.WriteResult{}, err
	}
	p := data.ProductSet.Product
	return connectors.WriteResult{TargetID: rest.LookupString(p, "id"), Response: p}, nil
}

func (c *Conn) productUpdate(ctx context.Context, req connectors.WriteRequest, input map[string]any) (connectors.WriteResult, error) {
	var data struct {
		ProductUpdate struct {
			Product    map[string]any `json:"product"`
			UserErrors userErrors     `json:"userErrors"`
		} `json:"productUpdate"`
	}
	if err := c.gql.do(ctx, productUpdateOp, map[string]any{"product": input}, &data); err != nil {
		return connectors.WriteResult{}, fmt.Errorf("updating product %s: %w", req.Key, err)
	}
	if err := data.ProductUpdate.UserErrors.err("product " + req.Key); err != nil {
		return connectors.WriteResult{}, err
	}
	return connectors.WriteResult{TargetID: req.TargetID, Response: data.ProductUpdate.Product}, nil
}

// withVariantIDs gives each variant of the input the id its SKU has in
// the product, so that productSet changes it instead of making a new one.
func (c *Conn) withVariantIDs(ctx context.Context, productID string, input map[string]any) (map[string]any, error) {
	ids, err := c.variantIDs(ctx, productID)
	if err != nil {
		return nil, err
	}
	variants, _ := input["variants"].([]any)
	out := make([]any, len(variants))
	for i, v := range variants {
		m, ok := v.(map[string]any)
		if ok {
			if id := ids[rest.LookupString(m, "sku")]; id != "" {
				m = withField(m, "id", id)
			}
		}
		out[i] = m
	}
	return withField(input, "variants", out), nil
}

// variantIDs are the ids of a product's variants by SKU, every page of
// them: a product may have more variants than one page holds (up to
// 2,048), and productSet removes the variants it is not given by id.
func (c *Conn) variantIDs(ctx context.Context, productID string) (map[string]string, error) {
	ids := map[string]string{}
	after := ""
	for {
		var data struct {
			Product *struct {
				Variants struct {
					Nodes    []variant
					PageInfo struct {
						HasNextPage bool   `json:"hasNextPage"`
						EndCursor   string `json:"endCursor"`
					} `json:"pageInfo"`
				}
			}
		}
		vars := map[string]any{"id": productID}
		if after != "" {
			vars["after"] = after
		}
		if err := c.gql.do(ctx, productIDsOp, vars, &data); err != nil {
			return nil, fmt.Errorf("reading the variants of product %s: %w", productID, err)
		}
		if data.Product == nil {
			return nil, connectors.Permanent(fmt.Errorf("product %s does not exist in Shopify any more; remove its link (xref) or add it again", productID))
		}
		for _, v := range data.Product.Variants.Nodes {
			ids[v.SKU] = v.ID
		}
		page := data.Product.Variants.PageInfo
		if !page.HasNextPage || page.EndCursor == "" {
			return ids, nil
		}
		if page.EndCursor == after {
			return nil, connectors.Permanent(fmt.Errorf("reading the variants of product %s: Shopify answered the page after %q with the same cursor again; the rest cannot be read", productID, after))
		}
		after = page.EndCursor
	}
}

// withOptionValues completes the product's options: a product without
// options has Shopify's one option, Title, and each variant its value
// (Default Title); each option lists the values its variants have.
func withOptionValues(input map[string]any) map[string]any {
	variants, _ := input["variants"].([]any)
	if len(variants) == 0 {
		return input
	}
	options, _ := input["productOptions"].([]any)
	if len(options) == 0 {
		options = []any{map[string]any{"name": "Title"}}
	}
	values := map[string][]any{}
	out := make([]any, len(variants))
	for i, v := range variants {
		m, _ := v.(map[string]any)
		if _, ok := m["optionValues"]; !ok || len(options) == 1 && rest.LookupString(options[0], "name") == "Title" {
			m = withField(m, "optionValues", []any{map[string]any{"optionName": "Title", "name": "Default Title"}})
		}
		for _, ov := range asList(m["optionValues"]) {
			name, value := rest.LookupString(ov, "optionName"), rest.LookupString(ov, "name")
			if !containsName(values[name], value) {
				values[name] = append(values[name], map[string]any{"name": value})
			}
		}
		out[i] = m
	}
	opts := make([]any, len(options))
	for i, o := range options {
		name := rest.LookupString(o, "name")
		opts[i] = map[string]any{"name": name, "values": values[name]}
	}
	input = withField(input, "variants", out)
	return withField(input, "productOptions", opts)
}

// withEndedSales sends the empty compare-at price the write mapping makes
// for a variant that is not on sale as null, which is how productSet
// removes a compare-at price: a variant without the field keeps the one
// it has, and Shopify refuses empty text as Money.
func withEndedSales(input map[string]any) map[string]any {
	variants, _ := input["variants"].([]any)
	var out []any
	for i, v := range variants {
		m, ok := v.(map[string]any)
		if !ok || m["compareAtPrice"] != "" {
			continue
		}
		if out == nil {
			out = append([]any{}, variants...)
		}
		out[i] = withField(m, "compareAtPrice", nil)
	}
	if out == nil {
		return input
	}
	return withField(input, "variants", out)
}

func asList(v any) []any { l, _ := v.([]any); return l }

func containsName(list []any, name string) bool {
	for _, x := range list {
		if rest.LookupString(x, "name") == name {
			return true
		}
	}
	return false
}

// withField returns a copy of m with the field set: the writer leaves the
// record it was given as it is.
func withField(m map[string]any, key string, v any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, x := range m {
		out[k] = x
	}
	out[key] = v
	return out
}
