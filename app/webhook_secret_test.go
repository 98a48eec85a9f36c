package app

import (
	"bytes"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app/secrets"
)

// storedHookSecret reads a flow's webhook secret as the database holds it,
// with SQL, past every hook.
func storedHookSecret(t testing.TB, env *testEnv, flowID string) string {
	t.Helper()
	var raw string
	err := env.app.DB().NewQuery("SELECT webhook_secret FROM flows WHERE id = {:id}").Bind(dbx.Params{"id": flowID}).Row(&raw)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// storePlainHookSecret writes a webhook secret in plain text, as the
// versions before sealing did.
func storePlainHookSecret(t testing.TB, env *testEnv, flowID, plain string) {
	t.Helper()
	if _, err := env.app.DB().NewQuery("UPDATE flows SET webhook_secret = {:v} WHERE id = {:id}").
		Bind(dbx.Params{"v": plain, "id": flowID}).Execute(); err != nil {
		t.Fatal(err)
	}
}

func ordersFlowID(t testing.TB, env *testEnv) string {
	t.Helper()
	flow, err := env.app.FindFirstRecordByData(flowsCollection, "name", "orders")
	if err != nil {
		t.Fatal(err)
	}
	return flow.Id
}

// wantSealedHookSecret checks that a flow's stored webhook secret is
// sealed under the current key, bound to the flow, and opens to plain.
func wantSealedHookSecret(t testing.TB, env *testEnv, flowID, plain string) string {
	t.Helper()
	raw := storedHookSecret(t, env, flowID)
	ring, err := env.sb.Keyring()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(raw, secrets.Prefix) || strings.Contains(raw, plain) || secrets.KeyID(raw) != ring.CurrentID() {
		t.Fatalf("the stored webhook secret %q is not sealed under key %s", raw, ring.CurrentID())
	}
	if got, err := ring.Open(raw, webhookSecretContext(flowID)); err != nil || got != plain {
		t.Fatalf("the stored webhook secret opens to %q (%v), want %q", got, err, plain)
	}
	if _, err := ring.Open(raw, webhookSecretContext("another flow")); !errors.Is(err, secrets.ErrWrongKey) {
		t.Fatalf("the sealed webhook secret opens as another flow's: %v", err)
	}
	return raw
}

// TestFlowWebhookSecretIsSealedAtRest: however a flow is created, its
// webhook secret reaches the database sealed, bound to the flow; the API
// never returns it and the webhook route shows it, opened, to an editor.
func TestFlowWebhookSecretIsSealedAtRest(t *testing.T) {
	const flowsURL = "/api/collections/flows/records"
	flowBody := func(extra string) func(*testEnv) string {
		return func(env *testEnv) string {
			integ, _ := env.app.FindFirstRecordByData("integrations", "name", "Shop <-> ERP")
			return `{"integration":"` + integ.Id + `","name":"orders","entity":"order","source":"` + id(t, env, "Shop") +
				`","target":"` + id(t, env, "ERP") + `","enabled":true,"webhook":true` + extra + `}`
		}
	}
	generated := func(t testing.TB, env *testEnv) {
		flowID := ordersFlowID(t, env)
		plain, err := env.sb.WebhookSecret(mustFlow(t, env, flowID))
		if b, hexErr := hex.DecodeString(plain); err != nil || hexErr != nil || len(b) != 24 {
			t.Fatalf("the generated webhook secret opens to %q (%v)", plain, err)
		}
		wantSealedHookSecret(t, env, flowID, plain)
	}
	scenarios := []scenario{
		{name: "an editor creates a flow: its generated secret is sealed and not returned", as: RoleEditor,
			method: http.MethodPost, url: fixed(flowsURL), seed: seedIntegration, bodyOf: flowBody(""),
			status: 200, notWant: []string{"webhook_secret"}, after: generated},
		{name: "a secret given in plain text through the API is sealed, or not taken", as: "superuser",
			method: http.MethodPost, url: fixed(flowsURL), seed: seedIntegration, bodyOf: flowBody(`,"webhook_secret":"given-secret"`),
			status: 200, notWant: []string{"webhook_secret", "given-secret"}, after: func(t testing.TB, env *testEnv) {
				raw := storedHookSecret(t, env, ordersFlowID(t, env))
				if !strings.HasPrefix(raw, secrets.Prefix) || strings.Contains(raw, "given-secret") {
					t.Fatalf("stored webhook secret %q", raw)
				}
			}},
		{name: "a superuser gives a flow a new secret in plain text: it is sealed", as: "superuser", method: http.MethodPatch,
			url: func(env *testEnv) string { return flowsURL + "/" + ordersFlowID(t, env) }, seed: seedWebhookFlow(true),
			body: `{"webhook_secret":"new-secret"}`, status: 200, notWant: []string{"webhook_secret", "new-secret"},
			after: func(t testing.TB, env *testEnv) {
				wantSealedHookSecret(t, env, ordersFlowID(t, env), "new-secret")
			}},
		{name: "the API lists flows without their secrets", as: "superuser", method: http.MethodGet,
			url: fixed(flowsURL), seed: seedWebhookFlow(true), status: 200,
			want: []string{`"name":"orders"`}, notWant: []string{"webhook_secret", "hook-secret"}},
		{name: "the API shows a flow without its secret", as: RoleEditor, method: http.MethodGet,
			url: func(env *testEnv) string { return flowsURL + "/" + ordersFlowID(t, env) }, seed: seedWebhookFlow(true),
			status: 200, want: []string{`"name":"orders"`}, notWant: []string{"webhook_secret", "hook-secret"}},
		{name: "the webhook route shows an editor the secret, opened", as: RoleEditor, method: http.MethodGet,
			url: flowPath("/webhook"), seed: seedWebhookFlow(true), status: 200,
			want: []string{`"secret":"hook-secret"`, `"enabled":true`}},
		{name: "an operator is not shown the secret", as: RoleOperator, method: http.MethodGet,
			url: flowPath("/webhook"), seed: seedWebhookFlow(true), status: 403, notWant: []string{"hook-secret"}},
	}
	for _, sc := range scenarios {
		sc.run(t)
	}

	env := newTestEnv(t)
	seedWebhookFlow(true)(t, env)
	flowID := ordersFlowID(t, env)
	wantSealedHookSecret(t, env, flowID, "hook-secret")
	info, err := env.sb.engine.FlowWebhook(flowID)
	if err != nil || info.Secret != "hook-secret" {
		t.Fatalf("FlowWebhook shows %q (%v)", info.Secret, err)
	}
	flow := mustFlow(t, env, flowID)
	flow.Set("webhook_secret", "changed-secret")
	if err := env.app.Save(flow); err != nil {
		t.Fatal(err)
	}
	wantSealedHookSecret(t, env, flowID, "changed-secret")
	sealed := storedHookSecret(t, env, flowID)
	flow = mustFlow(t, env, flowID)
	flow.Set("name", "orders renamed")
	if err := env.app.Save(flow); err != nil || storedHookSecret(t, env, flowID) != sealed {
		t.Fatalf("saving the flow again changed its sealed secret (%v)", err)
	}

	copied := mustFlow(t, env, flowID).Clone()
	copied.Id = ""
	copied.MarkAsNew()
	copied.Set("name", "copy")
	if err := env.app.Save(copied); err == nil || !strings.Contains(err.Error(), "bound to its flow") {
		t.Fatalf("a sealed secret copied into a new flow was taken: %v", err)
	}
}

// TestSealedWebhookSecretVerifiesCalls: with the secret sealed at rest, a
// call signed with it is taken and one signed with another is refused.
func TestSealedWebhookSecretVerifiesCalls(t *testing.T) {
	tests := []struct {
		name    string
		secret  string
		status  int
		stored  int
		contain string
	}{
		{name: "signed with the flow's secret", secret: "hook-secret", status: http.StatusOK, stored: 2, contain: `"accepted":2`},
		{name: "signed with another secret", secret: "other-secret", status: http.StatusUnauthorized, stored: 0, contain: "refused"},
		{name: "signed with the sealed value", secret: "", status: http.StatusUnauthorized, stored: 0, contain: "refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServedApp(t, fastEngine, seedWebhookFlow(true))
			flowID := ordersFlowID(t, s.env)
			secret := tt.secret
			if secret == "" {
				secret = wantSealedHookSecret(t, s.env, flowID, "hook-secret")
			}
			h := http.Header{}
			for k, v := range signed(secret, hookBody, "d-1") {
				h.Set(k, v)
			}
			wantStatus(t, tt.name, s.post(hookURL(s.env), hookBody, h), tt.status, tt.contain)
			if got := countTransactions(t, s.env); got != tt.stored {
				t.Fatalf("%d transactions stored, want %d", got, tt.stored)
			}
		})
	}
}

