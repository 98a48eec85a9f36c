package app

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app/instance"
	"github.com/switchboard-app/switchboard/app/secrets"
)

// TestSecretsResetAfterALostKey: a data folder whose key is lost for good
// (its key file gone, or another key in the environment) refused every
// flow, and every secret typed again, for ever. secrets reset lists what
// the lost key sealed and changes nothing without --yes; with it, it
// clears the connections' lost secrets, gives the flows new webhook
// secrets and makes the key at hand the folder's, so that flows may run
// and secrets be saved again.
func TestSecretsResetAfterALostKey(t *testing.T) {
	cases := []struct {
		name string
		lose func(t *testing.T, env *testEnv)
	}{
		{"the key file is gone", func(t *testing.T, env *testEnv) {
			if err := os.Remove(filepath.Join(env.app.DataDir(), secrets.KeyFileName)); err != nil {
				t.Fatal(err)
			}
		}},
		{"another key in the environment", func(t *testing.T, env *testEnv) {
			if err := os.Remove(filepath.Join(env.app.DataDir(), secrets.KeyFileName)); err != nil {
				t.Fatal(err)
			}
			other, err := secrets.GenerateKey()
			if err != nil {
				t.Fatal(err)
			}
			t.Setenv(secrets.EnvKey, other.String())
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := newTestEnv(t)
			seedWebhookFlow(true)(t, env)
			shop, _ := env.app.FindFirstRecordByData(connectionsCollection, "name", "Shop")
			flowID := ordersFlowID(t, env)
			tc.lose(t, env)
			env.sb.checkSecrets()
			if err := env.sb.Ready(); err == nil || !strings.Contains(err.Error(), "switchboard secrets reset") {
				t.Fatalf("Ready() with the key lost = %v, want it to name secrets reset", err)
			}

			var listed bytes.Buffer
			err := env.sb.resetSecrets(&listed, false)
			if err == nil || !strings.Contains(err.Error(), "--yes") {
				t.Fatalf("reset without --yes = %v, want a refusal naming --yes", err)
			}
			for _, want := range []string{`connection "Shop": api_key`, `flow "orders": its webhook secret`} {
				if !strings.Contains(listed.String(), want) {
					t.Fatalf("reset without --yes listed %q, want %q", listed.String(), want)
				}
			}
			wantUnchanged(t, env, shop, flowID)

			var done bytes.Buffer
			if err := env.sb.resetSecrets(&done, true); err != nil {
				t.Fatalf("reset --yes: %v", err)
			}
			env.sb.checkSecrets()
			if err := env.sb.Ready(); err != nil {
				t.Fatalf("after the reset: %v", err)
			}
			after, _ := env.app.FindRecordById(connectionsCollection, shop.Id)
			if left := sealedSecrets(after); len(left) != 0 {
				t.Fatalf("the lost secrets are still stored: %v", left)
			}
			flow, _ := env.app.FindRecordById(flowsCollection, flowID)
			if plain, err := env.sb.WebhookSecret(flow); err != nil || plain == "" || plain == "hook-secret" {
				t.Fatalf("the flow's webhook secret after the reset = %q, %v; want a new one that opens", plain, err)
			}
			ring, _ := env.sb.Keyring()
			if err := env.sb.mergeSecret(map[string]string{}, "api_key", "typed-again"); err != nil {
				t.Fatalf("a secret typed again after the reset: %v", err)
			}
			if !strings.Contains(done.String(), ring.CurrentID()) {
				t.Fatalf("reset said %q, want the key id %s", done.String(), ring.CurrentID())
			}
		})
	}
}

// wantUnchanged fails when the connection's stored secrets or the flow's
// stored webhook secret changed, or a key file was made where none was.
func wantUnchanged(t *testing.T, env *testEnv, shop *core.Record, flowID string) {
	t.Helper()
	after, _ := env.app.FindRecordById(connectionsCollection, shop.Id)
	if !equalJSON(shop.GetRaw("secrets"), after.GetRaw("secrets")) {
		t.Fatal("reset without --yes changed the connection's secrets")
	}
	if raw := storedHookSecret(t, env, flowID); !secrets.IsSealed(raw) {
		t.Fatalf("reset without --yes changed the webhook secret: %q", raw)
	}
	if os.Getenv(secrets.EnvKey) == "" {
		if _, err := os.Stat(filepath.Join(env.app.DataDir(), secrets.KeyFileName)); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("reset without --yes made a key file: %v", err)
		}
	}
}

// TestSecretsResetRefuses: reset changes nothing when the key opens the
// secrets, or the data folder's key file does and the environment's key
// overrides it (nothing is lost), or while the appliance serves the
// folder.
func TestSecretsResetRefuses(t *testing.T) {
	cases := []struct {
		name     string
		lock     bool
		otherKey bool
		want     string
	}{
		{"the key opens the secrets", false, false, "nothing is lost"},
		{"the key file opens them, another key overrides it", false, true, "Remove " + secrets.EnvKey},
		{"the appliance runs", true, false, "stop it first"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := newTestEnv(t)
			seedWebhookFlow(true)(t, env)
			shop, _ := env.app.FindFirstRecordByData(connectionsCollection, "name", "Shop")
			flowID := ordersFlowID(t, env)
			before := storedHookSecret(t, env, flowID)
			if tc.otherKey {
				other, err := secrets.GenerateKey()
				if err != nil {
					t.Fatal(err)
				}
				t.Setenv(secrets.EnvKey, other.String())
			}
			if tc.lock {
				unlock, err := instance.Lock(env.app.DataDir())
				if err != nil {
					t.Fatal(err)
				}
				defer unlock()
			}
			var out bytes.Buffer
			if err := env.sb.resetSecrets(&out, true); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("reset = %v, want %q", err, tc.want)
			}
			after, _ := env.app.FindRecordById(connectionsCollection, shop.Id)
			if !equalJSON(shop.GetRaw("secrets"), after.GetRaw("secrets")) || storedHookSecret(t, env, flowID) != before {
				t.Fatal("a refused reset changed secrets")
			}
		})
	}
}
