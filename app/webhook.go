package app

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/connectors"
)

// maxWebhookBody bounds a webhook call's body.
const maxWebhookBody = 10 << 20

// webhookRuns keeps one run per flow per hour for webhook calls, so that
// activity groups them without a run per call. Such a run finishes when its
// hour ends.
type webhookRuns struct {
	mu   sync.Mutex
	runs map[string]webhookRun
}

type webhookRun struct {
	id    string
	until time.Time
}

// errDuplicateDelivery marks a webhook delivery seen before.
var errDuplicateDelivery = errors.New("delivery seen before")

// handleWebhook verifies a webhook call, commits its records to the inbox
// and only then answers 200. A redelivery (same delivery id, or the same
// body when the app sends no id) is answered 200 and not stored again.
func (e *Engine) handleWebhook(re *core.RequestEvent) error {
	flowID := re.Request.PathValue("flow")
	rt, err := e.runtime(flowID)
	if err != nil || !rt.flow.GetBool("webhook") || !flowEnabled(rt.flow, rt.integration) {
		return re.NotFoundError("No flow takes webhooks here.", nil)
	}
	body, err := io.ReadAll(io.LimitReader(re.Request.Body, maxWebhookBody+1))
	if err != nil {
		return re.BadRequestError("Could not read the body.", nil)
	}
	if len(body) > maxWebhookBody {
		return re.Error(http.StatusRequestEntityTooLarge, "The body is too large.", nil)
	}
	receiver, err := e.receiver(rt)
	if err != nil {
		return re.NotFoundError("No flow takes webhooks here.", nil)
	}
	req := connectors.WebhookRequest{Header: re.Request.Header, Body: body, Secret: rt.flow.GetString("webhook_secret")}
	if err := receiver.VerifyWebhook(req); err != nil {
		return re.UnauthorizedError("The webhook signature does not verify.", nil)
	}
	hook, err := receiver.ParseWebhook(req)
	if err != nil {
		return re.BadRequestError("The webhook could not be read: "+rt.redact.text(err.Error()), nil)
	}
	if err := e.sb.Ready(); err != nil {
		return re.Error(http.StatusServiceUnavailable, "Switchboard cannot take records now: the secret key check failed.", nil)
	}
	err = e.intake(rt, deliveryKey(hook, body), hook.Records)
	if errors.Is(err, errDuplicateDelivery) {
		return re.JSON(http.StatusOK, map[string]any{"accepted": 0, "duplicate": true})
	}
	if err != nil {
		return re.Error(http.StatusServiceUnavailable, "The records could not be stored; send them again.", nil)
	}
	e.Wake()
	return re.JSON(http.StatusOK, map[string]any{"accepted": len(hook.Records)})
}

func deliveryKey(hook connectors.Webhook, body []byte) string {
	if hook.DeliveryID != "" {
		return "id:" + truncate(hook.DeliveryID, 250)
	}
	sum := sha256.Sum256(body)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// receiver returns the flow's source as a webhook receiver.
func (e *Engine) receiver(rt *flowRuntime) (connectors.WebhookReceiver, error) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.receiver != nil {
		return rt.receiver, nil
	}
	conn, err := e.sb.OpenConnection(rt.source)
	if err != nil {
		return nil, err
	}
	r, ok := conn.(connectors.WebhookReceiver)
	if !ok {
		_ = conn.Close()
		return nil, fmt.Errorf("connection %q takes no webhooks", rt.source.GetString("name"))
	}
	rt.receiver, rt.sourceConn = r, conn
	return r, nil
}

// intakeRequest is one delivery waiting for the intake committer.
type intakeRequest struct {
	rt       *flowRuntime
	runID    string
	delivery string
	items    []inboxItem
	done     chan error
}

// intake stores a delivery's records as pending transactions, with the
// delivery key, and returns once they are committed. Deliveries that
// arrive together are committed together (group commit).
func (e *Engine) intake(rt *flowRuntime, delivery string, records []connectors.Record) error {
	runID, err := e.webhookRun(rt.flow.Id)
	if err != nil {
		return err
	}
	items, err := e.inboxItems(rt, runID, records)
	if err != nil {
		return err
	}
	req := &intakeRequest{rt: rt, runID: runID, delivery: delivery, items: items, done: make(chan error, 1)}
	select {
	case e.intakes <- req:
	case <-e.ctx.Done():
		return ErrEngineStopped
	}
	return <-req.done
}

// intakeBatch bounds how many deliveries are committed at once.
const intakeBatch = 256

// intakeLoop commits waiting deliveries in batches until the engine stops.
func (e *Engine) intakeLoop() {
	for {
		var batch []*intakeRequest
		select {
		case <-e.ctx.Done():
			return
		case req := <-e.intakes:
			batch = append(batch, req)
		}
	more:
		for len(batch) < intakeBatch {
			select {
			case req := <-e.intakes:
				batch = append(batch, req)
			default:
				break more
			}
		}
		e.commitIntakes(batch)
	}
}

// commitIntakes commits a batch of deliveries in one SQLite transaction and
// tells each caller how it went; a redelivery gets errDuplicateDelivery.
func (e *Engine) commitIntakes(batch []*intakeRequest) {
	dup := make([]bool, len(batch))
	err := e.app().RunInTransaction(func(tx core.App) error {
		for i := range dup {
			dup[i] = false
		}
		return writeIntakes(tx, batch, dup, time.Now())
	})
	for i, req := range batch {
		switch {
		case err != nil:
			req.done <- err
		case dup[i]:
			req.done <- errDuplicateDelivery
		default:
			req.done <- nil
		}
	}
	if err == nil {
		e.Wake()
	}
}

func writeIntakes(tx core.App, batch []*intakeRequest, dup []bool, now time.Time) error {
	seen := tx.DB().NewQuery(`INSERT INTO deliveries (id, flow, delivery, created, updated)
		VALUES ({:id}, {:flow}, {:delivery}, {:now}, {:now}) ON CONFLICT (flow, delivery) DO NOTHING`).Prepare()
	defer seen.Close()
	var items []inboxItem
	reads := map[string]int{}
	runs := map[string][2]int{}
	ts := sqlTime(now)
	for i, req := range batch {
		res, err := seen.Bind(dbx.Params{"id": newID(), "flow": req.rt.flow.Id, "delivery": req.delivery, "now": ts}).Execute()
		if err != nil {
			return fmt.Errorf("recording delivery: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			dup[i] = true
			continue
		}
		items = append(items, req.items...)
		reads[req.rt.source.Id] += len(req.items)
		c := runs[req.runID]
		c[0] += len(req.items)
		c[1] += countFailed(req.items)
		runs[req.runID] = c
	}
	if _, _, err := insertTransactions(tx, items, now); err != nil {
		return err
	}
	for run, c := range runs {
		if err := countRead(tx, run, c[0], c[1], now); err != nil {
			return err
		}
	}
	return addUsage(tx, reads, "reads", now)
}

func countFailed(items []inboxItem) int {
	n := 0
	for _, it := range items {
		if it.err != "" {
			n++
		}
	}
	return n
}

func (e *Engine) webhookRun(flowID string) (string, error) {
	e.hooks.mu.Lock()
	defer e.hooks.mu.Unlock()
	if r, ok := e.hooks.runs[flowID]; ok && time.Now().Before(r.until) {
		return r.id, nil
	}
	until := time.Now().Truncate(time.Hour).Add(time.Hour)
	run, err := e.startRun(flowID, TriggerWebhook, until)
	if err != nil {
		return "", err
	}
	e.hooks.runs[flowID] = webhookRun{id: run.Id, until: until}
	return run.Id, nil
}
