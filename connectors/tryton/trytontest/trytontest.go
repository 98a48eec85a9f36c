// Package trytontest is the real Tryton server that tests run against,
// started by .ci/servers/trytond.sh: a database of a test's own, copied
// from the server's template, and a JSON-RPC client to set up and read
// back what a test needs there.
package trytontest

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

// Server is the Tryton server of the integration tests.
type Server struct {
	URL, Dir, Template, User, Password string
}

// Require returns the test server that trytond.sh announced in the
// environment, skipping the test when it is absent (failing it when
// SWITCHBOARD_REQUIRE_IT=1, as in CI).
func Require(t testing.TB) Server {
	t.Helper()
	names := []string{"SWITCHBOARD_IT_TRYTON_URL", "SWITCHBOARD_IT_TRYTON_DB_DIR", "SWITCHBOARD_IT_TRYTON_TEMPLATE",
		"SWITCHBOARD_IT_TRYTON_USER", "SWITCHBOARD_IT_TRYTON_PASS"}
	values := make([]string, len(names))
	for i, name := range names {
		if values[i] = os.Getenv(name); values[i] == "" {
			if os.Getenv("SWITCHBOARD_REQUIRE_IT") == "1" {
				t.Fatalf("%s is not set: start trytond (.ci/servers/trytond.sh; scripts/test.sh does)", name)
			}
			t.Skipf("%s is not set: no Tryton to test against", name)
		}
	}
	return Server{URL: values[0], Dir: values[1], Template: values[2], User: values[3], Password: values[4]}
}

// Database copies the template into a database of the test's own, which
// is removed after it, and opens it in trytond with a first login. One
// trytond process that opens several new databases at once fails inside
// (its pools are not safe to initialise concurrently), so the copy and
// the first login happen one at a time over every test process that
// uses the server.
func (s Server) Database(t testing.TB) string {
	t.Helper()
	defer lock(t, filepath.Join(s.Dir, "open.lock"))()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "sbtest_" + hex.EncodeToString(b)
	path := filepath.Join(s.Dir, name+".sqlite")
	if err := copyFile(filepath.Join(s.Dir, s.Template+".sqlite"), path); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Remove(path) })
	s.Login(t, name)
	return name
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		_ = dst.Close()
		return err
	}
	return dst.Close()
}

// Config is a tryton connection's config for the database.
func (s Server) Config(db string) map[string]any {
	return map[string]any{"base_url": s.URL, "database": db, "username": s.User}
}

// Secrets are a tryton connection's secrets.
func (s Server) Secrets() map[string]string { return map[string]string{"password": s.Password} }

// Client calls a database's JSON-RPC as the test user.
type Client struct {
	url, auth string
}

// Login logs in to the database.
func (s Server) Login(t testing.TB, db string) *Client {
	t.Helper()
	c := &Client{url: s.URL + "/" + db + "/"}
	var pair []any
	c.Call(t, &pair, "common.db.login", s.User, map[string]any{"password": s.Password}, "en")
	if len(pair) != 2 {
		t.Fatalf("common.db.login answered %v", pair)
	}
	c.auth = "Session " + base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("%s:%v:%v", s.User, pair[0], pair[1])))
	return c
}

// Call calls a method and decodes its result into out (nil for none),
// failing the test on any error. A fault without a message is tried again
// a few times: the Tryton 6.0 the tests run now and then fails a call that
// way while another thread loads a new database (its log: an
// AssertionError in ir.translation).
func (c *Client) Call(t testing.TB, out any, method string, params ...any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"id": 1, "method": method, "params": params})
	for attempt := 1; ; attempt++ {
		status, data, answer := c.post(t, body)
		if answer.Error != nil && silentFault(answer.Error) && attempt < 5 {
			t.Logf("%s, attempt %d: a fault without a message", method, attempt)
			continue
		}
		if answer.Error != nil {
			t.Fatalf("%s: %d %s", method, status, data)
		}
		if out != nil {
			if err := json.Unmarshal(answer.Result, out); err != nil {
				t.Fatalf("%s: %v: %s", method, err, answer.Result)
			}
		}
		return
	}
}

// rpcAnswer is a JSON-RPC answer: a result or an error.
type rpcAnswer struct {
	Result json.RawMessage `json:"result"`
	Error  any             `json:"error"`
}

func (c *Client) post(t testing.TB, body []byte) (int, []byte, rpcAnswer) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	var answer rpcAnswer
	if err := json.Unmarshal(data, &answer); err != nil {
		t.Fatalf("%d %s: %v", res.StatusCode, data, err)
	}
	return res.StatusCode, data, answer
}

// silentFault reports whether a JSON-RPC error says nothing: Tryton's
// answer to an exception it did not expect.
func silentFault(e any) bool {
	parts, ok := e.([]any)
	if !ok {
		return false
	}
	for _, p := range parts {
		if s, ok := p.(string); !ok || s != "" {
			return false
		}
	}
	return true
}
