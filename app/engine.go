package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// EngineConfig tunes the sync engine. Zero fields take their defaults.
type EngineConfig struct {
	// Workers is how many transactions are processed at once (default 8).
	Workers int
	// Lease is how long a claimed transaction is held before another
	// worker may take it over (default 2 minutes).
	Lease time.Duration
	// MaxAge is how long transient failures are retried, counted from the
	// transaction's creation, or from its retry by hand (default 72 hours).
	MaxAge time.Duration
	// BackoffBase and BackoffMax bound the retry backoff (5s, 30 minutes).
	BackoffBase, BackoffMax time.Duration
	// DownAfter transient failures in a row mark a connection down (5).
	DownAfter int
	// ProbeEvery is how often a down connection is tested (30 seconds).
	ProbeEvery time.Duration
	// AlertEvery is the least time between two alert mails of a flow (15m).
	AlertEvery time.Duration
	// Retention is how long payloads of finished transactions are kept
	// (30 days; failed transactions are kept until resolved).
	Retention time.Duration
	// PollEvery is how often the queue is looked at when nothing wakes the
	// workers (1 second).
	PollEvery time.Duration
	// WebhookRate is how many webhook calls per second a flow takes on
	// average (5,000: above what one appliance takes in, so that it cuts off
	// only floods); WebhookBurst how many at once (twice the rate). Calls
	// beyond are answered 429 with Retry-After.
	WebhookRate  float64
	WebhookBurst int
	// FlushRecords and FlushAge bound what a buffering target (a file
	// target) holds: it is flushed once it holds FlushRecords writes
	// (10,000) or its oldest is FlushAge old (30 seconds), and whenever no
	// work is in flight.
	FlushRecords int
	FlushAge     time.Duration
}

// maxWebhookRate bounds EngineConfig.WebhookRate: a larger setting means
// no practical limit.
const maxWebhookRate = 1e9

func (c EngineConfig) withDefaults() EngineConfig {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if c.Workers <= 0 {
		c.Workers = 8
	}
	if c.DownAfter <= 0 {
		c.DownAfter = 5
	}
	if c.FlushRecords <= 0 {
		c.FlushRecords = 10000
	}
	def(&c.Lease, 2*time.Minute)
	def(&c.MaxAge, 72*time.Hour)
	def(&c.BackoffBase, 5*time.Second)
	def(&c.BackoffMax, 30*time.Minute)
	def(&c.ProbeEvery, 30*time.Second)
	def(&c.AlertEvery, 15*time.Minute)
	def(&c.Retention, 30*24*time.Hour)
	def(&c.PollEvery, time.Second)
	def(&c.FlushAge, 30*time.Second)
	switch {
	case !(c.WebhookRate > 0): // also NaN
		c.WebhookRate = 5000
	case c.WebhookRate > maxWebhookRate:
		c.WebhookRate = maxWebhookRate
	}
	if c.WebhookBurst <= 0 {
		c.WebhookBurst = max(1, int(2*c.WebhookRate))
	}
	return c
}

// Engine moves records: it runs flows (reads into the inbox), processes
// the inbox with a pool of workers, retries, and records the outcomes.
type Engine struct {
	sb    *Switchboard
	cfg   EngineConfig
	tuned tuned // what an admin set on the Settings page, over cfg
	cache runtimeCache
	// servedAt is the address serve listens on, as a URL, set before it
	// serves: the base of webhook addresses and alert links while no
	// Application URL is set (applianceURL).
	servedAt atomic.Pointer[string]

	wake     chan struct{}
	pruneNow chan struct{} // a shorter retention was saved (retention.go)
	idle     chan struct{} // no transaction is in flight (worker.go)
	outcomes chan outcome
	intakes  *intakeQueue
	health   *healthBook
	alerts   *alerter
	runs     *runLocks
	sched    *scheduler
	hooks    webhookRuns
	hookLims *hookLimiter
	active   activeCache
	turn     int          // the flow the next claim starts with
	log      *slog.Logger // where the engine logs; the app's logger when nil

	leases      *leaseKeeper      // the transactions this process holds (leases.go)
	payloads    *payloadDicts     // the flows' dictionaries of stored payloads (payload_dicts.go)
	stmts       *writerStatements // the frequent writes, compiled once (statements.go)
	recovered   *recoveryBook     // file targets finished after a start (recovery.go)
	started     time.Time         // when Start ran
	pauses      *pauseBook        // rate-limited connections (pacing.go)
	reconnects  *reconnectBook    // connections to connect again (reconnect.go)
	refusals    refusalBook       // targets refusing written files (publish_refusals.go)
	registering sync.Mutex        // one webhook registration at a time (webhook_register.go)
	beforeRetry func()            // the tests' hook between a retry's read and its update

	ctx     context.Context
	cancel  context.CancelFunc
	lifeMu  sync.Mutex // held while a goroutine is added, and while ctx is cancelled
	jobs    chan claimed
	handoff chan []claimed // a run's records, claimed as they were stored (handoff.go)
	// intakeHandoff holds webhook records claimed as they were stored;
	// intakeRoom tells a waiting intake that the dispatcher took a batch.
	intakeHandoff chan []claimed
	intakeRoom    chan struct{}
	inflight      atomic.Int64   // claimed transactions not yet done
	claims        atomic.Int64   // claims made so far, for the tests
	wgWork        sync.WaitGroup // the dispatcher and the workers
	wgCommit      sync.WaitGroup // the committer
	wg            sync.WaitGroup // runs and background loops
	stopOnce      sync.Once
	// flushGate is shared by the flushes a run asks for (deferred.go) and
	// taken alone by the stop before the outcome channel closes.
	flushGate sync.RWMutex
}

