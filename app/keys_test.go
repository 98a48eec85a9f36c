package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app/instance"
	"github.com/switchboard-app/switchboard/app/secrets"
)

func TestWrongKeyStopsFlowsAndChangesNothing(t *testing.T) {
	env := newTestEnv(t)
	shop := env.saveConnection(t, "Shop", "testshop", map[string]any{"url": "https://shop.example.com"}, map[string]string{"api_key": "hunter2"})
	before := shop.GetRaw("secrets")

	other, err := secrets.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(secrets.EnvKey, other.String())
	var told bytes.Buffer
	errOut = &told
	env.sb.checkSecrets()

	err = env.sb.Ready()
	if err == nil || !strings.Contains(err.Error(), "is not the key this data folder's secrets were sealed with") {
		t.Fatalf("Ready() = %v, want a plain wrong-key message", err)
	}
	if !strings.Contains(told.String(), "WILL NOT RUN FLOWS") {
		t.Fatalf("start-up output %q does not say flows are stopped", told.String())
	}
	if _, err := env.sb.ConnectionSecrets(shop); err == nil {
		t.Fatal("secrets opened under a wrong key")
	}
	if res := env.sb.TestConnection(t.Context(), shop); res.OK {
		t.Fatal("connection test passed under a wrong key")
	}
	after, err := env.app.FindRecordById(connectionsCollection, shop.Id)
	if err != nil {
		t.Fatal(err)
	}
	if !equalJSON(before, after.GetRaw("secrets")) {
		t.Fatal("stored secrets changed under a wrong key")
	}

	t.Setenv(secrets.EnvKey, "")
	env.sb.checkSecrets()
	if err := env.sb.Ready(); err != nil {
		t.Fatalf("with the right key again: %v", err)
	}
	if plain, err := env.sb.ConnectionSecrets(after); err != nil || plain["api_key"] != "hunter2" {
		t.Fatalf("secret after recovery = %v, %v", plain, err)
	}
}

func equalJSON(a, b any) bool {
	return strings.TrimSpace(stringOf(a)) == strings.TrimSpace(stringOf(b))
}

func stringOf(v any) string {
	if s, ok := v.(interface{ String() string }); ok {
		return s.String()
	}
	return ""
}

// TestRotateRefusesARunningAppliance: rotate does nothing while the data
// folder's lock is held, as serve holds it: the running process would
// keep the key rotate drops, and seal new secrets under it.
func TestRotateRefusesARunningAppliance(t *testing.T) {
	env := newTestEnv(t)
	env.saveConnection(t, "Shop", "testshop", map[string]any{"url": "https://shop.example.com"}, map[string]string{"api_key": "hunter2"})
	before, _ := env.sb.Keyring()
	unlock, err := instance.Lock(env.app.DataDir())
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	var out bytes.Buffer
	if err := env.sb.rotate(&out); !errors.Is(err, instance.ErrInUse) || !strings.Contains(err.Error(), "stop it first") {
		t.Fatalf("rotate with the appliance running = %v", err)
	}
	if after, _ := env.sb.Keyring(); after.CurrentID() != before.CurrentID() || out.Len() != 0 {
		t.Fatalf("the key changed %s -> %s, said %q", before.CurrentID(), after.CurrentID(), out.String())
	}
}

func TestRotateResealsEverySecret(t *testing.T) {
	env := newTestEnv(t)
	shop := env.saveConnection(t, "Shop", "testshop", map[string]any{"url": "https://shop.example.com"}, map[string]string{"api_key": "hunter2"})
	oldRing, _ := env.sb.Keyring()
	var out bytes.Buffer
	if err := env.sb.rotate(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Re-sealed 1 secrets") {
		t.Fatalf("rotate said %q", out.String())
	}
	env.sb.checkSecrets()
	newRing, err := env.sb.Keyring()
	if err != nil {
		t.Fatal(err)
	}
	if newRing.CurrentID() == oldRing.CurrentID() || len(newRing.Keys()) != 1 {
		t.Fatalf("key not rotated: %s -> %s (%d keys)", oldRing.CurrentID(), newRing.CurrentID(), len(newRing.Keys()))
	}
	rec, _ := env.app.FindRecordById(connectionsCollection, shop.Id)
	sealed := sealedSecrets(rec)["api_key"]
	if secrets.KeyID(sealed) != newRing.CurrentID() {
		t.Fatalf("secret still under key %s", secrets.KeyID(sealed))
	}
	if _, err := oldRing.Open(sealed, secretContext("api_key")); !errors.Is(err, secrets.ErrWrongKey) {
		t.Fatalf("old key still opens the re-sealed secret: %v", err)
	}
	if plain, err := env.sb.ConnectionSecrets(rec); err != nil || plain["api_key"] != "hunter2" {
		t.Fatalf("after rotate: %v, %v", plain, err)
	}
}

