package xero

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/conntest"
	"github.com/switchboard-app/switchboard/connectors/rest/pace"
	"github.com/switchboard-app/switchboard/connectors/xero/xerotest"
)

// TestConformance runs the conformance suite against the fake of Xero's
// own spec: reading contacts, writing items.
func TestConformance(t *testing.T) {
	t.Run("contacts", func(t *testing.T) {
		x := xerotest.New(t)
		conntest.Run(t, conntest.Suite{Registration: registration, Config: x.Config(), Secrets: connect(t, x, x.Config()),
			BadSecrets: map[string]string{"oauth_client_secret": xerotest.ClientSecret, "oauth_access_token": "not-a-token-4711",
				"oauth_refresh_token": "not-a-refresh-token-4711"},
			Entity: connectors.Customer,
			Seed: func(t *testing.T, n int) {
				for i := range n {
					x.AddContact(map[string]any{"Name": fmt.Sprintf("Customer %d", i+1), "EmailAddress": fmt.Sprintf("c%d@example.com", i+1)})
				}
			}})
	})
	t.Run("items", func(t *testing.T) {
		x := xerotest.New(t)
		sample := map[string]any{"Code": "CBL-3M", "Name": "Speaker cable 3 m", "Description": "Copper, 3 m", "IsSold": true,
			"SalesDetails": map[string]any{"UnitPrice": 12.95, "AccountCode": "200"}}
		conntest.Run(t, conntest.Suite{Registration: registration, Config: x.Config(), Secrets: connect(t, x, x.Config()),
			Entity: connectors.Product, Sample: sample, Written: func(t *testing.T, id string) map[string]any {
				item, _ := x.Get(xerotest.Items, id)
				out := map[string]any{}
				for k := range sample {
					out[k] = item[k]
				}
				return out
			}})
	})
}

// TestOrganisationChoice: the organisation is the only one connected, or
// the one the connection names (by name or id); the test says which are
// connected when it cannot choose, and why Xero refuses one.
func TestOrganisationChoice(t *testing.T) {
	other := xerotest.Tenant{ID: "9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", Name: "Acme Audio Ltd"}
	tests := []struct {
		name    string
		tenants []xerotest.Tenant
		setting string
		ok      bool
		want    string
	}{
		{"the only one", nil, "", true, "connected to Xero organisation Demo Company (NL)"},
		{"by name", []xerotest.Tenant{xerotest.DemoCompany, other}, "acme audio ltd", true, "connected to Xero organisation Acme Audio Ltd"},
		{"by id", []xerotest.Tenant{xerotest.DemoCompany, other}, other.ID, true, "connected to Xero organisation Acme Audio Ltd"},
		{"several", []xerotest.Tenant{xerotest.DemoCompany, other}, "", false, "2 Xero organisations are connected: Demo Company (NL) " +
			"(4a1b6c3d-2e5f-4a70-8b91-c2d3e4f50617), Acme Audio Ltd (9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d); set the connection's organisation (tenant_id) to one of them"},
		{"a name not connected", nil, "Acme Audio Ltd", false, `the Xero organisation "Acme Audio Ltd" is not connected to this app; the connected ones are Demo Company (NL)`},
		{"an id not connected", nil, other.ID, false, "Xero refused organisation 9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d: it is not connected to this app (AuthenticationUnsuccessful)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := xerotest.New(t, tt.tenants...)
			config := x.Config()
			config["tenant_id"] = tt.setting
			c := open(t, x, connectors.Env{}, config)
			res, err := c.Test(ctx(t))
			if err != nil || res.OK != tt.ok || !strings.Contains(res.Message, tt.want) {
				t.Fatalf("Test = %+v, %v; want ok=%v with %q", res, err, tt.ok, tt.want)
			}
		})
	}
}

