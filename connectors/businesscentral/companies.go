package businesscentral

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
)

// company is a Business Central company of the environment.
type company struct {
	id, name string
	// currency is the company's local currency, which documents leave
	// blank; "" until asked for.
	currency string
}

// companyChoice finds the company the connection works in: the one its
// setting names (by name or id), or the only one; shared by every open
// instance of the connection.
type companyChoice struct {
	setting string
	client  *rest.Client
	mu      sync.Mutex
	found   *company
}

func companiesFor(shared *connectors.Shared, setting string, client *rest.Client) *companyChoice {
	setting = strings.TrimSpace(setting)
	cc := shared.Load("business-central/company/"+setting, func() any { return &companyChoice{setting: setting} }).(*companyChoice)
	cc.mu.Lock()
	cc.client = client
	cc.mu.Unlock()
	return cc
}

// get returns the company, asking Business Central for its companies the
// first time.
func (cc *companyChoice) get(ctx context.Context) (company, error) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.found != nil {
		return *cc.found, nil
	}
	var body struct {
		Value []map[string]any `json:"value"`
	}
	if _, err := cc.client.DoJSON(ctx, rest.Request{Path: "companies"}, &body); err != nil {
		return company{}, fmt.Errorf("asking Business Central for its companies: %w", err)
	}
	var all []company
	for _, v := range body.Value {
		all = append(all, company{id: rest.LookupString(v, "id"), name: coalesce(rest.LookupString(v, "displayName"), rest.LookupString(v, "name"))})
	}
	co, err := cc.pick(all)
	if err != nil {
		return company{}, err
	}
	if co.currency, err = cc.localCurrency(ctx, co.id); err != nil {
		return company{}, err
	}
	cc.found = &co
	return co, nil
}

// pick chooses among the environment's companies.
func (cc *companyChoice) pick(all []company) (company, error) {
	for _, co := range all {
		if cc.setting != "" && (strings.EqualFold(co.name, cc.setting) || strings.EqualFold(co.id, cc.setting)) {
			return co, nil
		}
	}
	switch {
	case cc.setting != "":
		return company{}, connectors.Permanent(fmt.Errorf("Business Central has no company %q; its companies are %s; set the connection's company (%s) to one of them",
			cc.setting, names(all), fieldCompany))
	case len(all) == 1:
		return all[0], nil
	case len(all) == 0:
		return company{}, connectors.Permanent(fmt.Errorf("the Business Central environment has no company the app may see"))
	}
	return company{}, connectors.Permanent(fmt.Errorf("the environment has %d companies: %s; set the connection's company (%s) to one of them",
		len(all), names(all), fieldCompany))
}

// localCurrency is the company's own currency (companyInformation).
func (cc *companyChoice) localCurrency(ctx context.Context, id string) (string, error) {
	var body struct {
		Value []map[string]any `json:"value"`
	}
	if _, err := cc.client.DoJSON(ctx, rest.Request{Path: "companies(" + id + ")/companyInformation"}, &body); err != nil {
		return "", fmt.Errorf("reading the company's information: %w", err)
	}
	if len(body.Value) == 0 {
		return "", nil
	}
	return rest.LookupString(body.Value[0], "currencyCode"), nil
}

func names(all []company) string {
	if len(all) == 0 {
		return "none"
	}
	out := make([]string, len(all))
	for i, co := range all {
		out[i] = fmt.Sprintf("%s (%s)", co.name, co.id)
	}
	return strings.Join(out, ", ")
}

// coalesce is the first text that is not empty.
func coalesce(texts ...string) string {
	for _, t := range texts {
		if strings.TrimSpace(t) != "" {
			return t
		}
	}
	return ""
}
