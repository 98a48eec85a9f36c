package app

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

func (e *Engine) registerRoutes(se *core.ServeEvent) {
	g := se.Router.Group(APIPrefix)
	g.POST("/flows/{id}/run", e.handleRun).BindFunc(requireRole(operatorUp))
	g.POST("/flows/{id}/preview", e.handlePreview).BindFunc(requireRole(editorUp))
	g.POST("/flows/{id}/retry-failed", e.handleRetryFailed).BindFunc(requireRole(operatorUp))
	g.POST("/transactions/{id}/retry", e.handleRetry).BindFunc(requireRole(operatorUp))
	g.POST("/transactions/{id}/resolve", e.handleResolve).BindFunc(requireRole(operatorUp))
	g.GET("/transactions/{id}/payloads", e.handlePayloads).BindFunc(requireRole(anyRole))
	g.GET("/flows/{id}/webhook", e.handleWebhookInfo).BindFunc(requireRole(editorUp))
	// Webhooks carry no auth token, and a delivery is in Activity already:
	// only failed calls go to the request log.
	se.Router.POST("/hooks/{flow}", e.handleWebhook).
		Bind(apis.SkipSuccessActivityLog()).
		Unbind(apis.DefaultLoadAuthTokenMiddlewareId)
}

func (e *Engine) handleRun(re *core.RequestEvent) error {
	if !e.exists(flowsCollection, re.Request.PathValue("id")) {
		return re.NotFoundError("No such flow.", nil)
	}
	run, err := e.RunFlow(re.Request.PathValue("id"), TriggerManual)
	switch {
	case errors.Is(err, ErrFlowRunning):
		return re.JSON(http.StatusConflict, map[string]any{"message": "The flow is already running.", "run": run})
	case errors.Is(err, ErrFlowDisabled):
		return re.JSON(http.StatusConflict, map[string]any{"message": "The flow cannot run: " + err.Error() + "."})
	case err != nil:
		return re.BadRequestError("The flow cannot run: "+err.Error(), nil)
	}
	return re.JSON(http.StatusAccepted, map[string]any{"run": run})
}

func (e *Engine) latestInput(flowID string) (map[string]any, error) {
	var payloads string
	err := e.app().DB().NewQuery(`SELECT payloads FROM transactions WHERE flow = {:flow} AND payloads != ''
		ORDER BY created DESC LIMIT 1`).Bind(dbx.Params{"flow": flowID}).Row(&payloads)
	if err != nil {
		return nil, err
	}
	p, err := decodePayloads(payloads)
	return p.Input, err
}

// exists tells whether a record of the collection has the id.
func (e *Engine) exists(collection, id string) bool {
	_, err := e.app().FindRecordById(collection, id)
	return err == nil
}

func (e *Engine) handleRetry(re *core.RequestEvent) error {
	tx, err := e.app().FindRecordById("transactions", re.Request.PathValue("id"))
	if err != nil {
		return re.NotFoundError("No such transaction.", nil)
	}
	if tx.GetString("flow") == "" {
		return re.JSON(http.StatusConflict, map[string]any{"message": "Its flow " +
			strconv.Quote(tx.GetString("flow_name")) + " was deleted, so it cannot run again; resolve it instead."})
	}
	n, err := e.Retry(dbx.HashExp{"id": tx.Id})
	if err != nil {
		return err
	}
	if n == 0 {
		return re.JSON(http.StatusConflict, map[string]any{"message": "Only a failed or skipped transaction can be retried; this one is " +
			tx.GetString("status") + "."})
	}
	return re.JSON(http.StatusAccepted, map[string]any{"retried": n})
}

func (e *Engine) handleRetryFailed(re *core.RequestEvent) error {
	if !e.exists(flowsCollection, re.Request.PathValue("id")) {
		return re.NotFoundError("No such flow.", nil)
	}
	n, err := e.Retry(dbx.HashExp{"flow": re.Request.PathValue("id"), "status": StatusFailed})
	if err != nil {
		return err
	}
	return re.JSON(http.StatusAccepted, map[string]any{"retried": n})
}

