package tryton

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
)

// idOf finds the one record of a model that matches domain, remembered
// for the connection's life (reference data: countries, currencies,
// taxes, units); an error names what (such as "country NL") is missing.
func (c *Conn) idOf(ctx context.Context, model string, domain []any, what string) (int64, error) {
	key, _ := json.Marshal([]any{model, domain})
	c.mu.Lock()
	id, ok := c.cache[string(key)]
	c.mu.Unlock()
	if ok {
		return id, nil
	}
	id, found, err := c.search(ctx, model, domain)
	if err != nil {
		return 0, fmt.Errorf("finding %s: %w", what, err)
	}
	if !found {
		return 0, connectors.Permanent(fmt.Errorf("Tryton has no %s", what))
	}
	c.mu.Lock()
	c.cache[string(key)] = id
	c.mu.Unlock()
	return id, nil
}

// forget drops the remembered ids, after a failed write.
func (c *Conn) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cache = map[string]int64{}
}

// search finds the first record of a model that matches domain.
func (c *Conn) search(ctx context.Context, model string, domain []any) (int64, bool, error) {
	res, err := c.model(ctx, model, "search", domain, 0, 1, []any{[]any{"id", "ASC"}})
	if err != nil {
		return 0, false, err
	}
	ids := anyList(res)
	if len(ids) == 0 {
		return 0, false, nil
	}
	id, ok := toInt(ids[0])
	return id, ok, nil
}

// read reads one record's fields, related records undotted.
func (c *Conn) read(ctx context.Context, model string, id int64, fields ...string) (map[string]any, error) {
	res, err := c.model(ctx, model, "read", []any{id}, fields)
	if err != nil {
		return nil, err
	}
	recs := asList(res)
	if len(recs) == 0 {
		return nil, connectors.Permanent(fmt.Errorf("Tryton has no %s %d", model, id))
	}
	return undot(recs[0]).(map[string]any), nil
}

// create creates one record and returns its id.
func (c *Conn) create(ctx context.Context, model string, values map[string]any) (int64, error) {
	res, err := c.model(ctx, model, "create", []any{values})
	if err != nil {
		return 0, err
	}
	ids := anyList(res)
	if len(ids) != 1 {
		return 0, connectors.Permanent(fmt.Errorf("creating a %s: Tryton answered %v", model, res))
	}
	id, _ := toInt(ids[0])
	return id, nil
}

// write changes one record.
func (c *Conn) write(ctx context.Context, model string, id int64, values map[string]any) error {
	_, err := c.model(ctx, model, "write", []any{id}, values)
	return err
}

// like is an ilike pattern that matches the text itself, whatever its
// case.
func like(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

// countryID finds a country by its ISO code.
func (c *Conn) countryID(ctx context.Context, code string) (int64, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	id, err := c.idOf(ctx, "country.country", []any{[]any{"code", "=", code}}, "country "+code)
	if err != nil {
		return 0, fmt.Errorf("%w; add it under Party > Configuration > Countries", err)
	}
	return id, nil
}
