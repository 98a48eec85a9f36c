package businesscentral

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/businesscentral/bctest"
	"github.com/switchboard-app/switchboard/connectors/conntest"
	"github.com/switchboard-app/switchboard/connectors/rest/spectest"
)

// TestConformance runs the conformance suite against the fake of Business
// Central's own API v1.0 contract: reading customers, writing items.
func TestConformance(t *testing.T) {
	t.Run("customers", func(t *testing.T) {
		b := bctest.New(t)
		conntest.Run(t, conntest.Suite{Registration: registration, Config: b.Config(), Secrets: b.Secrets(),
			BadSecrets: map[string]string{"oauth_client_secret": "not-the-secret-4711"}, Entity: connectors.Customer,
			Seed: func(t *testing.T, n int) {
				for i := range n {
					b.AddCustomer(map[string]any{"displayName": fmt.Sprintf("Customer %d", i+1), "email": fmt.Sprintf("c%d@example.com", i+1)})
				}
			}})
	})
	t.Run("items", func(t *testing.T) {
		b := bctest.New(t)
		sample := map[string]any{"number": "CBL-3M", "displayName": "Speaker cable 3 m", "type": "Inventory", "gtin": "8712345678906",
			"unitPrice": 12.95, "unitCost": 4.1, "blocked": false}
		conntest.Run(t, conntest.Suite{Registration: registration, Config: b.Config(), Secrets: b.Secrets(),
			Entity: connectors.Product, Sample: sample, Written: func(t *testing.T, id string) map[string]any {
				item, _ := b.Get(bctest.Items, id)
				out := map[string]any{}
				for k := range sample {
					out[k] = item[k]
				}
				return out
			}})
	})
}

// TestCompanyChoice: the company is the only one, or the one the
// connection names; the test says which there are when it cannot choose.
func TestCompanyChoice(t *testing.T) {
	other := bctest.Company{ID: "7a3b1c2d-0e4f-4a5b-9c6d-7e8f9a0b1c2d", Name: "CRONUS BE"}
	tests := []struct {
		name      string
		companies []bctest.Company
		setting   string
		ok        bool
		want      string
	}{
		{"the only one", nil, "", true, "connected to Business Central company CRONUS NL"},
		{"by name", []bctest.Company{bctest.Cronus, other}, "cronus be", true, "connected to Business Central company CRONUS BE"},
		{"by id", []bctest.Company{bctest.Cronus, other}, other.ID, true, "connected to Business Central company CRONUS BE"},
		{"several", []bctest.Company{bctest.Cronus, other}, "", false, "the environment has 2 companies: CRONUS NL (5d115c9c-44e3-ea11-bb43-000d3a2feca1), " +
			"CRONUS BE (7a3b1c2d-0e4f-4a5b-9c6d-7e8f9a0b1c2d); set the connection's company (company) to one of them"},
		{"one it lacks", nil, "CRONUS DE", false, `Business Central has no company "CRONUS DE"; its companies are CRONUS NL`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := bctest.New(t, tt.companies...)
			config := b.Config()
			config["company"] = tt.setting
			res, err := open(t, b, config).Test(ctx(t))
			if err != nil || res.OK != tt.ok || !strings.Contains(res.Message, tt.want) {
				t.Fatalf("Test = %+v, %v; want ok=%v with %q", res, err, tt.ok, tt.want)
			}
		})
	}
	b := bctest.New(t)
	cfg, _ := Spec.ResolveAndValidate(b.Config(), map[string]string{"oauth_client_secret": "wrong-secret-1234"}, connectors.Env{})
	c, _ := New(cfg, connectors.Env{})
	if res, _ := c.Test(ctx(t)); res.OK || !strings.Contains(res.Message, "login refused") {
		t.Fatalf("a wrong client secret: %+v", res)
	}
}

// TestIncrementalReadsFollowNextLinks: the first run reads every customer
// page by page as Business Central's @odata.nextLink leads (its
// $skiptoken); the next run asks by $filter on lastModifiedDateTime and
// reads only the customer changed since.
func TestIncrementalReadsFollowNextLinks(t *testing.T) {
	b := bctest.New(t)
	for i := range 5 {
		b.AddCustomer(map[string]any{"displayName": fmt.Sprintf("Customer %d", i+1), "email": fmt.Sprintf("c%d@example.com", i+1)})
	}
	c := open(t, b, nil)
	keys, cursor := readAll(t, c, connectors.Customer, "", options(t, connectors.UseRead, nil), 2)
	if got := strings.Join(keys, ","); got != "c1@example.com,c2@example.com,c3@example.com,c4@example.com,c5@example.com" {
		t.Fatalf("the first run read %s", got)
	}
	pages := 0
	for _, call := range b.Calls() {
		if strings.Contains(call, "/customers?") && strings.Contains(call, "%24skiptoken=") {
			pages++
		}
	}
	if pages != 2 {
		t.Fatalf("the first run followed %d next links for 5 customers 2 a page, want 2: %q", pages, b.Calls())
	}
	b.AddCustomer(map[string]any{"displayName": "Customer 6", "email": "c6@example.com"})
	keys, _ = readAll(t, c, connectors.Customer, cursor, options(t, connectors.UseRead, nil), 2)
	if got := strings.Join(keys, ","); got != "c6@example.com" {
		t.Fatalf("the next run read %s, want the customer added since", got)
	}
	last := b.Calls()[len(b.Calls())-1]
	if !strings.Contains(last, "%24filter=lastModifiedDateTime+gt+2025-03-01T09%3A59%3A13Z") {
		t.Fatalf("the next run asked %s, want changes since the last one seen less a minute", last)
	}
}