// ErrEngineStopped is returned when work is asked of a stopped engine.
var ErrEngineStopped = errors.New("the engine is stopped")

func newEngine(sb *Switchboard, cfg EngineConfig) *Engine {
	e := &Engine{
		sb:       sb,
		cfg:      cfg.withDefaults(),
		cache:    runtimeCache{flows: map[string]*flowRuntime{}},
		wake:     make(chan struct{}, 1),
		pruneNow: make(chan struct{}, 1),
		idle:     make(chan struct{}, 1),
		outcomes: make(chan outcome, 1024),
		intakes:  newIntakeQueue(),
		jobs:     make(chan claimed),
		handoff:  make(chan []claimed),

		intakeHandoff: make(chan []claimed, intakeHandoffBatches),
		intakeRoom:    make(chan struct{}, 1),
	}
	e.health = newHealthBook(e)
	e.leases = newLeaseKeeper()
	e.payloads = newPayloadDicts(e.app, e.logger)
	e.recovered = newRecoveryBook()
	e.pauses = newPauseBook(e)
	e.reconnects = newReconnectBook(e)
	e.alerts = newAlerter(e)
	e.runs = newRunLocks()
	e.hooks = webhookRuns{runs: map[string]webhookRun{}}
	return e
}

func (e *Engine) app() core.App { return e.sb.app }

func (e *Engine) logger() *slog.Logger {
	l := e.log
	if l == nil {
		l = e.sb.logger()
	}
	return l.With(slog.String("part", "engine"))
}

// Start starts the workers, the committer, the scheduler and the
// background loops. It is called once the server starts.
func (e *Engine) Start() error {
	e.ctx, e.cancel = context.WithCancel(context.Background())
	e.started = time.Now()
	e.hookLims = newHookLimiter(e.cfg.WebhookRate, e.cfg.WebhookBurst)
	if err := e.health.load(); err != nil {
		return err
	}
	if err := e.alerts.load(); err != nil {
		return err
	}
	if err := e.reconnects.load(); err != nil {
		return err
	}
	if err := e.releaseLeases(); err != nil {
		return err
	}
	if err := e.loadTunables(); err != nil {
		return err
	}
	stmts, err := prepareWriterStatements(e.app())
	if err != nil {
		return err
	}
	e.stmts = stmts
	goWith(&e.wgCommit, e.commitLoop)
	for range e.cfg.Workers {
		goWith(&e.wgWork, e.workLoop)
	}
	goWith(&e.wgWork, e.dispatchLoop)
	goWith(&e.wgWork, e.flushLoop)
	e.goLoop(e.leaseLoop)
	e.goLoop(e.recoverTargets)
	e.goLoop(e.health.probeLoop)
	e.goLoop(e.alerts.digestLoop)
	e.goLoop(e.retentionLoop)
	e.goLoop(e.intakeLoop)
	e.goLoop(e.checkpointLoop)
	e.syncAllWebhooks()
	return e.startScheduler()
}

// goLoop starts fn as one of the engine's goroutines, which stop waits
// for; once the engine is stopping it starts nothing and answers false, so
// that no goroutine outlives stop (and the app it uses).
func (e *Engine) goLoop(fn func()) bool {
	e.lifeMu.Lock()
	defer e.lifeMu.Unlock()
	if e.ctx != nil && e.ctx.Err() != nil {
		return false
	}
	goWith(&e.wg, fn)
	return true
}

func goWith(wg *sync.WaitGroup, fn func()) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		fn()
	}()
}

// Stop stops taking work, lets in-flight transactions finish and records
// their outcomes, then closes the connectors.
func (e *Engine) Stop() {
	if e.cancel == nil {
		return
	}
	e.stopOnce.Do(e.stop)
}

func (e *Engine) stop() {
	e.stopScheduler()
	e.lifeMu.Lock()
	e.cancel()
	e.lifeMu.Unlock()
	e.wgWork.Wait()
	e.flushGate.Lock()
	e.flushTargets()
	close(e.outcomes)
	e.flushGate.Unlock()
	e.wgCommit.Wait()
	e.wg.Wait()
	e.stmts.close()
	e.forget("")
}

// running reports whether the engine has started and is not stopping.
func (e *Engine) running() bool { return e.ctx != nil && e.ctx.Err() == nil }

// Wake tells the workers there may be new work.
func (e *Engine) Wake() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// interruptedRunError is the error of a run that Switchboard stopped, or
// that a crash cut off, before it read everything.
const interruptedRunError = "interrupted: Switchboard stopped during the run; the next run goes on from where it was"

// releaseLeases makes the transactions that a stopped or killed process
// had claimed due at once: with one engine per data folder, nobody else
// holds them.
func (e *Engine) releaseLeases() error {
	now := dbx.Params{"now": sqlTime(time.Now())}
	_, err := e.app().DB().NewQuery("UPDATE transactions SET next_attempt = {:now} WHERE status = 'running'").Bind(now).Execute()
	if err != nil {
		return fmt.Errorf("releasing leases: %w", err)
	}
	_, err = e.app().DB().NewQuery(`UPDATE runs SET finished = {:now}, updated = {:now},
		error = {:error} WHERE finished = '' AND trigger != 'webhook'`).
		Bind(dbx.Params{"now": now["now"], "error": interruptedRunError}).Execute()
	if err != nil {
		return fmt.Errorf("closing interrupted runs: %w", err)
	}
	return nil
}

// Config returns the engine's settings, defaults filled in.
func (e *Engine) Config() EngineConfig { return e.cfg }
