package app

import (
	"database/sql"
	"encoding/hex"
	"fmt"
	"regexp"
	"sync"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// writerStatements keeps the statements of the engine's frequent writes
// (intakes, outcomes, a run's pages) compiled on SQLite's writer
// connection, so that a transaction binds them instead of compiling them
// again. PocketBase runs its transactions on a pool of one connection; a
// statement prepared on that pool is bound to a transaction with
// sql.Tx.Stmt, which reuses the compiled statement when the transaction
// runs on the connection it was compiled on, and compiles it on the new
// one when PocketBase closed an idle connection and opened another.
//
// The statements are prepared when the engine starts, outside any
// transaction (with one connection, preparing inside one would wait for
// itself), and closed when it has stopped. A statement asked of a nil or
// closed set, or outside a transaction, is compiled for that use alone.
type writerStatements struct {
	db    *sql.DB
	mu    sync.RWMutex
	bySQL map[string]*namedStmt // nil once closed
}

// namedStmt is a statement whose {:name} placeholders were made
// positional; names are their names in order.
type namedStmt struct {
	stmt  *sql.Stmt
	names []string
}

// writerSQL is every statement kept prepared.
var writerSQL = []string{
	rememberDeliverySQL, deliverySeenSQL, insertTransactionSQL, insertInputSQL, countReadSQL, addUsageSQL,
	updateOutcomeSQL, deleteInputsSQL, upsertXrefSQL, xrefScopeSQL, addRunCountsSQL,
	openLanesSQL, claimXrefsSQL, flowExistsSQL,
}

// prepareWriterStatements compiles writerSQL on app's writer pool.
func prepareWriterStatements(app core.App) (*writerStatements, error) {
	pool, ok := app.NonconcurrentDB().(*dbx.DB)
	if !ok {
		return nil, fmt.Errorf("preparing statements: the writer is a %T, not a database", app.NonconcurrentDB())
	}
	w := &writerStatements{db: pool.DB(), bySQL: map[string]*namedStmt{}}
	for _, text := range writerSQL {
		query, names := positional(text)
		stmt, err := w.db.Prepare(query)
		if err != nil {
			w.close()
			return nil, fmt.Errorf("preparing %q: %w", query, err)
		}
		w.bySQL[text] = &namedStmt{stmt: stmt, names: names}
	}
	return w, nil
}

// close closes the statements; later uses compile their own.
func (w *writerStatements) close() {
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, s := range w.bySQL {
		_ = s.stmt.Close()
	}
	w.bySQL = nil
}

// in returns the statement of text for use in tx, a transaction's app
// (or the app itself, outside a transaction: then on the writer pool). The
// caller closes it.
func (w *writerStatements) in(tx core.App, text string) (*boundStmt, error) {
	b, ok := baseOf(tx.NonconcurrentDB())
	if !ok {
		return nil, fmt.Errorf("preparing statement: no executor in a %T", tx.NonconcurrentDB())
	}
	if b.DB().DB() == w.pool() {
		if s := w.get(text); s != nil {
			switch ex := b.Executor().(type) {
			case *sql.Tx:
				return &boundStmt{stmt: ex.Stmt(s.stmt), names: s.names, shared: true}, nil
			case *sql.DB:
				return &boundStmt{stmt: s.stmt, names: s.names, shared: true, pooled: true}, nil
			}
		}
	}
	query, names := positional(text)
	stmt, err := b.Executor().Prepare(query)
	if err != nil {
		return nil, fmt.Errorf("preparing %q: %w", query, err)
	}
	return &boundStmt{stmt: stmt, names: names}, nil
}

// pool is the pool the statements were prepared on (nil for none).
func (w *writerStatements) pool() *sql.DB {
	if w == nil {
		return nil
	}
	return w.db
}

// get is text's prepared statement, nil once closed.
func (w *writerStatements) get(text string) *namedStmt {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.bySQL[text]
}

// baseBuilder is what dbx's builders have: the executor they run
// statements with (a *sql.Tx in a transaction) and their database.
type baseBuilder interface {
	Executor() dbx.Executor
	DB() *dbx.DB
}

// baseOf unwraps a PocketBase database or transaction to its builder.
func baseOf(b dbx.Builder) (baseBuilder, bool) {
	switch v := b.(type) {
	case *dbx.Tx:
		b = v.Builder
	case *dbx.DB:
		b = v.Builder
	}
	base, ok := b.(baseBuilder)
	return base, ok
}

// boundStmt is a statement ready for one transaction (or one use), bound
// by name like dbx's queries.
type boundStmt struct {
	stmt   *sql.Stmt
	names  []string
	args   []any
	shared bool // bound to a statement kept prepared
	pooled bool // the kept statement itself, used outside a transaction
}

// exec runs the statement with p's values for its placeholders.
func (b *boundStmt) exec(p dbx.Params) (sql.Result, error) {
	if err := b.bind(p); err != nil {
		return nil, err
	}
	return b.stmt.Exec(b.args...)
}

// query runs the statement and returns its rows; the caller closes them.
func (b *boundStmt) query(p dbx.Params) (*sql.Rows, error) {
	if err := b.bind(p); err != nil {
		return nil, err
	}
	return b.stmt.Query(b.args...)
}

// queryRow runs the statement and scans its one row into dest; it returns
// sql.ErrNoRows when there is none.
func (b *boundStmt) queryRow(p dbx.Params, dest ...any) error {
	if err := b.bind(p); err != nil {
		return err
	}
	return b.stmt.QueryRow(b.args...).Scan(dest...)
}

func (b *boundStmt) bind(p dbx.Params) error {
	b.args = b.args[:0]
	for _, name := range b.names {
		v, ok := p[name]
		if !ok {
			return fmt.Errorf("no value for {:%s}", name)
		}
		b.args = append(b.args, v)
	}
	return nil
}

// Close lets go of the statement (not of the prepared one it binds).
func (b *boundStmt) Close() error {
	if b.pooled {
		return nil
	}
	return b.stmt.Close()
}

// textList encodes texts for a statement's {:list} in
// `IN (SELECT CAST(unhex(value) AS TEXT) FROM json_each({:list}))`: a JSON
// array of each text's bytes in hexadecimal, so that any bytes, not only
// valid UTF-8, come back as they are. The statement's text stays the same
// whatever the number of texts, so it is kept compiled, and no limit of
// bound parameters applies.
func textList(texts []string) string {
	b := make([]byte, 0, 2+len(texts)*4+sumLen(texts)*2)
	b = append(b, '[')
	for i, t := range texts {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = hex.AppendEncode(b, []byte(t))
		b = append(b, '"')
	}
	return string(append(b, ']'))
}

func sumLen(texts []string) int {
	n := 0
	for _, t := range texts {
		n += len(t)
	}
	return n
}

var placeholder = regexp.MustCompile(`\{:(\w+)\}`)

// positional turns dbx's {:name} placeholders into SQLite's ?, and returns
// the names in the order they appear.
func positional(text string) (string, []string) {
	var names []string
	query := placeholder.ReplaceAllStringFunc(text, func(m string) string {
		names = append(names, m[2:len(m)-1])
		return "?"
	})
	return query, names
}
