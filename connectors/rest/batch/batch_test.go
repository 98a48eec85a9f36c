package batch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
)

// batchApp takes POST /products/batch {"records": [...]} and answers a
// result per record: {"id"} or {"error"} for a record without a SKU.
type batchApp struct {
	calls  atomic.Int64
	status int // answer every call with this status when set
}

func (a *batchApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.calls.Add(1)
	w.Header().Set("Content-Type", "application/json")
	if a.status != 0 {
		w.WriteHeader(a.status)
		_, _ = w.Write([]byte(`{"message":"batch service unavailable"}`))
		return
	}
	var body struct{ Records []map[string]any }
	_ = json.NewDecoder(r.Body).Decode(&body)
	results := []map[string]any{}
	for _, rec := range body.Records {
		if sku, _ := rec["sku"].(string); sku == "" {
			results = append(results, map[string]any{"error": "sku is missing"})
			continue
		}
		results = append(results, map[string]any{"id": "id-" + rec["sku"].(string)})
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"results": results})
}

// apiSender is how a connector sends a batch with the REST kit.
type apiSender struct{ client *rest.Client }

func (s apiSender) SendBatch(ctx context.Context, reqs []connectors.WriteRequest) ([]Result, error) {
	records := make([]map[string]any, len(reqs))
	for i, r := range reqs {
		records[i] = r.Data
	}
	var answer struct{ Results []map[string]any }
	if _, err := s.client.DoJSON(ctx, rest.Request{Method: "POST", Path: "products/batch", JSON: map[string]any{"records": records}}, &answer); err != nil {
		return nil, err
	}
	out := make([]Result, len(answer.Results))
	for i, r := range answer.Results {
		if msg, bad := r["error"].(string); bad {
			out[i].Err = connectors.Permanent(fmt.Errorf("record %s: %s", reqs[i].Key, msg))
			continue
		}
		out[i] = Result{TargetID: rest.LookupString(r, "id"), Response: r}
	}
	return out, nil
}

func writer(t *testing.T, app *batchApp, opts Options) *Writer {
	t.Helper()
	srv := httptest.NewServer(app)
	t.Cleanup(srv.Close)
	c, err := rest.New(rest.Options{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return New(apiSender{c}, opts)
}

// writeAll writes n records at once, the record bad without a SKU.
func writeAll(w *Writer, n, bad int) ([]connectors.WriteResult, []error) {
	results, errs := make([]connectors.WriteResult, n), make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			data := map[string]any{"sku": fmt.Sprintf("SKU-%d", i)}
			if i == bad {
				data = map[string]any{"name": "no sku"}
			}
			results[i], errs[i] = w.Write(context.Background(), connectors.WriteRequest{Entity: connectors.Product, Key: fmt.Sprint(i), Data: data})
		}()
	}
	wg.Wait()
	return results, errs
}

func TestOneBadRecordInABatchFailsAlone(t *testing.T) {
	app := &batchApp{}
	// A full batch goes at once: the linger is never waited for.
	results, errs := writeAll(writer(t, app, Options{Max: 100, Linger: time.Hour}), 100, 37)
	for i := range 100 {
		class, _ := connectors.Classify(errs[i])
		switch {
		case i == 37 && (class != connectors.ClassPermanent || !strings.Contains(fmt.Sprint(errs[i]), "record 37: sku is missing")):
			t.Errorf("the bad record: %v (%s)", errs[i], class)
		case i != 37 && (errs[i] != nil || results[i].TargetID != fmt.Sprintf("id-SKU-%d", i)):
			t.Errorf("record %d: %+v, %v", i, results[i], errs[i])
		}
	}
	if n := app.calls.Load(); n != 1 {
		t.Fatalf("%d batch calls for 100 records, want 1", n)
	}
}

func TestAFewWritesGoAfterTheLinger(t *testing.T) {
	app := &batchApp{}
	_, errs := writeAll(writer(t, app, Options{Max: 100, Linger: time.Millisecond}), 3, -1)
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
}

func TestAFailedBatchFailsEachRecordWithItsError(t *testing.T) {
	app := &batchApp{status: http.StatusServiceUnavailable}
	_, errs := writeAll(writer(t, app, Options{Max: 4, Linger: time.Hour}), 8, -1)
	for i, err := range errs {
		if class, _ := connectors.Classify(err); class != connectors.ClassTransient || !strings.Contains(fmt.Sprint(err), "batch service unavailable") {
			t.Fatalf("record %d: %v (%s), want the batch's transient error", i, err, class)
		}
	}
	if n := app.calls.Load(); n != 2 {
		t.Fatalf("%d batch calls for 8 records in batches of 4, want 2", n)
	}
}

// short answers one result too few.
type short struct{}

func (short) SendBatch(_ context.Context, reqs []connectors.WriteRequest) ([]Result, error) {
	return make([]Result, len(reqs)-1), nil
}

func TestAnAnswerOfTheWrongLengthFailsTheBatch(t *testing.T) {
	_, err := New(short{}, Options{Max: 1}).Write(context.Background(), connectors.WriteRequest{Key: "1"})
	if err == nil || !strings.Contains(err.Error(), "the app answered 0 results for a batch of 1 records") {
		t.Fatalf("got %v", err)
	}
}

func TestAWriteThatGivesUpLeavesTheBatch(t *testing.T) {
	app := &batchApp{}
	w := writer(t, app, Options{Max: 100, Linger: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := w.Write(ctx, connectors.WriteRequest{Key: "1", Data: map[string]any{"sku": "A"}}); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.pending) != 0 {
		t.Fatalf("%d writes still pending", len(w.pending))
	}
}

// panicky is a connector's sender with a bug: it panics on a record.
type panicky struct{}

func (panicky) SendBatch(context.Context, []connectors.WriteRequest) ([]Result, error) {
	var m map[string]any
	m["sku"] = "boom" // assignment to entry in nil map
	return nil, nil
}

// TestASenderThatPanicsFailsItsBatchNotTheAppliance: a connector's panic
// while it sends a batch, in the writer's own goroutine (a batch sent when
// its first write has lingered) or in a writer's (a full batch), fails
// every write of the batch as the connector's failure; the process goes
// on.
func TestASenderThatPanicsFailsItsBatchNotTheAppliance(t *testing.T) {
	for _, max := range []int{100, 3} { // lingered, full
		t.Run(fmt.Sprintf("max %d", max), func(t *testing.T) {
			w := New(panicky{}, Options{Max: max, Linger: 10 * time.Millisecond})
			errs := make(chan error, 3)
			for i := range 3 {
				go func() {
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					defer cancel()
					_, err := w.Write(ctx, connectors.WriteRequest{Key: fmt.Sprint("SKU-", i)})
					errs <- err
				}()
			}
			for range 3 {
				err := <-errs
				if class, _ := connectors.Classify(err); err == nil || class != connectors.ClassPermanent || !strings.Contains(err.Error(), "the connector failed") {
					t.Fatalf("a write of a batch whose sender panicked = %v (%s); want the connector's failure, permanent", err, class)
				}
			}
		})
	}
}
