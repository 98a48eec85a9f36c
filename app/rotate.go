package app

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"github.com/switchboard-app/switchboard/app/instance"
	"github.com/switchboard-app/switchboard/app/secrets"
)

func (s *Switchboard) secretsCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "secrets", Short: "Manages the key that seals connection and webhook secrets"}
	cmd.AddCommand(&cobra.Command{
		Use:   "rotate",
		Short: "Re-seals every secret under a new key",
		Long: "With the key file in the data folder, rotate generates a new key, re-seals every secret under it and " +
			"drops the old key. With " + secrets.EnvKey + ", set the new key there and the old one in " +
			secrets.EnvPreviousKey + ", run rotate, then drop " + secrets.EnvPreviousKey + ".",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return s.rotate(cmd.OutOrStdout())
		},
	})
	cmd.AddCommand(s.secretsResetCommand())
	return cmd
}

func (s *Switchboard) rotate(out io.Writer) error {
	// A running appliance keeps the key it started with: it could not open
	// what rotate re-seals, and what it seals after would be under a key
	// rotate drops, lost for good. The data folder's lock says it runs.
	unlock, err := s.lockStopped("rotate")
	if err != nil {
		return err
	}
	defer unlock()
	ring, err := loadAndCheckKeys(s.app, s.logger())
	if err != nil {
		return err
	}
	fromFile := strings.HasPrefix(ring.Source, "key file")
	var newKey secrets.Key
	if fromFile {
		if newKey, err = s.addFileKey(ring); err != nil {
			return err
		}
		if ring, err = LoadAndCheckKeys(s.app); err != nil {
			return err
		}
	}
	n, err := ResealAll(s.app, ring)
	if err != nil {
		return err
	}
	if err := syncDatabase(s.app); err != nil {
		return fmt.Errorf("the secrets are re-sealed, the old key is kept: %w", err)
	}
	if fromFile {
		if err := secrets.WriteFile(keyFilePath(s.app), newKey); err != nil {
			return fmt.Errorf("dropping the old key: %w", err)
		}
	}
	fmt.Fprintf(out, "Re-sealed %d secrets under key %s.\n", n, ring.CurrentID())
	return nil
}

// syncDatabase copies data.db's write-ahead log into the database file,
// both synced to the disk: with synchronous=NORMAL a commit reaches the
// disk only at the next checkpoint, and a key may be dropped only once
// the secrets sealed under the new one are sure to stay.
func syncDatabase(app core.App) error {
	var busy, logged, copied int
	if err := app.DB().NewQuery("PRAGMA wal_checkpoint(FULL)").Row(&busy, &logged, &copied); err != nil {
		return fmt.Errorf("writing the database to the disk: %w", err)
	}
	if busy != 0 || copied < logged {
		return fmt.Errorf("writing the database to the disk: %d of %d pages copied, the database is busy", copied, logged)
	}
	return nil
}

func keyFilePath(app core.App) string { return filepath.Join(app.DataDir(), secrets.KeyFileName) }

// addFileKey puts a new key first in the key file, keeping the old keys so
// that every secret still opens whatever happens next.
func (s *Switchboard) addFileKey(ring *secrets.Keyring) (secrets.Key, error) {
	newKey, err := secrets.GenerateKey()
	if err != nil {
		return secrets.Key{}, err
	}
	old, err := secrets.LoadFile(keyFilePath(s.app), s.logger())
	if err != nil {
		return secrets.Key{}, err
	}
	if err := secrets.WriteFile(keyFilePath(s.app), append([]secrets.Key{newKey}, old.Keys()...)...); err != nil {
		return secrets.Key{}, fmt.Errorf("adding the new key: %w", err)
	}
	return newKey, nil
}

// ResealAll re-seals the canary, every connection secret and every flow's
// webhook secret under ring's current key, in one transaction, and returns
// how many secrets it sealed.
func ResealAll(app core.App, ring *secrets.Keyring) (int, error) {
	count := 0
	err := app.RunInTransaction(func(tx core.App) error {
		recs, err := tx.FindAllRecords(connectionsCollection)
		if err != nil {
			return fmt.Errorf("listing connections: %w", err)
		}
		for _, rec := range recs {
			n, err := resealRecord(tx, ring, rec)
			if err != nil {
				return err
			}
			count += n
		}
		hooks, err := resealWebhookSecrets(tx, ring)
		if err != nil {
			return err
		}
		count += hooks
		return writeCanary(tx, ring)
	})
	return count, err
}

func resealRecord(tx core.App, ring *secrets.Keyring, rec *core.Record) (int, error) {
	sealed := sealedSecrets(rec)
	for name, value := range sealed {
		plain, err := ring.Open(value, secretContext(name))
		if err != nil {
			return 0, fmt.Errorf("connection %q: secret %s: %w", rec.GetString("name"), name, err)
		}
		if sealed[name], err = ring.Seal(plain, secretContext(name)); err != nil {
			return 0, err
		}
	}
	rec.Set("secrets", sealed)
	if err := tx.SaveNoValidate(rec); err != nil {
		return 0, fmt.Errorf("saving connection %q: %w", rec.GetString("name"), err)
	}
	return len(sealed), nil
}

// lockStopped takes the data folder's lock for a command that must run
// with the appliance stopped (verb names the command in the refusal),
// and applies the migrations; the function it returns lets the lock go.
func (s *Switchboard) lockStopped(verb string) (func(), error) {
	unlock, err := instance.Lock(s.app.DataDir())
	if err != nil {
		if errors.Is(err, instance.ErrInUse) {
			return nil, fmt.Errorf("%w: stop it first (systemctl stop switchboard), then %s", err, verb)
		}
		return nil, err
	}
	if err := s.app.RunAllMigrations(); err != nil {
		unlock()
		return nil, fmt.Errorf("applying migrations: %w", err)
	}
	return unlock, nil
}
