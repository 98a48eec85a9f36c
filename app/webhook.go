package app

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app/seenkeys"
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

// handleWebhook takes a webhook call: within the flow's rate, verified,
// parsed and checked against the flow's entity, its records are committed
// to the inbox and only then is it answered 200. A delivery seen before
// (the same delivery id, or the same content under any id or none) is
// answered 200 and not stored again; one without records is answered 200
// and writes nothing, not even its keys.
func (e *Engine) handleWebhook(re *core.RequestEvent) error {
	queued := e.intakes.arrive()
	defer queued()
	rt, err := e.runtime(re.Request.PathValue("flow"))
	if err != nil {
		return e.unloadedWebhookFlow(re, err)
	}
	if !rt.flow.GetBool("webhook") || !flowEnabled(rt.flow, rt.integration) {
		return re.NotFoundError("No flow takes webhooks here.", nil)
	}
	re.Set(webhookFlowKey, rt.flow.Id)
	if wait, ok := e.hookLims.take(rt.flow.Id, time.Now()); !ok {
		return tooManyWebhooks(re, wait)
	}
	if err := e.sb.Ready(); err != nil {
		return re.Error(http.StatusServiceUnavailable, "Switchboard cannot take records now: the secret key check failed.", nil)
	}
	hook, body, err := e.readWebhook(re, rt)
	if err != nil {
		return err
	}
	if len(hook.Records) == 0 {
		// Nothing to take (WooCommerce's unsigned ping, an event that
		// carries no record): nothing is remembered either, or every
		// distinct ping would be a row kept for 72 hours.
		return re.JSON(http.StatusOK, map[string]any{"accepted": 0})
	}
	delivery, content := deliveryKeys(hook, body)
	err = e.intake(rt, delivery, content, hook.Records, queued)
	if errors.Is(err, errDuplicateDelivery) {
		return re.JSON(http.StatusOK, map[string]any{"accepted": 0, "duplicate": true})
	}
	if errors.Is(err, errFlowDeleted) {
		return re.NotFoundError("No flow takes webhooks here.", nil)
	}
	if err != nil {
		return re.Error(http.StatusServiceUnavailable, "The records could not be stored; send them again.", nil)
	}
	e.sb.metrics.recordsRead(rt, len(hook.Records))
	return re.JSON(http.StatusOK, map[string]any{"accepted": len(hook.Records)})
}

// flowCannotTakeRecords answers a call to a flow that takes webhooks but
// cannot be loaded or opened now; the reason is in the log, not told to
// the caller, who carries no sign-in.
const flowCannotTakeRecords = "This flow cannot take records now; send them again later."

// unloadedWebhookFlow answers a call whose flow's runtime could not be
// built: 404 when no enabled flow takes webhooks at the address, and 503
// when one does but cannot be loaded (its options or mapping no longer
// fit its connections), so that the app sends its records again once the
// flow is fixed instead of taking the address for a wrong one and
// dropping them.
func (e *Engine) unloadedWebhookFlow(re *core.RequestEvent, err error) error {
	flow, ferr := e.app().FindRecordById(flowsCollection, re.Request.PathValue("flow"))
	if ferr != nil || !flow.GetBool("webhook") {
		return re.NotFoundError("No flow takes webhooks here.", nil)
	}
	integ, _ := e.app().FindRecordById("integrations", flow.GetString("integration"))
	if !flowEnabled(flow, integ) {
		return re.NotFoundError("No flow takes webhooks here.", nil)
	}
	re.Set(webhookFlowKey, flow.Id)
	e.logger().Error("a flow that takes webhooks cannot be loaded", slog.String("flow", flow.GetString("name")),
		slog.String("error", err.Error()))
	return re.Error(http.StatusServiceUnavailable, flowCannotTakeRecords, nil)
}

// tooManyWebhooks answers a call over its flow's rate 429, with the
// seconds until the next call is taken in Retry-After.
func tooManyWebhooks(re *core.RequestEvent, wait time.Duration) error {
	secs := max(1, int(math.Ceil(wait.Seconds())))
	re.Response.Header().Set("Retry-After", strconv.Itoa(secs))
	return re.Error(http.StatusTooManyRequests,
		fmt.Sprintf("Too many webhook calls for this flow: send again in %d seconds.", secs), nil)
}

// readBodyPrealloc bounds the buffer readBody makes before any byte has
// come: a caller who announces a large body and sends nothing must not
// make the appliance hold that much memory for it. Larger bodies grow the
// buffer as their bytes arrive.
const readBodyPrealloc = 4 << 10

