package app

import (
	"database/sql"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"github.com/switchboard-app/switchboard/app/secrets"
)

// secretsResetCommand is "secrets reset": the way out of a key lost for
// good. Without it a data folder whose key is gone refused every flow and
// every secret typed again, for ever.
func (s *Switchboard) secretsResetCommand() *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "reset",
		Short: "Clears the secrets sealed under a lost key, so that they can be typed again",
		Long: "For a key lost for good. reset makes the key Switchboard has now (" + secrets.EnvKey + ", or the key " +
			"file, made when it is missing) this data folder's key: every connection secret that key does not open is " +
			"cleared, to be typed again on the connection's page, and every flow's webhook secret it does not open is " +
			"replaced by a new one, to give to the app that sends the flow's webhooks. Without --yes it only lists them. " +
			"It refuses while the appliance serves the data folder, and when the key opens the secrets: then nothing is lost.",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return s.resetSecrets(cmd.OutOrStdout(), yes)
		},
	}
	cmd.Flags().BoolVar(&yes, "yes", false, "clear them; without it, reset lists what it would clear and changes nothing")
	return cmd
}

// lostSecrets are the sealed secrets that the key at hand does not open.
type lostSecrets struct {
	// connections holds, by connection, the names of its lost secrets.
	connections []lostConnection
	// flows are the flows whose webhook secret is lost.
	flows []*core.Record
}

// lostConnection is a connection with the names of its lost secrets.
type lostConnection struct {
	rec   *core.Record
	names []string
}

func (s *Switchboard) resetSecrets(out io.Writer, yes bool) error {
	unlock, err := s.lockStopped("reset")
	if err != nil {
		return err
	}
	defer unlock()
	canary, err := readMeta(s.app, canaryKey)
	if errors.Is(err, sql.ErrNoRows) {
		return errors.New("this data folder has sealed no secret yet: there is nothing to reset")
	}
	if err != nil {
		return fmt.Errorf("reading the secret canary: %w", err)
	}
	ring, err := s.keyForReset(canary, yes)
	if err != nil {
		return err
	}
	lost, err := findLostSecrets(s.app, ring)
	if err != nil {
		return err
	}
	lost.list(out, secrets.KeyID(canary), yes)
	if !yes {
		return errors.New("nothing has been changed: run switchboard secrets reset --yes to clear them")
	}
	if err := clearLostSecrets(s.app, ring, lost); err != nil {
		return fmt.Errorf("resetting the secrets: %w", err)
	}
	fmt.Fprintf(out, "Done: the secrets are sealed under key %s (%s) from now on.\n", ring.CurrentID(), ring.Source)
	if len(lost.connections) > 0 {
		fmt.Fprintln(out, "Type the cleared secrets again on the connections' pages.")
	}
	if len(lost.flows) > 0 {
		fmt.Fprintln(out, "Give each flow's new webhook secret (on the flow's page) to the app that sends its webhooks.")
	}
	return nil
}

// keyForReset loads the key a reset makes the data folder's (nil when
// there is none and create is false: only a reset that clears may make a
// key file), and refuses when a key at hand opens the canary: then nothing
// is lost.
func (s *Switchboard) keyForReset(canary string, create bool) (*secrets.Keyring, error) {
	ring, err := secrets.Load(s.app.DataDir(), create, s.logger())
	if err != nil && !errors.Is(err, secrets.ErrNoKeyFile) {
		return nil, fmt.Errorf("loading the secret key: %w", err)
	}
	if ring != nil {
		if _, err := ring.Open(canary, canaryContext); err == nil {
			return nil, fmt.Errorf("the key from %s opens this data folder's secrets: nothing is lost, and nothing has been reset", ring.Source)
		}
	}
	if file := keyFileThatFits(s.app, canary); file != "" {
		return nil, fmt.Errorf("the data folder's key file %s opens its secrets, and %s overrides it: nothing is lost. "+
			"Remove %s from the environment instead; nothing has been reset", file, secrets.EnvKey, secrets.EnvKey)
	}
	return ring, nil
}

// findLostSecrets lists the sealed secrets that ring (nil: no key at all)
// does not open.
func findLostSecrets(app core.App, ring *secrets.Keyring) (lostSecrets, error) {
	opens := func(value, context string) bool {
		if !secrets.IsSealed(value) {
			return true // none, or plain text from a version before: nothing lost
		}
		if ring == nil {
			return false
		}
		_, err := ring.Open(value, context)
		return err == nil
	}
	var lost lostSecrets
	conns, err := app.FindAllRecords(connectionsCollection)
	if err != nil {
		return lost, fmt.Errorf("listing connections: %w", err)
	}
	for _, rec := range conns {
		var names []string
		for name, value := range sealedSecrets(rec) {
			if !opens(value, secretContext(name)) {
				names = append(names, name)
			}
		}
		if len(names) > 0 {
			slices.Sort(names)
			lost.connections = append(lost.connections, lostConnection{rec: rec, names: names})
		}
	}
	flows, err := app.FindAllRecords(flowsCollection)
	if err != nil {
		return lost, fmt.Errorf("listing flows: %w", err)
	}
	for _, flow := range flows {
		if !opens(flow.GetString(webhookSecretField), webhookSecretContext(flow.Id)) {
			lost.flows = append(lost.flows, flow)
		}
	}
	return lost, nil
}

// list tells what a reset clears, or would clear when it is not done.
func (l lostSecrets) list(out io.Writer, lostKey string, done bool) {
	if len(l.connections) == 0 && len(l.flows) == 0 {
		fmt.Fprintf(out, "No secret is sealed under the lost key %s.\n", lostKey)
		return
	}
	fmt.Fprintf(out, "Sealed under the lost key %s:\n", lostKey)
	cleared, replaced := "to be cleared", "to be replaced by a new one"
	if done {
		cleared, replaced = "cleared", "replaced by a new one"
	}
	for _, c := range l.connections {
		fmt.Fprintf(out, "  connection %q: %s (%s)\n", c.rec.GetString("name"), strings.Join(c.names, ", "), cleared)
	}
	for _, f := range l.flows {
		fmt.Fprintf(out, "  flow %q: its webhook secret (%s)\n", f.GetString("name"), replaced)
	}
}

// clearLostSecrets clears the lost connection secrets, gives the flows a
// new webhook secret and seals the canary under ring, in one transaction.
func clearLostSecrets(app core.App, ring *secrets.Keyring, lost lostSecrets) error {
	return app.RunInTransaction(func(tx core.App) error {
		for _, c := range lost.connections {
			kept := sealedSecrets(c.rec)
			for _, name := range c.names {
				delete(kept, name)
			}
			c.rec.Set("secrets", kept)
			if err := tx.SaveNoValidate(c.rec); err != nil {
				return fmt.Errorf("saving connection %q: %w", c.rec.GetString("name"), err)
			}
		}
		for _, f := range lost.flows {
			plain, err := randomWebhookSecret()
			if err != nil {
				return err
			}
			sealed, err := ring.Seal(plain, webhookSecretContext(f.Id))
			if err != nil {
				return err
			}
			if err := storeWebhookSecret(tx, f.Id, sealed); err != nil {
				return err
			}
		}
		return writeCanary(tx, ring)
	})
}
