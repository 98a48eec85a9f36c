// Package shopwaretest is a fake Shopware 6 shop for tests: the spectest
// fake of Shopware's own Admin API spec (shared/specs/shopware), which
// refuses every request the spec does not allow, with the behaviour of
// the operations the connector uses: the OAuth2 token endpoint for an
// integration's access key, searches with Shopware's criteria (filters,
// sorting, pages), products, taxes, currencies, warehouses and their
// stock, the sync API's upserts, orders with their deliveries, and the
// order and delivery state machines. The shop's clock moves a second
// with every write.
package shopwaretest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors/rest/spectest"
)

// The integration's access key the shop takes.
const (
	ClientID     = "SWIATESTACCESSKEY0000000001"
	ClientSecret = "shopware-test-secret-access-key-9d2f"
)

// The store's collections, by Shopware entity.
const (
	Products          = "product"
	Taxes             = "tax"
	Currencies        = "currency"
	Warehouses        = "warehouse"
	ProductWarehouses = "product-warehouse"
	Orders            = "order"
	Customers         = "customer"
)

// Shop is a fake Shopware 6 shop.
type Shop struct {
	*spectest.Server
	mu     sync.Mutex
	now    time.Time
	tokens map[string]bool
	// Logins counts the tokens handed out.
	Logins int
}

// New starts a shop with the taxes 21% and 9% and the currency EUR; it
// skips the test when the spec is absent (see spectest.Load).
func New(t testing.TB) *Shop {
	t.Helper()
	s := &Shop{Server: spectest.New(t, spectest.Load(t, spectest.ShopwareAdmin)),
		now: time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC), tokens: map[string]bool{}}
	s.ErrorBody(func(status int, msg string) any {
		return map[string]any{"errors": []any{map[string]any{"status": fmt.Sprint(status), "title": http.StatusText(status), "detail": msg}}}
	})
	s.RequireAuth(s.authorized)
	for rate, id := range map[string]string{"21": ID("tax-21"), "9": ID("tax-9")} {
		s.Store.Put(Taxes, id, map[string]any{"id": id, "taxRate": jsonNum(rate), "name": rate + "%"})
	}
	s.Store.Put(Currencies, ID("EUR"), map[string]any{"id": ID("EUR"), "isoCode": "EUR", "factor": 1, "symbol": "€", "shortName": "EUR",
		"name": "Euro", "itemRounding": rounding(), "totalRounding": rounding()})
	s.routes()
	return s
}

func rounding() map[string]any {
	return map[string]any{"decimals": 2, "interval": 0.01, "roundForNet": true}
}

// ID is a Shopware id made from a name, for seeding.
func ID(name string) string {
	b := []byte(fmt.Sprintf("%-16s", name))[:16]
	return hex.EncodeToString(b)
}

// Config is a connection's config for the shop.
func (s *Shop) Config() map[string]any {
	return map[string]any{"base_url": s.Origin, "client_id": ClientID, "rate_limit": 0}
}

// Secrets are a connection's secrets for the shop.
func (s *Shop) Secrets() map[string]string { return map[string]string{"client_secret": ClientSecret} }

// authorized lets the token request through, and others with a token the
// shop handed out.
func (s *Shop) authorized(r *http.Request) error {
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/oauth/token") {
		return nil
	}
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.tokens[token] {
		return fmt.Errorf("The resource owner or authorization server denied the request.")
	}
	return nil
}

// ExpireTokens forgets every token handed out, as when they expire.
func (s *Shop) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = map[string]bool{}
}

// token hands out a token for the shop's access key.
func (s *Shop) token(c *spectest.Call) spectest.Reply {
	body, _ := c.Body.(map[string]any)
	if body["grant_type"] != "client_credentials" || body["client_id"] != ClientID || body["client_secret"] != ClientSecret {
		return spectest.JSON(http.StatusUnauthorized, map[string]any{"errors": []any{map[string]any{"code": "9", "status": "401",
			"title": "Unauthorized", "detail": "The user credentials were incorrect."}}})
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	token := hex.EncodeToString(b)
	s.mu.Lock()
	s.tokens[token] = true
	s.Logins++
	s.mu.Unlock()
	return spectest.JSON(200, map[string]any{"token_type": "Bearer", "expires_in": 600, "access_token": token})
}

// Time is the shop's clock as Shopware writes times.
func (s *Shop) Time() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now.Format("2006-01-02T15:04:05.000+00:00")
}

// tick is the time of a write: the clock, which then moves a second.
func (s *Shop) tick() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	at := s.now.Format("2006-01-02T15:04:05.000+00:00")
	s.now = s.now.Add(time.Second)
	return at
}

// Add keeps a record of an entity under its id.
func (s *Shop) Add(entity string, rec map[string]any) {
	s.Store.Put(entity, fmt.Sprint(rec["id"]), rec)
}

// Get returns the record of an entity with the id.
func (s *Shop) Get(entity, id string) (map[string]any, bool) { return s.Store.Get(entity, id) }

// ProductByNumber returns the product with the number.
func (s *Shop) ProductByNumber(number string) (map[string]any, bool) {
	_, p, ok := s.Store.Find(Products, func(p map[string]any) bool { return p["productNumber"] == number })
	return p, ok
}

// AddProduct keeps a product with the defaults Shopware gives it.
func (s *Shop) AddProduct(number, name string, stock int) map[string]any {
	at := s.tick()
	p := map[string]any{"id": ID("p-" + number), "productNumber": number, "name": name, "stock": stock, "availableStock": stock,
		"active": true, "taxId": ID("tax-21"), "createdAt": at,
		"price": []any{map[string]any{"currencyId": ID("EUR"), "gross": 12.1, "net": 10, "linked": true}}}
	s.Add(Products, p)
	return p
}
