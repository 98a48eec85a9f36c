package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
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
