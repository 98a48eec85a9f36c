package canonical

// This file declares the canonical model. The JSON Schema documents in
// schema/ are generated from it (go test ./mappings/canonical -update).

func fld(name string, kind Kind, doc string) *Field {
	return &Field{Name: name, Kind: kind, Doc: doc}
}

func req(f *Field) *Field { f.Required = true; return f }

func enum(name, doc string, values ...string) *Field {
	return &Field{Name: name, Kind: String, Doc: doc, Enum: values}
}

func obj(name, doc string, fields ...*Field) *Field {
	return &Field{Name: name, Kind: Object, Doc: doc, Fields: fields}
}

func list(name, doc string, fields ...*Field) *Field {
	return &Field{Name: name, Kind: List, Doc: doc, Fields: fields}
}

func common(fields ...*Field) []*Field {
	head := []*Field{fld("id", String, "The record's id in the app it was read from.")}
	tail := []*Field{
		fld("created_at", DateTime, "When the record was created, with its zone."),
		fld("updated_at", DateTime, "When the record was last changed, with its zone."),
		fld("attributes", Attributes, "Custom values that have no canonical field, by name."),
	}
	return append(append(head, fields...), tail...)
}

func address(name, doc string) *Field {
	return obj(name, doc,
		fld("name", String, "Full name of the addressee."),
		fld("first_name", String, "Given name."),
		fld("last_name", String, "Family name."),
		fld("company", String, "Company name."),
		fld("line1", String, "Street and house number."),
		fld("line2", String, "Second address line."),
		fld("postcode", String, "Postal code."),
		fld("city", String, "City."),
		fld("region", String, "State, province or region."),
		fld("country", Country, "ISO 3166-1 alpha-2 country code."),
		fld("phone", String, "Phone number."),
		fld("email", Email, "E-mail address for this address."),
	)
}

func party(name, doc string) *Field {
	return obj(name, doc,
		fld("id", String, "The customer's id in the source app."),
		fld("email", Email, "E-mail address: the pin that links customers across apps."),
		fld("first_name", String, "Given name."),
		fld("last_name", String, "Family name."),
		fld("company_name", String, "Company name, for business customers."),
		fld("vat_id", String, "VAT identification number."),
		fld("phone", String, "Phone number."),
		fld("group", String, "Customer group."),
	)
}

var product = &Entity{Name: "product", Key: "sku", Doc: "A sellable product with its prices, stock and variants.",
	Fields: common(
		req(fld("sku", String, "Stock keeping unit: the product's key across apps.")),
		fld("gtin", String, "EAN/UPC/GTIN barcode (8 to 14 digits)."),
		req(fld("name", String, "Product name.")),
		fld("description", String, "Long description (may hold HTML)."),
		fld("brand", String, "Brand or manufacturer."),
		enum("status", "Lifecycle status.", "active", "draft", "archived"),
		obj("prices", "Prices of the product.",
			fld("currency", Currency, "Currency of the prices."),
			fld("list", Decimal, "List (regular) price."),
			fld("sale", Decimal, "Sale price, when on offer."),
			fld("cost", Decimal, "Purchase cost price."),
			fld("includes_tax", Bool, "Whether list and sale include VAT."),
			fld("tax_class", String, "Tax class name, e.g. standard or reduced."),
			fld("tax_rate", Decimal, "VAT rate in percent, e.g. 21."),
			list("price_lists", "B2B price lists and tier prices.",
				req(fld("name", String, "Price list or customer group name.")),
				req(fld("price", Decimal, "Unit price in this list.")),
				fld("currency", Currency, "Currency, when it differs."),
				fld("min_quantity", Decimal, "Minimum quantity for this price."),
			),
		),
		fld("stock_quantity", Decimal, "Quantity in stock."),
		fld("weight", Decimal, "Weight, in weight_unit."),
		enum("weight_unit", "Unit of weight.", "g", "kg", "lb", "oz"),
		obj("dimensions", "Package dimensions.",
			fld("length", Decimal, "Length."),
			fld("width", Decimal, "Width."),
			fld("height", Decimal, "Height."),
			enum("unit", "Unit of length.", "mm", "cm", "m", "in"),
		),
		list("images", "Product images in display order.",
			req(fld("url", URL, "Image URL.")),
			fld("alt", String, "Alternative text."),
			fld("position", Integer, "Position, from 1."),
		),
		fld("categories", Strings, "Category paths, e.g. \"Audio > Speakers\"."),
		fld("options", Strings, "Names of the options variants differ by, e.g. size, colour."),
		list("variants", "Variants with their option values.",
			req(fld("sku", String, "Variant SKU.")),
			fld("gtin", String, "Variant barcode."),
			fld("name", String, "Variant name."),
			fld("options", Attributes, "Option values by option name, e.g. {\"size\": \"M\"}."),
			fld("price", Decimal, "Variant list price."),
			fld("sale_price", Decimal, "Variant sale price."),
			fld("stock_quantity", Decimal, "Variant quantity in stock."),
			fld("weight", Decimal, "Variant weight."),
			fld("image", URL, "Variant image URL."),
		),
	)}

var customer = &Entity{Name: "customer", Key: "email", Doc: "A person or company that buys.",
	Fields: common(
		req(fld("email", Email, "E-mail address: the pin that links customers across apps.")),
		enum("type", "Person or company.", "person", "company"),
		fld("first_name", String, "Given name."),
		fld("last_name", String, "Family name."),
		fld("company_name", String, "Company name."),
		fld("vat_id", String, "VAT identification number."),
		fld("coc_number", String, "Chamber of commerce (company registry) number."),
		fld("phone", String, "Phone number."),
		fld("locale", String, "BCP 47 language tag, e.g. nl-NL."),
		fld("group", String, "Customer group, e.g. for B2B price lists."),
		address("billing", "Billing address."),
		address("shipping", "Default shipping address."),
	)}

