// Package memory is a connector whose app is a store inside the running
// process: named, shared by every connection that names it, and gone when
// the process stops. It is for trying flows out and for the engine's tests,
// which can seed it, read what was written and make it fail on purpose.
package memory

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/switchboard-app/switchboard/connectors"
)

// SignatureHeader carries the hex HMAC-SHA256 of a webhook body.
const SignatureHeader = "X-Signature-Sha256"

// DeliveryHeader carries a webhook's delivery id.
const DeliveryHeader = "X-Delivery-Id"

// Spec is the memory connector's spec.
var Spec = connectors.Spec{
	Name:        "memory",
	Title:       "In-memory store",
	Category:    connectors.CategoryGeneric,
	Description: "Records kept inside the running process, for trying flows out and for tests.",
	Auth:        []connectors.AuthKind{connectors.AuthNone},
	Fields: []connectors.Field{
		{Name: "store", Title: "Store name", Type: connectors.TypeString, Required: true,
			Help: "Connections naming the same store share its records.", Example: "shop"},
		{Name: "token", Title: "Access token", Type: connectors.TypeString, Secret: true,
			Help: "When set, the store refuses connections with another token."},
	},
	Reads:    connectors.Entities(),
	Writes:   connectors.Entities(),
	Webhooks: true,
}

func init() { connectors.Register(Spec, New) }

// New opens a connection to the named store.
func New(cfg connectors.Config, _ connectors.Env) (connectors.Connector, error) {
	return &Conn{store: Open(cfg.String("store")), token: cfg.Secret("token")}, nil
}

// Conn is one connection to a store.
type Conn struct {
	store *Store
	token string
}

// Test checks the token against the store's.
func (c *Conn) Test(context.Context) (connectors.TestResult, error) {
	if err := c.store.outageErr(); err != nil {
		return connectors.TestResult{OK: false, Message: err.Error()}, nil
	}
	if err := c.authorize(); err != nil {
		return connectors.TestResult{OK: false, Message: err.Error()}, nil
	}
	return connectors.TestResult{OK: true, Message: fmt.Sprintf("store %q holds %d records", c.store.name, c.store.Len())}, nil
}

func (c *Conn) authorize() error {
	if want := c.store.Token(); want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(c.token)) != 1 {
		return connectors.Permanent(errors.New("the store refused the access token"))
	}
	return nil
}

// Close does nothing: the store outlives its connections.
func (c *Conn) Close() error { return nil }

// Read streams the records of req.Entity added after req.Cursor.
func (c *Conn) Read(_ context.Context, req connectors.ReadRequest) (connectors.PageStream, error) {
	if err := c.authorize(); err != nil {
		return nil, err
	}
	after, err := parseCursor(req.Cursor)
	if err != nil {
		return nil, connectors.Permanent(err)
	}
	size := req.PageSize
	if size <= 0 {
		size = 100
	}
	return &stream{store: c.store, entity: req.Entity, after: after, size: size}, nil
}

// Write stores the record, under req.TargetID when set.
func (c *Conn) Write(_ context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	if err := c.authorize(); err != nil {
		return connectors.WriteResult{}, err
	}
	id, err := c.store.write(req)
	if err != nil {
		return connectors.WriteResult{}, err
	}
	return connectors.WriteResult{TargetID: id, Response: map[string]any{"id": id}}, nil
}

// Get implements [connectors.Getter]: the store's record with the id.
func (c *Conn) Get(_ context.Context, entity connectors.Entity, id string) (connectors.Record, error) {
	if err := c.authorize(); err != nil {
		return connectors.Record{}, err
	}
	data, ok := c.store.Get(entity, id)
	if !ok {
		return connectors.Record{}, fmt.Errorf("memory: %s %s: %w", entity, id, connectors.ErrRecordNotFound)
	}
	return connectors.Record{ID: id, Key: keyOf(data, id), Data: data}, nil
}

// FindByKey implements [connectors.KeyFinder]: the store's record of
// entity whose number, SKU, e-mail or key is key.
func (c *Conn) FindByKey(_ context.Context, entity connectors.Entity, key string) (string, bool, error) {
	if err := c.authorize(); err != nil {
		return "", false, err
	}
	id, ok := c.store.findByKey(entity, key)
	return id, ok, nil
}

// VerifyWebhook checks the body's HMAC-SHA256 under the flow's secret.
func (c *Conn) VerifyWebhook(req connectors.WebhookRequest) error {
	return connectors.VerifyHexHMACSHA256(req, SignatureHeader)
}

// ParseWebhook reads {"entity": "...", "records": [{"id": ..., ...}]}, in
// JSON.
func (c *Conn) ParseWebhook(req connectors.WebhookRequest) (connectors.Webhook, error) {
	if err := connectors.RequireJSON(req.Header); err != nil {
		return connectors.Webhook{}, connectors.Permanent(err)
	}
	var body struct {
		Entity  connectors.Entity `json:"entity"`
		Records []map[string]any  `json:"records"`
	}
	if err := json.Unmarshal(req.Body, &body); err != nil {
		return connectors.Webhook{}, connectors.Permanent(fmt.Errorf("reading webhook body: %w", err))
	}
	hook := connectors.Webhook{DeliveryID: req.Header.Get(DeliveryHeader), Entity: body.Entity}
	for i, data := range body.Records {
		id := fmt.Sprint(data["id"])
		if data["id"] == nil {
			return connectors.Webhook{}, connectors.Permanent(fmt.Errorf("webhook record %d has no id", i))
		}
		hook.Records = append(hook.Records, connectors.Record{ID: id, Key: keyOf(data, id), Data: data})
	}
	return hook, nil
}

// Sign returns the HMAC-SHA256 of body under secret.
func Sign(secret string, body []byte) []byte { return connectors.SignHMACSHA256(secret, body) }

func parseCursor(cursor string) (int, error) {
	if cursor == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(cursor)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("memory cursor %q is not a sequence number", cursor)
	}
	return n, nil
}

type stream struct {
	store  *Store
	entity connectors.Entity
	after  int
	size   int
}

func (s *stream) Next(context.Context) (connectors.Page, error) {
	if err := s.store.takeFault(); err != nil {
		return connectors.Page{}, err
	}
	recs, last := s.store.after(s.entity, s.after, s.size)
	if len(recs) == 0 {
		return connectors.Page{}, connectors.ErrEndOfInput
	}
	s.after = last
	return connectors.Page{Records: recs, Cursor: strconv.Itoa(last)}, nil
}

func (s *stream) Close() error { return nil }

var (
	_ connectors.Connector       = (*Conn)(nil)
	_ connectors.Reader          = (*Conn)(nil)
	_ connectors.Writer          = (*Conn)(nil)
	_ connectors.WebhookReceiver = (*Conn)(nil)
)
