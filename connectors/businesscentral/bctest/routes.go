package bctest

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/connectors/rest/spectest"
)

const co = "/companies({company_id})/"

func (b *BC) routes() {
	b.Handle("GET /companies", b.companiesList)
	b.Handle("GET "+co+"companyInformation", b.inCompany(b.information))
	for _, col := range []string{Customers, Items, ShipmentMethod, PaymentTerms, TaxGroups} {
		b.Handle("GET "+co+col, b.inCompany(b.list(col, nil)))
	}
	b.Handle("GET "+co+"customers({customer_id})", b.inCompany(b.get(Customers, "customer_id")))
	b.Handle("GET "+co+"items({item_id})", b.inCompany(b.get(Items, "item_id")))
	b.Handle("POST "+co+"customers", b.inCompany(b.saveCustomer))
	b.Handle("PATCH "+co+"customers({customer_id})", b.inCompany(b.saveCustomer))
	b.Handle("POST "+co+"items", b.inCompany(b.saveItem))
	b.Handle("PATCH "+co+"items({item_id})", b.inCompany(b.saveItem))
	for _, d := range kinds {
		b.documentRoutes(d)
	}
}

// inCompany answers only for a company of the environment.
func (b *BC) inCompany(h spectest.Handler) spectest.Handler {
	return func(c *spectest.Call) spectest.Reply {
		b.mu.Lock()
		companies := append([]Company(nil), b.companies...)
		b.mu.Unlock()
		for _, company := range companies {
			if strings.EqualFold(company.ID, c.Params["company_id"]) {
				return h(c)
			}
		}
		return fail(http.StatusNotFound, "BadRequest_NotFound", "The company "+c.Params["company_id"]+" was not found.")
	}
}

func (b *BC) companiesList(*spectest.Call) spectest.Reply {
	b.mu.Lock()
	defer b.mu.Unlock()
	list := []any{}
	for _, company := range b.companies {
		list = append(list, map[string]any{"id": company.ID, "systemVersion": "25.4.29661.30157", "name": company.Name,
			"displayName": company.Name, "businessProfileId": ""})
	}
	return spectest.JSON(http.StatusOK, map[string]any{"value": list})
}

func (b *BC) information(c *spectest.Call) spectest.Reply {
	return spectest.JSON(http.StatusOK, map[string]any{"value": []any{map[string]any{"id": c.Params["company_id"], "displayName": "CRONUS NL",
		"phoneNumber": "+31 20 123 4567", "email": "info@cronus.example", "taxRegistrationNumber": "NL123456789B01", "currencyCode": "EUR",
		"address": map[string]any{"street": "Herengracht 1", "city": "Amsterdam", "state": "", "countryLetterCode": "NL", "postalCode": "1015 BA"}}}})
}

// get answers one record by its id.
func (b *BC) get(collection, param string) spectest.Handler {
	return func(c *spectest.Call) spectest.Reply {
		rec, ok := c.Store.Get(collection, c.Params[param])
		if !ok {
			return notFound()
		}
		return spectest.JSON(http.StatusOK, b.expand(c, collection, rec))
	}
}

func notFound() spectest.Reply {
	return fail(http.StatusNotFound, "BadRequest_NotFound", "The specified resource was not found.")
}

// matchesETag checks a change's If-Match against the record's ETag: *
// matches any.
func matchesETag(c *spectest.Call, rec map[string]any) bool {
	m := c.Request.Header.Get("If-Match")
	return m == "*" || m == fmt.Sprint(rec["@odata.etag"])
}

// changed is Business Central's answer to a change whose ETag is stale.
func changed() spectest.Reply {
	return fail(http.StatusPreconditionFailed, "Request_EntityChanged", "Another user has already changed the record.")
}

// body is the call's body as a record.
func body(c *spectest.Call) map[string]any {
	m, _ := c.Body.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m
}

// merge is old with the fields of rec over it.
func merge(old, rec map[string]any) map[string]any {
	out := spectest.Copy(old)
	if out == nil {
		out = map[string]any{}
	}
	for k, v := range rec {
		out[k] = v
	}
	return out
}

// saveCustomer makes or changes a customer; a new one without a number is
// numbered, and numbers are unique.
func (b *BC) saveCustomer(c *spectest.Call) spectest.Reply {
	return b.saveNumbered(c, Customers, c.Params["customer_id"], "Customer", "C%05d", func(rec map[string]any) string {
		if strings.TrimSpace(fmt.Sprint(rec["displayName"])) == "" || rec["displayName"] == nil {
			return "Name must have a value in Customer: No.=" + fmt.Sprint(rec["number"]) + ". It cannot be zero or empty."
		}
		if t := fmt.Sprint(rec["type"]); rec["type"] != nil && t != "Company" && t != "Person" {
			return "The value \"" + t + "\" can't be evaluated into type Contact Type."
		}
		return ""
	})
}

