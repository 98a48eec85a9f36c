package xero

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/xero/xerotest"
)

var transactions atomic.Int64

// writeOrder writes an order with the flow's options, as a transaction of
// its own.
func writeOrder(t *testing.T, c *Conn, data map[string]any, values map[string]any) (connectors.WriteResult, error) {
	t.Helper()
	return c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Key: data["Reference"].(string), Data: data,
		Options: options(t, connectors.UseWrite, values), IdempotencyKey: fmt.Sprint("tx-", transactions.Add(1))})
}

// TestAnOrderBecomesAnInvoiceWithTaxLines: an order becomes a sales
// invoice with its customer made as a contact, a tax type per line (found
// by its rate), its item only where Xero has it, the sales account, and
// the shipping costs as a line taxed at the lines' rate; Xero computes
// the tax. Written again, the same invoice is updated, not made twice.
func TestAnOrderBecomesAnInvoiceWithTaxLines(t *testing.T) {
	x := xerotest.New(t)
	x.AddItem(map[string]any{"Code": "CBL-3M", "Name": "Speaker cable 3 m"})
	c := open(t, x, connectors.Env{}, nil)
	res, err := writeOrder(t, c, anOrder("1001"), map[string]any{"invoice_status": "AUTHORISED"})
	if err != nil {
		t.Fatal(err)
	}
	inv, _ := x.Get(xerotest.Invoices, res.TargetID)
	lines := inv["LineItems"].([]any)
	var got []string
	for _, l := range lines {
		m := l.(map[string]any)
		got = append(got, fmt.Sprint(m["Description"], "|", m["ItemCode"], "|", m["TaxType"], "|", m["AccountCode"], "|", m["LineAmount"], "|", m["TaxAmount"]))
	}
	want := []string{"Bookshelf speaker - Black|<nil>|OUTPUT|200|238.40|41.38", "Speaker cable 3 m|CBL-3M|OUTPUT|200|12.95|2.25",
		"Shipping: Standard Shipping|<nil>|OUTPUT|200|6.95|1.21"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("the invoice's lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if fmt.Sprint(inv["Status"], " ", inv["Total"], " ", inv["TotalTax"], " ", inv["Reference"]) != "AUTHORISED 258.30 44.84 1001" {
		t.Fatalf("the invoice is %v", inv)
	}
	contacts := x.All(xerotest.Contacts)
	if len(contacts) != 1 || contacts[0]["EmailAddress"] != "anna.devries@example.nl" || inv["Contact"].(map[string]any)["ContactID"] != contacts[0]["ContactID"] {
		t.Fatalf("contacts %v; the invoice's contact %v", contacts, inv["Contact"])
	}
	again := anOrder("1001")
	again["LineItems"] = again["LineItems"].([]any)[1:]
	res2, err := writeOrder(t, c, again, nil) // the xref lost: found by its reference
	if err != nil || res2.TargetID != res.TargetID {
		t.Fatalf("writing the order again: %v, %v; want invoice %s updated", res2, err, res.TargetID)
	}
	if n := len(x.All(xerotest.Invoices)); n != 1 {
		t.Fatalf("Xero has %d invoices after the order was written twice", n)
	}
	if inv, _ := x.Get(xerotest.Invoices, res.TargetID); len(inv["LineItems"].([]any)) != 2 || inv["Status"] != "AUTHORISED" {
		t.Fatalf("the updated invoice: %v", inv)
	}
	if id, found, err := c.FindByKey(ctx(t), connectors.Order, "1001"); err != nil || !found || id != res.TargetID {
		t.Fatalf("FindByKey(1001) = %q, %v, %v", id, found, err)
	}
}

// TestAPaidInvoiceIsLeftAlone: an order whose invoice is paid in Xero is
// not changed, and says so.
func TestAPaidInvoiceIsLeftAlone(t *testing.T) {
	x := xerotest.New(t)
	c := open(t, x, connectors.Env{}, nil)
	res, err := writeOrder(t, c, anOrder("1002"), nil)
	if err != nil {
		t.Fatal(err)
	}
	inv, _ := x.Get(xerotest.Invoices, res.TargetID)
	inv["Status"] = "PAID"
	x.Store.Put(xerotest.Invoices, res.TargetID, inv)
	again, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, TargetID: res.TargetID, Key: "1002", Data: anOrder("1002"),
		Options: options(t, connectors.UseWrite, nil)})
	if err != nil || !strings.Contains(fmt.Sprint(again.Response["unchanged"]), "the invoice of order 1002 is PAID in Xero; it is not changed") {
		t.Fatalf("writing an order whose invoice is paid: %v, %v", again, err)
	}
}

