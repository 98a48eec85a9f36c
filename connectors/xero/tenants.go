package xero

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
)

// tenant is a Xero organisation the app is connected to.
type tenant struct {
	id, name string
}

func (t tenant) label() string {
	if t.name == "" {
		return t.id
	}
	return fmt.Sprintf("%s (%s)", t.name, t.id)
}

// tenantChoice finds the organisation the connection works in: the one
// its tenant_id names (by id or by name), or the only one connected. It is
// shared by every open instance of the connection, and found again after
// a Connect.
type tenantChoice struct {
	setting string
	client  *rest.Client
	mu      sync.Mutex
	found   *tenant
}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// tenantsFor returns the connection's choice for its setting.
func tenantsFor(shared *connectors.Shared, setting string, client *rest.Client) *tenantChoice {
	setting = strings.TrimSpace(setting)
	t := shared.Load("xero/tenant/"+setting, func() any { return &tenantChoice{setting: setting} }).(*tenantChoice)
	t.mu.Lock()
	t.client = client
	t.mu.Unlock()
	return t
}

// forget makes the next use find the organisation again.
func (tc *tenantChoice) forget() {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	tc.found = nil
}

// get returns the organisation, asking Xero which are connected when the
// setting is not an id.
func (tc *tenantChoice) get(ctx context.Context) (tenant, error) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.found != nil {
		return *tc.found, nil
	}
	if uuidPattern.MatchString(tc.setting) {
		tc.found = &tenant{id: strings.ToLower(tc.setting)}
		return *tc.found, nil
	}
	connected, err := tc.connected(ctx)
	if err != nil {
		return tenant{}, err
	}
	t, err := tc.pick(connected)
	if err != nil {
		return tenant{}, err
	}
	tc.found = &t
	return t, nil
}

// pick chooses among the organisations connected.
func (tc *tenantChoice) pick(connected []tenant) (tenant, error) {
	if tc.setting == "" {
		switch len(connected) {
		case 0:
			return tenant{}, connectors.Permanent(fmt.Errorf("%w: no Xero organisation is connected to this app; press Connect and pick one",
				connectors.ErrReconnectNeeded))
		case 1:
			return connected[0], nil
		}
		return tenant{}, connectors.Permanent(fmt.Errorf("%d Xero organisations are connected: %s; set the connection's organisation (%s) to one of them",
			len(connected), labels(connected), fieldTenant))
	}
	for _, t := range connected {
		if strings.EqualFold(t.name, tc.setting) {
			return t, nil
		}
	}
	return tenant{}, connectors.Permanent(fmt.Errorf("the Xero organisation %q is not connected to this app; the connected ones are %s; "+
		"press Connect and pick it, or set the organisation (%s) to one of them", tc.setting, labels(connected), fieldTenant))
}

func labels(ts []tenant) string {
	if len(ts) == 0 {
		return "none"
	}
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.label()
	}
	return strings.Join(out, ", ")
}

// connected lists the organisations the app may work in
// (GET /connections, beside the Accounting API).
func (tc *tenantChoice) connected(ctx context.Context) ([]tenant, error) {
	base := tc.client.BaseURL()
	base.Path = strings.TrimSuffix(strings.TrimRight(base.Path, "/"), apiSuffix) + "/connections"
	var list []map[string]any
	if _, err := tc.client.DoJSON(ctx, rest.Request{Path: base.String()}, &list); err != nil {
		return nil, fmt.Errorf("asking Xero which organisations are connected: %w", err)
	}
	var out []tenant
	for _, c := range list {
		if t := rest.LookupString(c, "tenantType"); t != "" && t != "ORGANISATION" {
			continue // a practice or a Xero HQ tenant: no Accounting API
		}
		out = append(out, tenant{id: rest.LookupString(c, "tenantId"), name: rest.LookupString(c, "tenantName")})
	}
	return out, nil
}
