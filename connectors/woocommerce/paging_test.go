package woocommerce

import (
	"fmt"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
)

// TestReadBehindAProxyThatDropsThePagingHeaders: a shop behind a proxy or
// a cache that passes on no X-WP-TotalPages is read to its end, page after
// full page; a read stopped after the first page, so that customers past
// the hundredth (read whole every run) were never read.
func TestReadBehindAProxyThatDropsThePagingHeaders(t *testing.T) {
	s := newShop(t)
	for i := range 250 {
		o := exampleOrder(t)
		o["id"], o["number"] = 1000+i, fmt.Sprint(1000+i)
		s.AddOrder(o)
		s.AddCustomer(map[string]any{"email": fmt.Sprintf("buyer%d@example.com", i), "first_name": "Buyer"})
	}
	s.DropPagingHeaders()
	c := s.open(t, nil)
	for _, e := range []connectors.Entity{connectors.Customer, connectors.Order} {
		recs, _ := readAll(t, c, e, "", options(t, connectors.UseRead, nil))
		seen := map[string]bool{}
		for _, r := range recs {
			seen[r.Key] = true
		}
		if len(seen) != 250 {
			t.Errorf("read %d %s records (%d different), want 250", len(recs), e, len(seen))
		}
	}
}
