package app

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/connectors"
)

// A flow that takes webhooks from an app that registers them by API
// (connectors.WebhookRegistrar) is registered there while it is enabled:
// the engine registers the flow's address in its source app when the flow
// (with its integration) is enabled with webhook on, and removes it when
// the flow is disabled, stops taking webhooks, moves to another source or
// is deleted. Each registration is remembered in sb_meta under
// "webhook:<flow id>".

// registration is what is remembered of a flow's registration.
type registration struct {
	Connection string `json:"connection"`
	ID         string `json:"id"`
	URL        string `json:"url"`
}

// registerTimeout bounds one registration or removal.
const registerTimeout = 30 * time.Second

func registrationKey(flowID string) string { return "webhook:" + flowID }

// syncWebhooks brings the registrations of the given flows in step, in
// the background of the running engine: a save does not wait for the
// apps. A stopped engine does it at its next start (syncAllWebhooks).
func (e *Engine) syncWebhooks(flowIDs ...string) {
	if e.ctx == nil || e.ctx.Err() != nil || len(flowIDs) == 0 {
		return
	}
	e.goLoop(func() {
		e.registering.Lock()
		defer e.registering.Unlock()
		for _, id := range flowIDs {
			if err := e.syncWebhook(id); err != nil {
				e.logger().Warn("registering a webhook in the app", slog.String("flow", id), slog.String("error", err.Error()))
			}
		}
	})
}

// syncIntegrationWebhooks brings the registrations of an integration's
// flows in step.
func (e *Engine) syncIntegrationWebhooks(integration string) {
	var ids []string
	err := e.app().DB().NewQuery("SELECT id FROM flows WHERE integration = {:i}").Bind(dbx.Params{"i": integration}).Column(&ids)
	if err != nil {
		e.logger().Warn("listing an integration's flows", slog.String("error", err.Error()))
	}
	e.syncWebhooks(ids...)
}

// syncAllWebhooks brings every registration in step, at start: the flows
// that take webhooks and the flows registered before.
func (e *Engine) syncAllWebhooks() {
	var ids []string
	err := e.app().DB().NewQuery(`SELECT id FROM flows WHERE webhook = TRUE
		UNION SELECT substr(key, 9) FROM sb_meta WHERE key LIKE 'webhook:%'`).Column(&ids)
	if err != nil {
		e.logger().Warn("listing webhook flows", slog.String("error", err.Error()))
	}
	e.syncWebhooks(ids...)
}

// syncWebhook registers or removes one flow's webhook so that it is
// registered exactly while the flow takes webhooks and is enabled.
func (e *Engine) syncWebhook(flowID string) error {
	had, err := e.registrationOf(flowID)
	if err != nil {
		return err
	}
	flow, want := e.wantsRegistration(flowID)
	url := e.hookURL(flowID)
	if had != nil && (!want || had.Connection != flow.GetString("source") || had.URL != url) {
		if err := e.removeRegistration(flowID, *had); err != nil {
			return err
		}
		had = nil
	}
	if !want || had != nil {
		return nil
	}
	return e.register(flow, url)
}

// wantsRegistration returns the flow and whether it should be registered.
func (e *Engine) wantsRegistration(flowID string) (*core.Record, bool) {
	flow, err := e.app().FindRecordById(flowsCollection, flowID)
	if err != nil {
		return nil, false
	}
	integ, _ := e.app().FindRecordById("integrations", flow.GetString("integration"))
	return flow, flow.GetBool("webhook") && flowEnabled(flow, integ)
}

func (e *Engine) hookURL(flowID string) string {
	return e.applianceURL() + "/hooks/" + flowID
}

// defaultAppURL is PocketBase's Application URL until an admin sets one.
const defaultAppURL = "http://localhost:8090"

// applianceURL is the address webhooks are sent to and alert mails link
// to: the Application URL when an admin set one; until then the address
// serve listens on, so that the address has at least the right port
// (PocketBase's default names port 8090 whatever --http says, and an
// empty one would make links without a host).
func (e *Engine) applianceURL() string {
	base := strings.TrimRight(e.app().Settings().Meta.AppURL, "/")
	if base != "" && base != defaultAppURL {
		return base
	}
	if served := e.servedAt.Load(); served != nil {
		return *served
	}
	return base
}

