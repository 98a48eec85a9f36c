package xerotest

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/connectors/rest/spectest"
)

func (x *Xero) routes() {
	x.Handle("GET /Organisation", x.organisation)
	x.Handle("GET /TaxRates", func(*spectest.Call) spectest.Reply {
		return spectest.JSON(http.StatusOK, map[string]any{"TaxRates": taxRates()})
	})
	x.Handle("GET /Contacts", x.list(Contacts, true))
	x.Handle("GET /Items", x.list(Items, false))
	x.Handle("GET /Invoices", x.list(Invoices, true))
	x.Handle("GET /CreditNotes", x.list(CreditNotes, true))
	x.Handle("GET /Contacts/{ContactID}", x.get(Contacts, "ContactID"))
	x.Handle("GET /Items/{ItemID}", x.get(Items, "ItemID"))
	x.Handle("GET /Invoices/{InvoiceID}", x.get(Invoices, "InvoiceID"))
	x.Handle("PUT /Contacts", x.each(Contacts, x.saveContact))
	x.Handle("POST /Contacts/{ContactID}", x.each(Contacts, x.saveContact))
	x.Handle("PUT /Items", x.each(Items, x.saveItem))
	x.Handle("POST /Items/{ItemID}", x.each(Items, x.saveItem))
	x.Handle("PUT /Invoices", x.each(Invoices, x.saveInvoice))
	x.Handle("POST /Invoices/{InvoiceID}", x.each(Invoices, x.saveInvoice))
}

func (x *Xero) organisation(c *spectest.Call) spectest.Reply {
	name := ""
	x.mu.Lock()
	for _, t := range x.tenants {
		if t.ID == c.Request.Header.Get("xero-tenant-id") {
			name = t.Name
		}
	}
	x.mu.Unlock()
	return spectest.JSON(http.StatusOK, map[string]any{"Organisations": []any{map[string]any{
		"OrganisationID": c.Request.Header.Get("xero-tenant-id"), "Name": name, "LegalName": name, "PaysTax": true,
		"Version": "GLOBAL", "OrganisationType": "COMPANY", "BaseCurrency": "EUR", "CountryCode": "NL", "IsDemoCompany": true}}})
}

// get answers one record by its id, as a list of one.
func (x *Xero) get(collection, param string) spectest.Handler {
	return func(c *spectest.Call) spectest.Reply {
		rec, ok := c.Store.Get(collection, c.Params[param])
		if !ok {
			return spectest.JSON(http.StatusNotFound, map[string]any{"Title": "Not Found", "Status": 404,
				"Detail": "The resource you're looking for cannot be found"})
		}
		return spectest.JSON(http.StatusOK, map[string]any{collection: []any{withUnitPlaces(collection, rec, unitPlaces(c))}})
	}
}

// saver keeps one record of a write (id is "" for a create) and returns
// it, or Xero's validation errors.
type saver func(c *spectest.Call, id string, rec map[string]any) (map[string]any, []string)

// each saves every record of a write's list; one that does not validate
// fails the call, as Xero does without summarizeErrors=false.
func (x *Xero) each(collection string, save saver) spectest.Handler {
	return func(c *spectest.Call) spectest.Reply {
		body, _ := c.Body.(map[string]any)
		list, _ := body[collection].([]any)
		id := ""
		for _, v := range c.Params {
			id = v
		}
		out := []any{}
		for _, r := range list {
			rec, _ := r.(map[string]any)
			saved, errs := save(c, id, withUnitPlaces(collection, rec, unitPlaces(c)))
			if len(errs) > 0 {
				return validation(errs...)
			}
			out = append(out, withUnitPlaces(collection, saved, unitPlaces(c)))
		}
		return spectest.JSON(http.StatusOK, map[string]any{collection: out})
	}
}

var emailPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

