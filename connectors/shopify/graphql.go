package shopify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
	"github.com/switchboard-app/switchboard/connectors/rest/pace"
)

// graphQLPath is the Admin API's GraphQL endpoint, relative to the base
// URL https://<shop>/admin/api/2025-01/.
const graphQLPath = "graphql.json"

// gql sends operations to the Admin API and keeps the connection's calls
// within Shopify's cost budget: after every answer it reads
// extensions.cost, and when the bucket holds less than the query just
// made would cost again, it pauses the connection's pacer (every flow and
// worker of the connection) until the bucket has restored enough. A query
// refused as THROTTLED pauses the same way and comes back rate-limited,
// so that the engine waits and asks again.
type gql struct {
	client *rest.Client
	pacer  *pace.Pacer
	now    func() time.Time
}

// answer is a GraphQL answer.
type answer struct {
	Data       json.RawMessage `json:"data"`
	Errors     []gqlError      `json:"errors"`
	Extensions struct {
		Cost *cost `json:"cost"`
	} `json:"extensions"`
}

type gqlError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code string `json:"code"`
	} `json:"extensions"`
}

// cost is Shopify's extensions.cost.
type cost struct {
	RequestedQueryCost float64 `json:"requestedQueryCost"`
	ThrottleStatus     struct {
		MaximumAvailable   float64 `json:"maximumAvailable"`
		CurrentlyAvailable float64 `json:"currentlyAvailable"`
		RestoreRate        float64 `json:"restoreRate"`
	} `json:"throttleStatus"`
}

// wait is how long the bucket takes to hold need points again.
func (c *cost) wait(need float64) time.Duration {
	st := c.ThrottleStatus
	short := min(need, st.MaximumAvailable) - st.CurrentlyAvailable
	if short <= 0 || st.RestoreRate <= 0 {
		return 0
	}
	return time.Duration(math.Ceil(short/st.RestoreRate*1000)) * time.Millisecond
}

// do sends an operation and decodes its data into out.
func (g *gql) do(ctx context.Context, op operation, vars map[string]any, out any) error {
	body := map[string]any{"query": op.doc, "operationName": op.name}
	if len(vars) > 0 {
		body["variables"] = vars
	}
	var ans answer
	if _, err := g.client.DoJSON(ctx, rest.Request{Method: http.MethodPost, Path: graphQLPath, JSON: body}, &ans); err != nil {
		return fmt.Errorf("%s: %w", op.name, err)
	}
	g.pace(ans.Extensions.Cost)
	if err := g.errors(op, ans); err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := rest.DecodeJSON(ans.Data, out); err != nil {
		return connectors.Permanent(fmt.Errorf("%s: %w", op.name, err))
	}
	return nil
}

// pace pauses the connection when the bucket could not pay for the same
// query again.
func (g *gql) pace(c *cost) {
	if c == nil || g.pacer == nil {
		return
	}
	if wait := c.wait(c.RequestedQueryCost); wait > 0 {
		g.pacer.Pause(g.now().Add(wait))
	}
}

// errors turns the answer's errors into one classified error: THROTTLED
// is a rate limit, INTERNAL_SERVER_ERROR (Shopify's own trouble, answered
// with 200) transient, anything else permanent (a query Shopify refuses
// will be refused again).
func (g *gql) errors(op operation, ans answer) error {
	if len(ans.Errors) == 0 {
		return nil
	}
	var msgs []string
	internal := false
	for _, e := range ans.Errors {
		internal = internal || e.Extensions.Code == "INTERNAL_SERVER_ERROR"
		if e.Extensions.Code == "THROTTLED" {
			wait := time.Second
			if ans.Extensions.Cost != nil {
				wait = max(ans.Extensions.Cost.wait(ans.Extensions.Cost.RequestedQueryCost), 100*time.Millisecond)
			}
			if g.pacer != nil {
				g.pacer.Pause(g.now().Add(wait))
			}
			return connectors.RateLimited(fmt.Errorf("%s: Shopify's query cost budget is spent (throttled)", op.name), wait)
		}
		msgs = append(msgs, e.Message)
	}
	if internal {
		return connectors.Transient(fmt.Errorf("%s: Shopify failed on its side: %s", op.name, strings.Join(msgs, "; ")))
	}
	return connectors.Permanent(fmt.Errorf("%s: Shopify refused the query: %s", op.name, strings.Join(msgs, "; ")))
}

// userErrors is a mutation's refusal of its input.
type userErrors []struct {
	Field   []string `json:"field"`
	Message string   `json:"message"`
	Code    string   `json:"code"`
}

// err words the refusals for a person, naming the record and the fields:
// "ProductSet SKU-1: variants.0.price: Price must be positive".
func (u userErrors) err(what string) error {
	if len(u) == 0 {
		return nil
	}
	parts := make([]string, len(u))
	for i, e := range u {
		field := strings.Join(trimInput(e.Field), ".")
		if field != "" {
			parts[i] = field + ": " + e.Message
		} else {
			parts[i] = e.Message
		}
	}
	return connectors.Permanent(errors.New(what + ": Shopify refused it: " + strings.Join(parts, "; ")))
}

// trimInput drops the argument name Shopify puts first in a field path.
func trimInput(path []string) []string {
	if len(path) > 1 {
		switch path[0] {
		case "input", "product", "fulfillment", "webhookSubscription":
			return path[1:]
		}
	}
	return path
}
