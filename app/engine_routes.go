package app

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
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
	// GET covers HEAD too.
	for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		se.Router.Route(method, "/hooks/{flow}", webhookMethodNotAllowed).
			Unbind(apis.DefaultLoadAuthTokenMiddlewareId)
	}
}

// webhookMethodNotAllowed answers a call to a webhook address with another
// method than POST (a browser's GET, say) 405, with Allow: POST, instead of
// the 404 of an address that takes nothing, which would send whoever sets
// up the app looking for a wrong address.
func webhookMethodNotAllowed(re *core.RequestEvent) error {
	re.Response.Header().Set("Allow", http.MethodPost)
	return re.Error(http.StatusMethodNotAllowed,
		"Webhooks are taken with POST, not "+re.Request.Method+"; nothing was stored.", nil)
}

func (e *Engine) handleRun(re *core.RequestEvent) error {
	run, err := e.RunNow(re.Request.PathValue("id"))
	switch {
	case errors.Is(err, ErrNotFound):
		return re.NotFoundError("No such flow.", nil)
	case errors.Is(err, ErrFlowRunning):
		return re.JSON(http.StatusConflict, map[string]any{"message": "The flow is already running.", "run": run})
	case errors.Is(err, ErrFlowDisabled):
		return re.JSON(http.StatusConflict, map[string]any{"message": "The flow cannot run: " + err.Error() + "."})
	case errors.Is(err, ErrEngineStopped) || err != nil && e.sb.Ready() != nil:
		// The appliance's state, not the request: the same call succeeds
		// once the engine runs with the right key.
		return re.Error(http.StatusServiceUnavailable, "The flow cannot run now: "+err.Error(), nil)
	case err != nil:
		return re.BadRequestError("The flow cannot run: "+err.Error(), nil)
	}
	return re.JSON(http.StatusAccepted, map[string]any{"run": run})
}

func (e *Engine) handleRetry(re *core.RequestEvent) error {
	n, err := e.RetryTransaction(re.Request.PathValue("id"))
	var deleted *FlowDeletedError
	var notRetryable *NotRetryableError
	switch {
	case errors.Is(err, ErrNotFound):
		return re.NotFoundError("No such transaction.", nil)
	case errors.As(err, &deleted):
		return re.JSON(http.StatusConflict, map[string]any{"message": "Its " + deleted.flow() +
			" was deleted, so it cannot run again; resolve it instead."})
	case errors.As(err, &notRetryable) && notRetryable.Already:
		return re.JSON(http.StatusConflict, map[string]any{"message": "It was retried already and is " + notRetryable.Status + " now."})
	case errors.As(err, &notRetryable):
		return re.JSON(http.StatusConflict, map[string]any{"message": "Only a failed or skipped transaction can be retried; this one is " +
			notRetryable.Status + "."})
	case errors.Is(err, ErrFlowDisabled):
		return re.JSON(http.StatusConflict, map[string]any{"message": "It cannot run again now: " + err.Error() + "."})
	case err != nil:
		return err
	}
	return re.JSON(http.StatusAccepted, map[string]any{"retried": n})
}

func (e *Engine) handleRetryFailed(re *core.RequestEvent) error {
	n, err := e.RetryFailed(re.Request.PathValue("id"))
	switch {
	case errors.Is(err, ErrNotFound):
		return re.NotFoundError("No such flow.", nil)
	case errors.Is(err, ErrFlowDisabled):
		return re.JSON(http.StatusConflict, map[string]any{"message": "Its transactions cannot run again now: " + err.Error() + "."})
	case err != nil:
		return err
	}
	return re.JSON(http.StatusAccepted, map[string]any{"retried": n})
}

func (e *Engine) handleResolve(re *core.RequestEvent) error {
	note, err := resolveNote(re)
	if err != nil {
		return re.BadRequestError("The body "+shapeProblem(err, `JSON such as {"note": "..."}, the note optional`)+".", nil)
	}
	err = e.Resolve(re.Request.PathValue("id"), re.Auth, note)
	var notResolvable *NotResolvableError
	switch {
	case errors.Is(err, ErrNotFound):
		return re.NotFoundError("No such transaction.", nil)
	case errors.As(err, &notResolvable):
		return re.BadRequestError("Only a failed or retrying transaction can be resolved; this one is "+notResolvable.Status+".", nil)
	case err != nil:
		return err
	}
	return re.JSON(http.StatusOK, map[string]any{"resolved": true})
}

// resolveNote reads the note of a resolve's body. A key other than "note"
// (a misspelt "notes") is refused: left out, the transaction would be
// resolved without the note given.
func resolveNote(re *core.RequestEvent) (string, error) {
	var body struct {
		Note string `json:"note"`
	}
	if err := re.BindBody(&body); err != nil {
		return "", err
	}
	info, err := re.RequestInfo()
	if err != nil {
		return "", err
	}
	for key := range info.Body {
		if key != "note" {
			return "", fmt.Errorf("json: unknown field %q", key) // as encoding/json says it, for shapeProblem
		}
	}
	return body.Note, nil
}

// handlePayloads serves a transaction's payloads, decoded and redacted.
func (e *Engine) handlePayloads(re *core.RequestEvent) error {
	p, err := e.TransactionPayloads(re.Request.PathValue("id"))
	if errors.Is(err, ErrNotFound) {
		return re.NotFoundError("No such transaction.", nil)
	}
	if err != nil {
		slog.Error("serving a transaction's payloads", "transaction", re.Request.PathValue("id"), "error", err)
		return re.InternalServerError("The payloads cannot be read now; the log has the cause.", nil)
	}
	return re.JSON(http.StatusOK, p)
}

// handleWebhookInfo tells an editor where a flow takes webhooks and the
// secret the app must sign them with.
func (e *Engine) handleWebhookInfo(re *core.RequestEvent) error {
	info, err := e.FlowWebhook(re.Request.PathValue("id"))
	if errors.Is(err, ErrNotFound) {
		return re.NotFoundError("No such flow.", nil)
	}
	if err != nil {
		return re.Error(http.StatusServiceUnavailable, "The webhook secret cannot be shown now: "+err.Error(), nil)
	}
	return re.JSON(http.StatusOK, info)
}
