package pb_migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(sealedWebhookSecretsUp, sealedWebhookSecretsDown)
}

// sealedWebhookMax is the longest a flow's webhook secret may be stored:
// sealed, a secret of plainWebhookMax characters takes about 720 (prefix,
// key id, nonce, tag, base64).
const (
	plainWebhookMax  = 500
	sealedWebhookMax = 1000
)

// sealedWebhookSecretsUp makes room in flows.webhook_secret for a sealed
// secret, which is longer than the plain text it seals: a flow's webhook
// secret is sealed at rest under the appliance key, as a connection's
// secrets are. The sealing itself is not done here: migrations cannot
// reach the key, which is loaded and checked at start. Switchboard seals
// every plain webhook secret at its next start with a key that passes its
// check, and reads a plain one as it is until then.
func sealedWebhookSecretsUp(app core.App) error {
	return setWebhookSecretMax(app, sealedWebhookMax)
}

func sealedWebhookSecretsDown(app core.App) error {
	return setWebhookSecretMax(app, plainWebhookMax)
}

func setWebhookSecretMax(app core.App, maxLen int) error {
	flows, err := app.FindCollectionByNameOrId("flows")
	if err != nil {
		return err
	}
	field, ok := flows.Fields.GetByName("webhook_secret").(*core.TextField)
	if !ok {
		return fmt.Errorf("flows.webhook_secret is not a text field")
	}
	field.Max = maxLen
	return save(app, flows)
}
