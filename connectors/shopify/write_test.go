package shopify

import (
	"fmt"
	"strings"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/shopify/fake"
)

// speaker is a product as the default write mapping makes it.
func speaker() map[string]any {
	return map[string]any{"title": "Bookshelf speaker", "descriptionHtml": "<p>Walnut</p>", "vendor": "Acme Audio",
		"productType": "Speakers", "status": "ACTIVE",
		"productOptions": []any{map[string]any{"name": "Colour"}},
		"variants": []any{
			map[string]any{"sku": "SPK-BLK", "price": "149.00", "barcode": "8712345678906",
				"optionValues": []any{map[string]any{"optionName": "Colour", "name": "Black"}}},
			map[string]any{"sku": "SPK-WHT", "price": "149.00",
				"optionValues": []any{map[string]any{"optionName": "Colour", "name": "White"}}},
		}}
}

func write(t *testing.T, c *Conn, req connectors.WriteRequest) connectors.WriteResult {
	t.Helper()
	res, err := c.Write(ctx(t), req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestWriteProductThenUpdateIt(t *testing.T) {
	s := newShop(t, fake.Options{})
	c := s.open(t)
	opts := options(t, connectors.UseWrite, nil)
	first := write(t, c, connectors.WriteRequest{Entity: connectors.Product, Key: "SPK-BLK", Data: speaker(), Options: opts})
	p, ok := s.ProductBySKU("SPK-WHT")
	if !ok || p.ID != first.TargetID || len(p.Variants) != 2 || p.Variants[0].Barcode != "8712345678906" {
		t.Fatalf("Shopify holds %+v after the create (target %s)", p, first.TargetID)
	}
	blackID := p.Variants[0].ID
	changed := speaker()
	changed["variants"].([]any)[0].(map[string]any)["price"] = "139.00"
	second := write(t, c, connectors.WriteRequest{Entity: connectors.Product, Key: "SPK-BLK", TargetID: first.TargetID, Data: changed, Options: opts})
	p, _ = s.ProductBySKU("SPK-BLK")
	if second.TargetID != first.TargetID || s.Products() != 1 || p.Variants[0].Price != "139.00" || p.Variants[0].ID != blackID {
		t.Fatalf("after the update: target %s, %d products, variant %+v (was %s)", second.TargetID, s.Products(), p.Variants[0], blackID)
	}
}

// TestUpdatePolicyKeepsWhatShopifyEnriched: with update_fields naming the
// price only, an update changes the prices and keeps the title and
// description someone improved in Shopify.
func TestUpdatePolicyKeepsWhatShopifyEnriched(t *testing.T) {
	s := newShop(t, fake.Options{})
	c := s.open(t)
	id := write(t, c, connectors.WriteRequest{Entity: connectors.Product, Key: "SPK-BLK", Data: speaker(),
		Options: options(t, connectors.UseWrite, nil)}).TargetID
	enriched := speaker()
	enriched["title"], enriched["id"] = "Bookshelf speaker, walnut, pair", id
	write(t, c, connectors.WriteRequest{Entity: connectors.Product, Key: "SPK-BLK", TargetID: id, Data: enriched,
		Options: options(t, connectors.UseWrite, nil)}) // as a person in Shopify would

	update := speaker()
	update["variants"].([]any)[1].(map[string]any)["price"] = "129.00"
	write(t, c, connectors.WriteRequest{Entity: connectors.Product, Key: "SPK-BLK", TargetID: id, Data: update,
		Options: options(t, connectors.UseWrite, map[string]any{"update_fields": "variants.price"})})
	p, _ := s.ProductBySKU("SPK-WHT")
	if p.Title != "Bookshelf speaker, walnut, pair" || p.Variants[1].Price != "129.00" || p.Variants[0].Barcode != "8712345678906" {
		t.Fatalf("after a price update Shopify holds title %q, prices %s/%s, barcode %q", p.Title, p.Variants[0].Price, p.Variants[1].Price, p.Variants[0].Barcode)
	}
	write(t, c, connectors.WriteRequest{Entity: connectors.Product, Key: "SPK-BLK", TargetID: id, Data: speaker(),
		Options: options(t, connectors.UseWrite, map[string]any{"update_fields": "status"})})
	if p, _ = s.ProductBySKU("SPK-WHT"); p.Title != "Bookshelf speaker, walnut, pair" || len(p.Variants) != 2 {
		t.Fatalf("an update of the status alone changed %+v", p)
	}
}

func TestFindProductAndStockBySKU(t *testing.T) {
	s := newShop(t, fake.Options{})
	id := s.AddProduct(fake.Product{Title: "Cable", Variants: []*fake.Variant{{SKU: "CBL-3M", Price: "12.95"}}})
	c := s.open(t)
	got, found, err := c.FindByKey(ctx(t), connectors.Product, "CBL-3M")
	if err != nil || !found || got != id {
		t.Fatalf("FindByKey(product CBL-3M) = %q, %v, %v; want %s", got, found, err, id)
	}
	if _, found, _ := c.FindByKey(ctx(t), connectors.Product, "CBL-3"); found {
		t.Fatal("a SKU that only begins the same was found")
	}
	item, found, err := c.FindByKey(ctx(t), connectors.Stock, "CBL-3M")
	if err != nil || !found || !strings.HasPrefix(item, "gid://shopify/InventoryItem/") {
		t.Fatalf("FindByKey(stock CBL-3M) = %q, %v, %v", item, found, err)
	}
}

func TestWriteStock(t *testing.T) {
	s := newShop(t, fake.Options{})
	s.AddProduct(fake.Product{Title: "Cable", Variants: []*fake.Variant{{SKU: "CBL-3M", Price: "12.95"}}})
	c := s.open(t)
	opts := options(t, connectors.UseWrite, map[string]any{"location": "warehouse amsterdam"})
	res := write(t, c, connectors.WriteRequest{Entity: connectors.Stock, Key: "CBL-3M", Data: map[string]any{"sku": "CBL-3M", "quantity": 12}, Options: opts})
	if q, _ := s.Quantity("CBL-3M", s.location); q != 12 {
		t.Fatalf("quantity %d, want 12", q)
	}
	write(t, c, connectors.WriteRequest{Entity: connectors.Stock, Key: "CBL-3M", TargetID: res.TargetID, Data: map[string]any{"sku": "CBL-3M", "quantity": "5"}, Options: opts})
	if q, _ := s.Quantity("CBL-3M", s.location); q != 5 {
		t.Fatalf("quantity %d after the second write, want 5", q)
	}
}

// TestStockOfAMissingProduct: an SKU Shopify does not have fails with
// what a shop owner can do about it; with create_missing_products the
// product is made, as a draft.
func TestStockOfAMissingProduct(t *testing.T) {
	s := newShop(t, fake.Options{})
	c := s.open(t)
	req := connectors.WriteRequest{Entity: connectors.Stock, Key: "SKU-123", Data: map[string]any{"sku": "SKU-123", "quantity": 4},
		Options: options(t, connectors.UseWrite, nil)}
	_, err := c.Write(ctx(t), req)
	want := "product SKU-123 does not exist in Shopify; add it or enable 'create missing products'"
	if err == nil || err.Error() != want {
		t.Fatalf("Write = %v; want %q", err, want)
	}
	if class, _ := connectors.Classify(err); class != connectors.ClassPermanent {
		t.Fatalf("the error is %v, want permanent", class)
	}
	req.Options = options(t, connectors.UseWrite, map[string]any{"create_missing_products": true})
	write(t, c, req)
	p, ok := s.ProductBySKU("SKU-123")
	if q, _ := s.Quantity("SKU-123", s.location); !ok || p.Status != "DRAFT" || q != 4 {
		t.Fatalf("the created product: %+v, quantity %d", p, q)
	}
}

func TestStockRefusesAFraction(t *testing.T) {
	s := newShop(t, fake.Options{})
	s.AddProduct(fake.Product{Title: "Cable", Variants: []*fake.Variant{{SKU: "CBL-3M", Price: "12.95"}}})
	_, err := s.open(t).Write(ctx(t), connectors.WriteRequest{Entity: connectors.Stock, Key: "CBL-3M",
		Data: map[string]any{"sku": "CBL-3M", "quantity": "2.5"}, Options: options(t, connectors.UseWrite, nil)})
	if err == nil || !strings.Contains(err.Error(), `stock CBL-3M: field quantity: "2.5" is not a whole number`) {
		t.Fatalf("Write = %v", err)
	}
}

func TestShipmentFulfilsTheOrderOnce(t *testing.T) {
	s := newShop(t, fake.Options{})
	orderID := s.AddOrder(exampleOrder(t))
	c := s.open(t)
	ship := map[string]any{"order_number": "1001", "trackingInfo": map[string]any{"number": "3SABC123", "company": "PostNL",
		"url": "https://postnl.nl/tracktrace/3SABC123"}, "lines": []any{map[string]any{"sku": "SPK-200-BLK", "quantity": 2}}}
	opts := options(t, connectors.UseWrite, nil)
	first := write(t, c, connectors.WriteRequest{Entity: connectors.Shipment, Key: "1001", Data: ship, Options: opts})
	again := write(t, c, connectors.WriteRequest{Entity: connectors.Shipment, Key: "1001", Data: ship, Options: opts})
	fs := s.Fulfillments(orderID)
	if len(fs) != 1 || again.TargetID != first.TargetID {
		t.Fatalf("fulfillments %v, targets %s and %s: the same tracking number fulfilled twice", fs, first.TargetID, again.TargetID)
	}
	if got := fs[0]["trackingInfo"].([]any)[0].(map[string]any); got["number"] != "3SABC123" || got["company"] != "PostNL" {
		t.Fatalf("tracking %v", got)
	}
	ship["trackingInfo"].(map[string]any)["number"] = "3SABC999"
	write(t, c, connectors.WriteRequest{Entity: connectors.Shipment, Key: "1001", TargetID: first.TargetID, Data: ship, Options: opts})
	if got := s.Fulfillments(orderID)[0]["trackingInfo"].([]any)[0].(map[string]any)["number"]; got != "3SABC999" {
		t.Fatalf("the tracking number after an update is %v", got)
	}
}

func TestShipmentOfAMissingOrder(t *testing.T) {
	s := newShop(t, fake.Options{})
	_, err := s.open(t).Write(ctx(t), connectors.WriteRequest{Entity: connectors.Shipment, Key: "4242",
		Data: map[string]any{"order_number": "4242"}, Options: options(t, connectors.UseWrite, nil)})
	if err == nil || !strings.Contains(err.Error(), "order 4242 does not exist in Shopify") {
		t.Fatalf("Write = %v", err)
	}
}

// TestAnSKUOnTwoVariantsIsNotGuessed: Shopify lets two variants have one
// SKU. A product or a stock level found by that SKU would be written to
// whichever variant the search gave first, leaving the other stale; the
// write fails instead, naming the SKU and the products that share it.
func TestAnSKUOnTwoVariantsIsNotGuessed(t *testing.T) {
	s := newShop(t, fake.Options{})
	first := s.AddProduct(fake.Product{Title: "Cable", Variants: []*fake.Variant{{SKU: "CBL-3M", Price: "12.95"}}})
	second := s.AddProduct(fake.Product{Title: "Cable (bundle)", Variants: []*fake.Variant{{SKU: "CBL-3M", Price: "11.95"}}})
	c := s.open(t)
	check := func(what string, err error) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), "CBL-3M") || !strings.Contains(err.Error(), first) || !strings.Contains(err.Error(), second) {
			t.Errorf("%s: %v; want an error naming the SKU and both products", what, err)
		} else if class, _ := connectors.Classify(err); class != connectors.ClassPermanent {
			t.Errorf("%s: the error is %v, want permanent", what, class)
		}
	}
	for _, entity := range []connectors.Entity{connectors.Product, connectors.Stock} {
		_, _, err := c.FindByKey(ctx(t), entity, "CBL-3M")
		check("FindByKey("+string(entity)+")", err)
	}
	_, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Stock, Key: "CBL-3M", Data: map[string]any{"sku": "CBL-3M", "quantity": 12},
		Options: options(t, connectors.UseWrite, nil)})
	check("writing the stock", err)
	if q, _ := s.Quantity("CBL-3M", s.location); q == 12 {
		t.Error("the stock of one of the variants was set")
	}
}

