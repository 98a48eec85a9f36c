package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/switchboard-app/switchboard/app/secrets"
	"github.com/switchboard-app/switchboard/connectors"
)

const connectionsCollection = "connections"

func (s *Switchboard) bindConnections() {
	s.app.OnRecordCreateRequest(connectionsCollection).BindFunc(s.sealSubmittedSecrets)
	s.app.OnRecordUpdateRequest(connectionsCollection).BindFunc(s.sealSubmittedSecrets)
	s.app.OnRecordUpdate(connectionsCollection).BindFunc(s.clearSecretsOnNewAddress)
	s.app.OnRecordUpdate(connectionsCollection).BindFunc(s.keepSecretsSavedMeanwhile)
	s.app.OnRecordValidate(connectionsCollection).BindFunc(s.validateConnection)
	s.app.OnRecordEnrich(connectionsCollection).BindFunc(showSecretNames)
	s.app.OnRecordDeleteRequest(connectionsCollection).BindFunc(refuseDeletingUsedConnection)
	s.app.OnRecordCreate(connectionsCollection).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetString("status") == "" {
			e.Record.Set("status", "unknown")
		}
		return e.Next()
	})
}

// sealSubmittedSecrets takes the plaintext secrets of an API request,
// merges them into the connection's sealed secrets ("" or null removes one)
// and seals them, so that plaintext never reaches the database.
func (s *Switchboard) sealSubmittedSecrets(e *core.RecordRequestEvent) error {
	raw, submitted, err := submittedSecrets(e.RequestEvent)
	if err != nil {
		return err
	}
	sealed := sealedSecrets(e.Record.Original())
	if submitted {
		if err := s.mergeSecrets(sealed, raw); err != nil {
			return err
		}
	}
	e.Record.Set("secrets", sealed)
	return e.Next()
}

// keepSecretsSavedMeanwhile runs on every update of a connection: the
// secrets the save does not set or remove are written as they are stored
// now, not as they were when the connection was read. The engine keeps a
// renewed token (a rotated OAuth2 refresh token, a login's session) in
// the connection at any moment; an edit read before it would otherwise
// put the old one back, which an app that rotates refresh tokens refuses.
// The stored secrets are read again in the write's transaction, which no
// other save can enter. A new address keeps only what the save sets again
// (clearSecretsOnNewAddress): a token kept meanwhile belongs to the old one;
// and secrets stored meanwhile for another address than the one this save
// writes are not taken either.
func (s *Switchboard) keepSecretsSavedMeanwhile(e *core.RecordEvent) error {
	if s.addressChange(e.Record.Original(), e.Record) != "" {
		return e.Next()
	}
	app := e.App
	return app.RunInTransaction(func(tx core.App) error {
		stored, err := tx.FindRecordById(connectionsCollection, e.Record.Id)
		switch {
		case isNoRows(err):
			return e.Next()
		case err != nil:
			return fmt.Errorf("reading the stored secrets of connection %q: %w", e.Record.GetString("name"), err)
		}
		if s.addressChange(stored, e.Record) != "" {
			// Saved meanwhile with another address: the secrets stored
			// now belong to that one, not to the address this save writes.
			return nextInTx(e, tx, app)
		}
		saved := sealedSecrets(e.Record)
		if kept := rebaseSecrets(sealedSecrets(e.Record.Original()), saved, sealedSecrets(stored)); !maps.Equal(kept, saved) {
			e.Record.Set("secrets", kept)
		}
		return nextInTx(e, tx, app)
	})
}

// nextInTx goes on with a save in the transaction tx; the hooks after the
// write (run once it is committed) get app back.
func nextInTx(e *core.RecordEvent, tx, app core.App) error {
	e.App = tx
	defer func() { e.App = app }()
	return e.Next()
}

