package fake

import (
	"strings"
	"time"
)

// The fake's records as the schema's objects, built for each answer.

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func strs(list []string) []any {
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (s *store) productNode(p *Product) map[string]any {
	options := make([]any, len(p.Options))
	for i, o := range p.Options {
		options[i] = map[string]any{"__typename": "ProductOption", "id": p.ID + "/option/" + o.Name, "name": o.Name,
			"position": i + 1, "values": strs(o.Values)}
	}
	variants := make([]any, len(p.Variants))
	for i, v := range p.Variants {
		variants[i] = s.variantNode(p, v, i)
	}
	return map[string]any{"__typename": "Product", "id": p.ID, "title": p.Title, "handle": p.Handle,
		"descriptionHtml": p.DescriptionHTML, "vendor": p.Vendor, "productType": p.ProductType, "status": p.Status,
		"tags": strs(p.Tags), "createdAt": stamp(p.CreatedAt), "updatedAt": stamp(p.UpdatedAt), "options": options,
		"variants": variants, "totalInventory": s.totalInventory(p)}
}

func (s *store) totalInventory(p *Product) int {
	n := 0
	for _, v := range p.Variants {
		n += s.available(v.InventoryItemID)
	}
	return n
}

func (s *store) available(itemID string) int {
	n := 0
	for _, l := range s.levels[itemID] {
		n += l.quantities["available"]
	}
	return n
}

func (s *store) variantNode(p *Product, v *Variant, position int) map[string]any {
	selected := []any{}
	for _, o := range p.Options {
		selected = append(selected, map[string]any{"__typename": "SelectedOption", "name": o.Name, "value": v.Options[o.Name]})
	}
	title := v.Title
	if title == "" {
		title = variantTitle(p, v)
	}
	return map[string]any{"__typename": "ProductVariant", "id": v.ID, "sku": nullable(v.SKU), "barcode": nullable(v.Barcode),
		"title": title, "displayName": p.Title + " - " + title, "price": v.Price, "compareAtPrice": nullable(v.CompareAtPrice),
		"position": position + 1, "inventoryQuantity": s.available(v.InventoryItemID), "selectedOptions": selected,
		"createdAt": stamp(p.CreatedAt), "updatedAt": stamp(v.UpdatedAt), "inventoryItem": s.itemNode(v),
		"product": map[string]any{"__typename": "Product", "id": p.ID, "title": p.Title, "handle": p.Handle, "status": p.Status}}
}

func variantTitle(p *Product, v *Variant) string {
	var parts []string
	for _, o := range p.Options {
		parts = append(parts, v.Options[o.Name])
	}
	return strings.Join(parts, " / ")
}

func (s *store) itemNode(v *Variant) map[string]any {
	item := map[string]any{"__typename": "InventoryItem", "id": v.InventoryItemID, "sku": nullable(v.SKU), "tracked": true,
		"requiresShipping": true, "createdAt": stamp(v.UpdatedAt), "updatedAt": stamp(v.UpdatedAt),
		"measurement": map[string]any{"__typename": "InventoryItemMeasurement"}}
	if v.WeightUnit != "" {
		item["measurement"].(map[string]any)["weight"] = map[string]any{"__typename": "Weight", "value": v.Weight, "unit": v.WeightUnit}
	}
	var levels []any
	for _, loc := range s.locations {
		if l := s.levels[v.InventoryItemID][loc.ID]; l != nil {
			levels = append(levels, s.levelNode(v, loc, l))
		}
	}
	item["inventoryLevels"] = append([]any{}, levels...)
	return item
}

func (s *store) levelNode(v *Variant, loc *Location, l *level) map[string]any {
	return map[string]any{"__typename": "InventoryLevel", "id": "gid://shopify/InventoryLevel/" + idNumber(loc.ID) + "?inventory_item_id=" + idNumber(v.InventoryItemID),
		"updatedAt": stamp(l.updated), "createdAt": stamp(l.updated), "location": locationNode(loc), "_quantities": l.quantities,
		"item": map[string]any{"__typename": "InventoryItem", "id": v.InventoryItemID, "sku": nullable(v.SKU), "tracked": true}}
}

func locationNode(l *Location) map[string]any {
	return map[string]any{"__typename": "Location", "id": l.ID, "name": l.Name, "isActive": true}
}

func idNumber(gid string) string { return gid[strings.LastIndex(gid, "/")+1:] }

// hooks computes the fields that take arguments.
func (s *store) hooks() map[string]hook {
	return map[string]hook{
		"InventoryLevel.quantities": func(parent, args map[string]any) (any, error) {
			have, _ := parent["_quantities"].(map[string]int)
			var out []any
			names, _ := args["names"].([]any)
			for _, n := range names {
				name, _ := n.(string)
				out = append(out, map[string]any{"__typename": "InventoryQuantity", "name": name, "quantity": have[name],
					"updatedAt": parent["updatedAt"]})
			}
			return append([]any{}, out...), nil
		},
	}
}
