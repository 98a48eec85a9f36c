// Package adobetest is a fake Adobe Commerce shop for tests: the spectest
// fake of Adobe's own admin REST spec (shared/specs/adobe-commerce), which
// refuses every request the spec does not allow, with the behaviour of
// the operations the connector uses: searchCriteria filters, sorting (and,
// without a sort order, an order that is not stable between pages) and
// pages (a page past the end answers the last page again, as Adobe
// Commerce does), products by SKU, MSI sources and source items, orders
// with their shipments, tracks and invoices. The shop's clock moves a
// second with every write, so updated_at tells the writes apart.
package adobetest

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors/rest/spectest"
)

// Token is the integration access token the shop takes.
const Token = "adobe-integration-token-3f9a7c"

// The store's collections.
const (
	Orders      = "orders"
	Customers   = "customers"
	Products    = "products"
	Sources     = "sources"
	SourceItems = "source-items"
	Shipments   = "shipments"
	Invoices    = "invoices"
)

// Shop is a fake Adobe Commerce shop.
type Shop struct {
	*spectest.Server
	mu    sync.Mutex
	now   time.Time
	turns int // unsorted searches of more than a page, which turn the order
}

// New starts a shop with the default source and no records; it skips the
// test when the spec is absent (see spectest.Load).
func New(t testing.TB) *Shop {
	t.Helper()
	s := &Shop{Server: spectest.New(t, spectest.Load(t, spectest.AdobeCommerce)),
		now: time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)}
	s.Alias("/rest/all")
	s.RequireAuth(func(r *http.Request) error {
		if r.Header.Get("Authorization") != "Bearer "+Token {
			return fmt.Errorf("The consumer isn't authorized to access %%resources.")
		}
		return nil
	})
	s.Store.Put(Sources, "default", map[string]any{"source_code": "default", "name": "Default Source", "enabled": true})
	s.routes()
	return s
}

// Config is a connection's config for the shop.
func (s *Shop) Config() map[string]any {
	return map[string]any{"base_url": s.Origin, "store_code": "all", "rate_limit": 0}
}

// Secrets are a connection's secrets for the shop.
func (s *Shop) Secrets() map[string]string { return map[string]string{"access_token": Token} }

// Time is the shop's clock, as Adobe Commerce writes times.
func (s *Shop) Time() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now.Format("2006-01-02 15:04:05")
}

// tick is the time of a write: the clock, which then moves a second.
func (s *Shop) tick() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	at := s.now.Format("2006-01-02 15:04:05")
	s.now = s.now.Add(time.Second)
	return at
}

// AddOrder keeps an order under its entity_id.
func (s *Shop) AddOrder(o map[string]any) { s.Store.Put(Orders, fmt.Sprint(o["entity_id"]), o) }

// AddCustomer keeps a customer under its id.
func (s *Shop) AddCustomer(c map[string]any) { s.Store.Put(Customers, fmt.Sprint(c["id"]), c) }

// AddProduct keeps a product under its SKU, with an id and times when it
// has none.
func (s *Shop) AddProduct(p map[string]any) {
	if p["id"] == nil {
		p["id"] = s.Store.NextID(Products)
	}
	for _, k := range []string{"created_at", "updated_at"} {
		if p[k] == nil {
			p[k] = s.tick()
		}
	}
	s.Store.Put(Products, fmt.Sprint(p["sku"]), p)
}

// AddSource adds an MSI source.
func (s *Shop) AddSource(code string) {
	s.Store.Put(Sources, code, map[string]any{"source_code": code, "name": code, "enabled": true})
}

// AddSourceItem keeps a source item.
func (s *Shop) AddSourceItem(item map[string]any) {
	s.Store.Put(SourceItems, fmt.Sprint(item["source_code"], "/", item["sku"]), item)
}

// Product returns the product with the SKU.
func (s *Shop) Product(sku string) (map[string]any, bool) { return s.Store.Get(Products, sku) }

// SourceItem returns the source item of a SKU at a source.
func (s *Shop) SourceItem(source, sku string) (map[string]any, bool) {
	return s.Store.Get(SourceItems, source+"/"+sku)
}