// saveContact makes or changes a contact: its name unique among the
// active ones, its e-mail address valid.
func (x *Xero) saveContact(c *spectest.Call, id string, rec map[string]any) (map[string]any, []string) {
	old, exists := c.Store.Get(Contacts, id)
	if id != "" && !exists {
		return nil, []string{"The contact " + id + " was not found"}
	}
	merged := merge(old, rec)
	name := strings.TrimSpace(text(merged["Name"]))
	var errs []string
	if name == "" {
		errs = append(errs, "The contact name must be specified")
	}
	if email := text(merged["EmailAddress"]); email != "" && !emailPattern.MatchString(email) {
		errs = append(errs, "Email address must be valid.")
	}
	if _, _, taken := c.Store.Find(Contacts, func(o map[string]any) bool {
		return strings.EqualFold(text(o["Name"]), name) && o["ContactID"] != id && o["ContactStatus"] == "ACTIVE"
	}); taken && name != "" {
		errs = append(errs, fmt.Sprintf("The contact name %s is already assigned to another contact. The contact name must be unique across all active contacts.", name))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if !exists {
		merged["ContactID"], merged["ContactStatus"] = uuid(Contacts, c.Store.NextID(Contacts)), "ACTIVE"
		merged["IsSupplier"], merged["IsCustomer"], merged["HasAttachments"] = false, false, false
	}
	merged["UpdatedDateUTC"] = MSDate(x.tick())
	c.Store.Put(Contacts, text(merged["ContactID"]), merged)
	return merged, nil
}

// saveItem makes or changes an item: its code unique.
func (x *Xero) saveItem(c *spectest.Call, id string, rec map[string]any) (map[string]any, []string) {
	old, exists := c.Store.Get(Items, id)
	if id != "" && !exists {
		return nil, []string{"The item " + id + " was not found"}
	}
	merged := merge(old, rec)
	code := text(merged["Code"])
	if _, _, taken := c.Store.Find(Items, func(o map[string]any) bool { return o["Code"] == code && o["ItemID"] != id }); taken {
		return nil, []string{"Item code " + code + " already exists. Item codes must be unique."}
	}
	if !exists {
		merged["ItemID"] = uuid(Items, c.Store.NextID(Items))
		if merged["IsSold"] == nil {
			merged["IsSold"] = true
		}
		merged["IsPurchased"], merged["IsTrackedAsInventory"] = merged["PurchaseDetails"] != nil, false
	}
	merged["UpdatedDateUTC"] = MSDate(x.tick())
	c.Store.Put(Items, text(merged["ItemID"]), merged)
	return merged, nil
}

// merge is old with the fields of rec over it: objects merged, the rest
// replaced.
func merge(old, rec map[string]any) map[string]any {
	out := spectest.Copy(old)
	if out == nil {
		out = map[string]any{}
	}
	for k, v := range rec {
		if o, ok := out[k].(map[string]any); ok {
			if n, ok := v.(map[string]any); ok {
				out[k] = merge(o, n)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// AddContact keeps a contact as Xero has it, made by hand.
func (x *Xero) AddContact(rec map[string]any) map[string]any {
	rec = spectest.Copy(rec)
	if rec["ContactID"] == nil {
		rec["ContactID"] = uuid(Contacts, x.Store.NextID(Contacts))
	}
	if rec["ContactStatus"] == nil {
		rec["ContactStatus"] = "ACTIVE"
	}
	if rec["UpdatedDateUTC"] == nil {
		rec["UpdatedDateUTC"] = MSDate(x.tick())
	}
	x.Store.Put(Contacts, text(rec["ContactID"]), rec)
	return rec
}

// AddItem keeps an item as Xero has it, made by hand.
func (x *Xero) AddItem(rec map[string]any) map[string]any {
	rec = spectest.Copy(rec)
	if rec["ItemID"] == nil {
		rec["ItemID"] = uuid(Items, x.Store.NextID(Items))
	}
	if rec["UpdatedDateUTC"] == nil {
		rec["UpdatedDateUTC"] = MSDate(x.tick())
	}
	x.Store.Put(Items, text(rec["ItemID"]), rec)
	return rec
}

// All returns a collection's records.
func (x *Xero) All(collection string) []map[string]any { return x.Store.All(collection) }

// Get returns a collection's record with the id.
func (x *Xero) Get(collection, id string) (map[string]any, bool) { return x.Store.Get(collection, id) }

// MeetContactLookups makes the look-ups of contacts wait for one another
// until n of them are in, or for at most wait, as the look-ups of n
// workers that run at the same time meet.
func (x *Xero) MeetContactLookups(n int, wait time.Duration) {
	x.Handle("GET /Contacts", spectest.Meet(n, wait, x.list(Contacts, true)))
}