// TestIncrementalInvoiceReads: the first run reads the sales invoices
// changed from the flow's date, page by page; the next only those changed
// since (asked for with If-Modified-Since, a minute before the last change
// seen), not those of that minute read already.
func TestIncrementalInvoiceReads(t *testing.T) {
	x := xerotest.New(t)
	contact := x.AddContact(map[string]any{"Name": "Anna de Vries", "EmailAddress": "anna@example.nl"})
	add := func(ref string, updated time.Time) {
		x.AddInvoice(map[string]any{"Type": "ACCREC", "Reference": ref, "Status": "AUTHORISED", "Contact": map[string]any{"ContactID": contact["ContactID"]},
			"LineAmountTypes": "Exclusive", "CurrencyCode": "EUR", "UpdatedDateUTC": xerotest.MSDate(updated),
			"LineItems": []any{map[string]any{"Description": "Cable", "Quantity": 1, "UnitAmount": 10, "TaxType": "OUTPUT", "AccountCode": "200"}}})
	}
	day := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	add("old", day.AddDate(0, 0, -40))
	for i := range 5 {
		add(fmt.Sprintf("R%d", i+1), day.Add(time.Duration(i)*time.Hour))
	}
	x.AddInvoice(map[string]any{"Type": "ACCPAY", "Reference": "a bill", "Contact": map[string]any{"ContactID": contact["ContactID"]},
		"UpdatedDateUTC": xerotest.MSDate(day)})
	c := open(t, x, connectors.Env{}, nil)
	opts := options(t, connectors.UseRead, map[string]any{"from_date": "2025-02-01"})
	keys, cursor := readAll(t, c, connectors.Invoice, "", opts, 2)
	if got := strings.Join(keys, ","); got != "INV-0002,INV-0003,INV-0004,INV-0005,INV-0006" {
		t.Fatalf("the first run read %s", got)
	}
	add("R6", day.Add(5*time.Hour))
	keys, _ = readAll(t, c, connectors.Invoice, cursor, opts, 2)
	if got := strings.Join(keys, ","); got != "INV-0008" {
		t.Fatalf("the next run read %s, want the invoice changed since", got)
	}
}

// TestInvoiceChangedDuringAReadShiftsNoneAway: an invoice on a page
// already read changes while the run reads, and moves to the end of the
// list sorted by change time. The run still reads every invoice: asked by
// page number, the one that moved up onto the page already read was
// skipped, and with a change older than the next run's start never read.
func TestInvoiceChangedDuringAReadShiftsNoneAway(t *testing.T) {
	x := xerotest.New(t)
	contact := x.AddContact(map[string]any{"Name": "Anna de Vries", "EmailAddress": "anna@example.nl"})
	day := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	var invoices []map[string]any
	for i := range 7 {
		invoices = append(invoices, x.AddInvoice(map[string]any{"Type": "ACCREC", "Status": "AUTHORISED",
			"Contact": map[string]any{"ContactID": contact["ContactID"]}, "LineAmountTypes": "Exclusive", "CurrencyCode": "EUR",
			"UpdatedDateUTC": xerotest.MSDate(day.Add(time.Duration(i) * time.Hour)),
			"LineItems":      []any{map[string]any{"Description": "Cable", "Quantity": 1, "UnitAmount": 10, "TaxType": "OUTPUT", "AccountCode": "200"}}}))
	}
	c := open(t, x, connectors.Env{}, nil)
	stream, err := c.Read(ctx(t), connectors.ReadRequest{Entity: connectors.Invoice, PageSize: 3, Options: options(t, connectors.UseRead, nil)})
	if err != nil {
		t.Fatal(err)
	}
	read := map[string]int{}
	for pages := 0; pages < 20; pages++ {
		page, err := stream.Next(ctx(t))
		if errors.Is(err, connectors.ErrEndOfInput) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Records {
			read[r.Key]++
		}
		if pages == 0 { // someone changes an invoice of the first page
			invoices[1]["UpdatedDateUTC"] = xerotest.MSDate(day.AddDate(0, 0, 1))
			x.Store.Put(xerotest.Invoices, fmt.Sprint(invoices[1]["InvoiceID"]), invoices[1])
		}
	}
	for i, inv := range invoices {
		key, want := fmt.Sprint(inv["InvoiceNumber"]), 1
		if i == 1 {
			want = 2 // as it was, and as it changed
		}
		if read[key] != want {
			t.Errorf("invoice %s read %d times; want %d", key, read[key], want)
		}
	}
}

