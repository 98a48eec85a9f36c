// Package erpflow holds the options of a flow that writes orders into an
// ERP or accounting app, shared by the Xero and Business Central
// connectors: the kind of document an order becomes (order_type), the
// customer of guest orders (guest_customer), the VAT codes per country and
// rate (vat_codes), the shipping and payment method tables
// (shipping_methods, payment_methods) and the product shipping costs are
// booked on (shipping_sku); with the errors a person can act on when one
// is missing ("customer jane@example.com has no VAT code for DE at 19%;
// set one in the flow's VAT table (vat_codes)"), and a lock per business
// key so that two writes of one order make one document.
//
// The names and meanings are those every ERP connector uses, so that a
// flow's options read the same whichever back office it writes to.
package erpflow

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
)

// The flow options, as a flow stores them under "target".
const (
	OptOrderType       = "order_type"
	OptGuestCustomer   = "guest_customer"
	OptVATCodes        = "vat_codes"
	OptShippingMethods = "shipping_methods"
	OptPaymentMethods  = "payment_methods"
	OptShippingSKU     = "shipping_sku"
)

// The kinds of document an order becomes: the values of order_type and of
// an order's canonical type.
const (
	Quotation = "quotation"
	Order     = "order"
	Invoice   = "invoice"
)

// App says what a connector's app calls things, for the fields' help.
type App struct {
	// Name is the app's name: "Xero", "Business Central".
	Name string
	// OrderTypes are the kinds of document the app makes of an order, the
	// first the default.
	OrderTypes []string
	// Guest says what names the guest customer in the app.
	Guest string
	// VATCode says what a VAT code is in the app, VATExample is a table.
	VATCode, VATExample string
	// ShippingMethod and PaymentMethod say what the source's methods
	// become in the app; "" leaves the option out.
	ShippingMethod, PaymentMethod string
	// ShippingProduct says what the shipping_sku names; "" leaves it out.
	ShippingProduct string
}

// FlowFields returns the options of writing orders into the app.
func FlowFields(a App) []connectors.Field {
	fields := []connectors.Field{
		{Name: OptOrderType, Title: "Orders become", Type: connectors.TypeSelect, Default: a.OrderTypes[0], Options: a.OrderTypes,
			Use: connectors.UseWrite, Help: "What an order becomes in " + a.Name + ": " + strings.Join(a.OrderTypes, ", ") +
				". An order whose type is set (a rule that sets type) becomes that."},
		{Name: OptGuestCustomer, Title: "Customer of guest orders", Type: connectors.TypeString, Use: connectors.UseWrite, Example: "WEBSHOP",
			Help: "The " + a.Name + " customer that orders without a customer (no e-mail address, VAT id or customer number) are booked on: " +
				a.Guest + ". Empty: such an order fails, saying so."},
		{Name: OptVATCodes, Title: "VAT codes", Type: connectors.TypeText, Use: connectors.UseWrite, Example: a.VATExample,
			Help: "JSON: per country (ISO code, or * for any) and VAT rate in percent, the " + a.VATCode + " of a line. " +
				"A line whose country and rate are not in the table fails, saying so; empty: see the connector's page."},
	}
	if a.ShippingMethod != "" {
		fields = append(fields, connectors.Field{Name: OptShippingMethods, Title: "Shipping methods", Type: connectors.TypeText,
			Use: connectors.UseWrite, Example: `{"DHL Express": "DHL", "*": "POST"}`,
			Help: "JSON: the source's shipping method names and the " + a.ShippingMethod + " each becomes; * for every other. Empty: none is set."})
	}
	if a.PaymentMethod != "" {
		fields = append(fields, connectors.Field{Name: OptPaymentMethods, Title: "Payment methods", Type: connectors.TypeText,
			Use: connectors.UseWrite, Example: `{"ideal": "0D", "paypal": "0D", "invoice": "14 DAYS"}`,
			Help: "JSON: the source's payment method names and the " + a.PaymentMethod + " each becomes; * for every other. Empty: none is set."})
	}
	if a.ShippingProduct != "" {
		fields = append(fields, connectors.Field{Name: OptShippingSKU, Title: "Shipping cost product", Type: connectors.TypeString,
			Use: connectors.UseWrite, Example: "SHIPPING", Help: a.ShippingProduct})
	}
	return fields
}

// Options are a writing flow's options, read.
type Options struct {
	// OrderType is what an order becomes when its record does not say.
	OrderType string
	// OrderTypes are the types the app makes.
	OrderTypes []string
	// GuestCustomer is the customer of guest orders; "" for none.
	GuestCustomer string
	// VATCodes are the VAT codes by country ("*" for any) and rate.
	VATCodes map[string]map[string]string
	// ShippingMethods and PaymentMethods translate the source's names.
	ShippingMethods, PaymentMethods map[string]string
	// ShippingSKU is the product shipping costs are booked on.
	ShippingSKU string
}

// Parse reads a flow's resolved options against the connector's flow
// fields; the zero Config (a test that passes none) is the fields'
// defaults. A table that is not the JSON it should be is an error naming
// the option.
func Parse(connector string, fields []connectors.Field, cfg connectors.Config) (Options, error) {
	writes := writeFields(fields)
	if cfg.Values == nil {
		var err error
		if cfg, err = connectors.ResolveOptions(connector, writes, nil); err != nil {
			return Options{}, err
		}
	}
	o := Options{OrderType: cfg.String(OptOrderType), GuestCustomer: strings.TrimSpace(cfg.String(OptGuestCustomer)),
		ShippingSKU: strings.TrimSpace(cfg.String(OptShippingSKU))}
	for _, f := range writes {
		if f.Name == OptOrderType {
			o.OrderTypes = f.Options
		}
	}
	problems := map[string]string{}
	o.VATCodes = parseVATCodes(cfg.String(OptVATCodes), problems)
	o.ShippingMethods = parseTable(OptShippingMethods, cfg.String(OptShippingMethods), problems)
	o.PaymentMethods = parseTable(OptPaymentMethods, cfg.String(OptPaymentMethods), problems)
	if len(problems) > 0 {
		return Options{}, &connectors.ValidationError{Connector: connector, Of: connectors.FlowOptions, Fields: problems}
	}
	return o, nil
}

// ValidateFlow checks the options of a writing flow: its tables must be
// readable. Other uses pass.
func ValidateFlow(connector string, fields []connectors.Field, use connectors.Use, opts connectors.Config) error {
	if use != connectors.UseWrite {
		return nil
	}
	_, err := Parse(connector, fields, opts)
	return err
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

// parseVATCodes reads {"NL": {"21": "VH"}}, the countries upper-cased and
// the rates normalised.
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
