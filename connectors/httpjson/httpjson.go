// Package httpjson is the HTTP/JSON connector, registered as "http": it
// reads and writes JSON records over a simple REST convention and takes
// HMAC-signed webhooks, for in-house systems and apps without a connector
// of their own. It is a preset of the generic REST connector
// (connectors/restapi): the convention below is its settings, and it takes
// every kind of authentication of the REST kit.
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
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/codec/jsonvalue"
	"github.com/switchboard-app/switchboard/connectors/rest/hooks"
	"github.com/switchboard-app/switchboard/connectors/rest/page"
	"github.com/switchboard-app/switchboard/connectors/restapi"
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
		{Name: "health_path", Title: "Health path", Type: connectors.TypeString, Default: "",
			Help: "A path that answers 2xx when the API is up, for testing the connection.", Advanced: true},
		{Name: "webhook_signature", Title: "Webhook signature", Type: connectors.TypeSelect, Default: SchemeHMACSHA256,
			Options: []string{SchemeHMACSHA256, SchemeTimestamped, SchemeStandardWebhooks}, Advanced: true,
			Help: "How the system signs its webhook calls: hmac-sha256 of the body in X-Signature-Sha256; " +
				"timestamped, t=<unix seconds>,v1=<hex HMAC-SHA256 of t.body> in X-Signature; or standard-webhooks. " +
				"The timestamped schemes refuse calls signed more than 5 minutes away."},
	}),
	Validate: validate,
	Reads:    connectors.Entities(),
	Writes:   connectors.Entities(),
	Webhooks: true,
}

func init() { connectors.Register(Spec, New) }

// Conn is one connection: the generic REST connector with the convention
// as its settings, and the convention's webhooks.
type Conn struct {
	*restapi.Conn
	cfg connectors.Config
}

// New builds a connection.
func New(cfg connectors.Config, env connectors.Env) (connectors.Connector, error) {
	conn, err := restapi.Open(cfg, env, restapi.Settings{
		Entities:          conventionEntities(),
		TestPath:          cfg.String("health_path"),
		IdempotencyHeader: IdempotencyHeader,
		Hooks: hooks.Registrar{Path: cfg.String("webhook_register_path"), Body: cfg.String("webhook_register_body"),
			IDPath: cfg.String("webhook_id_path"), RemovePath: cfg.String("webhook_remove_path")},
		Authorizer: newAuthorizer,
	})
	if err != nil {
		return nil, err
	}
	return &Conn{Conn: conn, cfg: cfg}, nil
}

// conventionEntities are the convention's requests for every entity:
// GET {collection}?cursor=C&limit=N answering {"records", "next_cursor"},
// POST {collection} and PUT {collection}/{id}.
func conventionEntities() map[connectors.Entity]restapi.Entity {
	out := map[connectors.Entity]restapi.Entity{}
	for _, e := range connectors.Entities() {
		c := collection(e)
		out[e] = restapi.Entity{
			List: &restapi.List{Path: c, Records: "records", Paging: string(page.Cursor), SizeParam: "limit",
				CursorParam: "cursor", NextCursor: "next_cursor", Resume: true, ShortPageEnds: true},
			Create: &restapi.Call{Method: http.MethodPost, Path: c},
			Update: &restapi.Call{Method: http.MethodPut, Path: c + "/{id}"},
			Key:    []string{"number", "sku", "email"},
		}
	}
	return out
}

// collection is the path of an entity's records: products, orders, stock.
func collection(e connectors.Entity) string {
	if e == connectors.Stock {
		return "stock"
	}
	return string(e) + "s"
}

