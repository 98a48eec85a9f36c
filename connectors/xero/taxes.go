package xero

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/switchboard-app/switchboard/connectors/erp"
	"github.com/switchboard-app/switchboard/connectors/rest"
)

// taxRates are the organisation's tax rates, read once per connection
// opened (a run, a worker's write).
type taxRates struct {
	mu     sync.Mutex
	loaded bool
	sales  map[string][]string // by rate: the sales tax types, "OUTPUT2 (20% (VAT on Income))"
}

// byRate returns the one active sales tax type at rate percent; without
// one, "" and why: none or several.
func (t *taxRates) byRate(ctx context.Context, c *Conn, rate string) (string, string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.loaded {
		if err := t.load(ctx, c); err != nil {
			return "", "", err
		}
	}
	r, _ := erp.NormalRate(rate)
	found := t.sales[r]
	switch len(found) {
	case 0:
		return "", fmt.Sprintf("Xero has no active tax rate of %s%% for sales", r), nil
	case 1:
		code, _, _ := strings.Cut(found[0], " ")
		return code, "", nil
	}
	return "", fmt.Sprintf("Xero has %d tax rates of %s%% for sales: %s", len(found), r, strings.Join(found, ", ")), nil
}

func (t *taxRates) load(ctx context.Context, c *Conn) error {
	var body struct {
		TaxRates []map[string]any `json:"TaxRates"`
	}
	if err := c.call(ctx, rest.Request{Path: "TaxRates"}, &body); err != nil {
		return fmt.Errorf("reading Xero's tax rates: %w", err)
	}
	t.sales = map[string][]string{}
	for _, tr := range body.TaxRates {
		if rest.LookupString(tr, "Status") != "ACTIVE" || rest.LookupString(tr, "CanApplyToRevenue") != "true" {
			continue
		}
		r, ok := erp.NormalRate(rest.LookupString(tr, "EffectiveRate"))
		if !ok {
			continue
		}
		t.sales[r] = append(t.sales[r], fmt.Sprintf("%s (%s)", rest.LookupString(tr, "TaxType"), rest.LookupString(tr, "Name")))
	}
	for _, list := range t.sales {
		sort.Strings(list)
	}
	t.loaded = true
	return nil
}