// TestPlainWebhookSecretsAreSealedAtStart: a webhook secret stored in
// plain text by an older version still verifies calls until the start
// seals it; the start seals it once and leaves a sealed one as it is.
func TestPlainWebhookSecretsAreSealedAtStart(t *testing.T) {
	env := newTestEnv(t)
	seedWebhookFlow(true)(t, env)
	flowID := ordersFlowID(t, env)
	storePlainHookSecret(t, env, flowID, "legacy-secret")

	if got, err := env.sb.WebhookSecret(mustFlow(t, env, flowID)); err != nil || got != "legacy-secret" {
		t.Fatalf("a plain legacy secret reads as %q (%v)", got, err)
	}
	h := http.Header{}
	for k, v := range signed("legacy-secret", hookBody, "before") {
		h.Set(k, v)
	}
	s := &servedApp{env: env, mux: servedMux(t, env)} // serving runs the start-up checks, which seal it
	sealed := wantSealedHookSecret(t, env, flowID, "legacy-secret")
	wantStatus(t, "a call signed with the legacy secret, once sealed", s.post(hookURL(env), hookBody, h), http.StatusOK, `"accepted":2`)

	ring, _ := env.sb.Keyring()
	for range 2 {
		n, err := sealPlainWebhookSecrets(env.app, ring)
		if err != nil || n != 0 {
			t.Fatalf("sealing again sealed %d (%v), want none", n, err)
		}
		if got := storedHookSecret(t, env, flowID); got != sealed {
			t.Fatalf("sealing again changed the sealed secret %q to %q", sealed, got)
		}
	}
	storePlainHookSecret(t, env, flowID, "legacy-secret")
	if n, err := sealPlainWebhookSecrets(env.app, ring); err != nil || n != 1 {
		t.Fatalf("sealed %d (%v), want 1", n, err)
	}
	wantSealedHookSecret(t, env, flowID, "legacy-secret")
}