// TestTaxTypes: a flow's VAT table gives each line its tax type by the
// customer's country; a country and rate it lacks fail the order with what
// to set. Without a table, the one sales tax rate Xero has at the rate is
// used, and none or several fail, saying which.
func TestTaxTypes(t *testing.T) {
	x := xerotest.New(t)
	c := open(t, x, connectors.Env{}, nil)
	table := map[string]any{"vat_codes": `{"NL": {"21": "OUTPUT"}, "*": {"0": "ZERORATEDOUTPUT"}}`}
	order := func(number, country, rate string) map[string]any {
		o := anOrder(number)
		o["TaxCountry"] = country
		o["Contact"].(map[string]any)["EmailAddress"] = "jane@example.com"
		for _, l := range o["LineItems"].([]any) {
			l.(map[string]any)["TaxRate"] = rate
		}
		return o
	}
	tests := []struct {
		name  string
		order map[string]any
		opts  map[string]any
		want  string
	}{
		{"by the table", order("2001", "NL", "21"), table, ""},
		{"the table's rest of the world", order("2002", "US", "0"), table, ""},
		{"not in the table", order("2003", "DE", "19"), table, "customer jane@example.com has no VAT code for DE at 19%; set one in the flow's VAT table (vat_codes)"},
		{"no such rate in Xero", order("2004", "DE", "19"), nil, "customer jane@example.com has no VAT code for DE at 19%; set one in the flow's VAT table (vat_codes); Xero has no active tax rate of 19% for sales"},
		{"two rates in Xero", order("2005", "NL", "0.00"), nil, "Xero has 2 tax rates of 0% for sales: EXEMPTOUTPUT (Exempt), ZERORATEDOUTPUT (Zero rated)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := writeOrder(t, c, tt.order, tt.opts)
			switch {
			case tt.want == "" && err != nil:
				t.Fatal(err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("got %v, want %q", err, tt.want)
			case tt.want != "":
				if class, _ := connectors.Classify(err); class != connectors.ClassPermanent {
					t.Fatalf("the error is %s, want permanent", class)
				}
			}
		})
	}
}

// TestAFailedOrderMakesNoContact: an order that cannot be written (a
// rate with no tax type) leaves no contact behind.
func TestAFailedOrderMakesNoContact(t *testing.T) {
	x := xerotest.New(t)
	c := open(t, x, connectors.Env{}, nil)
	o := anOrder("2101")
	o["LineItems"].([]any)[0].(map[string]any)["TaxRate"] = "19"
	if _, err := writeOrder(t, c, o, nil); err == nil {
		t.Fatal("an order at a rate Xero lacks was written")
	}
	if n := len(x.All(xerotest.Contacts)); n != 0 {
		t.Fatalf("the order that failed made %d contacts", n)
	}
}

// TestGuestOrders: an order without a customer goes to the flow's guest
// customer (by contact number or name), and fails, saying what to set,
// when the flow has none or Xero does not have it.
func TestGuestOrders(t *testing.T) {
	x := xerotest.New(t)
	webshop := x.AddContact(map[string]any{"Name": "Webshop customers", "ContactNumber": "WEBSHOP"})
	c := open(t, x, connectors.Env{}, nil)
	guest := func(number string) map[string]any {
		o := anOrder(number)
		o["Contact"] = map[string]any{"Name": "J. Doe"}
		return o
	}
	if _, err := writeOrder(t, c, guest("3001"), nil); err == nil || !strings.Contains(err.Error(),
		"order 3001 has no customer (no e-mail address, VAT id or customer number): a guest order; set the flow's customer of guest orders (guest_customer)") {
		t.Fatalf("a guest order without a guest customer: %v", err)
	}
	res, err := writeOrder(t, c, guest("3002"), map[string]any{"guest_customer": "WEBSHOP"})
	if err != nil {
		t.Fatal(err)
	}
	if inv, _ := x.Get(xerotest.Invoices, res.TargetID); inv["Contact"].(map[string]any)["ContactID"] != webshop["ContactID"] {
		t.Fatalf("the guest order's contact is %v, want the guest customer", inv["Contact"])
	}
	if _, err := writeOrder(t, c, guest("3003"), map[string]any{"guest_customer": "Walk-in"}); err == nil || !strings.Contains(err.Error(),
		`the flow's customer of guest orders, "Walk-in", is not a contact in Xero`) {
		t.Fatalf("a guest customer Xero lacks: %v", err)
	}
}