// TestShipmentOfALongOrderFulfilsEveryLine: the order lookup reads 40
// lines of a fulfilment order; the lines after them are read too, so a
// shipment of everything left fulfils an order of 45 lines whole, and a
// shipment of a line after the 40th finds it.
func TestShipmentOfALongOrderFulfilsEveryLine(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lines []any
		want  int // quantity fulfilled
	}{
		{"everything left", nil, 45},
		{"the 45th line", []any{map[string]any{"sku": "L-45", "quantity": 1}}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newShop(t, fake.Options{})
			o := exampleOrder(t)
			var lines []any
			for i := 1; i <= 45; i++ {
				lines = append(lines, map[string]any{"sku": fmt.Sprintf("L-%02d", i), "name": "Line", "title": "Line", "quantity": 1})
			}
			o["lineItems"] = map[string]any{"nodes": lines}
			orderID := s.AddOrder(o)
			c := s.open(t)
			data := map[string]any{"order_number": "1001", "trackingInfo": map[string]any{"number": "3SABC123", "company": "PostNL"}}
			if tc.lines != nil {
				data["lines"] = tc.lines
			}
			write(t, c, connectors.WriteRequest{Entity: connectors.Shipment, Key: "1001", Data: data, Options: options(t, connectors.UseWrite, nil)})
			fs := s.Fulfillments(orderID)
			if len(fs) != 1 || fmt.Sprint(fs[0]["totalQuantity"]) != fmt.Sprint(tc.want) {
				t.Fatalf("fulfillments %v; want one of %d", fs, tc.want)
			}
		})
	}
}