// TestStockIsReadWhole: the items' inventory is read every run, as it
// changes without changing an item.
func TestStockIsReadWhole(t *testing.T) {
	b := bctest.New(t)
	b.AddItem(map[string]any{"number": "CBL-3M", "displayName": "Speaker cable 3 m", "inventory": 125})
	b.AddItem(map[string]any{"number": "HP-20", "displayName": "Headphones", "inventory": 0})
	c := open(t, b, nil)
	keys, cursor := readAll(t, c, connectors.Stock, "", options(t, connectors.UseRead, nil), 10)
	again, _ := readAll(t, c, connectors.Stock, cursor, options(t, connectors.UseRead, nil), 10)
	if strings.Join(keys, ",") != "CBL-3M,HP-20" || strings.Join(again, ",") != "CBL-3M,HP-20" {
		t.Fatalf("two runs read %v and %v, want every item both times", keys, again)
	}
}

// TestCustomersAreNotDuplicated: a customer is found by e-mail address,
// VAT registration number or number before one is made.
func TestCustomersAreNotDuplicated(t *testing.T) {
	b := bctest.New(t)
	byVAT := b.AddCustomer(map[string]any{"displayName": "De Vries Audio B.V.", "taxRegistrationNumber": "NL001234567B01"})
	byNumber := b.AddCustomer(map[string]any{"displayName": "Hotel De Zonne", "number": "C-ZONNE"})
	c := open(t, b, nil)
	tests := []struct {
		data map[string]any
		want string
	}{
		{map[string]any{"displayName": "De Vries Audio", "email": "anna@devries.example", "taxRegistrationNumber": "NL001234567B01"}, byVAT["id"].(string)},
		{map[string]any{"displayName": "Hotel De Zonne", "email": "inkoop@zonne.example", "number": "C-ZONNE"}, byNumber["id"].(string)},
	}
	for _, tt := range tests {
		res, err := write(t, c, connectors.Customer, "", fmt.Sprint(tt.data["email"]), tt.data, nil)
		if err != nil || res.TargetID != tt.want {
			t.Fatalf("writing %v: %v, %v; want customer %s", tt.data, res, err, tt.want)
		}
	}
	if got, _ := b.Get(bctest.Customers, byVAT["id"].(string)); got["email"] != "anna@devries.example" {
		t.Fatalf("the customer found was not updated: %v", got)
	}
	if id, found, err := c.FindByKey(ctx(t), connectors.Customer, "inkoop@zonne.example"); err != nil || !found || id != byNumber["id"] {
		t.Fatalf("FindByKey(inkoop@zonne.example) = %q, %v, %v", id, found, err)
	}
	if n := len(b.All(bctest.Customers)); n != 2 {
		t.Fatalf("Business Central has %d customers, want 2", n)
	}
}

// TestARateLimitPausesTheRead: a 429 from Business Central is a pause
// with its Retry-After, not a failure.
func TestARateLimitPausesTheRead(t *testing.T) {
	b := bctest.New(t)
	b.Handle("GET /companies({company_id})/items", func(*spectest.Call) spectest.Reply {
		return spectest.Reply{Status: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"9"}},
			Body: map[string]any{"error": map[string]any{"code": "Application_TooManyRequests", "message": "Too many requests reached."}}}
	})
	c := open(t, b, nil)
	stream, err := c.Read(ctx(t), connectors.ReadRequest{Entity: connectors.Product, Options: options(t, connectors.UseRead, nil)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = stream.Next(ctx(t))
	if wait, limited := connectors.IsRateLimited(err); !limited || wait != 9*time.Second || !strings.Contains(err.Error(), "Too many requests reached.") {
		t.Fatalf("Next = %v; want a rate limit of 9s with Business Central's words", err)
	}
}

// TestANextLinkBackToThePageReadEndsTheRead: an answer whose
// @odata.nextLink leads to the page it answered ends the read there,
// instead of reading the same page forever.
func TestANextLinkBackToThePageReadEndsTheRead(t *testing.T) {
	b := bctest.New(t)
	b.AddCustomer(map[string]any{"displayName": "Customer 1", "email": "c1@example.com"})
	b.Handle("GET /companies({company_id})/customers", func(c *spectest.Call) spectest.Reply {
		u, _ := url.ParseRequestURI(c.Request.RequestURI)
		q := u.Query()
		q.Set("$skiptoken", "1")
		u.RawQuery = q.Encode()
		self := "http://" + c.Request.Host + u.String()
		var value []any
		for _, rec := range c.Store.All(bctest.Customers) {
			value = append(value, rec)
		}
		return spectest.JSON(http.StatusOK, map[string]any{"value": value, "@odata.nextLink": self})
	})
	c := open(t, b, nil)
	keys, _ := readAll(t, c, connectors.Customer, "", options(t, connectors.UseRead, nil), 2)
	if len(keys) == 0 || len(keys) > 2 {
		t.Fatalf("read %v, want the customer once or twice", keys)
	}
}

// TestACompanyWrittenAtOnceUnderTwoNamesIsMadeOnce: two writes at once of
// one company without an e-mail address, known by its VAT registration
// number, spelt two ways, make one customer: they are looked up and made
// one at a time by what they are looked up by, not by their names.
func TestACompanyWrittenAtOnceUnderTwoNamesIsMadeOnce(t *testing.T) {
	b := bctest.New(t)
	b.MeetCustomerLookups(2, 500*time.Millisecond)
	c := open(t, b, nil)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, name := range []string{"De Vries Audio B.V.", "De Vries Audio BV"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = write(t, c, connectors.Customer, "", name, map[string]any{"displayName": name, "taxRegistrationNumber": "NL001234567B01"}, nil)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := len(b.All(bctest.Customers)); n != 1 {
		t.Fatalf("two writes of one company at once made %d customers", n)
	}
}