// TestContactsAreNotDuplicated: a customer is found by e-mail address,
// tax number or account number before one is made; a customer whose name
// another contact has (with another e-mail address) is made under its
// name and e-mail address, as Xero's names are unique.
func TestContactsAreNotDuplicated(t *testing.T) {
	x := xerotest.New(t)
	byTax := x.AddContact(map[string]any{"Name": "De Vries Audio B.V.", "TaxNumber": "NL001234567B01"})
	x.AddContact(map[string]any{"Name": "Jan Jansen", "EmailAddress": "jan@one.example"})
	c := open(t, x, connectors.Env{}, nil)
	write := func(data map[string]any) connectors.WriteResult {
		t.Helper()
		res, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Customer, Key: fmt.Sprint(data["EmailAddress"]), Data: data,
			Options: options(t, connectors.UseWrite, nil), IdempotencyKey: fmt.Sprint("tx-", data["Name"])})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := write(map[string]any{"Name": "De Vries Audio", "EmailAddress": "anna@devries.example", "TaxNumber": "NL001234567B01"})
	if res.TargetID != byTax["ContactID"] {
		t.Fatalf("the customer with the contact's tax number became %s, want %s", res.TargetID, byTax["ContactID"])
	}
	if got, _ := x.Get(xerotest.Contacts, res.TargetID); got["EmailAddress"] != "anna@devries.example" {
		t.Fatalf("the contact found was not updated: %v", got)
	}
	res = write(map[string]any{"Name": "Jan Jansen", "EmailAddress": "jan@two.example"})
	if got, _ := x.Get(xerotest.Contacts, res.TargetID); got["Name"] != "Jan Jansen (jan@two.example)" {
		t.Fatalf("the second Jan Jansen is %v", got)
	}
	if id, found, err := c.FindByKey(ctx(t), connectors.Customer, "jan@two.example"); err != nil || !found || id != res.TargetID {
		t.Fatalf("FindByKey(jan@two.example) = %q, %v, %v", id, found, err)
	}
	if n := len(x.All(xerotest.Contacts)); n != 3 {
		t.Fatalf("Xero has %d contacts, want 3", n)
	}
}

// TestOneOrderWrittenAtOnceMakesOneInvoice: two workers writing one order
// at once (two transactions of it) make one invoice and one contact.
func TestOneOrderWrittenAtOnceMakesOneInvoice(t *testing.T) {
	x := xerotest.New(t)
	c := open(t, x, connectors.Env{Shared: connectors.NewShared()}, nil)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Key: "4001", Data: anOrder("4001"),
				Options: options(t, connectors.UseWrite, nil), IdempotencyKey: fmt.Sprint("tx-", i)})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if inv, contacts := len(x.All(xerotest.Invoices)), len(x.All(xerotest.Contacts)); inv != 1 || contacts != 1 {
		t.Fatalf("four writes of one order at once made %d invoices and %d contacts", inv, contacts)
	}
}

// TestXerosWordsAreKept: a validation error is Xero's own words, and
// permanent.
func TestXerosWordsAreKept(t *testing.T) {
	x := xerotest.New(t)
	c := open(t, x, connectors.Env{}, nil)
	_, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Customer, Key: "bad", Options: options(t, connectors.UseWrite, nil),
		Data: map[string]any{"Name": "Bad Address", "EmailAddress": "not an address"}})
	if class, _ := connectors.Classify(err); err == nil || class != connectors.ClassPermanent ||
		!strings.Contains(err.Error(), "PUT /api/api.xro/2.0/Contacts: 400 Bad Request: Email address must be valid.") {
		t.Fatalf("got %v", err)
	}
}

// TestAWriteIsNotMadeTwiceByItsIdempotencyKey: a write sent again with
// its idempotency key (its answer was lost) is not applied twice.
func TestAWriteIsNotMadeTwiceByItsIdempotencyKey(t *testing.T) {
	x := xerotest.New(t)
	c := open(t, x, connectors.Env{}, nil)
	item := map[string]any{"Code": "HP-20", "Name": "Headphones"}
	first, err := c.save(ctx(t), "Items", "", item, "tx-42")
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.save(ctx(t), "Items", "", item, "tx-42")
	if err != nil || again["ItemID"] != first["ItemID"] || len(x.All(xerotest.Items)) != 1 {
		b, _ := json.Marshal(x.All(xerotest.Items))
		t.Fatalf("sent again: %v, %v; Xero has %s", again, err, b)
	}
}

