package app

import (
	"bytes"
	"compress/gzip"
	"io"
	"testing"

	"github.com/switchboard-app/switchboard/app/backup"
)

// checkpoint copies the write-ahead log into the database file, so that
// the file holds every page as the database now has it.
func checkpoint(t *testing.T, env *testEnv) {
	t.Helper()
	if _, err := env.app.DB().NewQuery("PRAGMA wal_checkpoint(TRUNCATE)").Execute(); err != nil {
		t.Fatal(err)
	}
}

// archiveBytes makes a backup of env's data folder and returns its
// unpacked bytes.
func archiveBytes(t *testing.T, env *testEnv) []byte {
	t.Helper()
	var archive bytes.Buffer
	if _, err := backup.Create(&archive, env.app.DataDir(), backup.Manifest{}, nil); err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(&archive)
	if err != nil {
		t.Fatal(err)
	}
	unpacked, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return unpacked
}

// TestABackupHoldsNoSecretSealedSince: a webhook secret stored in plain
// text by an older version, once sealed at the start, is not in a backup
// made after, anywhere in its bytes: each database is copied with VACUUM
// INTO, which writes the live rows alone and none of the freed space where
// the plain text may stay in data.db. A backup made before holds it, which
// shows the search finds it.
func TestABackupHoldsNoSecretSealedSince(t *testing.T) {
	env := newTestEnv(t)
	seedWebhookFlow(true)(t, env)
	flowID := ordersFlowID(t, env)
	const plain = "legacy-plain-secret-5f0c2d9e8a"
	storePlainHookSecret(t, env, flowID, plain)
	checkpoint(t, env) // as a long-running older version left it
	if !bytes.Contains(archiveBytes(t, env), []byte(plain)) {
		t.Fatal("a backup made before the sealing does not hold the plain secret: the search cannot find it")
	}
	ring, _ := env.sb.Keyring()
	if n, err := sealPlainWebhookSecrets(env.app, ring); err != nil || n != 1 {
		t.Fatalf("sealed %d (%v), want 1", n, err)
	}
	wantSealedHookSecret(t, env, flowID, plain)
	checkpoint(t, env)
	if bytes.Contains(archiveBytes(t, env), []byte(plain)) {
		t.Error("the backup holds the plain secret that was sealed")
	}
}
