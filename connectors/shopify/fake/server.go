// Package fake is a stateful Shopify for tests: it answers the Admin
// GraphQL API (2025-01) at /admin/api/2025-01/graphql.json, validating
// every operation and its variables against Shopify's published schema
// first (an operation Shopify would refuse is refused, and noted), then
// answering from what it holds: orders, customers, products with variants,
// locations and inventory levels, with productSet, productUpdate,
// inventorySetQuantities, fulfillmentCreate, fulfillmentTrackingInfoUpdate
// and webhook subscriptions changing them. Lists page as Relay
// connections; searches take Shopify's query syntax for the fields the
// fake knows. Each query costs what Shopify's calculation says, from a
// leaky bucket that restores at a rate, and a query that finds the bucket
// short is refused as THROTTLED, with extensions.cost as Shopify sends it.
// It also plays Shopify's OAuth (authorize and access_token).
package fake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator"
)

// Path is where the fake answers GraphQL.
const Path = "/admin/api/2025-01/graphql.json"

// Options configure the fake.
type Options struct {
	// ShopName and Domain are what shop answers (defaults: "Demo Shop",
	// demo.myshopify.com).
	ShopName, Domain string
	// MaximumAvailable and RestoreRate are the cost bucket's size and its
	// points per second (defaults: 2,000 and 100, Shopify's standard).
	MaximumAvailable, RestoreRate float64
	// ClientID and ClientSecret are the app's, for OAuth.
	ClientID, ClientSecret string
	// StuckCursors answers every page after the first with the cursor it
	// was asked with as its endCursor, as a faulty shop would: a reader
	// that follows it reads the same page for ever.
	StuckCursors bool
}

// Server is the fake Shopify; use New.
type Server struct {
	schema  *ast.Schema
	opts    Options
	mu      sync.Mutex
	store   *store
	tokens  map[string]bool
	codes   map[string]bool
	bucket  float64
	filled  time.Time
	refused []string
	calls   int
	throttl int
	cache   struct {
		key  string
		page any
	}
}

// New returns a fake that validates against schema.
func New(schema *ast.Schema, opts Options) *Server {
	if opts.ShopName == "" {
		opts.ShopName = "Demo Shop"
	}
	if opts.Domain == "" {
		opts.Domain = "demo.myshopify.com"
	}
	if opts.MaximumAvailable <= 0 {
		opts.MaximumAvailable = 2000
	}
	if opts.RestoreRate <= 0 {
		opts.RestoreRate = 100
	}
	return &Server{schema: schema, opts: opts, store: newStore(), tokens: map[string]bool{}, codes: map[string]bool{},
		bucket: opts.MaximumAvailable, filled: time.Now()}
}

// AddToken makes the fake accept an access token.
func (s *Server) AddToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[token] = true
}

// Refused returns what the fake refused as invalid against the schema:
// the operation's name and the errors.
func (s *Server) Refused() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.refused...)
}

// Drain empties the cost bucket, as other apps of the shop would.
func (s *Server) Drain() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bucket, s.filled = 0, time.Now()
}

// Calls counts the GraphQL calls answered, and those refused as THROTTLED.
func (s *Server) Calls() (calls, throttled int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls, s.throttl
}

// ServeHTTP answers GraphQL and OAuth.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/admin/oauth/authorize":
		s.authorize(w, r)
	case "/admin/oauth/access_token":
		s.accessToken(w, r)
	case Path:
		s.graphql(w, r)
	default:
		writeJSON(w, http.StatusNotFound, map[string]any{"errors": "Not Found"})
	}
}

type request struct {
	Query         string         `json:"query"`
	Variables     map[string]any `json:"variables"`
	OperationName string         `json:"operationName"`
}

func (s *Server) graphql(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"errors": "Method Not Allowed"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.tokens[r.Header.Get("X-Shopify-Access-Token")] {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"})
		return
	}
	body, _ := io.ReadAll(r.Body)
	var req request
	if err := json.Unmarshal(body, &req); err != nil || req.Query == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": map[string]any{"query": "Required parameter missing or invalid"}})
		return
	}
	s.calls++
	status, answer := s.answer(req)
	writeJSON(w, status, answer)
}