func orderLines() *Field {
	return list("lines", "Order lines.",
		fld("id", String, "The line's id in the source app."),
		fld("sku", String, "SKU of the product."),
		fld("name", String, "Product name as ordered."),
		req(fld("quantity", Decimal, "Quantity ordered.")),
		fld("unit_price", Decimal, "Unit price excluding VAT."),
		fld("unit_price_incl", Decimal, "Unit price including VAT."),
		fld("tax_rate", Decimal, "VAT rate in percent."),
		fld("tax", Decimal, "VAT amount of the line."),
		fld("discount", Decimal, "Discount amount on the line."),
		fld("total", Decimal, "Line total after discount, excluding VAT."),
		fld("total_incl", Decimal, "Line total after discount, including VAT."),
	)
}

func totals(extra ...*Field) *Field {
	base := []*Field{
		fld("subtotal", Decimal, "Sum of the lines, excluding VAT."),
		fld("shipping", Decimal, "Shipping costs."),
		fld("discount", Decimal, "Total discount."),
		fld("tax", Decimal, "Total VAT."),
		req(fld("total", Decimal, "Grand total including VAT.")),
	}
	return obj("totals", "Totals.", append(base, extra...)...)
}

var order = &Entity{Name: "order", Key: "number", Doc: "A sales order.",
	Fields: common(
		req(fld("number", String, "Order number as people know it.")),
		enum("type", "What the target should create.", "quotation", "order", "invoice", "financial_mutation"),
		enum("status", "Order status.", "pending", "processing", "on_hold", "shipped", "completed", "cancelled", "refunded"),
		fld("channel", String, "Sales channel, e.g. webshop, amazon, pos."),
		req(fld("currency", Currency, "Currency of all amounts.")),
		fld("ordered_at", DateTime, "When the order was placed."),
		party("customer", "The buyer."),
		address("billing", "Billing address."),
		address("shipping", "Shipping address."),
		orderLines(),
		obj("shipping_method", "Shipping method and costs.",
			fld("name", String, "Shipping method name."),
			fld("carrier", String, "Carrier."),
			fld("cost", Decimal, "Shipping costs excluding VAT."),
			fld("cost_incl", Decimal, "Shipping costs including VAT."),
			fld("tax_rate", Decimal, "VAT rate on shipping in percent."),
		),
		list("discounts", "Discounts on the order.",
			fld("code", String, "Coupon code."),
			fld("name", String, "Description."),
			req(fld("amount", Decimal, "Discount amount.")),
		),
		obj("payment", "Payment.",
			fld("method", String, "Payment method."),
			enum("status", "Payment status.", "pending", "authorized", "paid", "partially_paid", "refunded", "failed", "voided"),
			fld("reference", String, "Payment provider reference."),
		),
		req(totals(fld("paid", Decimal, "Amount paid."))),
		fld("notes", String, "Notes from the customer or the shop."),
	)}

var stock = &Entity{Name: "stock", Key: "sku", Doc: "A stock level of one SKU at one location.",
	Fields: common(
		req(fld("sku", String, "SKU.")),
		req(fld("quantity", Decimal, "Quantity.")),
		fld("location", String, "Location or warehouse."),
		enum("kind", "What the quantity counts.", "on_hand", "available", "reserved"),
	)}

var invoice = &Entity{Name: "invoice", Key: "number", Doc: "A sales invoice.",
	Fields: common(
		req(fld("number", String, "Invoice number.")),
		fld("order_number", String, "The order it invoices."),
		fld("reference", String, "Customer reference."),
		fld("issued_on", Date, "Invoice date."),
		fld("due_on", Date, "Due date."),
		req(fld("currency", Currency, "Currency.")),
		enum("status", "Invoice status.", "draft", "open", "paid", "void"),
		party("customer", "The invoiced customer."),
		address("billing", "Billing address."),
		list("lines", "Invoice lines.",
			fld("sku", String, "SKU."),
			fld("description", String, "Line description."),
			req(fld("quantity", Decimal, "Quantity.")),
			fld("unit_price", Decimal, "Unit price excluding VAT."),
			fld("tax_rate", Decimal, "VAT rate in percent."),
			fld("tax", Decimal, "VAT amount."),
			fld("total", Decimal, "Line total excluding VAT."),
			fld("account", String, "Ledger account code."),
		),
		list("vat", "VAT breakdown per rate.",
			req(fld("rate", Decimal, "VAT rate in percent.")),
			fld("base", Decimal, "Amount the VAT is charged on."),
			req(fld("amount", Decimal, "VAT amount.")),
		),
		req(totals(fld("paid", Decimal, "Amount paid."), fld("due", Decimal, "Amount still due."))),
	)}

var shipment = &Entity{Name: "shipment", Key: "order_number", Doc: "A shipment of (part of) an order.",
	Fields: common(
		req(fld("order_number", String, "The order shipped.")),
		fld("carrier", String, "Carrier, e.g. PostNL, DHL."),
		fld("service", String, "Carrier service."),
		fld("tracking_number", String, "Tracking number."),
		fld("tracking_url", URL, "Tracking URL."),
		enum("status", "Shipment status.", "pending", "shipped", "in_transit", "delivered", "returned", "cancelled"),
		fld("shipped_at", DateTime, "When it left."),
		list("lines", "What was shipped.",
			fld("line_id", String, "The order line's id."),
			fld("sku", String, "SKU."),
			req(fld("quantity", Decimal, "Quantity shipped.")),
		),
	)}

var entities = []*Entity{product, customer, order, stock, invoice, shipment}