// TestShipmentOfAnOrderFromManyLocations: Shopify makes a fulfilment
// order for each location an order ships from. An order of 12 lines at
// 12 locations is shipped whole, and a shipment of its 12th line finds
// that line.
func TestShipmentOfAnOrderFromManyLocations(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lines []any
		want  int // quantity fulfilled
	}{
		{"everything left", nil, 12},
		{"the 12th line", []any{map[string]any{"sku": "L-12", "quantity": 1}}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newShop(t, fake.Options{})
			o := exampleOrder(t)
			var lines []any
			for i := 1; i <= 12; i++ {
				lines = append(lines, map[string]any{"sku": fmt.Sprintf("L-%02d", i), "name": "Line", "title": "Line", "quantity": 1})
			}
			o["lineItems"] = map[string]any{"nodes": lines}
			orderID := s.AddOrder(o)
			s.SplitByLine(orderID)
			c := s.open(t)
			data := map[string]any{"order_number": "1001", "trackingInfo": map[string]any{"number": "3SABC123", "company": "PostNL"}}
			if tc.lines != nil {
				data["lines"] = tc.lines
			}
			write(t, c, connectors.WriteRequest{Entity: connectors.Shipment, Key: "1001", Data: data, Options: options(t, connectors.UseWrite, nil)})
			fs := s.Fulfillments(orderID)
			if len(fs) != 1 || fmt.Sprint(fs[0]["totalQuantity"]) != fmt.Sprint(tc.want) {
				t.Fatalf("fulfillments %v; want one of %d", fs, tc.want)
			}
		})
	}
}

