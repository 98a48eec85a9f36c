package restapi

import (
	"errors"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest/auth"
	"github.com/switchboard-app/switchboard/connectors/rest/pace"
)

// kinds are the kinds of authentication the generic connector takes.
var kinds = []string{auth.KindNone, auth.KindAPIKey, auth.KindBasic, auth.KindBearer, auth.KindLogin,
	auth.KindHMAC, auth.KindClientCredentials, auth.KindOAuth2}

// CommonFields are the fields of every preset of the generic connector
// besides the entities: pacing and timeouts.
var CommonFields = []connectors.Field{
	{Name: "rate_limit", Title: "Calls per second", Type: connectors.TypeInt, Default: 0, Advanced: true,
		Help: "The most calls per second Switchboard makes to the app, over every flow; 0 sets no limit of its own " +
			"(the app's rate-limit headers and 429 answers are obeyed in any case)."},
	{Name: "max_in_flight", Title: "Calls at once", Type: connectors.TypeInt, Default: pace.DefaultInFlight, Advanced: true,
		Help: "The most calls waiting for an answer at once, over every flow."},
	{Name: "timeout", Title: "Request timeout", Type: connectors.TypeDuration, Default: "60s", Advanced: true,
		Help: "How long one request may take once it goes out."},
}

// Spec is the generic REST connector's spec.
var Spec = connectors.Spec{
	Name:        "rest",
	Title:       "REST API",
	Category:    connectors.CategoryGeneric,
	Description: "Any JSON REST API, described request by request: an in-house system or an app without a connector of its own.",
	Auth:        auth.SpecKinds(kinds...),
	Fields: append(append(append([]connectors.Field{
		{Name: "base_url", Title: "Base URL", Type: connectors.TypeURL, Required: true,
			Help: "The API's address; request paths are relative to it.", Example: "https://erp.example.com/api/v2"},
		{Name: "entities", Title: "Entities", Type: connectors.TypeText, Required: true,
			Help:    "JSON: per entity, its list, get, create and update requests; see \"The generic REST connector\" in docs/rest-kit.md.",
			Example: `{"order": {"list": {"path": "orders", "records": "data", "paging": "page"}, "create": {"path": "orders"}, "update": {"path": "orders/{id}"}}}`},
		{Name: "test_path", Title: "Test path", Type: connectors.TypeString,
			Help: "A path that answers 2xx with valid credentials, for testing the connection (the base URL when empty).", Example: "me"},
		{Name: "test_name_path", Title: "Account name path", Type: connectors.TypeString, Advanced: true,
			Help: "Where the test path's answer holds the account's name, for \"connected as ...\".", Example: "shop.name"},
		{Name: "idempotency_header", Title: "Idempotency header", Type: connectors.TypeString, Default: "Idempotency-Key", Advanced: true,
			Help: "The header that carries each write's idempotency key, if the API takes one; empty sends none."},
	}, auth.Fields(kinds...)...), auth.TLSFields...), append(CommonFields, registrationFields...)...),
	Reads:    connectors.Entities(),
	Writes:   connectors.Entities(),
	Validate: validate,
}

// registrationFields let a connection register webhooks in its app.
var registrationFields = []connectors.Field{
	{Name: "webhook_register_path", Title: "Webhook registration path", Type: connectors.TypeString, Advanced: true,
		Help: "Where Switchboard posts a flow's webhook address when the flow is enabled, if the app registers webhooks by API; empty: a person registers them."},
	{Name: "webhook_register_body", Title: "Webhook registration body", Type: connectors.TypeText, Advanced: true,
		Default: `{"url": "{url}", "secret": "{secret}", "entity": "{entity}"}`,
		Help:    "The JSON posted; {url}, {secret} and {entity} are replaced."},
	{Name: "webhook_id_path", Title: "Webhook id path", Type: connectors.TypeString, Advanced: true, Default: "id",
		Help: "Where the registration's answer holds its id."},
	{Name: "webhook_remove_path", Title: "Webhook removal path", Type: connectors.TypeString, Advanced: true, Default: "webhooks/{id}",
		Help: "Where a registration is deleted when the flow is disabled; {id} is replaced."},
}

// RegistrationFields are the fields of webhook registration, for presets.
func RegistrationFields() []connectors.Field {
	return append([]connectors.Field(nil), registrationFields...)
}

func init() { connectors.Register(Spec, New) }

// validate checks the entities, the authentication and the certificates.
func validate(cfg connectors.Config, _ connectors.Env) error {
	problems := ValidateAuth(cfg, kinds)
	if _, err := ParseEntities(cfg.String("entities")); err != nil {
		problems["entities"] = err.Error()
	}
	if len(problems) > 0 {
		return &connectors.ValidationError{Connector: "rest", Fields: problems}
	}
	return nil
}

// ValidateAuth checks that the chosen kind, if one of kinds, has what it
// needs, and that a client certificate is readable: the problems by field.
func ValidateAuth(cfg connectors.Config, kinds []string) map[string]string {
	problems := map[string]string{}
	for _, k := range kinds {
		if k == cfg.String("auth") {
			problems = auth.Validate(cfg)
		}
	}
	var ve *connectors.ValidationError
	if _, err := auth.TLSConfig(cfg); errors.As(err, &ve) {
		for k, v := range ve.Fields {
			problems[k] = v
		}
	}
	return problems
}
