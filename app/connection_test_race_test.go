package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// TestAConnectionEditedWhileItsTestRunsKeepsTheEdit: the test's verdict is
// recorded in the connection's status fields only: a name, address or
// secret saved while the test waited for the app is kept, not put back as
// the test read them.
func TestAConnectionEditedWhileItsTestRunsKeepsTheEdit(t *testing.T) {
	env := newTestEnv(t)
	asked, answer := make(chan struct{}), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case asked <- struct{}{}:
		default:
		}
		<-answer
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"records":[]}`))
	}))
	defer srv.Close()
	defer close(answer)
	conn := env.saveConnection(t, "Shop", "http", map[string]any{"base_url": srv.URL + "/api"}, nil)
	done := make(chan error, 1)
	go func() {
		_, err := env.sb.TestConnectionByID(context.Background(), conn.Id)
		done <- err
	}()
	select {
	case <-asked:
	case <-time.After(10 * time.Second):
		t.Fatal("the test never called the app")
	}
	edited, err := env.app.FindRecordById(connectionsCollection, conn.Id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.sb.SaveConnection(edited, ConnectionInput{Name: "Shop NL", Connector: "http",
		Config: map[string]any{"base_url": srv.URL + "/api/v2"}}); err != nil {
		t.Fatal(err)
	}
	answer <- struct{}{}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	after, err := env.app.FindRecordById(connectionsCollection, conn.Id)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := after.UnmarshalJSONField("config", &cfg); err != nil {
		t.Fatal(err)
	}
	if after.GetString("name") != "Shop NL" || cfg["base_url"] != srv.URL+"/api/v2" {
		t.Fatalf("after the test: name %q, base_url %v; the edit made meanwhile is lost", after.GetString("name"), cfg["base_url"])
	}
	if after.GetString("checked") == "" || after.GetString("status") == "unknown" {
		t.Fatalf("the verdict is not recorded: status %q, checked %q", after.GetString("status"), after.GetString("checked"))
	}
}

// TestAConnectionEditedWhileItsHealthIsRecordedKeepsTheEdit: an outage or
// a recovery is recorded in the connection's health fields only: a name
// saved while the verdict was being written is kept, not put back as the
// engine read it.
func TestAConnectionEditedWhileItsHealthIsRecordedKeepsTheEdit(t *testing.T) {
	env := newTestEnv(t)
	conn := env.saveConnection(t, "Shop", "memory", map[string]any{"store": "health-race"}, nil)
	var once sync.Once
	edited := make(chan error, 1)
	env.app.OnRecordUpdate(connectionsCollection).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetString("status") != ConnDown {
			return e.Next()
		}
		once.Do(func() {
			go func() {
				rec, err := env.app.FindRecordById(connectionsCollection, conn.Id)
				if err == nil {
					rec.Set("name", "Shop NL")
					err = env.app.Save(rec)
				}
				edited <- err
			}()
			// The edit lands now, unless the verdict's write holds it back.
			select {
			case err := <-edited:
				edited <- err
			case <-time.After(300 * time.Millisecond):
			}
		})
		return e.Next()
	})
	env.sb.engine.saveConnectionHealth(conn.Id, ConnDown, "503 Service Unavailable", 3, true)
	select {
	case err := <-edited:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the edit never finished")
	}
	after, err := env.app.FindRecordById(connectionsCollection, conn.Id)
	if err != nil {
		t.Fatal(err)
	}
	if after.GetString("name") != "Shop NL" {
		t.Fatalf("after the outage was recorded the name is %q; the edit made meanwhile is lost", after.GetString("name"))
	}
}
