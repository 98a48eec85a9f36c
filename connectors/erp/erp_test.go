package erp

import (
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
)

var testFields = FlowFields(Defaults{App: "Acme ERP", Warehouse: "WH", Journal: "SALES"})

func parse(t *testing.T, values map[string]any) (Options, error) {
	t.Helper()
	cfg, err := connectors.ResolveOptions("acme", writeFields(testFields), values)
	if err != nil {
		t.Fatal(err)
	}
	return Parse("acme", testFields, cfg)
}

func TestOptionsAreReadWithTheirDefaults(t *testing.T) {
	o, err := Parse("acme", testFields, connectors.Config{})
	if err != nil || o.OrderType != Order || o.Warehouse != "WH" || o.Journal != "SALES" || len(o.VATCodes) != 0 {
		t.Fatalf("defaults = %+v, %v", o, err)
	}
	o, err = parse(t, map[string]any{OptOrderType: "quotation", OptVATCodes: `{"nl": {"21.00": "VH", "9": "VL"}, "*": {"0": "V0"}}`,
		OptShippingMethods: `{"DHL Express": "DHL"}`, OptGuestCustomer: " WEB "})
	if err != nil || o.OrderType != Quotation || o.VATCodes["NL"]["21"] != "VH" || o.VATCodes["*"]["0"] != "V0" ||
		o.ShippingMethods["DHL Express"] != "DHL" || o.GuestCustomer != "WEB" {
		t.Fatalf("options = %+v, %v", o, err)
	}
}

func TestBadTablesAreRefusedByName(t *testing.T) {
	tests := []struct {
		name, option, text, want string
	}{
		{"VAT table not JSON", OptVATCodes, `{"NL": 21}`, "not a table of countries, rates and VAT codes"},
		{"VAT table with a country name", OptVATCodes, `{"Netherlands": {"21": "VH"}}`, `"Netherlands" is not a two-letter country code`},
		{"VAT table with a bad rate", OptVATCodes, `{"NL": {"high": "VH"}}`, `NL: "high" is not a VAT rate`},
		{"shipping table not JSON", OptShippingMethods, `["DHL"]`, "not a table of names and codes"},
		{"payment table not JSON", OptPaymentMethods, `{"ideal": 1}`, "not a table of names and codes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse(t, map[string]any{tt.option: tt.text})
			var ve *connectors.ValidationError
			if !errors.As(err, &ve) || !strings.Contains(ve.Fields[tt.option], tt.want) {
				t.Fatalf("got %v, want an error on %s containing %q", err, tt.option, tt.want)
			}
			check := ValidateFlow("acme", testFields)
			cfg, _ := connectors.ResolveOptions("acme", writeFields(testFields), map[string]any{tt.option: tt.text})
			if check(connectors.UseWrite, cfg, connectors.Config{}, connectors.Env{}) == nil {
				t.Fatal("ValidateFlow took the bad table")
			}
		})
	}
}

func TestVATCodesByCountryAndRate(t *testing.T) {
	o, _ := parse(t, map[string]any{OptVATCodes: `{"NL": {"21": "VH", "9": "VL"}, "*": {"0": "V0"}}`})
	tests := []struct {
		country, rate, code string
		found               bool
	}{
		{"NL", "21", "VH", true},
		{"nl", "21.00", "VH", true},
		{"NL", "9.0", "VL", true},
		{"DE", "0", "V0", true},
		{"BE", "0.00", "V0", true},
		{"DE", "19", "", false},
	}
	for _, tt := range tests {
		code, found, err := o.VATCode(tt.country, tt.rate)
		if err != nil || code != tt.code || found != tt.found {
			t.Errorf("VATCode(%s, %s) = %q, %v, %v; want %q, %v", tt.country, tt.rate, code, found, err, tt.code, tt.found)
		}
	}
	if _, _, err := o.VATCode("NL", "high"); err == nil {
		t.Error("an unreadable rate was taken")
	}
	want := "customer jane@example.com has no VAT code for DE at 19%; set one in the flow's VAT table (vat_codes)"
	if got := NoVATCode("jane@example.com", "DE", "19.00").Error(); got != want {
		t.Errorf("NoVATCode = %q, want %q", got, want)
	}
}

func TestMethodTables(t *testing.T) {
	o, _ := parse(t, map[string]any{OptShippingMethods: `{"DHL Express": "DHL", "*": "POST"}`, OptPaymentMethods: `{"ideal": "00"}`})
	tests := []struct {
		got  func() (string, error)
		want string
		err  string
	}{
		{func() (string, error) { return o.ShippingMethod("1001", "DHL Express") }, "DHL", ""},
		{func() (string, error) { return o.ShippingMethod("1001", "dhl express") }, "DHL", ""},
		{func() (string, error) { return o.ShippingMethod("1001", "Pickup") }, "POST", ""},
		{func() (string, error) { return o.ShippingMethod("1001", "") }, "", ""},
		{func() (string, error) { return o.PaymentMethod("1001", "ideal") }, "00", ""},
		{func() (string, error) { return o.PaymentMethod("1001", "paypal") }, "", `the payment method "paypal" of order 1001 is not in the flow's payment table (payment_methods)`},
		{func() (string, error) { return Options{}.PaymentMethod("1001", "paypal") }, "", ""},
	}
	for i, tt := range tests {
		got, err := tt.got()
		if got != tt.want || (tt.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("case %d: %q, %v; want %q, %q", i, got, err, tt.want, tt.err)
		}
	}
}

