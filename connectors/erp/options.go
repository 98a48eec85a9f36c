package erp

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
)

// The flow options, as a flow stores them under "target" (and "source"
// for the warehouse of stock reads).
const (
	OptOrderType       = "order_type"
	OptGuestCustomer   = "guest_customer"
	OptVATCodes        = "vat_codes"
	OptShippingMethods = "shipping_methods"
	OptPaymentMethods  = "payment_methods"
	OptShippingSKU     = "shipping_sku"
	OptFeeSKU          = "fee_sku"
	OptWarehouse       = "warehouse"
	OptJournal         = "journal"
)

// The kinds of document an order becomes, the values of order_type and of
// an order's canonical type.
const (
	Quotation = "quotation"
	Order     = "order"
	Invoice   = "invoice"
)

// OrderTypes are the order types the ERP connectors make, as far as the
// app makes them.
var OrderTypes = []string{Order, Invoice, Quotation}

// Defaults are a connector's defaults of the options and the words it
// uses for them in help texts.
type Defaults struct {
	// App is the app's name in help texts: "Tryton", "Exact Online".
	App string
	// OrderTypes are the kinds of document the app makes of an order, the
	// first the default; nil: all of [OrderTypes].
	OrderTypes []string
	// Warehouse and Journal are the default warehouse (or location) and
	// invoice journal, as the app names them; "" for none.
	Warehouse, Journal string
	// WarehouseHelp and JournalHelp say what the app calls them.
	WarehouseHelp, JournalHelp string
	// GuestHelp says what identifies the guest customer in the app.
	GuestHelp string
	// VATCode says what a VAT code is in the app, VATEmpty what an empty
	// VAT table does and VATExample is a table; "" for the general texts.
	VATCode, VATEmpty, VATExample string
	// ShippingSKUHelp, when set, is the shipping cost product's help.
	ShippingSKUHelp string
	// Omit names the options the app has no place for.
	Omit []string
}

// FlowFields returns the flow fields of writing orders (and of the
// warehouse stock is read from), with the connector's defaults.
func FlowFields(d Defaults) []connectors.Field {
	d = d.withGeneralTexts()
	all := []connectors.Field{
		{Name: OptOrderType, Title: "Orders become", Type: connectors.TypeSelect, Default: d.OrderTypes[0], Options: d.OrderTypes, Use: connectors.UseWrite,
			Help: "What an order becomes in " + d.App + ": " + typeWords(d.OrderTypes) + ". A rule that sets the order's type decides per order."},
		{Name: OptGuestCustomer, Title: "Customer of guest orders", Type: connectors.TypeString, Use: connectors.UseWrite,
			Help:    "The " + d.App + " customer that orders without a customer (no e-mail address, VAT id or customer number) are booked on: " + d.GuestHelp + ". Empty: such an order fails, saying so.",
			Example: "WEBSHOP"},
		{Name: OptVATCodes, Title: "VAT codes", Type: connectors.TypeText, Use: connectors.UseWrite,
			Help:    "JSON: per country (ISO code, or * for any), per VAT rate in percent, the " + d.VATCode + " of order lines. Empty: " + d.VATEmpty,
			Example: d.VATExample},
		{Name: OptShippingMethods, Title: "Shipping methods", Type: connectors.TypeText, Use: connectors.UseWrite,
			Help:    "JSON: the source's shipping method names and the " + d.App + " shipping method each becomes; * for every other. Empty: none is set.",
			Example: `{"DHL Express": "DHL", "*": "POST"}`},
		{Name: OptPaymentMethods, Title: "Payment methods", Type: connectors.TypeText, Use: connectors.UseWrite,
			Help:    "JSON: the source's payment method names and the " + d.App + " payment condition (term) each becomes; * for every other. Empty: none is set.",
			Example: `{"ideal": "00", "paypal": "00", "invoice": "30"}`},
		{Name: OptShippingSKU, Title: "Shipping cost product", Type: connectors.TypeString, Use: connectors.UseWrite,
			Help: d.ShippingSKUHelp, Example: "SHIPPING"},
		{Name: OptFeeSKU, Title: "Fee product", Type: connectors.TypeString, Use: connectors.UseWrite,
			Help: "The SKU of a service product that order lines without a SKU are booked on: a shop's fees (a payment surcharge, " +
				"gift wrapping) and products that have none, each described by its own name. Empty: an order with such a line fails, saying so.",
			Example: "FEE"},
		{Name: OptWarehouse, Title: "Warehouse", Type: connectors.TypeString, Default: d.Warehouse, Use: connectors.UseBoth,
			Help: d.WarehouseHelp},
		{Name: OptJournal, Title: "Invoice journal", Type: connectors.TypeString, Default: d.Journal, Use: connectors.UseWrite,
			Help: d.JournalHelp},
	}
	var out []connectors.Field
	for _, f := range all {
		if !slices.Contains(d.Omit, f.Name) {
			out = append(out, f)
		}
	}
	return out
}

// withGeneralTexts fills in the texts a connector leaves empty.
func (d Defaults) withGeneralTexts() Defaults {
	if len(d.OrderTypes) == 0 {
		d.OrderTypes = OrderTypes
	}
	if d.VATCode == "" {
		d.VATCode = d.App + " VAT code"
	}
	if d.VATEmpty == "" {
		d.VATEmpty = "the code is found by its rate, if " + d.App + " has exactly one."
	}
	if d.VATExample == "" {
		d.VATExample = `{"NL": {"21": "VH", "9": "VL", "0": "V0"}, "DE": {"19": "DE19"}, "*": {"0": "V0"}}`
	}
	if d.ShippingSKUHelp == "" {
		d.ShippingSKUHelp = "The SKU of the " + d.App + " service product that shipping costs are booked on, as an order line. Empty: an order with shipping costs fails, saying so."
	}
	return d
}

