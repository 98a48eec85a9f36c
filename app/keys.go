package app

import (
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app/secrets"
)

// errOut is where start-up problems are told in plain words.
var errOut io.Writer = os.Stderr

const (
	canaryKey       = "secret_canary"
	canaryPlaintext = "switchboard secret canary"
	canaryContext   = "canary"
)

// LoadAndCheckKeys loads the keyring for app's data folder and checks it
// against the canary kept in the database, writing the canary on first
// start. A keyring that does not open the canary is refused with a message
// that says what to do.
func LoadAndCheckKeys(app core.App) (*secrets.Keyring, error) {
	return loadAndCheckKeys(app, app.Logger())
}

// lostKeyAdvice ends the messages of a key that does not fit: the way out
// when the key is gone for good.
const lostKeyAdvice = "If the key is lost for good, stop Switchboard and run switchboard secrets reset: it clears the " +
	"secrets sealed under it, which are then typed again"

func loadAndCheckKeys(app core.App, logger *slog.Logger) (*secrets.Keyring, error) {
	sealed, err := readMeta(app, canaryKey)
	first := errors.Is(err, sql.ErrNoRows)
	if err != nil && !first {
		return nil, fmt.Errorf("reading the secret canary: %w", err)
	}
	// A key file is made only for a data folder that has sealed nothing
	// yet: a new key would not open what the lost one sealed.
	ring, err := secrets.Load(app.DataDir(), first, logger)
	if errors.Is(err, secrets.ErrNoKeyFile) {
		return nil, fmt.Errorf("%w, and this data folder's secrets were sealed with key %s. Put the key file back "+
			"from a backup of the data folder, or start Switchboard with that key in %s; nothing has been changed. %s",
			err, secrets.KeyID(sealed), secrets.EnvKey, lostKeyAdvice)
	}
	if err != nil {
		return nil, fmt.Errorf("loading the secret key: %w", err)
	}
	if first {
		return ring, writeCanary(app, ring)
	}
	if _, err := ring.Open(sealed, canaryContext); err != nil {
		if file := keyFileThatFits(app, sealed); file != "" {
			return nil, fmt.Errorf("the secret key in %s is not the key this data folder's secrets were sealed with "+
				"(they need key %s, this is key %s), but the data folder's key file %s is: remove %s from the "+
				"environment (and from the environment file, when it is set there) and start Switchboard again; "+
				"nothing has been changed", secrets.EnvKey, secrets.KeyID(sealed), ring.CurrentID(), file, secrets.EnvKey)
		}
		return nil, fmt.Errorf("the secret key from %s is not the key this data folder's secrets were sealed with "+
			"(they need key %s, this is key %s). Start Switchboard with the original key in %s, or restore the "+
			"data folder's %s; nothing has been changed. %s",
			ring.Source, secrets.KeyID(sealed), ring.CurrentID(), secrets.EnvKey, secrets.KeyFileName, lostKeyAdvice)
	}
	return ring, nil
}

// keyFileThatFits returns the path of the data folder's key file when a
// key in the environment overrides it and it is the one that opens the
// canary (a backup restored with its key file, on a machine whose
// environment sets another key); "" otherwise.
func keyFileThatFits(app core.App, sealed string) string {
	if strings.TrimSpace(os.Getenv(secrets.EnvKey)) == "" {
		return ""
	}
	path := keyFilePath(app)
	if _, err := os.Stat(path); err != nil {
		return ""
	}
	ring, err := secrets.LoadFile(path, slog.New(slog.DiscardHandler))
	if err != nil {
		return ""
	}
	if _, err := ring.Open(sealed, canaryContext); err != nil {
		return ""
	}
	return path
}

func writeCanary(app core.App, ring *secrets.Keyring) error {
	sealed, err := ring.Seal(canaryPlaintext, canaryContext)
	if err != nil {
		return err
	}
	return writeMeta(app, canaryKey, sealed)
}

func readMeta(app core.App, key string) (string, error) {
	rec, err := app.FindFirstRecordByFilter("sb_meta", "key = {:key}", dbx.Params{"key": key})
	if err != nil {
		return "", err
	}
	return rec.GetString("value"), nil
}

func writeMeta(app core.App, key, value string) error {
	rec, err := app.FindFirstRecordByFilter("sb_meta", "key = {:key}", dbx.Params{"key": key})
	if errors.Is(err, sql.ErrNoRows) {
		col, findErr := app.FindCollectionByNameOrId("sb_meta")
		if findErr != nil {
			return fmt.Errorf("finding sb_meta: %w", findErr)
		}
		rec, err = core.NewRecord(col), nil
		rec.Set("key", key)
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", key, err)
	}
	rec.Set("value", value)
	if err := app.Save(rec); err != nil {
		return fmt.Errorf("saving %s: %w", key, err)
	}
	return nil
}
