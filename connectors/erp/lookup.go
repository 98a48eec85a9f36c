package erp

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// rateText is a VAT rate as people write it: digits, a decimal point and
// more digits, an optional plus sign.
var rateText = regexp.MustCompile(`^\+?(\d+\.?\d*|\.\d+)$`)

// NormalRate writes a VAT rate in percent without leading or trailing
// zeros ("21.00" is "21", "5.50" is "5.5", "021" is "21"), so that rates
// compare as numbers; false when it is not a number from 0 to 100.
func NormalRate(rate string) (string, bool) {
	r := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rate), "%"))
	if !rateText.MatchString(r) {
		return "", false
	}
	if f, err := strconv.ParseFloat(r, 64); err != nil || f > 100 {
		return "", false
	}
	r = strings.TrimLeft(r, "+")
	if strings.Contains(r, ".") {
		r = strings.TrimRight(strings.TrimRight(r, "0"), ".")
	}
	r = strings.TrimLeft(r, "0")
	if r == "" || strings.HasPrefix(r, ".") {
		r = "0" + r
	}
	return r, true
}

// VATCode finds the VAT code of a line at rate percent for a customer in
// country. found is false when the table has no entry (the connector may
// then look the code up by its rate); an error says what to set when the
// rate is unreadable.
func (o Options) VATCode(country, rate string) (code string, found bool, err error) {
	r, ok := NormalRate(rate)
	if !ok {
		return "", false, fmt.Errorf("the VAT rate %q is not a number of percent", rate)
	}
	for _, c := range []string{strings.ToUpper(country), "*"} {
		if code, ok := o.VATCodes[c][r]; ok && code != "" {
			return code, true, nil
		}
	}
	return "", false, nil
}

// NoVATCode words a VAT code that is missing, for a customer (an e-mail
// address, a name, or the order's number) in country at rate percent.
func NoVATCode(customer, country, rate string) error {
	r, ok := NormalRate(rate)
	if !ok {
		r = rate
	}
	where := country
	if where == "" {
		where = "an unknown country"
	}
	return fmt.Errorf("customer %s has no VAT code for %s at %s%%; set one in the flow's VAT table (%s)", customer, where, r, OptVATCodes)
}

// ShippingMethod translates a shipping method's name by the table: the
// app's method, "" when the table is empty or the order names none, or an
// error naming the method when the table does not have it.
func (o Options) ShippingMethod(order, name string) (string, error) {
	return translate(o.ShippingMethods, OptShippingMethods, "shipping", order, name)
}

// PaymentMethod translates a payment method's name by the table, as
// ShippingMethod does.
func (o Options) PaymentMethod(order, name string) (string, error) {
	return translate(o.PaymentMethods, OptPaymentMethods, "payment", order, name)
}

func translate(table map[string]string, option, what, order, name string) (string, error) {
	name = strings.TrimSpace(name)
	if len(table) == 0 || name == "" {
		return "", nil
	}
	if v, ok := table[name]; ok {
		return v, nil
	}
	for k, v := range table {
		if strings.EqualFold(k, name) {
			return v, nil
		}
	}
	if v, ok := table["*"]; ok {
		return v, nil
	}
	return "", fmt.Errorf("the %s method %q of order %s is not in the flow's %s table (%s); add it, or * for every other method", what, name, order, what, option)
}

// TypeOf is the kind of document an order becomes: its record's type when
// it has one, or the flow's order_type; an error for a type the app does
// not make.
func (o Options) TypeOf(order, recordType string) (string, error) {
	t := strings.ToLower(strings.TrimSpace(recordType))
	if t == "" {
		t = o.OrderType
	}
	if slices.Contains(o.types(), t) {
		return t, nil
	}
	return "", fmt.Errorf("order %s has type %q; the order types written are %s", order, t, strings.Join(o.types(), ", "))
}

// NoGuestCustomer words a guest order when the flow names no customer for
// guest orders.
func NoGuestCustomer(order string) error {
	return fmt.Errorf("order %s has no customer (no e-mail address, VAT id or customer number): a guest order; "+
		"set the flow's customer of guest orders (%s)", order, OptGuestCustomer)
}

// NoShippingSKU words shipping costs without a product to book them on.
func NoShippingSKU(order, cost string) error {
	return fmt.Errorf("order %s has shipping costs of %s but the flow has no shipping cost product; set %s to the SKU of a service product", order, cost, OptShippingSKU)
}

// NoFeeSKU words an order line without a SKU (the n-th, named name) and
// no product to book it on.
func NoFeeSKU(order string, n int, name string) error {
	what := fmt.Sprintf("line %d", n)
	if name != "" {
		what += fmt.Sprintf(" (%s)", name)
	}
	return fmt.Errorf("order %s %s has no SKU: a fee, or a product without one; set %s to the SKU of a service product to book such lines on",
		order, what, OptFeeSKU)
}