// TestRotateResealsWebhookSecrets: rotation re-seals every flow's webhook
// secret under the new key, with the connections' secrets; calls signed
// with the same secret are taken after it. A webhook secret that does not
// open stops the rotation before it changes anything.
func TestRotateResealsWebhookSecrets(t *testing.T) {
	env := newTestEnv(t)
	seedWebhookFlow(true)(t, env)
	flowID := ordersFlowID(t, env)
	oldRing, _ := env.sb.Keyring()
	before := storedHookSecret(t, env, flowID)
	var out bytes.Buffer
	if err := env.sb.rotate(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Re-sealed 2 secrets") { // the shop's API key and the flow's webhook secret
		t.Fatalf("rotate said %q", out.String())
	}
	s := &servedApp{env: env, mux: servedMux(t, env)} // serving checks the key again
	newRing, err := env.sb.Keyring()
	if err != nil || newRing.CurrentID() == oldRing.CurrentID() {
		t.Fatalf("key not rotated (%v)", err)
	}
	after := wantSealedHookSecret(t, env, flowID, "hook-secret")
	if after == before {
		t.Fatal("the webhook secret was not re-sealed")
	}
	if _, err := oldRing.Open(after, webhookSecretContext(flowID)); !errors.Is(err, secrets.ErrWrongKey) {
		t.Fatalf("the old key opens the re-sealed webhook secret: %v", err)
	}
	wantStatus(t, "a call signed with the same secret after rotation",
		s.post(hookURL(env), hookBody, signedHeader(hookBody, "after-rotate")), http.StatusOK, `"accepted":2`)

	shop, _ := env.app.FindFirstRecordByData(connectionsCollection, "name", "Shop")
	shopBefore := sealedSecrets(shop)["api_key"]
	other, _ := secrets.GenerateKey()
	foreign, _ := secrets.NewKeyring("test", other).Seal("hook-secret", webhookSecretContext(flowID))
	storePlainHookSecret(t, env, flowID, foreign)
	if _, err := ResealAll(env.app, newRing); err == nil || !strings.Contains(err.Error(), `flow "orders"`) {
		t.Fatalf("rotation with a webhook secret that does not open: %v", err)
	}
	shop, _ = env.app.FindFirstRecordByData(connectionsCollection, "name", "Shop")
	if sealedSecrets(shop)["api_key"] != shopBefore || storedHookSecret(t, env, flowID) != foreign {
		t.Fatal("a failed rotation changed stored secrets")
	}
}