// serving records the address srv listens on, over HTTPS when tls (a host
// of all interfaces is shown as localhost).
func (e *Engine) serving(srv *http.Server, tls bool) {
	if srv == nil || srv.Addr == "" {
		return
	}
	host, port, err := net.SplitHostPort(srv.Addr)
	if err != nil {
		return
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	scheme := "http"
	if tls {
		scheme = "https"
	}
	served := scheme + "://" + net.JoinHostPort(host, port)
	e.servedAt.Store(&served)
}

// registrar opens a connection that registers webhooks.
func (e *Engine) registrar(connID string) (connectors.WebhookRegistrar, func(), error) {
	rec, err := e.app().FindRecordById(connectionsCollection, connID)
	if err != nil {
		return nil, nil, fmt.Errorf("connection %s: %w", connID, err)
	}
	conn, err := e.sb.OpenConnection(rec)
	if err != nil {
		return nil, nil, err
	}
	r, ok := conn.(connectors.WebhookRegistrar)
	if !ok {
		_ = conn.Close()
		return nil, nil, connectors.ErrNoWebhookAPI
	}
	return r, func() { _ = conn.Close() }, nil
}

func (e *Engine) register(flow *core.Record, url string) error {
	source := flow.GetString("source")
	r, closeConn, err := e.registrar(source)
	if errors.Is(err, connectors.ErrNoWebhookAPI) {
		return nil
	}
	if err != nil {
		return err
	}
	defer closeConn()
	secret, err := e.sb.WebhookSecret(flow)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), registerTimeout)
	defer cancel()
	id, err := r.RegisterWebhook(ctx, connectors.WebhookRegistration{Entity: connectors.Entity(flow.GetString("entity")),
		URL: url, Secret: secret})
	if errors.Is(err, connectors.ErrNoWebhookAPI) {
		return nil
	}
	if err != nil {
		return e.redactedError(source, err)
	}
	e.logger().Info("webhook registered in the app", slog.String("flow", flow.GetString("name")), slog.String("url", url))
	data, _ := json.Marshal(registration{Connection: source, ID: id, URL: url})
	return writeMeta(e.app(), registrationKey(flow.Id), string(data))
}

func (e *Engine) removeRegistration(flowID string, had registration) error {
	r, closeConn, err := e.registrar(had.Connection)
	switch {
	case errors.Is(err, connectors.ErrNoWebhookAPI):
	case err != nil && !isNoRows(err):
		return err
	case err == nil:
		defer closeConn()
		ctx, cancel := context.WithTimeout(context.Background(), registerTimeout)
		defer cancel()
		if err := r.RemoveWebhook(ctx, had.ID); err != nil && !errors.Is(err, connectors.ErrNoWebhookAPI) {
			return e.redactedError(had.Connection, err)
		}
		e.logger().Info("webhook removed from the app", slog.String("flow", flowID), slog.String("url", had.URL))
	}
	return deleteMeta(e.app(), registrationKey(flowID))
}

func (e *Engine) redactedError(connID string, err error) error {
	if rec, findErr := e.app().FindRecordById(connectionsCollection, connID); findErr == nil {
		return errors.New(e.sb.redactorOf(rec).text(err.Error()))
	}
	return err
}

// registrationOf reads a flow's remembered registration; nil when none.
func (e *Engine) registrationOf(flowID string) (*registration, error) {
	value, err := readMeta(e.app(), registrationKey(flowID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var r registration
	if err := json.Unmarshal([]byte(value), &r); err != nil {
		return nil, fmt.Errorf("reading the webhook registration of flow %s: %w", flowID, err)
	}
	return &r, nil
}

func deleteMeta(app core.App, key string) error {
	_, err := app.DB().NewQuery("DELETE FROM sb_meta WHERE key = {:key}").Bind(dbx.Params{"key": key}).Execute()
	return err
}