// updateStoredConnection records what change sets on a connection as it
// is stored now: read again in the write's transaction, so that what a
// user saved meanwhile (a name, an address, a secret) is kept, not put
// back as an earlier read had it. A connection deleted meanwhile is left
// alone.
func updateStoredConnection(app core.App, id string, change func(rec *core.Record)) error {
	return app.RunInTransaction(func(tx core.App) error {
		rec, err := tx.FindRecordById(connectionsCollection, id)
		if isNoRows(err) {
			return nil
		}
		if err != nil {
			return err
		}
		change(rec)
		return tx.Save(rec)
	})
}

// rebaseSecrets applies a save's changes to a connection's secrets (those
// set or removed since read) onto the secrets stored now. It changes
// stored.
func rebaseSecrets(read, saved, stored map[string]string) map[string]string {
	for name, value := range saved {
		if read[name] != value {
			stored[name] = value
		}
	}
	for name := range read {
		if _, kept := saved[name]; !kept {
			delete(stored, name)
		}
	}
	return stored
}

// submittedSecrets reads the secrets of a create or update request from its
// body. The secrets column is hidden, so that no filter or sort can touch
// it, and PocketBase leaves hidden fields out of the request data it hands
// to hooks; the body is read again instead (PocketBase keeps it rereadable).
func submittedSecrets(e *core.RequestEvent) (any, bool, error) {
	body := map[string]any{}
	if err := e.BindBody(&body); err != nil {
		return nil, false, router.NewBadRequestError("The body could not be read.", err)
	}
	raw, submitted := body["secrets"]
	return raw, submitted, nil
}

func (s *Switchboard) mergeSecrets(sealed map[string]string, raw any) error {
	if raw == nil {
		return nil
	}
	submitted, ok := jsonObject(raw)
	if !ok {
		return router.NewBadRequestError("Secrets must be an object of names and values.",
			validation.Errors{"secrets": validation.NewError("validation_invalid_secrets", "must be an object of names and values")})
	}
	for name, v := range submitted {
		if err := s.mergeSecret(sealed, name, v); err != nil {
			return err
		}
	}
	return nil
}

