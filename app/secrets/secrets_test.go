package secrets

import (
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func mustKey(t *testing.T) Key {
	t.Helper()
	k, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealOpen(t *testing.T) {
	oldKey, newKey := mustKey(t), mustKey(t)
	old := NewKeyring("test", oldKey)
	sealed, err := old.Seal("hunter2", "api_key")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "hunter2") || !IsSealed(sealed) || KeyID(sealed) != oldKey.ID {
		t.Fatalf("sealed value %q", sealed)
	}
	rotated := NewKeyring("test", newKey, oldKey)
	tests := []struct {
		name    string
		ring    *Keyring
		value   string
		context string
		want    string
		wantErr error
	}{
		{"same ring", old, sealed, "api_key", "hunter2", nil},
		{"older key still opens", rotated, sealed, "api_key", "hunter2", nil},
		{"unknown key", NewKeyring("test", newKey), sealed, "api_key", "", ErrWrongKey},
		{"other context", old, sealed, "password", "", ErrWrongKey},
		{"altered", old, sealed[:len(sealed)-3] + "AAA", "api_key", "", ErrWrongKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.ring.Open(tt.value, tt.context)
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Fatalf("Open = %q, %v; want %q, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
	resealed, _ := rotated.Seal("hunter2", "api_key")
	if KeyID(resealed) != newKey.ID {
		t.Fatalf("rotated ring sealed under %s, want %s", KeyID(resealed), newKey.ID)
	}
}

func TestLoadCreatesPrivateKeyFile(t *testing.T) {
	t.Setenv(EnvKey, "")
	dir := t.TempDir()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	first, err := Load(dir, true, logger)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, KeyFileName))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", info.Mode().Perm())
	}
	second, err := Load(dir, true, logger)
	if err != nil || second.CurrentID() != first.CurrentID() {
		t.Fatalf("reloaded key %v, %v; want the same key", second, err)
	}
}

func TestLoadFromEnvironment(t *testing.T) {
	cur, prev := mustKey(t), mustKey(t)
	t.Setenv(EnvKey, cur.String())
	t.Setenv(EnvPreviousKey, prev.String())
	ring, err := Load(t.TempDir(), true, slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	sealed, _ := NewKeyring("x", prev).Seal("v", "c")
	if got, err := ring.Open(sealed, "c"); err != nil || got != "v" {
		t.Fatalf("previous key does not open: %v", err)
	}
	if ring.CurrentID() != cur.ID {
		t.Fatal("current key is not the one from the environment")
	}
	t.Setenv(EnvKey, "not base64!")
	if _, err := Load(t.TempDir(), true, slog.Default()); err == nil || !strings.Contains(err.Error(), EnvKey) {
		t.Fatalf("bad env key: %v", err)
	}
}

// TestPreviousKeysBesideTheKeyFile: SWITCHBOARD_SECRET_KEY_PREVIOUS opens
// secrets when the current key comes from the key file too; the file's key
// still seals, and a bad previous key is refused by name.
func TestPreviousKeysBesideTheKeyFile(t *testing.T) {
	dir := t.TempDir()
	fileKey, prev := mustKey(t), mustKey(t)
	if err := WriteFile(filepath.Join(dir, KeyFileName), fileKey); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvKey, "")
	t.Setenv(EnvPreviousKey, prev.String())
	ring, err := Load(dir, true, slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	sealed, _ := NewKeyring("x", prev).Seal("v", "c")
	if got, err := ring.Open(sealed, "c"); err != nil || got != "v" {
		t.Fatalf("the previous key does not open beside the key file: %v", err)
	}
	if ring.CurrentID() != fileKey.ID || !strings.HasPrefix(ring.Source, "key file") {
		t.Fatalf("sealing key %s from %s, want the key file's %s", ring.CurrentID(), ring.Source, fileKey.ID)
	}
	t.Setenv(EnvPreviousKey, "not base64!")
	if _, err := Load(dir, true, slog.Default()); err == nil || !strings.Contains(err.Error(), EnvPreviousKey) {
		t.Fatalf("a bad previous key: %v", err)
	}
}

func TestBadKeyFile(t *testing.T) {
	t.Setenv(EnvKey, "")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, KeyFileName), []byte("# only a comment\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir, true, slog.Default()); err == nil || !strings.Contains(err.Error(), "no key") {
		t.Fatalf("empty key file: %v", err)
	}
}

func TestLoadWithoutCreateMakesNoKeyFile(t *testing.T) {
	t.Setenv(EnvKey, "")
	dir := t.TempDir()
	if _, err := Load(dir, false, slog.Default()); !errors.Is(err, ErrNoKeyFile) {
		t.Fatalf("Load without a key file = %v, want ErrNoKeyFile", err)
	}
	if _, err := os.Stat(filepath.Join(dir, KeyFileName)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a key file was made: %v", err)
	}
	t.Setenv(EnvKey, mustKey(t).String())
	if _, err := Load(dir, false, slog.Default()); err != nil {
		t.Fatalf("Load with the key in the environment = %v", err)
	}
}

// TestAMalformedKeySaysWhatAKeyIs: a key that is not the base64 of 32
// bytes (a hex key from openssl rand -hex 32, a short or cut one) is
// refused with what a key must be and how to make one.
func TestAMalformedKeySaysWhatAKeyIs(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"not base64", "not base64!", "is not base64"},
		{"hex", strings.Repeat("ab", 32), "is 48 bytes, not 32"},
		{"short", "c2hvcnQ=", "is 5 bytes, not 32"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseKey(tc.text)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "openssl rand -base64 32") {
				t.Fatalf("ParseKey(%q) = %v, want %q and how to make a key", tc.text, err, tc.want)
			}
		})
	}
}

// TestWriteFileSyncsTheKeyAndItsFolder: the key file was renamed into
// place unsynced, so a power cut could leave it empty (or the old one)
// while the database held secrets sealed under its new key. Its content
// and the rename now reach the disk before WriteFile returns.
func TestWriteFileSyncsTheKeyAndItsFolder(t *testing.T) {
	dir := t.TempDir()
	var synced []string
	defer func(f func(*os.File) error) { syncFile = f }(syncFile)
	syncFile = func(f *os.File) error {
		synced = append(synced, f.Name())
		return f.Sync()
	}
	key, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, KeyFileName)
	if err := WriteFile(path, key); err != nil {
		t.Fatal(err)
	}
	if len(synced) != 2 || synced[0] != path+".tmp" || synced[1] != dir {
		t.Fatalf("synced %q, want the key file's content, then its folder", synced)
	}
}
