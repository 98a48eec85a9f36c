package connectors

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"
)

// ErrEndOfInput is returned by [PageStream.Next] when there are no more
// pages in this run.
var ErrEndOfInput = errors.New("end of input")

// Env is what the engine hands every connector besides its config.
type Env struct {
	// Logger already carries the connection's name and connector. Never log
	// a secret through it.
	Logger *slog.Logger
	// HTTPClient is the client to use for outgoing calls; it carries the
	// engine's timeouts. Connectors that speak HTTP must use it.
	HTTPClient *http.Client
	// DataDir is a folder the connector may keep local state in, such as
	// pinned host keys. It is private to the connection.
	DataDir string
	// Files is the files root: the one local folder that a connection may
	// read and write files in. Local paths in a config are relative to it.
	Files FilesRoot
	// Shared is the state every open instance of this connection shares,
	// whichever flow, run or worker opened it: the REST kit keeps its pacer
	// and tokens there. Nil when the connector runs on its own (a test):
	// then nothing is shared.
	Shared *Shared
	// Secrets, when set, keeps secrets obtained at run time (an OAuth2
	// token after a refresh) in the connection's sealed secrets. Nil when
	// nothing can be saved (a test of a connector on its own).
	Secrets SecretSaver
}

// SecretSaver keeps secrets a connector obtained at run time.
type SecretSaver interface {
	// SaveSecrets seals the given secrets into the connection's stored
	// secrets, keeping the others; an empty value removes one.
	SaveSecrets(ctx context.Context, secrets map[string]string) error
}

// FilesRoot confines the local files of connections. Every local path in a
// connection's config is relative to Dir and must stay inside it, and none
// may reach the data folder's own files (the database, the secret key),
// even when Dir holds the data folder. The data folder's sub-folder
// [DataFilesDir], the default files root, is not refused.
type FilesRoot struct {
	// Dir is the absolute path of the files root; "" refuses every path.
	Dir string
	// DataDir is the absolute path of the data folder; "" when there is
	// none to protect (tests of a connector on its own).
	DataDir string
}

// DataFilesDir is the data folder's sub-folder that is the files root
// unless another is configured; connections may use it.
const DataFilesDir = "files"

// Constructor builds a connector for one connection. It validates nothing
// that [Spec.ResolveAndValidate] has already checked, and does no network
// I/O: the engine calls it for every run and for every "test connection".
type Constructor func(cfg Config, env Env) (Connector, error)

// Connector is one configured instance of a connector: the base every
// connector implements. Reading, writing and webhooks are optional
// capabilities, detected with type assertions and declared in the Spec.
type Connector interface {
	// Test checks that the app can be reached with the given credentials
	// and answers with a verdict a person can act on.
	Test(ctx context.Context) (TestResult, error)
	// Close releases connections held across calls. The engine calls it
	// once per run, after the last read or write.
	Close() error
}

// TestResult is the verdict of [Connector.Test].
type TestResult struct {
	// OK is true when the connection works.
	OK bool `json:"ok"`
	// Message says what was found, e.g. "Logged in as shop@example.com".
	Message string `json:"message"`
	// Details holds facts worth showing, e.g. a host key fingerprint.
	Details map[string]string `json:"details,omitempty"`
	// NeedsAttention is set when the test failed in a way only a person
	// fixes (see [NeedsAttention]): a connection the engine holds for it
	// stays held, and one down is held for it instead.
	NeedsAttention bool `json:"-"`
}

// Record is one native record as the app has it.
type Record struct {
	// ID is the record's id in its app, stable across reads.
	ID string
	// Key is the business key a person searches by: an order number, SKU,
	// e-mail or file name. Falls back to ID when empty.
	Key string
	// Data is the native record: decoded JSON, a CSV row, an XML element.
	Data map[string]any
	// Updated is when the app last changed the record, if it says.
	Updated time.Time
	// Err is set when the record could not be read or parsed (a bad CSV
	// row): the engine keeps it as a failed transaction with this error and
	// the rest of the page goes on.
	Err error
	// Raw is, with Err, the record's text as far as the connector has it
	// (the bad CSV row), "" when it has none. The engine keeps it with the
	// error in the transaction's input, for a person to see.
	Raw string
}

// Page is one batch of records read from a source.
type Page struct {
	Records []Record
	// Cursor is the position to resume from once this page is committed.
	Cursor string
	// Ack, when set, is called once the page's records and cursor are
	// committed to the inbox (a file connector archives its file then).
	// An Ack error is logged; the records are safe either way.
	Ack func(ctx context.Context) error
}

// ReadRequest asks a source for records changed since a cursor.
type ReadRequest struct {
	Entity Entity
	// Cursor is the last committed position, "" on the first run.
	Cursor string
	// PageSize is the number of records the engine would like per page.
	PageSize int
	// Options are the flow's options for reading through this connection,
	// resolved against the connector's flow fields for reading
	// ([Spec.ResolveFlow]): typed, with defaults applied. The engine always
	// passes them resolved; called with the zero Config (nil Values), as a
	// test may, a connector applies its defaults.
	Options Config
}

