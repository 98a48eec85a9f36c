package shopware

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"testing"

	"github.com/switchboard-app/switchboard/mappings"
)

// TestABundleIsCountedOnce: an order with a container line item (a
// bundle) whose products are its children has the container as one line
// and not its children as well, so that its lines, less its promotions,
// add up to its subtotal; the bundle was counted twice.
func TestABundleIsCountedOnce(t *testing.T) {
	defaults, err := mappings.LoadDefaults(Mappings, ".")
	if err != nil {
		t.Fatal(err)
	}
	p, err := mappings.Compile(mappings.FlowConfig{Entity: "order", In: mappings.Find(defaults, "order", mappings.In)})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(goldenInput(t, "order.in.container"))
	var native map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&native); err != nil {
		t.Fatal(err)
	}
	res, err := p.Run(native)
	if err != nil {
		t.Fatal(err)
	}
	sum := new(big.Rat)
	for _, l := range res.Canonical["lines"].([]any) {
		sum.Add(sum, ratOf(t, l.(map[string]any)["total_incl"]))
	}
	for _, d := range res.Canonical["discounts"].([]any) {
		sum.Sub(sum, ratOf(t, d.(map[string]any)["amount"]))
	}
	subtotal := ratOf(t, res.Canonical["totals"].(map[string]any)["subtotal"])
	if n := len(res.Canonical["lines"].([]any)); n != 3 || sum.Cmp(subtotal) != 0 {
		t.Fatalf("%d lines, adding up to %s less the discounts; want 3, adding up to the subtotal %s", n, sum.FloatString(2), subtotal.FloatString(2))
	}
}

func ratOf(t *testing.T, v any) *big.Rat {
	r, ok := new(big.Rat).SetString(fmt.Sprint(v))
	if !ok {
		t.Fatalf("%v is not a number", v)
	}
	return r.Abs(r)
}
