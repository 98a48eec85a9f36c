// Package httpjson is the generic HTTP/JSON connector, registered as
// "http": it reads and writes JSON records over a simple REST convention and
// takes HMAC-signed webhooks, for in-house systems and apps without a
// connector of their own.
//
// Reading: GET {base_url}/{collection}?cursor=C&limit=N answers
// {"records": [...], "next_cursor": "..."}, next_cursor being the position
// after the page; a short page, an empty next_cursor or no records end the
// run. Each record needs an "id".
//
// Writing: POST {base_url}/{collection} creates, PUT
// {base_url}/{collection}/{id} updates; both send the Idempotency-Key
// header, and the answer is the record, whose "id" is kept.
//
// Webhooks: the body is JSON, {"entity": ..., "records": [...]} or one
// record, signed under the flow's webhook secret as the connection's
// webhook_signature says:
//   - hmac-sha256 (the default): the hex HMAC-SHA256 of the body in
//     X-Signature-Sha256; X-Delivery-Id identifies a delivery.
//   - timestamped: X-Signature carries "t=<unix seconds>,v1=<hex>", the
//     HMAC-SHA256 of the timestamp, a dot and the body (Stripe's layout).
//   - standard-webhooks: Webhook-Id, Webhook-Timestamp and
//     Webhook-Signature as Standard Webhooks specify.
//
// The timestamped schemes refuse a call signed more than five minutes
// before or after it arrives.
package httpjson

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
	"github.com/switchboard-app/switchboard/connectors/rest/auth"
	"github.com/switchboard-app/switchboard/connectors/rest/hooks"
	"github.com/switchboard-app/switchboard/connectors/rest/pace"
)

// Header names.
const (
	SignatureHeader            = "X-Signature-Sha256"
	TimestampedSignatureHeader = "X-Signature"
	DeliveryHeader             = "X-Delivery-Id"
	IdempotencyHeader          = "Idempotency-Key"
)

// Webhook signature schemes, the values of the webhook_signature field.
const (
	SchemeHMACSHA256       = "hmac-sha256"
	SchemeTimestamped      = "timestamped"
	SchemeStandardWebhooks = "standard-webhooks"
)

// Spec is the connector's spec.
var Spec = connectors.Spec{
	Name:        "http",
	Title:       "HTTP / JSON",
	Category:    connectors.CategoryGeneric,
	Description: "Any system that speaks JSON over HTTP with a simple REST convention.",
	Auth:        specAuth,
	Fields: withAuthFields([]connectors.Field{
		{Name: "base_url", Title: "Base URL", Type: connectors.TypeURL, Required: true,
			Help: "The API's address; collections are paths below it.", Example: "https://erp.example.com/api"},
		{Name: "auth", Title: "Authentication", Type: connectors.TypeSelect, Default: "none", Options: authOptions,
			Help: "How requests prove who they are: none, basic, bearer, header (the token in the header below), " +
				"or one of the REST kit's kinds (api_key, custom_login, hmac, oauth2_client_credentials, oauth2)."},
		{Name: "username", Title: "User name", Type: connectors.TypeString, Help: "For basic authentication."},
		{Name: "password", Title: "Password", Type: connectors.TypeString, Secret: true, Help: "For basic authentication."},
		{Name: "token", Title: "Token or API key", Type: connectors.TypeString, Secret: true,
			Help: "Sent as a bearer token, or in the header below."},
		{Name: "header", Title: "API key header", Type: connectors.TypeString, Default: "X-Api-Key",
			Help: "The header that carries the API key when authentication is header.", Advanced: true},
		{Name: "rate_limit", Title: "Calls per second", Type: connectors.TypeInt, Default: 0, Advanced: true,
			Help: "The most calls per second Switchboard makes to the system, over every flow; 0 sets no limit of its own " +
				"(the system's rate-limit headers and 429 answers are obeyed in any case)."},
		{Name: "max_in_flight", Title: "Calls at once", Type: connectors.TypeInt, Default: pace.DefaultInFlight, Advanced: true,
			Help: "The most calls waiting for an answer at once, over every flow."},
		{Name: "health_path", Title: "Health path", Type: connectors.TypeString, Default: "",
			Help: "A path that answers 2xx when the API is up, for testing the connection.", Advanced: true},
		{Name: "webhook_signature", Title: "Webhook signature", Type: connectors.TypeSelect, Default: SchemeHMACSHA256,
			Options: []string{SchemeHMACSHA256, SchemeTimestamped, SchemeStandardWebhooks}, Advanced: true,
			Help: "How the system signs its webhook calls: hmac-sha256 of the body in X-Signature-Sha256; " +
				"timestamped, t=<unix seconds>,v1=<hex HMAC-SHA256 of t.body> in X-Signature; or standard-webhooks. " +
				"The timestamped schemes refuse calls signed more than 5 minutes away."},
		{Name: "webhook_register_path", Title: "Webhook registration path", Type: connectors.TypeString, Advanced: true,
			Help: "Where Switchboard posts a flow's webhook address when the flow is enabled, if the system registers webhooks by API; empty: a person registers them."},
		{Name: "webhook_register_body", Title: "Webhook registration body", Type: connectors.TypeText, Advanced: true,
			Default: `{"url": "{url}", "secret": "{secret}", "entity": "{entity}"}`,
			Help:    "The JSON posted; {url}, {secret} and {entity} are replaced."},
		{Name: "webhook_id_path", Title: "Webhook id path", Type: connectors.TypeString, Advanced: true, Default: "id",
			Help: "Where the registration's answer holds its id."},
		{Name: "webhook_remove_path", Title: "Webhook removal path", Type: connectors.TypeString, Advanced: true, Default: "webhooks/{id}",
			Help: "Where a registration is deleted when the flow is disabled; {id} is replaced."},
	}),
	Validate: validate,
	Reads:    connectors.Entities(),
	Writes:   connectors.Entities(),
	Webhooks: true,
}