// Retry puts the failed or skipped transactions that match back in the
// inbox: they run again through the flow's current mapping and rules.
// Those whose flow was deleted cannot run again; they are left alone.
func (e *Engine) Retry(where dbx.Expression) (int64, error) {
	now := types.NowDateTime().String()
	res, err := e.app().DB().Update("transactions",
		dbx.Params{"status": StatusPending, "next_attempt": now, "error": "", "error_class": "", "note": "", "updated": now},
		dbx.And(where, dbx.In("status", StatusFailed, StatusSkipped), dbx.Not(dbx.HashExp{"flow": ""}))).Execute()
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	e.Wake()
	return n, nil
}

func (e *Engine) handleResolve(re *core.RequestEvent) error {
	if !e.exists("transactions", re.Request.PathValue("id")) {
		return re.NotFoundError("No such transaction.", nil)
	}
	var body struct {
		Note string `json:"note"`
	}
	_ = re.BindBody(&body)
	note := "resolved by hand by " + resolverName(re.Auth)
	if body.Note != "" {
		note += ": " + body.Note
	}
	res, err := e.app().DB().Update("transactions",
		dbx.Params{"status": StatusResolved, "note": truncate(note, 2000), "resolved_by": resolverID(re.Auth),
			"updated": types.NowDateTime().String()},
		dbx.And(dbx.HashExp{"id": re.Request.PathValue("id")}, dbx.In("status", StatusFailed, StatusRetrying))).Execute()
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return re.BadRequestError("Only a failed or retrying transaction can be resolved.", nil)
	}
	return re.JSON(http.StatusOK, map[string]any{"resolved": true})
}

// resolverName names who resolved a transaction in its note, which every
// role reads: the user's name, else their role, never their e-mail address.
func resolverName(auth *core.Record) string {
	switch {
	case auth == nil:
		return "an unknown user"
	case auth.IsSuperuser():
		return "a superuser"
	case strings.TrimSpace(auth.GetString("name")) != "":
		return strings.TrimSpace(auth.GetString("name"))
	default:
		return "a user with role " + auth.GetString("role")
	}
}

// resolverID is the user kept in a transaction's resolved_by; superusers
// are no users, so they leave it empty.
func resolverID(auth *core.Record) string {
	if auth == nil || auth.IsSuperuser() {
		return ""
	}
	return auth.Id
}

// handlePayloads serves a transaction's payloads, redacted again with its
// flow's current secrets: payloads stored by an older version may hold
// forms of a secret that it did not redact.
func (e *Engine) handlePayloads(re *core.RequestEvent) error {
	var payloads, flow string
	err := e.app().DB().NewQuery("SELECT payloads, flow FROM transactions WHERE id = {:id}").
		Bind(dbx.Params{"id": re.Request.PathValue("id")}).Row(&payloads, &flow)
	if err != nil {
		return re.NotFoundError("No such transaction.", nil)
	}
	p, err := decodePayloads(payloads)
	if err != nil {
		return err
	}
	if rt, err := e.loadFlow(flow); err == nil {
		p = rt.redact.payloads(p)
	}
	return re.JSON(http.StatusOK, p)
}

// handleWebhookInfo tells an editor where a flow takes webhooks and the
// secret the app must sign them with.
func (e *Engine) handleWebhookInfo(re *core.RequestEvent) error {
	flow, err := e.app().FindRecordById(flowsCollection, re.Request.PathValue("id"))
	if err != nil {
		return re.NotFoundError("No such flow.", nil)
	}
	base := e.app().Settings().Meta.AppURL
	return re.JSON(http.StatusOK, map[string]any{
		"enabled": flow.GetBool("webhook"),
		"url":     strings.TrimRight(base, "/") + "/hooks/" + flow.Id,
		"secret":  flow.GetString("webhook_secret"),
	})
}