// TestAMissingKeyFileIsNotReplaced: a data folder whose secrets were
// sealed, started without its key file and without a key in the
// environment, is told that the key file is missing and which key it
// needs; no new key file is made in its place, and nothing changes. A
// data folder that has sealed nothing yet gets its key file made.
func TestAMissingKeyFileIsNotReplaced(t *testing.T) {
	env := newTestEnv(t)
	shop := env.saveConnection(t, "Shop", "testshop", map[string]any{"url": "https://shop.example.com"}, map[string]string{"api_key": "hunter2"})
	before, _ := env.sb.Keyring()
	keyFile := filepath.Join(env.app.DataDir(), secrets.KeyFileName)
	saved, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(keyFile); err != nil {
		t.Fatal(err)
	}
	env.sb.checkSecrets()

	err = env.sb.Ready()
	for _, want := range []string{"key file is missing", keyFile, "sealed with key " + before.CurrentID(), secrets.EnvKey} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("Ready() = %v, want it to say %q", err, want)
		}
	}
	if _, statErr := os.Stat(keyFile); !errors.Is(statErr, fs.ErrNotExist) {
		t.Fatalf("a key file was made in place of the missing one: %v", statErr)
	}
	after, err := env.app.FindRecordById(connectionsCollection, shop.Id)
	if err != nil {
		t.Fatal(err)
	}
	if !equalJSON(shop.GetRaw("secrets"), after.GetRaw("secrets")) {
		t.Fatal("stored secrets changed without the key file")
	}

	if err := os.WriteFile(keyFile, saved, 0o600); err != nil {
		t.Fatal(err)
	}
	env.sb.checkSecrets()
	if plain, err := env.sb.ConnectionSecrets(after); err != nil || plain["api_key"] != "hunter2" {
		t.Fatalf("with the key file back: %v, %v", plain, err)
	}
}

// TestAFirstStartMakesTheKeyFile: a data folder that has sealed nothing
// yet gets a new key file, and its canary.
func TestAFirstStartMakesTheKeyFile(t *testing.T) {
	env := newTestEnv(t)
	ring, err := env.sb.Keyring()
	if err != nil {
		t.Fatalf("a first start: %v", err)
	}
	if _, err := os.Stat(filepath.Join(env.app.DataDir(), secrets.KeyFileName)); err != nil {
		t.Fatalf("no key file after a first start: %v", err)
	}
	if sealed, err := readMeta(env.app, canaryKey); err != nil || secrets.KeyID(sealed) != ring.CurrentID() {
		t.Fatalf("canary %q, %v; want one sealed under key %s", sealed, err, ring.CurrentID())
	}
}

// TestAKeyInTheEnvironmentOverridingTheRightKeyFileIsNamed: a data folder
// restored with its key file, on a machine whose environment sets another
// key, was told to "restore the data folder's secret.key", which it had;
// it is told that its key file fits and that the environment's key is in
// the way.
func TestAKeyInTheEnvironmentOverridingTheRightKeyFileIsNamed(t *testing.T) {
	env := newTestEnv(t)
	env.saveConnection(t, "Shop", "testshop", map[string]any{"url": "https://shop.example.com"}, map[string]string{"api_key": "hunter2"})
	other, err := secrets.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(secrets.EnvKey, other.String())
	env.sb.checkSecrets()
	err = env.sb.Ready()
	keyFile := filepath.Join(env.app.DataDir(), secrets.KeyFileName)
	for _, want := range []string{"the data folder's key file " + keyFile + " is", "remove " + secrets.EnvKey} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("Ready() = %v, want it to say %q", err, want)
		}
	}
	t.Setenv(secrets.EnvKey, "")
	env.sb.checkSecrets()
	if err := env.sb.Ready(); err != nil {
		t.Fatalf("without the environment's key: %v", err)
	}
}

// TestRotateMakesTheResealDurableBeforeDroppingTheOldKey: the re-sealed
// secrets were committed to the write-ahead log only (synchronous=NORMAL
// keeps a commit from reaching the disk until the next checkpoint) when
// rotate rewrote the key file without the old key: a power cut then could
// bring back the secrets sealed under a key no file held. The database
// file itself, without its log, now holds them re-sealed before the old
// key goes.
func TestRotateMakesTheResealDurableBeforeDroppingTheOldKey(t *testing.T) {
	env := newTestEnv(t)
	shop := env.saveConnection(t, "Shop", "testshop", map[string]any{"url": "https://shop.example.com"}, map[string]string{"api_key": "hunter2"})
	if _, err := env.app.DB().NewQuery("PRAGMA wal_checkpoint(TRUNCATE)").Execute(); err != nil {
		t.Fatal(err)
	}
	if err := env.sb.rotate(io.Discard); err != nil {
		t.Fatal(err)
	}
	// The database as a power cut would leave it had its log not reached
	// the disk: the file alone.
	copied := filepath.Join(t.TempDir(), "data.db")
	data, err := os.ReadFile(filepath.Join(env.app.DataDir(), "data.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(copied, data, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := core.DefaultDBConnect(copied)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var raw string
	if err := db.NewQuery("SELECT secrets FROM connections WHERE id = {:id}").Bind(dbx.Params{"id": shop.Id}).Row(&raw); err != nil {
		t.Fatal(err)
	}
	ring, err := secrets.LoadFile(filepath.Join(env.app.DataDir(), secrets.KeyFileName), env.sb.logger())
	if err != nil {
		t.Fatal(err)
	}
	var sealed map[string]string
	if err := json.Unmarshal([]byte(raw), &sealed); err != nil {
		t.Fatalf("secrets %q: %v", raw, err)
	}
	if plain, err := ring.Open(sealed["api_key"], secretContext("api_key")); err != nil || plain != "hunter2" {
		t.Fatalf("the database file without its log holds a secret the key file cannot open (%q, %v)", plain, err)
	}
}