func init() { connectors.Register(Spec, New) }

// Conn is one connection.
type Conn struct {
	base   *url.URL
	cfg    connectors.Config
	client *rest.Client
	oauth  *auth.AuthCode // set when the connection connects with OAuth2
	hooks  hooks.Registrar
}

// New builds a connection.
func New(cfg connectors.Config, env connectors.Env) (connectors.Connector, error) {
	httpClient, err := auth.HTTPClient(cfg, env.HTTPClient)
	if err != nil {
		return nil, err
	}
	pacer := pace.For(env.Shared, pace.Settings{Rate: float64(cfg.Int("rate_limit")), InFlight: int(cfg.Int("max_in_flight"))})
	authorizer, err := newAuthorizer(cfg, env, auth.Deps{BaseURL: cfg.String("base_url"), HTTPClient: httpClient, Pacer: pacer, Logger: env.Logger})
	if err != nil {
		return nil, err
	}
	client, err := rest.New(rest.Options{
		BaseURL:           cfg.String("base_url"),
		HTTPClient:        httpClient,
		Logger:            env.Logger,
		Auth:              authorizer,
		Pacer:             pacer,
		IdempotencyHeader: IdempotencyHeader,
	})
	if err != nil {
		return nil, fmt.Errorf("base_url: %w", err)
	}
	c := &Conn{base: client.BaseURL(), cfg: cfg, client: client, hooks: hooks.Registrar{Client: client,
		Path: cfg.String("webhook_register_path"), Body: cfg.String("webhook_register_body"),
		IDPath: cfg.String("webhook_id_path"), RemovePath: cfg.String("webhook_remove_path")}}
	c.oauth, _ = authorizer.(*auth.AuthCode)
	return c, nil
}

// Test asks the health path (or the base URL) for a 2xx answer.
func (c *Conn) Test(ctx context.Context) (connectors.TestResult, error) {
	res, err := c.client.Do(ctx, rest.Request{Path: c.cfg.String("health_path")})
	if err != nil {
		return connectors.TestResult{OK: false, Message: err.Error()}, nil
	}
	return connectors.TestResult{OK: true, Message: fmt.Sprintf("%s answered %s", c.base.Host, connectors.StatusText(res.Status))}, nil
}

// Close does nothing: the HTTP client is the engine's.
func (c *Conn) Close() error { return nil }

// collection is the path of an entity's records: products, orders, stock.
func collection(e connectors.Entity) string {
	if e == connectors.Stock {
		return "stock"
	}
	return string(e) + "s"
}

// Read streams pages from the cursor on.
func (c *Conn) Read(_ context.Context, req connectors.ReadRequest) (connectors.PageStream, error) {
	size := req.PageSize
	if size <= 0 {
		size = 100
	}
	return &stream{c: c, entity: req.Entity, cursor: req.Cursor, size: size}, nil
}

type stream struct {
	c      *Conn
	entity connectors.Entity
	cursor string
	size   int
	done   bool
}

type pageBody struct {
	Records    []map[string]any `json:"records"`
	NextCursor string           `json:"next_cursor"`
}

func (s *stream) Next(ctx context.Context) (connectors.Page, error) {
	if s.done {
		return connectors.Page{}, connectors.ErrEndOfInput
	}
	q := url.Values{"limit": {strconv.Itoa(s.size)}}
	if s.cursor != "" {
		q.Set("cursor", s.cursor)
	}
	var body pageBody
	if _, err := s.c.client.DoJSON(ctx, rest.Request{Path: collection(s.entity), Query: q}, &body); err != nil {
		return connectors.Page{}, fmt.Errorf("reading %s page: %w", collection(s.entity), err)
	}
	if len(body.Records) == 0 {
		return connectors.Page{}, connectors.ErrEndOfInput
	}
	page := connectors.Page{Records: make([]connectors.Record, 0, len(body.Records)), Cursor: body.NextCursor}
	for i, data := range body.Records {
		page.Records = append(page.Records, toRecord(data, i))
	}
	if page.Cursor == "" {
		page.Cursor = s.cursor
	}
	s.done = body.NextCursor == "" || len(body.Records) < s.size
	s.cursor = page.Cursor
	return page, nil
}

