package tryton

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/erp"
	"github.com/switchboard-app/switchboard/connectors/rest"
	"github.com/switchboard-app/switchboard/connectors/rest/pace"
)

// Conn is one connection to a Tryton database.
type Conn struct {
	rpc     *rpc
	session *session
	company string

	// orders and customers are worked on one key at a time over every
	// worker and flow of the connection, so that two writes of one order
	// or one new party do not both create it.
	orders, customers *erp.Keys

	mu    sync.Mutex
	cache map[string]int64 // ids of reference data, by "model|field|value"
	ctx   map[string]any   // the model calls' context, once read
}

// New opens a connection: a JSON-RPC client on the database's address,
// paced, with the user's session.
func New(cfg connectors.Config, env connectors.Env) (connectors.Connector, error) {
	base := strings.TrimRight(cfg.String("base_url"), "/")
	db := cfg.String("database")
	httpClient := env.HTTPClient
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	loginClient, err := rest.New(rest.Options{BaseURL: base, HTTPClient: httpClient, Logger: env.Logger, Timeout: cfg.Duration("timeout")})
	if err != nil {
		return nil, fmt.Errorf("base_url: %w", err)
	}
	path := url.PathEscape(db) + "/"
	sess := sessionFor(env.Shared, &rpc{client: loginClient, path: path, database: db}, cfg.String("username"), cfg.Secret("password"))
	pacer := pace.For(env.Shared, pace.Settings{Rate: float64(cfg.Int("rate_limit")), InFlight: int(cfg.Int("max_in_flight"))})
	client, err := rest.New(rest.Options{BaseURL: base, HTTPClient: httpClient, Logger: env.Logger, Auth: sess, Pacer: pacer,
		Timeout: cfg.Duration("timeout")})
	if err != nil {
		return nil, fmt.Errorf("base_url: %w", err)
	}
	return &Conn{rpc: &rpc{client: client, path: path, database: db}, session: sess, company: strings.TrimSpace(cfg.String("company")),
		cache: map[string]int64{}, orders: erp.KeysFor(env.Shared, "orders"), customers: erp.KeysFor(env.Shared, "customers")}, nil
}

// Close does nothing: the session is the connection's, shared.
func (c *Conn) Close() error { return nil }

// context is the context of model calls: the user's, with the
// connection's company.
func (c *Conn) context(ctx context.Context) (map[string]any, error) {
	c.mu.Lock()
	cached := c.ctx
	c.mu.Unlock()
	if cached != nil {
		return copyMap(cached), nil
	}
	prefs, err := c.session.context(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for _, k := range []string{"company", "language", "company_filter"} {
		if v, ok := prefs[k]; ok {
			out[k] = v
		}
	}
	if c.company != "" {
		if out["company"], err = c.companyID(ctx, out); err != nil {
			return nil, err
		}
	}
	c.mu.Lock()
	c.ctx = out
	c.mu.Unlock()
	return copyMap(out), nil
}

// companyID finds the connection's company by name.
func (c *Conn) companyID(ctx context.Context, userCtx map[string]any) (int64, error) {
	res, err := c.rpc.call(ctx, "model.company.company.search", []any{[]any{"party.name", "=", c.company}}, 0, 1, nil, userCtx)
	if err != nil {
		return 0, fmt.Errorf("finding company %q: %w", c.company, err)
	}
	ids, _ := res.([]any)
	if len(ids) == 0 {
		return 0, connectors.Permanent(fmt.Errorf("Tryton has no company named %q; check the connection's company", c.company))
	}
	id, _ := toInt(ids[0])
	return id, nil
}

// model calls a model's method with the connection's context as its last
// parameter.
func (c *Conn) model(ctx context.Context, model, method string, params ...any) (any, error) {
	mctx, err := c.context(ctx)
	if err != nil {
		return nil, err
	}
	return c.rpc.call(ctx, "model."+model+"."+method, append(params, mctx)...)
}

// Test logs in and reads the user and company: "connected as Administrator
// to database shop (Switchboard Test BV)", or why not.
func (c *Conn) Test(ctx context.Context) (connectors.TestResult, error) {
	mctx, err := c.context(ctx)
	if err == nil {
		var res any
		if res, err = c.rpc.call(ctx, "model.res.user.get_preferences", false, mctx); err == nil {
			prefs, _ := res.(map[string]any)
			msg := fmt.Sprintf("connected as %s to database %s", text(prefs["name"]), c.rpc.database)
			if company := text(prefs["company.rec_name"]); company != "" {
				msg += " (" + company + ")"
			}
			return connectors.TestResult{OK: true, Message: msg}, nil
		}
	}
	return connectors.TestResult{Message: verdict(err), NeedsAttention: connectors.IsNeedsAttention(err)}, nil
}

// verdict words a failed test.
func verdict(err error) string {
	if e, ok := isRPCError(err); ok {
		return e.Message
	}
	var se *rest.StatusError
	if errors.As(err, &se) && se.Status == http.StatusNotFound {
		return "no Tryton answers at that address, or the database is not on it: " + se.Error()
	}
	msg, _ := rest.Verdict(err)
	return msg
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

var (
	_ connectors.Reader    = (*Conn)(nil)
	_ connectors.Writer    = (*Conn)(nil)
	_ connectors.KeyFinder = (*Conn)(nil)
)