// readBody reads up to limit+1 bytes of a request's body (one more than
// the limit, so that a body over it shows), into a buffer made at the
// size the request announces, up to readBodyPrealloc, instead of grown
// from nothing as it is read.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	if n := r.ContentLength; n > 0 && n <= limit {
		buf.Grow(int(min(n, readBodyPrealloc)) + bytes.MinRead) // ReadFrom asks for MinRead free bytes to see the end
	}
	_, err := buf.ReadFrom(io.LimitReader(r.Body, limit+1))
	return buf.Bytes(), err
}

// compressions are the content codings that compress a body.
var compressions = map[string]bool{"gzip": true, "x-gzip": true, "deflate": true, "br": true,
	"compress": true, "x-compress": true, "zstd": true, "dcb": true, "dcz": true}

// contentEncoding returns the codings of a call's Content-Encoding when
// one of them compresses the body, or "" for a body sent as it is. Such a
// body is refused, not decompressed: its signature is the sender's over
// the JSON, which would be checked against the compressed bytes and fail,
// sending the sender looking for a wrong secret; and a few kilobytes of
// gzip can unpack to gigabytes. Other values ("identity", or a charset
// that some senders put there by mistake) leave the body to be read as it
// is.
func contentEncoding(h http.Header) string {
	var codings []string
	compressed := false
	for _, v := range h.Values("Content-Encoding") {
		for _, c := range strings.Split(v, ",") {
			if c = strings.TrimSpace(c); c != "" && !strings.EqualFold(c, "identity") {
				codings = append(codings, c)
				compressed = compressed || compressions[strings.ToLower(c)]
			}
		}
	}
	if !compressed {
		return ""
	}
	return strings.Join(codings, ", ")
}

// readWebhook reads, verifies and parses a call, completes it when its
// connector fetches the records it names by id, and checks that it is
// about the flow's entity. Its error is the answer to give.
func (e *Engine) readWebhook(re *core.RequestEvent, rt *flowRuntime) (connectors.Webhook, []byte, error) {
	if enc := contentEncoding(re.Request.Header); enc != "" {
		re.Response.Header().Set("Accept-Encoding", "identity")
		return connectors.Webhook{}, nil, re.Error(http.StatusUnsupportedMediaType,
			"The webhook body must be sent uncompressed, not with Content-Encoding "+truncate(enc, 40)+"; nothing was stored.", nil)
	}
	body, err := readBody(re.Request, maxWebhookBody)
	if err != nil {
		return connectors.Webhook{}, nil, re.BadRequestError("Could not read the body.", nil)
	}
	if len(body) > maxWebhookBody {
		return connectors.Webhook{}, nil, re.Error(http.StatusRequestEntityTooLarge, "The body is too large.", nil)
	}
	receiver, secret, err := e.receiver(rt)
	if errors.Is(err, errWebhookSecret) {
		e.logger().Error("a webhook call cannot be verified", slog.String("flow", rt.flow.GetString("name")),
			slog.String("error", err.Error()))
		return connectors.Webhook{}, nil, re.Error(http.StatusServiceUnavailable,
			"Switchboard cannot take records now: the flow's webhook secret cannot be opened.", nil)
	}
	if err != nil {
		e.logger().Error("a flow that takes webhooks cannot open its source", slog.String("flow", rt.flow.GetString("name")),
			slog.String("error", rt.redact.text(err.Error())))
		return connectors.Webhook{}, nil, re.Error(http.StatusServiceUnavailable, flowCannotTakeRecords, nil)
	}
	req := connectors.WebhookRequest{Header: re.Request.Header, Body: body, Secret: secret, Received: time.Now()}
	if err := receiver.VerifyWebhook(req); err != nil {
		return connectors.Webhook{}, nil, re.UnauthorizedError("The webhook is refused: "+rt.redact.text(err.Error())+".", nil)
	}
	hook, err := receiver.ParseWebhook(req)
	switch {
	case errors.Is(err, connectors.ErrNotJSON):
		return hook, nil, re.Error(http.StatusUnsupportedMediaType, "The webhook body must be JSON: "+rt.redact.text(err.Error())+".", nil)
	case err != nil:
		return hook, nil, re.BadRequestError("The webhook could not be read: "+rt.redact.text(err.Error()), nil)
	}
	if err := textProblem(body); err != nil {
		return hook, nil, re.BadRequestError("The webhook could not be read: "+err.Error()+"; nothing was stored.", nil)
	}
	if c, ok := receiver.(connectors.WebhookCompleter); ok {
		if hook, err = c.CompleteWebhook(re.Request.Context(), connectors.ReadRequest{Entity: rt.entity, Options: rt.sourceOptions}, hook); err != nil {
			return hook, nil, re.Error(http.StatusServiceUnavailable, "The webhook's records could not be fetched from the app; send it again: "+rt.redact.text(err.Error()), nil)
		}
	}
	if want := rt.flow.GetString("entity"); hook.Entity != "" && string(hook.Entity) != want {
		return hook, nil, re.Error(http.StatusUnprocessableEntity,
			fmt.Sprintf("The webhook carries %q records, but this flow takes %q records: nothing was stored.", truncate(string(hook.Entity), 40), want), nil)
	}
	return hook, body, nil
}