func TestOrderTypes(t *testing.T) {
	o := Options{OrderType: Order}
	for _, tt := range []struct{ record, want, err string }{
		{"", Order, ""}, {"Quotation", Quotation, ""}, {"invoice", Invoice, ""},
		{"financial_mutation", "", `order 1001 has type "financial_mutation"`},
	} {
		got, err := o.TypeOf("1001", tt.record)
		if got != tt.want || (tt.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("TypeOf(%q) = %q, %v; want %q, %q", tt.record, got, err, tt.want, tt.err)
		}
	}
}

func TestNormalRate(t *testing.T) {
	for in, want := range map[string]string{"21": "21", "21.00": "21", "5.50": "5.5", "0": "0", "0.0": "0", " 9 % ": "9", ".5": "0.5",
		"021": "21", "0.5": "0.5", "+7": "7", "100": "100", "00": "0"} {
		if got, ok := NormalRate(in); !ok || got != want {
			t.Errorf("NormalRate(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "high", "-1", "-0", "101", "21,5", "NaN", "Inf", "1e1", "0x15", "."} {
		if got, ok := NormalRate(bad); ok {
			t.Errorf("NormalRate(%q) = %q, want refused", bad, got)
		}
	}
}

// TestAnAppsOwnOrderTypes: an app that makes fewer kinds of document
// defaults to its first and refuses the others by name.
func TestAnAppsOwnOrderTypes(t *testing.T) {
	fields := FlowFields(Defaults{App: "Acme Books", OrderTypes: []string{Invoice, Quotation}})
	o, err := Parse("acme", fields, connectors.Config{})
	if err != nil || o.OrderType != Invoice {
		t.Fatalf("defaults = %+v, %v", o, err)
	}
	for rec, want := range map[string]string{"": Invoice, "Quotation": Quotation} {
		if got, err := o.TypeOf("1001", rec); err != nil || got != want {
			t.Errorf("TypeOf(%q) = %q, %v; want %q", rec, got, err, want)
		}
	}
	if _, err := o.TypeOf("1001", "order"); err == nil || err.Error() != `order 1001 has type "order"; the order types written are invoice, quotation` {
		t.Errorf("an order type the app does not make: %v", err)
	}
	if help := fields[0].Help; !strings.Contains(help, "an invoice or a quotation.") {
		t.Errorf("order_type help %q", help)
	}
}

// TestOptionsAnAppHasNoPlaceFor are left out of its flow fields.
func TestOptionsAnAppHasNoPlaceFor(t *testing.T) {
	fields := FlowFields(Defaults{App: "Acme Books", Omit: []string{OptWarehouse, OptJournal, OptPaymentMethods}})
	var names []string
	for _, f := range fields {
		names = append(names, f.Name)
	}
	want := []string{OptOrderType, OptGuestCustomer, OptVATCodes, OptShippingMethods, OptShippingSKU, OptFeeSKU}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Fatalf("fields %v, want %v", names, want)
	}
}

func TestErrorsSayWhatToSet(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{NoVATCode("jane@example.com", "DE", "19.00"), "customer jane@example.com has no VAT code for DE at 19%; set one in the flow's VAT table (vat_codes)"},
		{NoVATCode("1001", "", "7"), "customer 1001 has no VAT code for an unknown country at 7%; set one in the flow's VAT table (vat_codes)"},
		{NoVATCode("1001", "NL", "210"), "customer 1001 has no VAT code for NL at 210%; set one in the flow's VAT table (vat_codes)"},
		{NoGuestCustomer("1001"), "order 1001 has no customer (no e-mail address, VAT id or customer number): a guest order; set the flow's customer of guest orders (guest_customer)"},
		{NoShippingSKU("1001", "6.95"), "order 1001 has shipping costs of 6.95 but the flow has no shipping cost product; set shipping_sku to the SKU of a service product"},
		{NoFeeSKU("1001", 3, "Payment surcharge"), "order 1001 line 3 (Payment surcharge) has no SKU: a fee, or a product without one; set fee_sku to the SKU of a service product to book such lines on"},
	}
	for _, tt := range tests {
		if tt.err.Error() != tt.want {
			t.Errorf("got %q\nwant %q", tt.err, tt.want)
		}
	}
}

func TestKeysAreWorkedOnOneAtATime(t *testing.T) {
	keys := KeysFor(connectors.NewShared(), "orders")
	var mu sync.Mutex
	busy, most := map[string]int{}, 0
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := []string{"1001", "1002"}[i%2]
			unlock := keys.Lock(key)
			mu.Lock()
			busy[key]++
			most = max(most, busy[key])
			mu.Unlock()
			runtime.Gosched()
			mu.Lock()
			busy[key]--
			mu.Unlock()
			unlock()
		}()
	}
	wg.Wait()
	if most != 1 || len(keys.locks) != 0 {
		t.Fatalf("%d workers on one key at once, %d locks left; want 1 and none", most, len(keys.locks))
	}
}
