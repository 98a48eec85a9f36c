package app

import (
	"context"
	"net/url"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
)

// waitingReader is a source whose first page waits until its call is
// cancelled, as an app's slow answer does when the engine stops; asked
// tells when the run waits for it.
type waitingReader struct{ asked chan struct{} }

var waitingReaderSpec = connectors.Spec{
	Name: "waiting-reader", Title: "Waiting reader", Category: connectors.CategoryGeneric,
	Auth:   []connectors.AuthKind{connectors.AuthNone},
	Fields: []connectors.Field{{Name: "store", Title: "Store", Type: connectors.TypeString, Required: true, Help: "Store name."}},
	Reads:  connectors.Entities(),
}

func (waitingReader) Test(context.Context) (connectors.TestResult, error) {
	return connectors.TestResult{OK: true, Message: "ok"}, nil
}
func (waitingReader) Close() error { return nil }
func (r waitingReader) Read(context.Context, connectors.ReadRequest) (connectors.PageStream, error) {
	return r, nil
}
func (r waitingReader) Next(ctx context.Context) (connectors.Page, error) {
	r.asked <- struct{}{}
	<-ctx.Done()
	return connectors.Page{}, &url.Error{Op: "Get", URL: "https://shop.example/api/products", Err: ctx.Err()}
}

// TestARunStoppedWithTheEngineSaysSo: a run under way when Switchboard
// stops is closed as interrupted, the next run going on from where it
// was, as a run cut off by a crash is; not with the cancelled call's
// "context canceled", and without counting a failure of its source.
func TestARunStoppedWithTheEngineSaysSo(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	reader := waitingReader{asked: make(chan struct{}, 1)}
	fe.resource(t, waitingReaderSpec, func(connectors.Config, connectors.Env) (connectors.Connector, error) {
		return reader, nil
	}, "x")
	run := fe.run(t)
	<-reader.asked
	fe.sb.engine.Stop()
	rec, err := fe.app.FindRecordById("runs", run)
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.GetString("error"); got != interruptedRunError {
		t.Errorf("run error %q, want %q", got, interruptedRunError)
	}
	if rec.GetDateTime("finished").IsZero() {
		t.Error("the stopped run is not closed")
	}
	fe.sb.engine.health.mu.Lock()
	defer fe.sb.engine.health.mu.Unlock()
	if n := fe.sb.engine.health.fails[fe.flow.GetString("source")]; n != 0 {
		t.Errorf("the stop counted %d failures of the source", n)
	}
}