// TestACompanyWrittenAtOnceUnderTwoNamesIsMadeOnce: two writes at once of
// one company without an e-mail address, known by its tax number, spelt
// two ways, make one contact: they are looked up and made one at a time
// by what they are looked up by, not by their names alone.
func TestACompanyWrittenAtOnceUnderTwoNamesIsMadeOnce(t *testing.T) {
	x := xerotest.New(t)
	c := open(t, x, connectors.Env{}, nil)
	x.MeetContactLookups(2, 500*time.Millisecond)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, name := range []string{"De Vries Audio B.V.", "De Vries Audio BV"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Customer, Key: name, Data: map[string]any{"Name": name, "TaxNumber": "NL001234567B01"},
				Options: options(t, connectors.UseWrite, nil), IdempotencyKey: fmt.Sprint("tx-", transactions.Add(1))})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := len(x.All(xerotest.Contacts)); n != 1 {
		t.Fatalf("two writes of one company at once made %d contacts", n)
	}
}

// TestArchivedContactsAreNotInvoiced: an order whose customer only an
// archived contact (or one under a GDPR request) has the e-mail address,
// tax number or account number of fails naming it, makes no invoice and
// no second contact; an active contact of the key is taken over an
// archived one; an archived contact's name is free for a new one.
func TestArchivedContactsAreNotInvoiced(t *testing.T) {
	tests := []struct {
		name     string
		contacts []map[string]any
		contact  map[string]any // the order's customer
		want     string         // the invoice's contact's name, or the error
	}{
		{"archived by e-mail address", []map[string]any{{"Name": "Anna de Vries", "EmailAddress": "anna.devries@example.nl", "ContactStatus": "ARCHIVED"}}, nil,
			`Xero's contact "Anna de Vries", found by its e-mail address anna.devries@example.nl, is archived; no invoice is made out to it: ` +
				"restore it in Xero, or give the customer another e-mail address"},
		{"GDPR request by tax number", []map[string]any{{"Name": "De Vries Audio", "TaxNumber": "NL001234567B01", "ContactStatus": "GDPRREQUEST"}},
			map[string]any{"Name": "De Vries Audio", "TaxNumber": "NL001234567B01"},
			`Xero's contact "De Vries Audio", found by its tax number NL001234567B01, is under a GDPR request`},
		{"an active one too", []map[string]any{{"Name": "Anna (old)", "EmailAddress": "anna.devries@example.nl", "ContactStatus": "ARCHIVED"},
			{"Name": "Anna de Vries", "EmailAddress": "anna.devries@example.nl"}}, nil, "Anna de Vries"},
		{"archived name", []map[string]any{{"Name": "Anna de Vries", "EmailAddress": "anna@old.example", "ContactStatus": "ARCHIVED"}},
			map[string]any{"Name": "Anna de Vries", "EmailAddress": "anna@new.example"}, "Anna de Vries"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := xerotest.New(t)
			for _, rec := range tt.contacts {
				x.AddContact(rec)
			}
			c := open(t, x, connectors.Env{}, nil)
			o := anOrder(fmt.Sprint(5001 + i))
			if tt.contact != nil {
				o["Contact"] = tt.contact
			}
			res, err := writeOrder(t, c, o, map[string]any{"guest_customer": "Walk-in"})
			if strings.HasPrefix(tt.want, "Xero") {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("got %v, want an error saying %s", err, tt.want)
				}
				if n, m := len(x.All(xerotest.Invoices)), len(x.All(xerotest.Contacts)); n != 0 || m != len(tt.contacts) {
					t.Fatalf("%d invoices and %d contacts after an order of an archived contact", n, m)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			inv, _ := x.Get(xerotest.Invoices, res.TargetID)
			got, _ := x.Get(xerotest.Contacts, inv["Contact"].(map[string]any)["ContactID"].(string))
			if got["Name"] != tt.want || got["ContactStatus"] != "ACTIVE" {
				t.Fatalf("the invoice is made out to %v (%v), want the active %s", got["Name"], got["ContactStatus"], tt.want)
			}
		})
	}
}

// TestAnArchivedGuestCustomerIsNamed: the flow's customer of guest
// orders, archived, fails a guest order naming it.
func TestAnArchivedGuestCustomerIsNamed(t *testing.T) {
	x := xerotest.New(t)
	x.AddContact(map[string]any{"Name": "Webshop customers", "ContactNumber": "WEBSHOP", "ContactStatus": "ARCHIVED"})
	c := open(t, x, connectors.Env{}, nil)
	o := anOrder("5101")
	o["Contact"] = map[string]any{"Name": "J. Doe"}
	_, err := writeOrder(t, c, o, map[string]any{"guest_customer": "WEBSHOP"})
	if want := `Xero's contact "Webshop customers", found by its contact number WEBSHOP, is archived`; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v, want an error saying %s", err, want)
	}
}
