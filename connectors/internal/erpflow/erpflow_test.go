package erpflow

import (
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
)

var app = App{Name: "Acme Books", OrderTypes: []string{Invoice, Quotation}, Guest: "its contact name", VATCode: "tax type",
	VATExample: `{"NL": {"21": "OUTPUT"}}`, ShippingMethod: "shipping method", PaymentMethod: "payment term", ShippingProduct: "The item."}

func resolve(t *testing.T, values map[string]any) connectors.Config {
	t.Helper()
	cfg, err := connectors.ResolveOptions("acme", FlowFields(app), values)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestNormalRate(t *testing.T) {
	for in, want := range map[string]string{"21": "21", "21.00": "21", "5.50": "5.5", "0": "0", "0.0": "0", "021": "21",
		"0.5": "0.5", "9%": "9", " 19 ": "19", "+7": "7"} {
		if got, ok := NormalRate(in); !ok || got != want {
			t.Errorf("NormalRate(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "abc", "-1", "101", "21,5"} {
		if got, ok := NormalRate(bad); ok {
			t.Errorf("NormalRate(%q) = %q, want refused", bad, got)
		}
	}
}

func TestParseAndLookUp(t *testing.T) {
	o, err := Parse("acme", FlowFields(app), resolve(t, map[string]any{
		OptVATCodes:        `{"nl": {"21.0": "OUTPUT2", "9": "REDUCED"}, "*": {"0": "ZERORATEDOUTPUT"}}`,
		OptShippingMethods: `{"DHL Express": "DHL", "*": "POST"}`, OptGuestCustomer: " Webshop ",
	}))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		country, rate, code string
		found               bool
	}{
		{"NL", "21", "OUTPUT2", true}, {"nl", "9.00", "REDUCED", true}, {"DE", "0", "ZERORATEDOUTPUT", true}, {"DE", "19", "", false},
	}
	for _, tt := range tests {
		code, found, err := o.VATCode(tt.country, tt.rate)
		if err != nil || code != tt.code || found != tt.found {
			t.Errorf("VATCode(%s, %s) = %q, %v, %v; want %q, %v", tt.country, tt.rate, code, found, err, tt.code, tt.found)
		}
	}
	if _, _, err := o.VATCode("NL", "high"); err == nil {
		t.Error("a rate that is not a number was taken")
	}
	if o.GuestCustomer != "Webshop" || o.OrderType != Invoice {
		t.Errorf("guest %q, order type %q", o.GuestCustomer, o.OrderType)
	}
	for name, want := range map[string]string{"dhl express": "DHL", "PostNL": "POST", "": ""} {
		if got, err := o.ShippingMethod("1001", name); err != nil || got != want {
			t.Errorf("ShippingMethod(%q) = %q, %v; want %q", name, got, err, want)
		}
	}
	o.PaymentMethods = map[string]string{"ideal": "0D"}
	if _, err := o.PaymentMethod("1001", "klarna"); err == nil || !strings.Contains(err.Error(),
		`the payment method "klarna" of order 1001 is not in the flow's payment table (payment_methods)`) {
		t.Errorf("an unknown payment method: %v", err)
	}
}

func TestErrorsSayWhatToSet(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{NoVATCode("jane@example.com", "DE", "19.00"), "customer jane@example.com has no VAT code for DE at 19%; set one in the flow's VAT table (vat_codes)"},
		{NoGuestCustomer("1001"), "order 1001 has no customer (no e-mail address, VAT id or customer number): a guest order; set the flow's customer of guest orders (guest_customer)"},
		{NoShippingSKU("1001", "6.95"), "order 1001 has shipping costs of 6.95 but the flow has no shipping cost product; set shipping_sku to the SKU of a service product"},
	}
	for _, tt := range tests {
		if tt.err.Error() != tt.want {
			t.Errorf("got %q\nwant %q", tt.err, tt.want)
		}
	}
}

func TestBadOptionsAreNamed(t *testing.T) {
	tests := []struct {
		values map[string]any
		option string
		want   string
	}{
		{map[string]any{OptVATCodes: `{"NL": "21"}`}, OptVATCodes, "not a table of countries, rates and VAT codes"},
		{map[string]any{OptVATCodes: `{"Netherlands": {"21": "X"}}`}, OptVATCodes, `"Netherlands" is not a two-letter country code or *`},
		{map[string]any{OptVATCodes: `{"NL": {"high": "X"}}`}, OptVATCodes, `NL: "high" is not a VAT rate in percent`},
		{map[string]any{OptShippingMethods: `["DHL"]`}, OptShippingMethods, "not a table of names and codes"},
	}
	for _, tt := range tests {
		err := ValidateFlow("acme", FlowFields(app), connectors.UseWrite, resolve(t, tt.values))
		ve, ok := err.(*connectors.ValidationError)
		if !ok || !strings.Contains(ve.Fields[tt.option], tt.want) {
			t.Errorf("%v: got %v, want %s: %s", tt.values, err, tt.option, tt.want)
		}
	}
	if err := ValidateFlow("acme", FlowFields(app), connectors.UseRead, connectors.Config{}); err != nil {
		t.Errorf("a reading flow: %v", err)
	}
}

func TestTypeOf(t *testing.T) {
	o, err := Parse("acme", FlowFields(app), connectors.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for rec, want := range map[string]string{"": Invoice, "Quotation": Quotation} {
		if got, err := o.TypeOf("1001", rec); err != nil || got != want {
			t.Errorf("TypeOf(%q) = %q, %v; want %q", rec, got, err, want)
		}
	}
	if _, err := o.TypeOf("1001", "order"); err == nil || err.Error() != `order 1001 has type "order"; the order types written here are invoice, quotation` {
		t.Errorf("an order type the app does not make: %v", err)
	}
}

// TestKeysSerialiseOneKey: two holders of one key take turns; another key
// does not wait for them.
func TestKeysSerialiseOneKey(t *testing.T) {
	keys := KeysFor(connectors.NewShared(), "orders")
	unlock := keys.Lock("1001")
	other := keys.Lock("1002") // another key is free
	other()
	var mu sync.Mutex
	order := []string{}
	done := make(chan struct{})
	go func() {
		u := keys.Lock("1001")
		mu.Lock()
		order = append(order, "second")
		mu.Unlock()
		u()
		close(done)
	}()
	mu.Lock()
	order = append(order, "first")
	mu.Unlock()
	unlock()
	<-done
	if strings.Join(order, ",") != "first,second" {
		t.Fatalf("order %v", order)
	}
}
