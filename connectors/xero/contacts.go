package xero

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
)

// contactID returns the id of the contact Xero has for the record (by
// e-mail address, tax number or account number, then by name), and
// whether it was made now. A contact Xero does not have is made; when
// another contact has its name (Xero's names are unique), it is made with
// its e-mail address after the name. One key is looked up and made at a
// time over every worker of the connection.
func (c *Conn) contactID(ctx context.Context, contact map[string]any, idempotencyKey string) (string, bool, error) {
	for _, key := range contactLocks(contact) {
		unlock := c.contacts.Lock(key)
		defer unlock()
	}
	id, nameTaken, err := c.findContact(ctx, contact)
	if err != nil || id != "" {
		return id, false, err
	}
	rec := contact
	if name := rest.LookupString(contact, "Name"); nameTaken || name == "" {
		rec = withName(contact, uniqueName(name, contact))
	}
	saved, err := c.save(ctx, "Contacts", "", rec, idempotencyKey)
	if err != nil {
		return "", false, fmt.Errorf("making contact %s: %w", contactLabel(contact), err)
	}
	return rest.LookupString(saved, "ContactID"), true, nil
}

// contactKeys are what a contact is looked up by before its name, in
// that order.
var contactKeys = []string{"EmailAddress", "TaxNumber", "AccountNumber"}

// contactLocks are what a contact is worked on by over every worker, in
// the order they are taken: the first key it is looked up by, then its
// name, so that two writes of one contact spelt two ways, or of two
// contacts of one name, look up and make them one at a time.
func contactLocks(contact map[string]any) []string {
	var locks []string
	for _, field := range contactKeys {
		if v := strings.TrimSpace(rest.LookupString(contact, field)); v != "" {
			locks = append(locks, "key:"+strings.ToLower(v))
			break
		}
	}
	if name := strings.TrimSpace(rest.LookupString(contact, "Name")); name != "" {
		locks = append(locks, "name:"+strings.ToLower(name))
	}
	if len(locks) == 0 {
		locks = append(locks, "label:"+strings.ToLower(contactLabel(contact)))
	}
	return locks
}

// findContact finds the contact of a record by its e-mail address, tax
// number or account number, then by its name: a contact of that name
// without another e-mail address is the same; one with another is not,
// and nameTaken says so.
func (c *Conn) findContact(ctx context.Context, contact map[string]any) (id string, nameTaken bool, err error) {
	for _, field := range contactKeys {
		v := strings.TrimSpace(rest.LookupString(contact, field))
		if v == "" {
			continue
		}
		rec, err := c.contactBy(ctx, field, v)
		if err != nil || rec != nil {
			return rest.LookupString(rec, "ContactID"), false, err
		}
	}
	name := strings.TrimSpace(rest.LookupString(contact, "Name"))
	if name == "" {
		return "", false, nil
	}
	rec, err := c.findOne(ctx, "Contacts", `ContactStatus=="ACTIVE" AND Name==`+quote(name)) // names are unique among the active ones only
	if err != nil || rec == nil {
		return "", false, err
	}
	email, theirs := rest.LookupString(contact, "EmailAddress"), rest.LookupString(rec, "EmailAddress")
	if email == "" || theirs == "" || strings.EqualFold(email, theirs) {
		return rest.LookupString(rec, "ContactID"), false, nil
	}
	return "", true, nil
}

// uniqueName is a contact's name when another has its name, or it has
// none: the name (or its company, or first and last name) with its e-mail
// address.
func uniqueName(name string, contact map[string]any) string {
	if name == "" {
		name = strings.TrimSpace(rest.LookupString(contact, "FirstName") + " " + rest.LookupString(contact, "LastName"))
	}
	email := rest.LookupString(contact, "EmailAddress")
	switch {
	case name == "":
		return email
	case email == "":
		return name
	}
	return name + " (" + email + ")"
}

// withName is a copy of a contact with another name.
func withName(contact map[string]any, name string) map[string]any {
	out := make(map[string]any, len(contact)+1)
	for k, v := range contact {
		out[k] = v
	}
	out["Name"] = name
	return out
}

// contactFields name the fields a contact is looked up by, in messages.
var contactFields = map[string]string{"EmailAddress": "e-mail address", "TaxNumber": "tax number", "AccountNumber": "account number",
	"ContactNumber": "contact number", "Name": "name"}

// contactBy returns the active contact whose field has the value; nil
// when none has. Archived contacts are asked for too (includeArchived):
// when only one of those, or one under a GDPR request, has the value, a
// permanent error names it and why, as an invoice is not made out to it
// and a second contact is not made beside it.
func (c *Conn) contactBy(ctx context.Context, field, value string) (map[string]any, error) {
	found, err := c.findWith(ctx, "Contacts", url.Values{"where": {field + "==" + quote(value)}, "includeArchived": {"true"}})
	if err != nil {
		return nil, err
	}
	var inactive map[string]any
	for _, rec := range found {
		switch rest.LookupString(rec, "ContactStatus") {
		case "", "ACTIVE":
			return rec, nil
		default:
			if inactive == nil {
				inactive = rec
			}
		}
	}
	if inactive == nil {
		return nil, nil
	}
	why := "is archived"
	if rest.LookupString(inactive, "ContactStatus") == "GDPRREQUEST" {
		why = "is under a GDPR request"
	}
	what := contactFields[field]
	return nil, connectors.Permanent(fmt.Errorf("Xero's contact %q, found by its %s %s, %s; no invoice is made out to it: "+
		"restore it in Xero, or give the customer another %s", rest.LookupString(inactive, "Name"), what, value, why, what))
}