// saveItem makes or changes an item; a new one without a number is
// numbered, and numbers are unique.
func (b *BC) saveItem(c *spectest.Call) spectest.Reply {
	return b.saveNumbered(c, Items, c.Params["item_id"], "Item", "%04d", func(rec map[string]any) string {
		if t := fmt.Sprint(rec["type"]); rec["type"] != nil && t != "Inventory" && t != "Service" && t != "Non-Inventory" {
			return "The value \"" + t + "\" can't be evaluated into type Item Type."
		}
		return ""
	})
}

// saveNumbered makes (id "") or changes a record that has a unique
// number.
func (b *BC) saveNumbered(c *spectest.Call, collection, recID, table, numbering string, check func(map[string]any) string) spectest.Reply {
	old, exists := c.Store.Get(collection, recID)
	if recID != "" && !exists {
		return notFound()
	}
	if exists && !matchesETag(c, old) {
		return changed()
	}
	rec := merge(old, body(c))
	if number, ok := rec["number"].(string); ok { // a Code field: kept in capitals
		rec["number"] = strings.ToUpper(strings.TrimSpace(number))
	}
	if !exists {
		n := c.Store.NextID(collection)
		rec["id"] = id(collection, n)
		if rec["number"] == nil || rec["number"] == "" {
			rec["number"] = fmt.Sprintf(numbering, 10000+n*10)
		}
		defaults(collection, rec)
	}
	if _, _, taken := c.Store.Find(collection, func(o map[string]any) bool { return o["number"] == rec["number"] && o["id"] != rec["id"] }); taken {
		return fail(http.StatusBadRequest, "Internal_EntityWithSameKeyExists",
			fmt.Sprintf("The record in table %s already exists. Identification fields and values: No.='%v'", table, rec["number"]))
	}
	if msg := check(rec); msg != "" {
		return fail(http.StatusBadRequest, "Internal_ValidationError", msg)
	}
	status := http.StatusOK
	if !exists {
		status = http.StatusCreated
	}
	return spectest.JSON(status, b.keep(collection, rec))
}

// defaults are what Business Central gives a new customer or item.
func defaults(collection string, rec map[string]any) {
	set := func(k string, v any) {
		if rec[k] == nil {
			rec[k] = v
		}
	}
	switch collection {
	case Customers:
		set("type", "Company")
		set("blocked", " ")
		set("taxLiable", false)
		set("currencyCode", "")
	case Items:
		set("type", "Inventory")
		set("blocked", false)
		set("inventory", 0)
		set("unitPrice", 0)
		set("unitCost", 0)
		set("priceIncludesTax", false)
		set("baseUnitOfMeasure", map[string]any{"code": "PCS", "displayName": "Piece"})
	}
}

// AddCustomer keeps a customer as Business Central has it, made there.
func (b *BC) AddCustomer(rec map[string]any) map[string]any {
	rec = spectest.Copy(rec)
	n := b.Store.NextID(Customers)
	rec["id"] = id(Customers, n)
	if rec["number"] == nil {
		rec["number"] = fmt.Sprintf("C%05d", 10000+n*10)
	}
	defaults(Customers, rec)
	return b.keep(Customers, rec)
}

// AddItem keeps an item as Business Central has it, made there.
func (b *BC) AddItem(rec map[string]any) map[string]any {
	rec = spectest.Copy(rec)
	rec["id"] = id(Items, b.Store.NextID(Items))
	defaults(Items, rec)
	return b.keep(Items, rec)
}

// All returns a collection's records.
func (b *BC) All(collection string) []map[string]any { return b.Store.All(collection) }

// Get returns a collection's record with the id.
func (b *BC) Get(collection, recID string) (map[string]any, bool) {
	return b.Store.Get(collection, recID)
}

// ByNumber returns a collection's record with the number.
func (b *BC) ByNumber(collection, number string) (map[string]any, bool) {
	_, rec, ok := b.Store.Find(collection, func(r map[string]any) bool { return r["number"] == number })
	return rec, ok
}

// MeetCustomerLookups makes the look-ups of customers wait for one
// another until n of them are in, or for at most wait, as the look-ups
// of n workers that run at the same time meet.
func (b *BC) MeetCustomerLookups(n int, wait time.Duration) {
	b.Handle("GET "+co+Customers, b.inCompany(spectest.Meet(n, wait, b.list(Customers, nil))))
}
