package shopify

import (
	"math/big"
	"strings"

	"github.com/switchboard-app/switchboard/connectors/rest"
)

// Shopify's webhooks carry records in the REST Admin API's form
// (snake_case, numeric ids, price sets as shop_money). These functions
// make them the shape the GraphQL reads give, for the fields the default
// mappings use, so that one mapping serves reads and webhooks.

func str(v any, path string) any {
	s := rest.LookupString(v, path)
	if s == "" {
		return nil
	}
	return s
}

// moneyBag makes a GraphQL MoneyBag of a REST price set.
func moneyBag(set any) any {
	amount := rest.LookupString(set, "shop_money.amount")
	if amount == "" {
		return nil
	}
	return map[string]any{"shopMoney": map[string]any{"amount": amount, "currencyCode": rest.LookupString(set, "shop_money.currency_code")}}
}

func upper(v any, path string) any {
	s := rest.LookupString(v, path)
	if s == "" {
		return nil
	}
	return strings.ToUpper(s)
}

// copyFields copies REST fields to GraphQL names: {"createdAt": "created_at"}.
func copyFields(dst, src map[string]any, names map[string]string) {
	for to, from := range names {
		dst[to] = str(src, from)
	}
}

func tags(v any) []any {
	out := []any{}
	for _, t := range strings.Split(rest.LookupString(v, "tags"), ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

func orderFromREST(o map[string]any) map[string]any {
	out := map[string]any{"id": str(o, "admin_graphql_api_id"), "tags": tags(o), "taxesIncluded": o["taxes_included"],
		"displayFinancialStatus": upper(o, "financial_status"), "displayFulfillmentStatus": fulfillmentStatus(o),
		"paymentGatewayNames": o["payment_gateway_names"], "discountCodes": codes(o["discount_codes"]),
		"billingAddress": addressFromREST(o["billing_address"]), "shippingAddress": addressFromREST(o["shipping_address"]),
		"subtotalPriceSet": moneyBag(o["subtotal_price_set"]), "totalShippingPriceSet": moneyBag(o["total_shipping_price_set"]),
		"totalDiscountsSet": moneyBag(o["total_discounts_set"]), "totalTaxSet": moneyBag(o["total_tax_set"]),
		"totalPriceSet": moneyBag(o["total_price_set"]), "currentSubtotalPriceSet": moneyBag(o["current_subtotal_price_set"]),
		"currentTotalDiscountsSet": moneyBag(o["current_total_discounts_set"]), "currentTotalTaxSet": moneyBag(o["current_total_tax_set"]),
		"currentTotalPriceSet": moneyBag(o["current_total_price_set"])}
	copyFields(out, o, map[string]string{"name": "name", "email": "email", "phone": "phone", "note": "note", "createdAt": "created_at",
		"processedAt": "processed_at", "updatedAt": "updated_at", "cancelledAt": "cancelled_at", "closedAt": "closed_at",
		"sourceName": "source_name", "currencyCode": "currency"})
	if c, ok := o["customer"].(map[string]any); ok {
		out["customer"] = map[string]any{"id": str(c, "admin_graphql_api_id"), "email": str(c, "email"),
			"firstName": str(c, "first_name"), "lastName": str(c, "last_name"), "phone": str(c, "phone")}
	}
	if lines, ok := o["shipping_lines"].([]any); ok && len(lines) > 0 {
		l := lines[0]
		out["shippingLine"] = map[string]any{"title": str(l, "title"), "code": str(l, "code"),
			"carrierIdentifier": str(l, "carrier_identifier"), "originalPriceSet": shippingPrice(lines)}
	}
	var nodes []any
	lines, _ := o["line_items"].([]any)
	for _, l := range lines {
		nodes = append(nodes, lineFromREST(l))
	}
	out["lineItems"] = map[string]any{"nodes": nodes, "pageInfo": map[string]any{"hasNextPage": false}}
	return out
}

// shippingPrice is the MoneyBag of every shipping line's price added up,
// as the summary GraphQL's Order.shippingLine gives, to as many decimals
// as the prices have (three in KWD); nil when a line's price is missing
// or no number, the first line's price as it is.
func shippingPrice(lines []any) any {
	sum, places := new(big.Rat), 2
	for _, l := range lines {
		text := rest.LookupString(l, "price_set.shop_money.amount")
		amount, ok := new(big.Rat).SetString(text)
		if !ok {
			return moneyBag(get(lines[0], "price_set"))
		}
		sum.Add(sum, amount)
		places = max(places, decimals(text))
	}
	return map[string]any{"shopMoney": map[string]any{"amount": sum.FloatString(places),
		"currencyCode": rest.LookupString(lines[0], "price_set.shop_money.currency_code")}}
}

// decimals counts the decimals of a number written as text.
func decimals(text string) int {
	if _, frac, ok := strings.Cut(text, "."); ok {
		return len(frac)
	}
	return 0
}

func fulfillmentStatus(o map[string]any) string {
	switch rest.LookupString(o, "fulfillment_status") {
	case "fulfilled":
		return "FULFILLED"
	case "partial":
		return "PARTIALLY_FULFILLED"
	}
	return "UNFULFILLED"
}

func codes(v any) []any {
	out := []any{}
	list, _ := v.([]any)
	for _, c := range list {
		if code := rest.LookupString(c, "code"); code != "" {
			out = append(out, code)
		}
	}
	return out
}

func addressFromREST(a any) any {
	if _, ok := a.(map[string]any); !ok {
		return nil
	}
	out := map[string]any{}
	copyFields(out, a.(map[string]any), map[string]string{"firstName": "first_name", "lastName": "last_name", "name": "name",
		"company": "company", "address1": "address1", "address2": "address2", "city": "city", "zip": "zip",
		"province": "province", "provinceCode": "province_code", "countryCodeV2": "country_code", "phone": "phone"})
	return out
}

// lineFromREST makes a GraphQL LineItem of a REST line; its discounted
// unit price is the price less its share of the line's discount, and its
// discount_allocations (the order's discounts allocated to it) are its
// discountAllocations.
func lineFromREST(l any) map[string]any {
	out := map[string]any{"id": str(l, "admin_graphql_api_id"), "sku": str(l, "sku"), "name": str(l, "name"),
		"title": str(l, "title"), "quantity": get(l, "quantity"), "currentQuantity": get(l, "current_quantity"),
		"originalUnitPriceSet": moneyBag(get(l, "price_set")), "totalDiscountSet": moneyBag(get(l, "total_discount_set"))}
	out["discountedUnitPriceSet"] = discounted(l)
	var taxLines []any
	list, _ := get(l, "tax_lines").([]any)
	for _, t := range list {
		line := map[string]any{"title": str(t, "title"), "rate": get(t, "rate"), "priceSet": moneyBag(get(t, "price_set"))}
		if text := rest.LookupString(t, "rate"); text != "" {
			if r, ok := new(big.Rat).SetString(text); ok { // 0.09975 is 9.975, Quebec's QST
				line["ratePercentage"] = r.Mul(r, big.NewRat(100, 1)).FloatString(max(2, decimals(text)-2))
			}
		}
		taxLines = append(taxLines, line)
	}
	out["taxLines"] = append([]any{}, taxLines...)
	if list, ok := get(l, "discount_allocations").([]any); ok {
		allocations := []any{}
		for _, a := range list {
			allocations = append(allocations, map[string]any{"allocatedAmountSet": moneyBag(get(a, "amount_set"))})
		}
		out["discountAllocations"] = allocations
	}
	return out
}

func discounted(l any) any {
	price, ok1 := new(big.Rat).SetString(rest.LookupString(l, "price"))
	discount, ok2 := new(big.Rat).SetString(rest.LookupString(l, "total_discount"))
	qty, ok3 := new(big.Rat).SetString(rest.LookupString(l, "quantity"))
	if !ok1 || !ok2 || !ok3 || qty.Sign() == 0 {
		return moneyBag(get(l, "price_set"))
	}
	unit := new(big.Rat).Sub(price, new(big.Rat).Quo(discount, qty))
	places := max(2, decimals(rest.LookupString(l, "price")))
	return map[string]any{"shopMoney": map[string]any{"amount": unit.FloatString(places), "currencyCode": rest.LookupString(l, "price_set.shop_money.currency_code")}}
}

func productFromREST(p map[string]any) map[string]any {
	out := map[string]any{"id": str(p, "admin_graphql_api_id"), "status": upper(p, "status"), "tags": tags(p)}
	copyFields(out, p, map[string]string{"title": "title", "handle": "handle", "descriptionHtml": "body_html", "vendor": "vendor",
		"productType": "product_type", "createdAt": "created_at", "updatedAt": "updated_at"})
	var options []any
	names := []string{}
	opts, _ := p["options"].([]any)
	for _, o := range opts {
		options = append(options, map[string]any{"name": str(o, "name"), "values": get(o, "values")})
		names = append(names, rest.LookupString(o, "name"))
	}
	out["options"] = append([]any{}, options...)
	var nodes []any
	variants, _ := p["variants"].([]any)
	for _, v := range variants {
		nodes = append(nodes, variantFromREST(v, names))
	}
	out["variants"] = map[string]any{"nodes": append([]any{}, nodes...), "pageInfo": map[string]any{"hasNextPage": false}}
	return out
}

var weightUnits = map[string]string{"kg": "KILOGRAMS", "g": "GRAMS", "lb": "POUNDS", "oz": "OUNCES"}

func variantFromREST(v any, options []string) map[string]any {
	out := map[string]any{"id": str(v, "admin_graphql_api_id"), "sku": str(v, "sku"), "barcode": str(v, "barcode"),
		"title": str(v, "title"), "price": str(v, "price"), "compareAtPrice": str(v, "compare_at_price"),
		"inventoryQuantity": get(v, "inventory_quantity"), "position": get(v, "position")}
	var selected []any
	for i, name := range options {
		selected = append(selected, map[string]any{"name": name, "value": str(v, "option"+string(rune('1'+i)))})
	}
	out["selectedOptions"] = append([]any{}, selected...)
	item := map[string]any{"id": "gid://shopify/InventoryItem/" + rest.LookupString(v, "inventory_item_id")}
	if unit := weightUnits[rest.LookupString(v, "weight_unit")]; unit != "" {
		item["measurement"] = map[string]any{"weight": map[string]any{"value": get(v, "weight"), "unit": unit}}
	}
	out["inventoryItem"] = item
	return out
}

func customerFromREST(c map[string]any) map[string]any {
	out := map[string]any{"id": str(c, "admin_graphql_api_id"), "tags": tags(c), "defaultAddress": addressFromREST(c["default_address"])}
	copyFields(out, c, map[string]string{"email": "email", "firstName": "first_name", "lastName": "last_name", "phone": "phone",
		"locale": "locale", "note": "note", "createdAt": "created_at", "updatedAt": "updated_at"})
	return out
}

// get is the value at a dotted path, nil when there is none.
func get(v any, path string) any {
	x, _ := rest.Lookup(v, path)
	return x
}