// jsonObject reads a request body value as a JSON object; PocketBase may
// hand it over decoded or as raw JSON.
func jsonObject(raw any) (map[string]any, bool) {
	if m, ok := raw.(map[string]any); ok {
		return m, true
	}
	var data []byte
	switch v := raw.(type) {
	case types.JSONRaw:
		data = v
	case []byte:
		data = v
	case string:
		data = []byte(v)
	default:
		return nil, false
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil || m == nil {
		return nil, false
	}
	return m, true
}

func (s *Switchboard) mergeSecret(sealed map[string]string, name string, v any) error {
	text, isText := v.(string)
	switch {
	case v == nil || (isText && text == ""):
		delete(sealed, name)
		return nil
	case !isText:
		return router.NewBadRequestError("A secret must be text.",
			validation.Errors{"secrets": validation.Errors{name: validation.NewError("validation_invalid_secret", "must be text")}})
	}
	ring, err := s.Keyring()
	if err != nil {
		return router.NewApiError(http.StatusServiceUnavailable, "Secrets cannot be saved: "+err.Error(), nil)
	}
	value, err := ring.Seal(text, secretContext(name))
	if err != nil {
		return err
	}
	sealed[name] = value
	return nil
}

func secretContext(name string) string { return "connection secret " + name }

// sealedSecrets reads a connection's stored secrets: names to sealed values.
func sealedSecrets(rec *core.Record) map[string]string {
	out := map[string]string{}
	if rec == nil {
		return out
	}
	var stored map[string]any
	if err := rec.UnmarshalJSONField("secrets", &stored); err != nil {
		return out
	}
	for name, v := range stored {
		if text, ok := v.(string); ok && text != "" {
			out[name] = text
		}
	}
	return out
}

// validateConnection checks, on every save, that the connector exists, the
// config and secrets fit its spec and pass its Validate step; errors name
// each field.
func (s *Switchboard) validateConnection(e *core.RecordEvent) error {
	name := e.Record.GetString("connector")
	reg, ok := s.registry.Lookup(name)
	if !ok {
		return validation.Errors{"connector": validation.NewError("validation_unknown_connector",
			fmt.Sprintf("unknown connector %q; see GET /api/switchboard/connectors", name))}
	}
	config, err := recordConfig(e.Record)
	if err != nil {
		return validation.Errors{"config": validation.NewError("validation_invalid_config", err.Error())}
	}
	stored := sealedSecrets(e.Record)
	placeholders := make(map[string]string, len(stored))
	for secret, value := range stored {
		if !secrets.IsSealed(value) {
			return validation.Errors{"secrets": validation.Errors{secret: validation.NewError("validation_unsealed_secret", "is not sealed")}}
		}
		placeholders[secret] = "set"
	}
	if err := s.resolveAndValidate(e.Record, reg.Spec, config, placeholders); err != nil {
		return specErrors(reg.Spec, err)
	}
	return e.Next()
}

// recordConfig reads a connection's config field as an object.
func recordConfig(rec *core.Record) (map[string]any, error) {
	raw := rec.GetRaw("config")
	if raw == nil {
		return map[string]any{}, nil
	}
	data, err := json.Marshal(raw)
	if err != nil {
		return nil, fmt.Errorf("config is not JSON: %w", err)
	}
	var config map[string]any
	if err := json.Unmarshal(data, &config); err != nil || string(data) == "null" || string(data) == `""` {
		if string(data) == "null" || string(data) == `""` {
			return map[string]any{}, nil
		}
		return nil, errors.New("config must be an object of field names and values")
	}
	return config, nil
}

// specErrors turns a connector validation error into PocketBase field
// errors: config.<field> for plain fields and secrets.<field> for secrets.
func specErrors(spec connectors.Spec, err error) error {
	var ve *connectors.ValidationError
	if !errors.As(err, &ve) {
		return validation.Errors{"config": validation.NewError("validation_invalid_config", err.Error())}
	}
	config, secretErrs := validation.Errors{}, validation.Errors{}
	for field, msg := range ve.Fields {
		target := config
		if f, ok := spec.Field(field); ok && f.Secret {
			target = secretErrs
		}
		target[field] = validation.NewError("validation_invalid_field", msg)
	}
	for name, msg := range ve.Secrets {
		secretErrs[name] = validation.NewError("validation_invalid_field", msg)
	}
	out := validation.Errors{}
	if len(config) > 0 {
		out["config"] = config
	}
	if len(secretErrs) > 0 {
		out["secrets"] = secretErrs
	}
	return out
}

// showSecretNames keeps sealed values out of every API answer, superusers'
// included, and says which secrets are set.
func showSecretNames(e *core.RecordEnrichEvent) error {
	names := make([]string, 0)
	for name := range sealedSecrets(e.Record) {
		names = append(names, name)
	}
	sort.Strings(names)
	// After Next: PocketBase's own enrichment, at the end of the chain,
	// unhides every field for superusers.
	if err := e.Next(); err != nil {
		return err
	}
	e.Record.Hide("secrets")
	e.Record.WithCustomData(true)
	e.Record.Set("secrets_set", names)
	return nil
}

// refuseDeletingUsedConnection refuses to delete a connection that an
// integration uses, naming the integrations: PocketBase would refuse it
// too, but without saying which record holds it or what to do.
func refuseDeletingUsedConnection(e *core.RecordRequestEvent) error {
	var names []string
	err := e.App.DB().Select("name").From("integrations").
		Where(dbx.Or(dbx.HashExp{"a": e.Record.Id}, dbx.HashExp{"b": e.Record.Id})).
		OrderBy("name").Column(&names)
	if err != nil {
		return fmt.Errorf("finding the integrations of connection %q: %w", e.Record.GetString("name"), err)
	}
	if len(names) == 0 {
		return e.Next()
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = strconv.Quote(n)
	}
	which := "the integration " + quoted[0]
	if len(quoted) > 1 {
		which = "the integrations " + strings.Join(quoted, ", ")
	}
	msg := fmt.Sprintf("Connection %q is used by %s: delete them first, or give them another connection.",
		e.Record.GetString("name"), which)
	return router.NewBadRequestError(msg, validation.Errors{
		"id": validation.NewError("validation_connection_in_use", "is used by "+which)})
}