// TestRateLimits: a call over Xero's limit per minute is a rate limit
// (a pause with Xero's Retry-After, not a failure) that names the limit;
// an answer that says no call is left this minute pauses the connection
// before it gets a 429.
func TestRateLimits(t *testing.T) {
	x := xerotest.New(t)
	env := connectors.Env{Shared: connectors.NewShared()}
	c := open(t, x, env, nil)
	x.SetLimits(xerotest.Limits{PerMinute: 2, PerDay: 5000, AtOnce: 5})
	for range 2 {
		if _, _, err := c.FindByKey(ctx(t), connectors.Product, "CBL-3M"); err != nil {
			t.Fatal(err)
		}
	}
	pacer := pace.For(env.Shared, pace.Settings{InFlight: inFlight})
	if until := pacer.PausedUntil(); time.Until(until) < 50*time.Second {
		t.Fatalf("after an answer with no call left this minute the connection is paused until %v, want about a minute", until)
	}
	other := open(t, x, connectors.Env{Shared: connectors.NewShared()}, nil) // another connection to the organisation, not paused
	_, _, err := other.FindByKey(ctx(t), connectors.Product, "CBL-3M")
	wait, limited := connectors.IsRateLimited(err)
	if !limited || wait <= 0 || !strings.Contains(err.Error(), "Xero's limit of calls a minute for this organisation is reached (X-Rate-Limit-Problem: minute)") {
		t.Fatalf("a call over the limit: %v (rate limited %v, wait %v)", err, limited, wait)
	}
}

// keeper keeps the secrets a connection obtains at run time, as the
// engine keeps them sealed.
type keeper struct {
	mu    sync.Mutex
	saved map[string]string
}

func (k *keeper) SaveSecrets(_ context.Context, secrets map[string]string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.saved == nil {
		k.saved = map[string]string{}
	}
	for name, v := range secrets {
		k.saved[name] = v
	}
	return nil
}

// TestTokensAreRefreshedAndKept: when Xero refuses the access token, the
// connection refreshes it once, keeps the rotated refresh token, and goes
// on; when the app is disconnected in Xero, it asks to be connected again.
func TestTokensAreRefreshedAndKept(t *testing.T) {
	x := xerotest.New(t)
	secrets := connect(t, x, x.Config())
	saved := &keeper{}
	cfg, err := Spec.ResolveAndValidate(x.Config(), secrets, connectors.Env{})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := New(cfg, connectors.Env{Shared: connectors.NewShared(), Secrets: saved})
	if err != nil {
		t.Fatal(err)
	}
	c := conn.(*Conn)
	x.Identity.RevokeAccess()
	if _, _, err := c.FindByKey(ctx(t), connectors.Product, "CBL-3M"); err != nil {
		t.Fatalf("a call after the access token was refused: %v", err)
	}
	if x.Identity.Refreshes() != 1 || saved.saved["oauth_refresh_token"] == "" || saved.saved["oauth_refresh_token"] == secrets["oauth_refresh_token"] {
		t.Fatalf("%d refreshes; the refresh token kept: %q (was %q)", x.Identity.Refreshes(), saved.saved["oauth_refresh_token"], secrets["oauth_refresh_token"])
	}
	x.Identity.RevokeAll()
	_, _, err = c.FindByKey(ctx(t), connectors.Product, "CBL-3M")
	if !errors.Is(err, connectors.ErrReconnectNeeded) {
		t.Fatalf("a call after the app was disconnected: %v, want reconnect needed", err)
	}
}
