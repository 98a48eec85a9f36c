package tryton

import (
	"context"
	"fmt"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
)

// party is a party as the write mapping makes it: name, code, e-mail
// address, phone, VAT number, language and addresses (country by ISO
// code).
type party map[string]any

func (p party) email() string { return text(p["email"]) }
func (p party) vat() string   { return text(p["tax_identifier"]) }
func (p party) code() string  { return text(p["code"]) }

// who names the party in messages.
func (p party) who(order string) string {
	return firstOf(p.email(), text(p["name"]), "of order "+order)
}

// partyID finds an active party by e-mail address, VAT number or code,
// whichever is given, in that order; 0 when none has them. Inactive
// parties are looked at too: when only one of those has them, a
// permanent error names it, as an order is not booked on it and a second
// party is not made beside it.
func (c *Conn) partyID(ctx context.Context, email, vat, code string) (int64, error) {
	var keys []partyKey
	if email != "" {
		keys = append(keys, partyKey{[]any{"contact_mechanisms", "where", []any{[]any{"type", "=", "email"}, []any{"value", "ilike", like(email)}}},
			"e-mail address", email})
	}
	if vat != "" {
		keys = append(keys, partyKey{[]any{"identifiers.code", "=", vat}, "VAT number", vat})
	}
	if code != "" {
		keys = append(keys, partyKey{[]any{"code", "=", code}, "code", code})
	}
	var inactive error
	for _, k := range keys {
		// a domain that names active is searched without Tryton's test of it
		res, err := c.model(ctx, "party.party", "search_read", []any{k.clause, []any{"active", "in", []any{true, false}}},
			0, 10, []any{[]any{"active", "DESC"}, []any{"id", "ASC"}}, []any{"active", "name", "code"})
		if err != nil {
			return 0, fmt.Errorf("finding the party: %w", err)
		}
		for _, p := range asList(res) {
			if isTrue(p["active"]) {
				id, _ := toInt(p["id"])
				return id, nil
			}
			if inactive == nil {
				inactive = connectors.Permanent(fmt.Errorf("Tryton's party %q (code %s), found by its %s %s, is inactive; orders are not booked on it: "+
					"make it active in Tryton, or give the customer another %s", text(p["name"]), text(p["code"]), k.field, k.value, k.field))
			}
		}
	}
	return 0, inactive
}

// isTrue reads a boolean as Tryton answers it: true, or 1 from SQLite.
func isTrue(v any) bool {
	switch t := text(v); {
	case v == true, t == "1", strings.EqualFold(t, "true"):
		return true
	}
	return false
}

// partyKey is one way of finding a party: its domain clause, and the
// field and value it finds by, for messages.
type partyKey struct {
	clause       []any
	field, value string
}

// createParty makes a party with its contact mechanisms, VAT number and
// addresses.
func (c *Conn) createParty(ctx context.Context, p party) (int64, error) {
	values := map[string]any{"name": firstOf(text(p["name"]), p.email(), p.vat(), p.code())}
	if p.code() != "" {
		values["code"] = p.code()
	}
	if err := c.partyLanguage(ctx, p, values); err != nil {
		return 0, err
	}
	if mechanisms := contacts(p); len(mechanisms) > 0 {
		values["contact_mechanisms"] = []any{[]any{"create", mechanisms}}
	}
	if vat := p.vat(); vat != "" {
		values["identifiers"] = []any{[]any{"create", []any{identifier(vat)}}}
	}
	var addresses []any
	for _, a := range anyList(p["addresses"]) {
		values, err := c.address(ctx, a)
		if err != nil {
			return 0, err
		}
		addresses = append(addresses, values)
	}
	if len(addresses) > 0 {
		values["addresses"] = []any{[]any{"create", addresses}}
	}
	return c.create(ctx, "party.party", values)
}