// deliveryKeys returns the keys a delivery is recognised by: its delivery
// key (the app's delivery id, "" when it sends none) and its content key
// (the first 128 bits of the body's SHA-256, after the signed time when
// the signature covers one). A delivery whose either key was seen is a
// redelivery or a replay. The keys are kept for every call, so they are
// short (migration 1765900060_compact_deliveries.go).
func deliveryKeys(hook connectors.Webhook, body []byte) (delivery, content string) {
	sum := sha256.Sum256(body)
	content = "s:" + hex.EncodeToString(sum[:16])
	if !hook.SignedAt.IsZero() {
		content = "t" + strconv.FormatInt(hook.SignedAt.Unix(), 10) + ":" + content
	}
	if hook.DeliveryID == "" {
		return "", content
	}
	return "id:" + fitKey(hook.DeliveryID, 250), content
}

// errWebhookSecret marks a flow's webhook secret that does not open.
var errWebhookSecret = errors.New("the webhook secret cannot be opened")

// receiver returns the flow's source as a webhook receiver, and the
// flow's webhook secret that calls are verified with. Both are opened once
// for the flow's runtime, which a save of the flow replaces.
func (e *Engine) receiver(rt *flowRuntime) (connectors.WebhookReceiver, string, error) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.receiver != nil {
		return rt.receiver, rt.hookSecret, nil
	}
	secret, err := e.sb.WebhookSecret(rt.flow)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", errWebhookSecret, err)
	}
	conn, err := e.sb.OpenConnection(rt.source)
	if err != nil {
		return nil, "", err
	}
	r, ok := conn.(connectors.WebhookReceiver)
	if !ok {
		_ = conn.Close()
		return nil, "", fmt.Errorf("connection %q takes no webhooks", rt.source.GetString("name"))
	}
	rt.receiver, rt.sourceConn, rt.hookSecret = r, conn, secret
	return r, secret, nil
}

// intakeRequest is one delivery waiting for the intake committer.
type intakeRequest struct {
	rt       *flowRuntime
	runID    string
	delivery string // the delivery id key
	content  string // the content key
	items    []inboxItem
	done     chan error
}

// intake stores a delivery's records as pending transactions, with its
// delivery and content keys, and returns once they are committed.
// Deliveries that arrive together are committed together (group commit).
// queued is called once the delivery is queued for the committer.
func (e *Engine) intake(rt *flowRuntime, delivery, content string, records []connectors.Record, queued func()) error {
	runID, err := e.webhookRun(rt.flow.Id)
	if err != nil {
		return err
	}
	items, err := e.inboxItems(rt, runID, records)
	if err != nil {
		return err
	}
	req := &intakeRequest{rt: rt, runID: runID, delivery: delivery, content: content, items: items, done: make(chan error, 1)}
	select {
	case e.intakes.ch <- req:
		queued()
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
		batch := e.intakes.next(e.ctx)
		if batch == nil {
			return
		}
		e.commitIntakes(batch)
	}
}

// commitIntakes commits a batch of deliveries in one SQLite transaction and
// tells each caller how it went; a redelivery gets errDuplicateDelivery.
func (e *Engine) commitIntakes(batch []*intakeRequest) {
	refused := make([]error, len(batch))
	claim := e.intakeClaims()
	var items []inboxItem
	var now time.Time
	err := e.app().RunInTransaction(func(tx core.App) error {
		clear(refused)
		now = time.Now()
		var err error
		items, err = writeIntakes(e.stmts, tx, batch, refused, claim, now.Add(e.cfg.Lease), now)
		return err
	})
	claimed := leasedClaims(items, now)
	if err == nil {
		e.handOverIntake(claimed, now.Add(e.cfg.Lease))
	}
	for i, req := range batch {
		switch {
		case err != nil:
			req.done <- err
		case refused[i] != nil:
			req.done <- refused[i]
		default:
			req.done <- nil
		}
	}
	if err == nil && len(claimed) < len(items) { // the dispatcher claims the others
		e.Wake()
	}
}

// rememberDeliverySQL remembers a key of a delivery (seenkeys), as seen
// at {:seen} (Unix milliseconds); it changes nothing when the key is
// remembered already.
const rememberDeliverySQL = `INSERT INTO seen_deliveries (key, seen) VALUES ({:key}, {:seen}) ON CONFLICT DO NOTHING`

// deliverySeenSQL counts which of a delivery's two keys are remembered.
const deliverySeenSQL = `SELECT COUNT(*) FROM seen_deliveries WHERE key IN ({:delivery}, {:content})`

