package secrets

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// The environment variables a key can come from.
const (
	EnvKey         = "SWITCHBOARD_SECRET_KEY"
	EnvPreviousKey = "SWITCHBOARD_SECRET_KEY_PREVIOUS"
)

// KeyFileName is the key file's name in the data folder.
const KeyFileName = "secret.key"

// ErrNoKeyFile is returned by Load when no key is set in the environment,
// the data folder has no key file, and Load may not make one.
var ErrNoKeyFile = errors.New("the key file is missing")

// Load returns the keyring from the environment when EnvKey is set, or else
// from the key file in dataDir. When that file does not exist, create
// generates it (mode 0600) with a new key; without create Load returns
// ErrNoKeyFile, so that a data folder whose secrets were sealed already
// does not get a key that cannot open them. Keys in EnvPreviousKey open
// secrets in either case: older keys beside those of the key file, never
// sealing.
func Load(dataDir string, create bool, logger *slog.Logger) (*Keyring, error) {
	previous, err := previousKeys(os.Getenv(EnvPreviousKey))
	if err != nil {
		return nil, err
	}
	if v := os.Getenv(EnvKey); strings.TrimSpace(v) != "" {
		cur, err := ParseKey(v)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", EnvKey, err)
		}
		return NewKeyring("environment variable "+EnvKey, cur, previous...), nil
	}
	path := filepath.Join(dataDir, KeyFileName)
	if _, err := os.Stat(path); !create && errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNoKeyFile, path)
	}
	ring, err := LoadFile(path, logger)
	if err != nil {
		return nil, err
	}
	ring.addOlder(previous...)
	return ring, nil
}

// previousKeys parses EnvPreviousKey's comma-separated keys.
func previousKeys(list string) ([]Key, error) {
	var older []Key
	for _, text := range strings.Split(list, ",") {
		if strings.TrimSpace(text) == "" {
			continue
		}
		k, err := ParseKey(text)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", EnvPreviousKey, err)
		}
		older = append(older, k)
	}
	return older, nil
}

// LoadFile reads a key file (the current key on the first line, older keys
// after it), creating it with a new key when it does not exist.
func LoadFile(path string, logger *slog.Logger) (*Keyring, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createFile(path, logger)
	}
	if err != nil {
		return nil, fmt.Errorf("reading key file: %w", err)
	}
	warnIfOpen(path, logger)
	keys, err := parseLines(string(data))
	if err != nil {
		return nil, fmt.Errorf("reading key file %s: %w", path, err)
	}
	return NewKeyring("key file "+path, keys[0], keys[1:]...), nil
}

func parseLines(text string) ([]Key, error) {
	var keys []Key
	for i, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		k, err := ParseKey(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, errors.New("no key in the file")
	}
	return keys, nil
}

func createFile(path string, logger *slog.Logger) (*Keyring, error) {
	k, err := GenerateKey()
	if err != nil {
		return nil, err
	}
	if err := WriteFile(path, k); err != nil {
		return nil, err
	}
	logger.Info("generated a new secret key; back it up with the data folder", slog.String("path", path), slog.String("key_id", k.ID))
	return NewKeyring("key file "+path, k), nil
}

// WriteFile replaces the key file atomically with the given keys, the
// current one first, with mode 0600.
func WriteFile(path string, keys ...Key) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("creating key folder: %w", err)
	}
	var b strings.Builder
	b.WriteString("# Switchboard secret keys: the first seals, all open. Keep this file private and backed up.\n")
	for _, k := range keys {
		b.WriteString(k.String() + "\n")
	}
	tmp := path + ".tmp"
	if err := writeSynced(tmp, b.String()); err != nil {
		return fmt.Errorf("writing key file: %w", err)
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return fmt.Errorf("protecting key file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("replacing key file: %w", err)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return fmt.Errorf("replacing key file: %w", err)
	}
	return nil
}

// syncFile flushes a file to the disk; a variable for tests.
var syncFile = (*os.File).Sync

// writeSynced writes text into a new file at path and syncs it: the key
// file must be on the disk before the secrets sealed under its key are.
func writeSynced(path, text string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		_ = f.Close()
		return err
	}
	if err := syncFile(f); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// syncDir syncs a folder, so that a rename in it reaches the disk.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return syncFile(d)
}

func warnIfOpen(path string, logger *slog.Logger) {
	info, err := os.Stat(path)
	if err == nil && info.Mode().Perm()&0o077 != 0 {
		logger.Warn("the secret key file can be read by other users; run chmod 600 on it",
			slog.String("path", path), slog.String("mode", info.Mode().Perm().String()))
	}
}