// Reader is implemented by connectors that can be a flow's source.
type Reader interface {
	// Read opens a stream of pages of records changed since req.Cursor.
	Read(ctx context.Context, req ReadRequest) (PageStream, error)
}

// Sampler is implemented by sources that can show a few of their records
// without reading them: nothing is claimed, moved, acknowledged or
// remembered, so a run afterwards reads them as if no sample was taken.
// The wizard and the mapping editor take their sample records from it.
type Sampler interface {
	// Sample returns up to n native records a flow with req's options
	// would read; none when there is nothing to read.
	Sample(ctx context.Context, req ReadRequest, n int) ([]Record, error)
}

// PageStream yields pages until it returns [ErrEndOfInput].
type PageStream interface {
	// Next returns the next page, or ErrEndOfInput when the run has read
	// everything. Other errors are classified as usual. After an error that
	// IsRateLimited reports, the engine waits as asked and calls Next
	// again: it must read the same page again.
	Next(ctx context.Context) (Page, error)
	// Close releases the stream; it is called even after an error.
	Close() error
}

// WriteRequest asks a target to create or update one record.
type WriteRequest struct {
	Entity Entity
	// TargetID is the record's id in the target from an earlier write, or
	// "" to create it.
	TargetID string
	// Key is the record's business key, for messages and file names.
	Key string
	// Data is the target-native record produced by the write mapping. It is
	// the writer's to keep for as long as it likes: the engine never changes
	// it, so a writer that buffers records until Flush may keep it as it is.
	// Nobody changes it: parts of it (an object or a list taken over as it
	// is) may be shared with the record's input, which the engine records.
	Data map[string]any
	// IdempotencyKey is the same for every attempt at the same transaction:
	// a target that accepts idempotency keys must send it, so that an
	// attempt cut off after the app acted cannot act twice.
	IdempotencyKey string
	// Options are the flow's options for writing through this connection,
	// resolved against the connector's flow fields for writing
	// ([Spec.ResolveFlow]): typed, with defaults applied. The engine always
	// passes them resolved; called with the zero Config (nil Values), as a
	// test may, a connector applies its defaults.
	Options Config
	// FieldOrder lists Data's fields in the order the write mapping lists
	// them (the canonical model's order without one), as dotted paths:
	// "number", "customer.name", "lines.sku" (a list's elements passed
	// through). Writers of formats whose fields have an order (XML
	// elements, CSV columns) follow it. The same slice serves every
	// record of a flow: read it, never change it.
	FieldOrder []string
	// Xrefs finds where other records went in this target: a stock
	// writer finds the id its product got from the product flow. Nil when
	// the engine does not write (a preview, a test).
	Xrefs Xrefs
}

// Xrefs finds the target ids that earlier writes between the same two
// connections gave records, whichever flow wrote them.
type Xrefs interface {
	// TargetID returns the target id of the record of entity with the
	// source id, and whether there is one.
	TargetID(ctx context.Context, entity Entity, sourceID string) (string, bool, error)
	// TargetIDByKey returns the target id of the record of entity with the
	// business key (an SKU, an order number, an e-mail address).
	TargetIDByKey(ctx context.Context, entity Entity, key string) (string, bool, error)
}

// Getter is implemented by connectors that can read one record by its id
// in the app: the preview compares what a write would send with the
// target's current record, and a webhook that names only ids can be
// followed by the record it names.
type Getter interface {
	// Get returns the record of entity with the id. A record the app does
	// not have is an error wrapping ErrRecordNotFound.
	Get(ctx context.Context, entity Entity, id string) (Record, error)
}

// ErrRecordNotFound is wrapped by a Getter's error for a record the app
// does not have.
var ErrRecordNotFound = errors.New("no such record")

// KeyFinder is implemented by targets that can look a record up by its
// business key. When no earlier write of a record is known, the engine
// asks before creating it, so that a record the target has already (made
// by hand, or before Switchboard) is updated instead of duplicated.
type KeyFinder interface {
	// FindByKey returns the id of the target's record of entity with the
	// business key, and whether there is one. Errors are classified as
	// writes' are.
	FindByKey(ctx context.Context, entity Entity, key string) (string, bool, error)
}

// WriteResult is the target's answer to one write.
type WriteResult struct {
	// TargetID is the id the target gave the record.
	TargetID string
	// Response is what the target answered, for the Activity page. It must
	// not hold secrets.
	Response map[string]any
}

// Writer is implemented by connectors that can be a flow's target.
type Writer interface {
	// Write creates the record, or updates req.TargetID when set. A write
	// must be safe to repeat with the same TargetID.
	Write(ctx context.Context, req WriteRequest) (WriteResult, error)
}

// Flusher is implemented by writers that buffer records, such as a file
// target writing one file for many records. The engine calls Flush when it
// has no more work in flight for the target, and before it stops; no Write
// runs during a Flush. A write is final only once Flush returns nil, and
// only then does the engine record it as succeeded. When Flush fails, none
// of the writes since the last successful Flush may take effect: the
// connector drops them, and the engine writes those records again.
type Flusher interface {
	Flush(ctx context.Context) error
}