// toRecord makes the i-th record of a webhook body; a record without an
// id cannot be told from another, so the call is refused.
func toRecord(data map[string]any, i int) (connectors.Record, error) {
	id := idOf(data)
	if id == "" {
		return connectors.Record{}, fmt.Errorf("record %d has no id: every record needs an \"id\"", i+1)
	}
	return connectors.Record{ID: id, Key: keyOf(data, id), Data: data}, nil
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

// decodeBody decodes a webhook body, one JSON object, with its numbers
// kept as written; it reads the body once, where rest.DecodeJSON checks
// it first and decodes it after. jsonvalue decodes an object without
// reflection; any other body is refused by decodeBodySlowly's errors.
func decodeBody(data []byte) (map[string]any, error) {
	if body, err := jsonvalue.DecodeObject(data); err == nil && body != nil {
		return body, nil
	}
	return decodeBodySlowly(data)
}

// decodeBodySlowly decodes a webhook body with a json.Decoder, which tells
// a body that is not JSON or not an object from one with more after it.
func decodeBodySlowly(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var body map[string]any
	if err := dec.Decode(&body); err != nil {
		return nil, fmt.Errorf("the body is not a JSON object: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("the body holds more than one JSON value")
	}
	if body == nil {
		return nil, fmt.Errorf("the body is null, not a JSON object")
	}
	return body, nil
}

// VerifyWebhook checks the call's signature under the flow's secret, in
// the connection's scheme.
func (c *Conn) VerifyWebhook(req connectors.WebhookRequest) error {
	switch c.cfg.String("webhook_signature") {
	case SchemeTimestamped:
		_, err := connectors.VerifyTimestampedHMAC(req, TimestampedSignatureHeader)
		return err
	case SchemeStandardWebhooks:
		_, err := connectors.VerifyStandardWebhook(req)
		return err
	default:
		return connectors.VerifyHexHMACSHA256(req, SignatureHeader)
	}
}

// signed reads what the signature of a verified call vouches for, its
// signed time and delivery id, from its headers without checking the
// signature again.
func (c *Conn) signed(req connectors.WebhookRequest) connectors.Signed {
	switch c.cfg.String("webhook_signature") {
	case SchemeTimestamped:
		return connectors.Signed{At: unixOf(timestampOf(req.Header.Get(TimestampedSignatureHeader)))}
	case SchemeStandardWebhooks:
		return connectors.Signed{ID: req.Header.Get(connectors.StandardIDHeader),
			At: unixOf(req.Header.Get(connectors.StandardTimestampHeader))}
	default:
		return connectors.Signed{}
	}
}

// timestampOf returns t of a "t=<unix seconds>,v1=<hex>" header.
func timestampOf(header string) string {
	for _, part := range strings.Split(header, ",") {
		if k, v, _ := strings.Cut(strings.TrimSpace(part), "="); k == "t" {
			return v
		}
	}
	return ""
}

// unixOf returns the time of unix seconds; zero when s is none.
func unixOf(s string) time.Time {
	unix, err := strconv.ParseInt(s, 10, 64)
	if err != nil || unix <= 0 {
		return time.Time{}
	}
	return time.Unix(unix, 0)
}

// ParseWebhook reads {"entity": ..., "records": [...]} or one record, in
// JSON, from a call VerifyWebhook took: it decodes the body once and does
// not check the signature again. The delivery id is the signed one
// (standard-webhooks), or X-Delivery-Id.
func (c *Conn) ParseWebhook(req connectors.WebhookRequest) (connectors.Webhook, error) {
	if err := connectors.RequireJSON(req.Header); err != nil {
		return connectors.Webhook{}, connectors.Permanent(err)
	}
	body, err := decodeBody(req.Body)
	if err != nil {
		return connectors.Webhook{}, connectors.Permanent(fmt.Errorf("reading webhook body: %w", err))
	}
	entity, records, err := envelopeOf(body)
	if err != nil {
		return connectors.Webhook{}, connectors.Permanent(fmt.Errorf("reading webhook body: %w", err))
	}
	signed := c.signed(req)
	hook := connectors.Webhook{DeliveryID: signed.ID, Entity: entity, SignedAt: signed.At}
	if hook.DeliveryID == "" {
		hook.DeliveryID = req.Header.Get(DeliveryHeader)
	}
	for i, data := range records {
		r, err := toRecord(data, i)
		if err != nil {
			return connectors.Webhook{}, connectors.Permanent(fmt.Errorf("reading webhook body: %w", err))
		}
		hook.Records = append(hook.Records, r)
	}
	return hook, nil
}

// envelopeOf reads a decoded body: {"entity": ..., "records": [...]}, or
// one record when it has no records list.
func envelopeOf(body map[string]any) (connectors.Entity, []map[string]any, error) {
	entity, ok := body["entity"].(string)
	if !ok && body["entity"] != nil {
		return "", nil, fmt.Errorf("entity is %T, not a text", body["entity"])
	}
	list, ok := body["records"].([]any)
	if !ok {
		if body["records"] != nil {
			return "", nil, fmt.Errorf("records is %T, not a list", body["records"])
		}
		return connectors.Entity(entity), []map[string]any{body}, nil
	}
	records := make([]map[string]any, len(list))
	for i, v := range list {
		if records[i], ok = v.(map[string]any); !ok && v != nil {
			return "", nil, fmt.Errorf("record %d is %T, not an object", i+1, v)
		}
	}
	return connectors.Entity(entity), records, nil
}

// Sign returns the HMAC-SHA256 of body under secret.
func Sign(secret string, body []byte) []byte { return connectors.SignHMACSHA256(secret, body) }

var (
	_ connectors.WebhookRegistrar = (*Conn)(nil)
	_ connectors.Reader           = (*Conn)(nil)
	_ connectors.Writer           = (*Conn)(nil)
	_ connectors.WebhookReceiver  = (*Conn)(nil)
)