// TestAShipmentAfterManyIsNotFulfilledTwice: an order shipped line by
// line in 21 parcels; the 21st parcel's shipment sent again is found by
// its tracking number, not fulfilled (or refused) a second time.
func TestAShipmentAfterManyIsNotFulfilledTwice(t *testing.T) {
	s := newShop(t, fake.Options{})
	o := exampleOrder(t)
	var lines []any
	for i := 1; i <= 22; i++ {
		lines = append(lines, map[string]any{"sku": fmt.Sprintf("L-%02d", i), "name": "Line", "title": "Line", "quantity": 1})
	}
	o["lineItems"] = map[string]any{"nodes": lines}
	orderID := s.AddOrder(o)
	c := s.open(t)
	opts := options(t, connectors.UseWrite, nil)
	parcel := func(i int) map[string]any {
		return map[string]any{"order_number": "1001", "trackingInfo": map[string]any{"number": fmt.Sprintf("3SABC%03d", i), "company": "PostNL"},
			"lines": []any{map[string]any{"sku": fmt.Sprintf("L-%02d", i), "quantity": 1}}}
	}
	var last connectors.WriteResult
	for i := 1; i <= 21; i++ {
		last = write(t, c, connectors.WriteRequest{Entity: connectors.Shipment, Key: "1001", Data: parcel(i), Options: opts})
	}
	again, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Shipment, Key: "1001", Data: parcel(21), Options: opts})
	if err != nil {
		t.Fatalf("the 21st shipment sent again: %v", err)
	}
	if fs := s.Fulfillments(orderID); len(fs) != 21 || again.TargetID != last.TargetID {
		t.Fatalf("%d fulfillments, targets %s and %s; want the 21st found again", len(fs), last.TargetID, again.TargetID)
	}
}

// TestStockAtALocationAddedSinceTheLastRead: a location the shop opened
// after the connection read its locations is found by a flow that names
// it, instead of failing as unknown until the appliance restarts.
func TestStockAtALocationAddedSinceTheLastRead(t *testing.T) {
	s := newShop(t, fake.Options{})
	s.AddProduct(fake.Product{Title: "Cable", Variants: []*fake.Variant{{SKU: "CBL-3M", Price: "12.95"}}})
	c := s.open(t)
	write(t, c, connectors.WriteRequest{Entity: connectors.Stock, Key: "CBL-3M", Data: map[string]any{"sku": "CBL-3M", "quantity": 12},
		Options: options(t, connectors.UseWrite, nil)})
	rotterdam := s.AddLocation("Warehouse Rotterdam")
	s.AddProduct(fake.Product{Title: "Plug", Variants: []*fake.Variant{{SKU: "PLG-1", Price: "2.95"}}})
	write(t, c, connectors.WriteRequest{Entity: connectors.Stock, Key: "PLG-1", Data: map[string]any{"sku": "PLG-1", "quantity": 7},
		Options: options(t, connectors.UseWrite, map[string]any{"location": "Warehouse Rotterdam"})})
	if q, _ := s.Quantity("PLG-1", rotterdam); q != 7 {
		t.Fatalf("quantity %d at the new location, want 7", q)
	}
}