// Publisher is a Flusher whose flushed output becomes visible in a second
// step, so that the engine can record the writes as done in between, and
// a crash neither loses nor repeats them: Prepare stores the output out of
// sight (a file under a temporary name), the engine commits the writes'
// outcomes together with the Prepared, and Publish makes it visible (the
// rename). A start calls Recover before the connection's first write.
type Publisher interface {
	Flusher
	// Prepare ends the writes since the last Prepare and stores them out
	// of sight; "" when there were none. On an error none of those writes
	// may take effect, as for Flush.
	Prepare(ctx context.Context) (Prepared, error)
	// Publish makes prepared output visible. Repeating it is harmless.
	Publish(ctx context.Context, p Prepared) error
	// Recover publishes what the engine committed and a process that is
	// gone did not publish, and removes what such a process prepared that
	// was not committed.
	Recover(ctx context.Context, committed []Prepared) error
}

// Prepared is what a Publisher prepared, in the connector's own words; the
// engine keeps it as it is and hands it back.
type Prepared string

// OAuth2Connector is implemented by connections that a person connects
// with OAuth2's authorization code flow (the Connect button): the engine's
// start route sends the person to AuthCodeURL, its callback route hands
// the code that comes back to ExchangeCode and keeps the secrets it
// returns, sealed. A connector whose connection does not connect so
// returns an error from both.
type OAuth2Connector interface {
	// AuthCodeURL returns the app's consent page for a connect that comes
	// back to redirectURL with state, and the PKCE verifier to keep for
	// ExchangeCode.
	AuthCodeURL(redirectURL, state string) (authURL, verifier string, err error)
	// ExchangeCode trades the code for tokens and returns the secrets that
	// keep them.
	ExchangeCode(ctx context.Context, redirectURL, code, verifier string) (map[string]string, error)
}

// WebhookRegistration is what the engine registers in an app for a flow
// that takes webhooks.
type WebhookRegistration struct {
	// Entity is the flow's entity: the events to register for.
	Entity Entity
	// URL is the flow's webhook address.
	URL string
	// Secret is the flow's webhook secret, for the app to sign its calls.
	Secret string
}

// ErrNoWebhookAPI is returned by a WebhookRegistrar whose connection
// registers no webhooks (its app's API cannot, or it is not set up to):
// the engine then leaves registration to a person.
var ErrNoWebhookAPI = errors.New("the connection does not register webhooks in its app")

// WebhookRegistrar is implemented by connectors whose app registers
// webhooks by API. The engine registers a flow's address in its source app
// while the flow takes webhooks and is enabled, and removes it when the
// flow is disabled, stops taking webhooks or is deleted.
type WebhookRegistrar interface {
	// RegisterWebhook registers the address and returns the app's id of
	// the registration.
	RegisterWebhook(ctx context.Context, reg WebhookRegistration) (id string, err error)
	// RemoveWebhook removes a registration; one already gone is no error.
	RemoveWebhook(ctx context.Context, id string) error
}

// WebhookRequest is an incoming webhook call.
type WebhookRequest struct {
	Header http.Header
	Body   []byte
	// Secret is the flow's webhook secret (HMAC key or token).
	Secret string
	// Received is when the call arrived; signed timestamps are checked
	// against it (the current time when zero).
	Received time.Time
}

// Webhook is a parsed webhook call.
type Webhook struct {
	// DeliveryID identifies the delivery, for recognising redeliveries; ""
	// when the app sends none. The engine also recognises a redelivery by
	// the hash of its body (and SignedAt), whatever its id.
	DeliveryID string
	// Entity is what the call is about.
	Entity Entity
	// Records are the native records the call carries.
	Records []Record
	// SignedAt is when the sender signed the call, when its signature
	// covers a timestamp; zero otherwise. Two calls with one body signed at
	// different times are different deliveries.
	SignedAt time.Time
}

// WebhookReceiver is implemented by connectors that can receive webhooks.
type WebhookReceiver interface {
	// VerifyWebhook checks the call's signature or token before anything
	// else is done with it; a failure is answered 401.
	VerifyWebhook(req WebhookRequest) error
	// ParseWebhook reads the records out of a verified call. A call in a
	// format the connector does not read is refused with an error wrapping
	// ErrNotJSON (answered 415); see RequireJSON.
	ParseWebhook(req WebhookRequest) (Webhook, error)
}

// WebhookCompleter is implemented by webhook receivers whose app sends ids
// only: the connector fetches the records from its API, as its scheduled
// read of the flow would yield them. The engine calls it right after
// ParseWebhook; an error is answered 503, so that the app sends the call
// again.
type WebhookCompleter interface {
	// CompleteWebhook returns the parsed call with its records fetched for
	// a flow that reads req.Entity with req.Options. A call about records
	// the flow does not read is returned as it is.
	CompleteWebhook(ctx context.Context, req ReadRequest, hook Webhook) (Webhook, error)
}