// answer validates, costs and executes one request.
func (s *Server) answer(req request) (int, map[string]any) {
	doc, errs := gqlparser.LoadQuery(s.schema, req.Query)
	if len(errs) > 0 {
		return s.refuse(req, errs.Error(), "GRAPHQL_VALIDATION_FAILED")
	}
	op := doc.Operations.ForName(req.OperationName)
	if op == nil {
		return s.refuse(req, "no operation named "+req.OperationName, "GRAPHQL_VALIDATION_FAILED")
	}
	vars, err := validator.VariableValues(s.schema, op, req.Variables)
	if err == nil {
		err = decimalScalars(s.schema, op, vars)
	}
	if err != nil {
		return s.refuse(req, err.Error(), "INVALID_VARIABLE")
	}
	cost := Cost(s.schema, op, vars)
	if cost > MaxQueryCost {
		return http.StatusOK, map[string]any{"errors": []any{map[string]any{"message": fmt.Sprintf(
			"Query cost is %d, which exceeds the single query max cost limit (%d).", cost, MaxQueryCost),
			"extensions": map[string]any{"code": "MAX_COST_EXCEEDED", "cost": cost, "maxCost": MaxQueryCost}}}}
	}
	if !s.spend(float64(cost)) {
		s.throttl++
		return http.StatusOK, map[string]any{"errors": []any{map[string]any{"message": "Throttled",
			"extensions": map[string]any{"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}},
			"extensions": s.costExtension(cost, nil)}
	}
	data, err := s.execute(op, vars)
	if err != nil {
		return http.StatusOK, map[string]any{"errors": []any{map[string]any{"message": err.Error()}}, "extensions": s.costExtension(cost, cost)}
	}
	return http.StatusOK, map[string]any{"data": data, "extensions": s.costExtension(cost, cost)}
}

// refuse answers an operation Shopify would refuse, and notes it.
func (s *Server) refuse(req request, message, code string) (int, map[string]any) {
	name := req.OperationName
	if name == "" {
		name = strings.SplitN(strings.TrimSpace(req.Query), "\n", 2)[0]
	}
	s.refused = append(s.refused, name+": "+message)
	return http.StatusOK, map[string]any{"errors": []any{map[string]any{"message": message, "extensions": map[string]any{"code": code}}}}
}

// spend takes cost points from the bucket, restored since it was last
// filled; false when there are not enough.
func (s *Server) spend(cost float64) bool {
	now := time.Now()
	s.bucket = min(s.opts.MaximumAvailable, s.bucket+now.Sub(s.filled).Seconds()*s.opts.RestoreRate)
	s.filled = now
	if s.bucket < cost {
		return false
	}
	s.bucket -= cost
	return true
}

func (s *Server) costExtension(requested int, actual any) map[string]any {
	return map[string]any{"cost": map[string]any{"requestedQueryCost": requested, "actualQueryCost": actual,
		"throttleStatus": map[string]any{"maximumAvailable": s.opts.MaximumAvailable, "currentlyAvailable": int(s.bucket),
			"restoreRate": s.opts.RestoreRate}}}
}

// execute resolves the operation's root fields and shapes their data.
func (s *Server) execute(op *ast.OperationDefinition, vars map[string]any) (map[string]any, error) {
	e := &exec{schema: s.schema, vars: vars, hooks: s.store.hooks(), stuck: s.opts.StuckCursors}
	root := s.schema.Query
	resolve := s.query
	if op.Operation == ast.Mutation {
		root, resolve = s.schema.Mutation, s.mutation
	}
	out := map[string]any{}
	for _, f := range e.fields(op.SelectionSet, root.Name) {
		key := f.Alias
		if key == "" {
			key = f.Name
		}
		if f.Name == "__typename" {
			out[key] = root.Name
			continue
		}
		raw, err := resolve(f.Name, f.ArgumentMap(vars))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		v, err := e.value(raw, f.Definition.Type, f, f.ArgumentMap(vars))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		out[key] = v
	}
	return out, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