// typeWords names order types in help texts: "a sales order, an invoice
// or a quotation".
func typeWords(types []string) string {
	words := map[string]string{Order: "a sales order", Invoice: "an invoice", Quotation: "a quotation"}
	var out []string
	for _, t := range types {
		out = append(out, words[t])
	}
	if len(out) < 2 {
		return strings.Join(out, "")
	}
	return strings.Join(out[:len(out)-1], ", ") + " or " + out[len(out)-1]
}

// Options are a writing flow's options, read.
type Options struct {
	// OrderType is what an order becomes when its record does not say.
	OrderType string
	// GuestCustomer is the customer of guest orders; "" for none.
	GuestCustomer string
	// VATCodes are the VAT codes by country ("*" for any) and rate.
	VATCodes map[string]map[string]string
	// ShippingMethods and PaymentMethods translate the source's names.
	ShippingMethods, PaymentMethods map[string]string
	// ShippingSKU is the product shipping costs are booked on.
	ShippingSKU string
	// FeeSKU is the product lines without a SKU (fees) are booked on.
	FeeSKU string
	// Warehouse and Journal are as the app names them.
	Warehouse, Journal string
	// OrderTypes are the kinds of document the app makes; nil: all of
	// [OrderTypes].
	OrderTypes []string
}

// Parse reads a flow's resolved options. Options of the zero Config (a
// test that passes none) are the fields' defaults. A table that is not
// the JSON it should be is an error naming the option.
func Parse(connector string, fields []connectors.Field, cfg connectors.Config) (Options, error) {
	if cfg.Values == nil {
		var err error
		if cfg, err = connectors.ResolveOptions(connector, writeFields(fields), nil); err != nil {
			return Options{}, err
		}
	}
	o := Options{OrderType: cfg.String(OptOrderType), GuestCustomer: strings.TrimSpace(cfg.String(OptGuestCustomer)),
		ShippingSKU: strings.TrimSpace(cfg.String(OptShippingSKU)), FeeSKU: strings.TrimSpace(cfg.String(OptFeeSKU)), Warehouse: strings.TrimSpace(cfg.String(OptWarehouse)),
		Journal: strings.TrimSpace(cfg.String(OptJournal)), OrderTypes: orderTypes(fields)}
	problems := map[string]string{}
	o.VATCodes = parseVATCodes(cfg.String(OptVATCodes), problems)
	o.ShippingMethods = parseTable(OptShippingMethods, cfg.String(OptShippingMethods), problems)
	o.PaymentMethods = parseTable(OptPaymentMethods, cfg.String(OptPaymentMethods), problems)
	if len(problems) > 0 {
		return Options{}, &connectors.ValidationError{Connector: connector, Of: connectors.FlowOptions, Fields: problems}
	}
	if o.OrderType == "" {
		o.OrderType = o.types()[0]
	}
	return o, nil
}

// orderTypes are the options of the fields' order_type; nil without one.
func orderTypes(fields []connectors.Field) []string {
	for _, f := range fields {
		if f.Name == OptOrderType {
			return f.Options
		}
	}
	return nil
}

// types are the kinds of document the app makes.
func (o Options) types() []string {
	if len(o.OrderTypes) == 0 {
		return OrderTypes
	}
	return o.OrderTypes
}

// ValidateFlow is a connector's ValidateFlow step for these options: the
// tables of a writing flow must be readable.
func ValidateFlow(connector string, fields []connectors.Field) func(connectors.Use, connectors.Config, connectors.Config, connectors.Env) error {
	return func(use connectors.Use, opts, _ connectors.Config, _ connectors.Env) error {
		if use != connectors.UseWrite {
			return nil
		}
		_, err := Parse(connector, fields, opts)
		return err
	}
}

func writeFields(fields []connectors.Field) []connectors.Field {
	var out []connectors.Field
	for _, f := range fields {
		if f.Use&connectors.UseWrite != 0 {
			out = append(out, f)
		}
	}
	return out
}

// parseVATCodes reads {"NL": {"21": "VH"}}; the rates are normalised.
func parseVATCodes(text string, problems map[string]string) map[string]map[string]string {
	out := map[string]map[string]string{}
	if strings.TrimSpace(text) == "" {
		return out
	}
	var raw map[string]map[string]string
	if err := json.Unmarshal([]byte(text), &raw); err != nil {
		problems[OptVATCodes] = `not a table of countries, rates and VAT codes such as {"NL": {"21": "VH", "9": "VL"}}: ` + err.Error()
		return nil
	}
	var bad []string
	for country, rates := range raw {
		c := strings.ToUpper(strings.TrimSpace(country))
		if c != "*" && len(c) != 2 {
			bad = append(bad, fmt.Sprintf("%q is not a two-letter country code or *", country))
			continue
		}
		out[c] = map[string]string{}
		for rate, code := range rates {
			r, ok := NormalRate(rate)
			if !ok {
				bad = append(bad, fmt.Sprintf("%s: %q is not a VAT rate in percent", c, rate))
				continue
			}
			out[c][r] = strings.TrimSpace(code)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		problems[OptVATCodes] = strings.Join(bad, "; ")
	}
	return out
}

// parseTable reads {"name": "code"}.
func parseTable(name, text string, problems map[string]string) map[string]string {
	out := map[string]string{}
	if strings.TrimSpace(text) == "" {
		return out
	}
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		problems[name] = `not a table of names and codes such as {"DHL Express": "DHL", "*": "POST"}: ` + err.Error()
		return nil
	}
	return out
}