// TestWrongKeyRefusesWebhooksAsFlows: under a key that failed its check a
// webhook call is refused with the reason, the secret is not shown, a new
// flow is not created and nothing stored changes, as for connections.
func TestWrongKeyRefusesWebhooksAsFlows(t *testing.T) {
	env := newTestEnv(t)
	seedWebhookFlow(true)(t, env)
	flowID := ordersFlowID(t, env)
	before := storedHookSecret(t, env, flowID)
	other, err := secrets.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(secrets.EnvKey, other.String())
	s := &servedApp{env: env, mux: servedMux(t, env)} // serving checks the key, which fails
	if env.sb.Ready() == nil {
		t.Fatal("a wrong key passed its check")
	}
	wantStatus(t, "a signed call under a wrong key", s.post(hookURL(env), hookBody, signedHeader(hookBody, "")),
		http.StatusServiceUnavailable, "the secret key check failed")
	if _, err := env.sb.engine.FlowWebhook(flowID); err == nil {
		t.Fatal("the webhook secret was shown under a wrong key")
	}
	runNow := s.post(APIPrefix+"/flows/"+flowID+"/run", "", http.Header{"Authorization": {env.tokens[RoleOperator]}})
	wantStatus(t, "run now under a wrong key", runNow, http.StatusServiceUnavailable, "The flow cannot run now: the secret key")
	copyOf := mustFlow(t, env, flowID).Clone()
	copyOf.Id = ""
	copyOf.MarkAsNew()
	copyOf.Set("name", "new")
	copyOf.Set("webhook_secret", "")
	if err := env.app.Save(copyOf); err == nil {
		t.Fatal("a flow was created under a wrong key, its webhook secret unsealed")
	}
	if got := storedHookSecret(t, env, flowID); got != before {
		t.Fatalf("the stored webhook secret changed under a wrong key: %q", got)
	}
	if countTransactions(t, env) != 0 {
		t.Fatal("a call was stored under a wrong key")
	}
}

func mustFlow(t testing.TB, env *testEnv, flowID string) *core.Record {
	t.Helper()
	flow, err := env.app.FindRecordById(flowsCollection, flowID)
	if err != nil {
		t.Fatal(err)
	}
	return flow
}

// TestOnlySuperusersSetAWebhookSecret: PocketBase drops a hidden field
// from a non-superuser's request without a word, so an editor who set a
// flow's webhook secret through the API was answered 200, the flow kept
// its secret, and the app they gave the new one to was refused with 401.
// Such a request is refused, naming the field and where the secret is
// read; nothing changes.
func TestOnlySuperusersSetAWebhookSecret(t *testing.T) {
	const flowsURL = "/api/collections/flows/records"
	unchanged := func(t testing.TB, env *testEnv) {
		wantSealedHookSecret(t, env, ordersFlowID(t, env), "hook-secret")
	}
	for _, sc := range []scenario{
		{name: "an editor changing it", as: RoleEditor, method: http.MethodPatch,
			url: func(env *testEnv) string { return flowsURL + "/" + ordersFlowID(t, env) }, seed: seedWebhookFlow(true),
			body: `{"name":"orders","webhook_secret":"new-secret"}`, status: 400,
			want: []string{`"webhook_secret":{"code":"validation_superusers_only"`, "/webhook"}, after: unchanged},
		{name: "an admin creating a flow with one", as: RoleAdmin, method: http.MethodPost, url: fixed(flowsURL), seed: seedIntegration,
			bodyOf: func(env *testEnv) string {
				integ, _ := env.app.FindFirstRecordByData("integrations", "name", "Shop <-> ERP")
				return `{"integration":"` + integ.Id + `","name":"orders","entity":"order","source":"` + id(t, env, "Shop") +
					`","target":"` + id(t, env, "ERP") + `","webhook":true,"webhook_secret":"given-secret"}`
			}, status: 400, want: []string{`"webhook_secret":{"code":"validation_superusers_only"`},
			after: func(t testing.TB, env *testEnv) {
				if n, _ := env.app.CountRecords(flowsCollection); n != 0 {
					t.Fatalf("%d flows created", n)
				}
			}},
		{name: "a superuser changing it", as: "superuser", method: http.MethodPatch,
			url: func(env *testEnv) string { return flowsURL + "/" + ordersFlowID(t, env) }, seed: seedWebhookFlow(true),
			body: `{"webhook_secret":"new-secret"}`, status: 200,
			after: func(t testing.TB, env *testEnv) { wantSealedHookSecret(t, env, ordersFlowID(t, env), "new-secret") }},
	} {
		sc.run(t)
	}
}
