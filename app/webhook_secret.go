package app

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/switchboard-app/switchboard/app/secrets"
)

// A flow's webhook secret, which the app that sends its webhooks signs
// them with, is sealed at rest as a connection's secrets are: under the
// appliance key, bound to its flow (webhookSecretContext), so that the
// sealed value of one flow does not open as another's. It is sealed as
// the flow is created; a value written before secrets of flows were sealed
// is sealed at the next start (sealPlainWebhookSecrets) and read as it is
// until then. Its column is hidden: the API never returns it.

const webhookSecretField = "webhook_secret"

// webhookSecretContext binds a flow's sealed webhook secret to the flow.
func webhookSecretContext(flowID string) string { return "flow webhook secret " + flowID }

// newWebhookSecret runs as a flow is created: it gives the flow a random
// webhook secret when it has none, and seals it.
func (s *Switchboard) newWebhookSecret(e *core.RecordEvent) error {
	if e.Record.GetString(webhookSecretField) == "" {
		secret, err := randomWebhookSecret()
		if err != nil {
			return err
		}
		e.Record.Set(webhookSecretField, secret)
	}
	if err := s.sealWebhookSecret(e.Record); err != nil {
		return err
	}
	return e.Next()
}

// randomWebhookSecret returns a new webhook secret: 24 random bytes in hex.
func randomWebhookSecret() (string, error) {
	buf := make([]byte, 24)
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("generating webhook secret: %w", err)
	}
	return hex.EncodeToString(buf), nil
}

// sealChangedWebhookSecret runs as a flow is updated: a webhook secret set
// in plain text is sealed before it is stored.
func (s *Switchboard) sealChangedWebhookSecret(e *core.RecordEvent) error {
	if err := s.sealWebhookSecret(e.Record); err != nil {
		return err
	}
	return e.Next()
}

// sealWebhookSecret seals a flow's webhook secret in the record when it is
// new or changed and plain text; one given sealed must open for this flow.
// Where no key has been checked yet (Go code that saves a flow before
// serve or Switchboard.LoadKeys) it is left for the next start to seal; a
// key that failed its check refuses the save, as for a connection's
// secrets.
func (s *Switchboard) sealWebhookSecret(flow *core.Record) error {
	value := flow.GetString(webhookSecretField)
	if value == "" || (!flow.IsNew() && value == flow.Original().GetString(webhookSecretField)) {
		return nil
	}
	ring, err := s.Keyring()
	if errors.Is(err, ErrNotReady) {
		return nil
	}
	if err != nil {
		return router.NewApiError(http.StatusServiceUnavailable, "The flow's webhook secret cannot be saved: "+err.Error(), nil)
	}
	if secrets.IsSealed(value) {
		if _, err := ring.Open(value, webhookSecretContext(flow.Id)); err != nil {
			return fmt.Errorf("flow %q: the webhook secret given sealed does not open for this flow "+
				"(a sealed secret is bound to its flow; give it in plain text): %w", flow.GetString("name"), err)
		}
		return nil
	}
	sealed, err := ring.Seal(value, webhookSecretContext(flow.Id))
	if err != nil {
		return err
	}
	flow.Set(webhookSecretField, sealed)
	return nil
}

// WebhookSecret opens a flow's webhook secret. A value not sealed yet is
// read as it is; either needs a key that passed its check, as flows do.
func (s *Switchboard) WebhookSecret(flow *core.Record) (string, error) {
	ring, err := s.Keyring()
	if err != nil {
		return "", err
	}
	plain, err := openWebhookSecret(ring, flow.Id, flow.GetString(webhookSecretField))
	if err != nil {
		return "", fmt.Errorf("flow %q: %w", flow.GetString("name"), err)
	}
	return plain, nil
}

func openWebhookSecret(ring *secrets.Keyring, flowID, value string) (string, error) {
	if !secrets.IsSealed(value) {
		return value, nil
	}
	plain, err := ring.Open(value, webhookSecretContext(flowID))
	if err != nil {
		return "", fmt.Errorf("webhook secret: %w", err)
	}
	return plain, nil
}

// storedWebhookSecret is a flow's webhook secret as the column holds it.
type storedWebhookSecret struct {
	ID     string `db:"id"`
	Name   string `db:"name"`
	Secret string `db:"webhook_secret"`
}

func storedWebhookSecrets(app core.App) ([]storedWebhookSecret, error) {
	var rows []storedWebhookSecret
	err := app.DB().NewQuery("SELECT id, name, webhook_secret FROM flows WHERE webhook_secret != ''").All(&rows)
	if err != nil {
		return nil, fmt.Errorf("listing the flows' webhook secrets: %w", err)
	}
	return rows, nil
}

// storeWebhookSecret writes a sealed webhook secret into its column alone:
// the flow does not change, so no hook of a flow's save has to run.
func storeWebhookSecret(app core.App, flowID, sealed string) error {
	_, err := app.DB().NewQuery("UPDATE flows SET webhook_secret = {:v} WHERE id = {:id}").
		Bind(dbx.Params{"v": sealed, "id": flowID}).Execute()
	if err != nil {
		return fmt.Errorf("storing the webhook secret of flow %s: %w", flowID, err)
	}
	return nil
}

// sealPlainWebhookSecrets seals, in one transaction, every webhook secret
// still stored in plain text (written before they were sealed, or by a
// command run without serve), and leaves the sealed ones as they are. It
// runs at start, once the key has passed its check: migrations cannot
// reach the key. It returns how many it sealed.
func sealPlainWebhookSecrets(app core.App, ring *secrets.Keyring) (int, error) {
	count := 0
	err := app.RunInTransaction(func(tx core.App) error {
		rows, err := storedWebhookSecrets(tx)
		if err != nil {
			return err
		}
		for _, row := range rows {
			if secrets.IsSealed(row.Secret) {
				continue
			}
			sealed, err := ring.Seal(row.Secret, webhookSecretContext(row.ID))
			if err != nil {
				return err
			}
			if err := storeWebhookSecret(tx, row.ID, sealed); err != nil {
				return err
			}
			count++
		}
		return nil
	})
	return count, err
}

// resealWebhookSecrets re-seals every flow's webhook secret under ring's
// current key (sealing a plain one too), within the rotation's
// transaction, and returns how many it sealed.
func resealWebhookSecrets(tx core.App, ring *secrets.Keyring) (int, error) {
	rows, err := storedWebhookSecrets(tx)
	if err != nil {
		return 0, err
	}
	for _, row := range rows {
		plain, err := openWebhookSecret(ring, row.ID, row.Secret)
		if err != nil {
			return 0, fmt.Errorf("flow %q: %w", row.Name, err)
		}
		sealed, err := ring.Seal(plain, webhookSecretContext(row.ID))
		if err != nil {
			return 0, err
		}
		if err := storeWebhookSecret(tx, row.ID, sealed); err != nil {
			return 0, err
		}
	}
	return len(rows), nil
}