func (s *stream) Close() error { return nil }

func toRecord(data map[string]any, i int) connectors.Record {
	id := idOf(data)
	r := connectors.Record{ID: id, Key: keyOf(data, id), Data: data}
	if id == "" {
		r.Err = fmt.Errorf("record %d has no id", i+1)
	}
	return r
}

func idOf(data map[string]any) string {
	if v, ok := data["id"]; ok && v != nil {
		return fmt.Sprint(v)
	}
	return ""
}

func keyOf(data map[string]any, fallback string) string {
	for _, k := range []string{"number", "sku", "email"} {
		if v, ok := data[k].(string); ok && v != "" {
			return v
		}
	}
	return fallback
}

func decode(data []byte, v any) error { return rest.DecodeJSON(data, v) }

// Write creates or updates one record.
func (c *Conn) Write(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	method, path := http.MethodPost, collection(req.Entity)
	if req.TargetID != "" {
		method, path = http.MethodPut, path+"/"+url.PathEscape(req.TargetID)
	}
	ans, err := c.client.Do(ctx, rest.Request{Method: method, Path: path, JSON: req.Data, IdempotencyKey: req.IdempotencyKey})
	if err != nil {
		return connectors.WriteResult{}, fmt.Errorf("writing %s %s: %w", req.Entity, req.Key, err)
	}
	var resp map[string]any
	if len(bytes.TrimSpace(ans.Body)) > 0 {
		if err := decode(ans.Body, &resp); err != nil {
			resp = map[string]any{"body": string(ans.Body)}
		}
	}
	id := idOf(resp)
	if id == "" {
		id = req.TargetID
	}
	return connectors.WriteResult{TargetID: id, Response: resp}, nil
}

// VerifyWebhook checks the call's signature under the flow's secret, in
// the connection's scheme.
func (c *Conn) VerifyWebhook(req connectors.WebhookRequest) error {
	_, err := c.verify(req)
	return err
}

func (c *Conn) verify(req connectors.WebhookRequest) (connectors.Signed, error) {
	switch c.cfg.String("webhook_signature") {
	case SchemeTimestamped:
		return connectors.VerifyTimestampedHMAC(req, TimestampedSignatureHeader)
	case SchemeStandardWebhooks:
		return connectors.VerifyStandardWebhook(req)
	default:
		return connectors.Signed{}, connectors.VerifyHexHMACSHA256(req, SignatureHeader)
	}
}

// ParseWebhook reads {"entity": ..., "records": [...]} or one record, in
// JSON. The delivery id is the signed one (standard-webhooks), or
// X-Delivery-Id.
func (c *Conn) ParseWebhook(req connectors.WebhookRequest) (connectors.Webhook, error) {
	if err := connectors.RequireJSON(req.Header); err != nil {
		return connectors.Webhook{}, connectors.Permanent(err)
	}
	signed, err := c.verify(req)
	if err != nil {
		return connectors.Webhook{}, connectors.Permanent(err)
	}
	var body struct {
		Entity  connectors.Entity `json:"entity"`
		Records []map[string]any  `json:"records"`
	}
	if err := decode(req.Body, &body); err != nil {
		return connectors.Webhook{}, connectors.Permanent(fmt.Errorf("reading webhook body: %w", err))
	}
	if body.Records == nil {
		var one map[string]any
		if err := decode(req.Body, &one); err != nil {
			return connectors.Webhook{}, connectors.Permanent(fmt.Errorf("reading webhook body: %w", err))
		}
		body.Records = []map[string]any{one}
	}
	hook := connectors.Webhook{DeliveryID: signed.ID, Entity: body.Entity, SignedAt: signed.At}
	if hook.DeliveryID == "" {
		hook.DeliveryID = req.Header.Get(DeliveryHeader)
	}
	for i, data := range body.Records {
		hook.Records = append(hook.Records, toRecord(data, i))
	}
	return hook, nil
}

// Sign returns the HMAC-SHA256 of body under secret.
func Sign(secret string, body []byte) []byte { return connectors.SignHMACSHA256(secret, body) }

// RegisterWebhook registers a flow's webhook address, when the
// connection has a registration path.
func (c *Conn) RegisterWebhook(ctx context.Context, reg connectors.WebhookRegistration) (string, error) {
	return c.hooks.Register(ctx, reg)
}

// RemoveWebhook removes a registration.
func (c *Conn) RemoveWebhook(ctx context.Context, id string) error { return c.hooks.Remove(ctx, id) }

var (
	_ connectors.WebhookRegistrar = (*Conn)(nil)
	_ connectors.Reader           = (*Conn)(nil)
	_ connectors.Writer           = (*Conn)(nil)
	_ connectors.WebhookReceiver  = (*Conn)(nil)
)