// deliveryMemory remembers the deliveries of an intake batch, with the
// batch's statements.
type deliveryMemory struct {
	w                *writerStatements
	tx               core.App
	remember, lookup *boundStmt // lookup is bound at its first use
}

func newDeliveryMemory(w *writerStatements, tx core.App) (*deliveryMemory, error) {
	remember, err := w.in(tx, rememberDeliverySQL)
	if err != nil {
		return nil, err
	}
	return &deliveryMemory{w: w, tx: tx, remember: remember}, nil
}

// Close lets go of the batch's statements.
func (m *deliveryMemory) Close() {
	_ = m.remember.Close()
	if m.lookup != nil {
		_ = m.lookup.Close()
	}
}

// seen remembers a delivery's keys as seen at `at` (Unix milliseconds),
// unless either is remembered already: then the delivery is a redelivery
// or a replay, and it answers true.
func (m *deliveryMemory) seen(req *intakeRequest, at int64) (bool, error) {
	flow := req.rt.flow.Id
	content := seenkeys.For(flow, req.content)
	if req.delivery == "" {
		return m.rememberKey(content, at)
	}
	delivery := seenkeys.For(flow, req.delivery)
	if m.lookup == nil {
		q, err := m.w.in(m.tx, deliverySeenSQL)
		if err != nil {
			return false, err
		}
		m.lookup = q
	}
	var n int
	if err := m.lookup.queryRow(dbx.Params{"delivery": delivery, "content": content}, &n); err != nil {
		return false, fmt.Errorf("looking up delivery: %w", err)
	}
	if n > 0 {
		return true, nil
	}
	if _, err := m.rememberKey(delivery, at); err != nil {
		return false, err
	}
	return m.rememberKey(content, at)
}

// rememberKey remembers one key of a delivery, and answers true when it
// was remembered already.
func (m *deliveryMemory) rememberKey(key []byte, at int64) (bool, error) {
	res, err := m.remember.exec(dbx.Params{"key": key, "seen": at})
	if err != nil {
		return false, fmt.Errorf("recording delivery: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("recording delivery: %w", err)
	}
	return n == 0, nil
}

// writeIntakes stores a batch of deliveries and the records of those not
// seen before, claiming (until lease) those of the flows in claim whose
// lane is free, and returns the records it stored. A delivery it does not
// store has its reason in refused: errDuplicateDelivery when it was seen
// before, errFlowDeleted when its flow was deleted since its checks.
func writeIntakes(w *writerStatements, tx core.App, batch []*intakeRequest, refused []error, claim []string, lease, now time.Time) ([]inboxItem, error) {
	memory, err := newDeliveryMemory(w, tx)
	if err != nil {
		return nil, err
	}
	defer memory.Close()
	var items []inboxItem
	reads := map[string]int{}
	runs := map[string][2]int{}
	flows := map[string]bool{} // flow id -> it exists
	for i, req := range batch {
		exists, err := flowExists(w, tx, flows, req.rt.flow.Id)
		if err != nil {
			return nil, err
		}
		if !exists {
			refused[i] = errFlowDeleted
			continue
		}
		seen, err := memory.seen(req, now.UnixMilli())
		if err != nil {
			return nil, err
		}
		if seen {
			refused[i] = errDuplicateDelivery
			continue
		}
		items = append(items, req.items...)
		reads[req.rt.source.Id] += len(req.items)
		c := runs[req.runID]
		c[0] += len(req.items)
		c[1] += countFailed(req.items)
		runs[req.runID] = c
	}
	if len(claim) > 0 {
		if err := leaseFreeLanes(w, tx, items, claim, lease); err != nil {
			return nil, err
		}
	}
	if _, _, err := insertTransactions(w, tx, items, now); err != nil {
		return nil, err
	}
	for run, c := range runs {
		if err := countRead(w, tx, run, c[0], c[1], now); err != nil {
			return nil, err
		}
	}
	return items, addUsage(w, tx, reads, "reads", now)
}

// flowExistsSQL counts the flows of an id: one, or none once deleted.
const flowExistsSQL = `SELECT COUNT(*) FROM flows WHERE id = {:id}`

// flowExists reports whether a flow is still there, read in tx once per
// flow of a batch (known), with a statement kept compiled.
func flowExists(w *writerStatements, tx core.App, known map[string]bool, flowID string) (bool, error) {
	if exists, ok := known[flowID]; ok {
		return exists, nil
	}
	q, err := w.in(tx, flowExistsSQL)
	if err != nil {
		return false, err
	}
	defer q.Close()
	var n int
	if err := q.queryRow(dbx.Params{"id": flowID}, &n); err != nil {
		return false, fmt.Errorf("reading the flow of a delivery: %w", err)
	}
	known[flowID] = n > 0
	return n > 0, nil
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