// updateParty changes a party's name and language, and adds the contact
// mechanisms, VAT number and addresses it lacks; nothing is removed.
func (c *Conn) updateParty(ctx context.Context, id int64, p party) error {
	values := map[string]any{}
	if name := text(p["name"]); name != "" {
		values["name"] = name
	}
	if err := c.partyLanguage(ctx, p, values); err != nil {
		return err
	}
	have, err := c.read(ctx, "party.party", id, "contact_mechanisms.type", "contact_mechanisms.value", "identifiers.code")
	if err != nil {
		return err
	}
	var add []any
	for _, m := range contacts(p) {
		if !hasContact(have, m) {
			add = append(add, m)
		}
	}
	if len(add) > 0 {
		values["contact_mechanisms"] = []any{[]any{"create", add}}
	}
	if vat := p.vat(); vat != "" && !hasIdentifier(have, vat) {
		values["identifiers"] = []any{[]any{"create", []any{identifier(vat)}}}
	}
	if err := c.write(ctx, "party.party", id, values); err != nil {
		return err
	}
	for _, a := range anyList(p["addresses"]) {
		if _, err := c.addressOf(ctx, id, a); err != nil {
			return err
		}
	}
	return nil
}

// partyLanguage sets a party's language from its code (nl, en_US).
func (c *Conn) partyLanguage(ctx context.Context, p party, values map[string]any) error {
	lang := text(p["lang"])
	if lang == "" {
		return nil
	}
	id, found, err := c.search(ctx, "ir.lang", []any{[]any{"code", "ilike", like(lang) + "%"}})
	if err != nil {
		return fmt.Errorf("finding language %s: %w", lang, err)
	}
	if found {
		values["lang"] = id
	}
	return nil
}

func contacts(p party) []any {
	var out []any
	for _, kind := range []string{"email", "phone"} {
		if v := text(p[kind]); v != "" {
			out = append(out, map[string]any{"type": kind, "value": v})
		}
	}
	return out
}

func hasContact(have map[string]any, m any) bool {
	want := m.(map[string]any)
	for _, e := range anyList(have["contact_mechanisms"]) {
		cm, _ := e.(map[string]any)
		if cm["type"] == want["type"] && strings.EqualFold(text(cm["value"]), text(want["value"])) {
			return true
		}
	}
	return false
}

func hasIdentifier(have map[string]any, code string) bool {
	for _, e := range anyList(have["identifiers"]) {
		if id, _ := e.(map[string]any); strings.EqualFold(text(id["code"]), code) {
			return true
		}
	}
	return false
}

// identifier is a VAT number as a party identifier: an EU VAT number
// (which Tryton checks) when it starts with a country code.
func identifier(vat string) map[string]any {
	vat = strings.ToUpper(strings.ReplaceAll(vat, " ", ""))
	id := map[string]any{"code": vat}
	if len(vat) > 2 && vat[0] >= 'A' && vat[0] <= 'Z' && vat[1] >= 'A' && vat[1] <= 'Z' {
		id["type"] = "eu_vat"
	}
	return id
}

// address makes the values of an address: its country by ISO code.
func (c *Conn) address(ctx context.Context, a any) (map[string]any, error) {
	in, ok := a.(map[string]any)
	if !ok {
		return nil, connectors.Permanent(fmt.Errorf("an address is not an object: %v", a))
	}
	out := map[string]any{}
	for _, f := range []string{"name", "street", "postal_code", "city"} {
		if v := text(in[f]); v != "" {
			out[f] = v
		}
	}
	if code := text(in["country"]); code != "" {
		id, err := c.countryID(ctx, code)
		if err != nil {
			return nil, err
		}
		out["country"] = id
	}
	return out, nil
}

// addressOf finds the party's address equal to a (street, postal code,
// city and country), or adds it; 0 for an empty address.
func (c *Conn) addressOf(ctx context.Context, partyID int64, a any) (int64, error) {
	values, err := c.address(ctx, a)
	if err != nil || len(values) == 0 {
		return 0, err
	}
	domain := []any{[]any{"party", "=", partyID}}
	for _, f := range []string{"street", "postal_code", "city", "country"} {
		v, ok := values[f]
		if !ok {
			v = nil
		}
		domain = append(domain, []any{f, "=", v})
	}
	id, found, err := c.search(ctx, "party.address", domain)
	if err != nil || found {
		return id, err
	}
	values["party"] = partyID
	return c.create(ctx, "party.address", values)
}
