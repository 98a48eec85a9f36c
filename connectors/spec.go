package connectors

import (
	"fmt"
	"io/fs"
	"regexp"
)

// Category groups connectors in the UI's app picker.
type Category string

// The connector categories.
const (
	CategoryWebshop     Category = "webshop"
	CategoryERP         Category = "erp"
	CategoryMarketplace Category = "marketplace"
	CategoryAccounting  Category = "accounting"
	CategoryShipping    Category = "shipping"
	CategoryWarehouse   Category = "warehouse"
	CategoryFiles       Category = "files"
	CategoryGeneric     Category = "generic"
)

var knownCategories = map[Category]bool{
	CategoryWebshop: true, CategoryERP: true, CategoryMarketplace: true, CategoryAccounting: true,
	CategoryShipping: true, CategoryWarehouse: true, CategoryFiles: true, CategoryGeneric: true,
}

// AuthKind is a way a connection proves who it is to its app.
type AuthKind string

// The authentication kinds a connector can take.
const (
	AuthNone        AuthKind = "none"
	AuthBasic       AuthKind = "basic"
	AuthAPIKey      AuthKind = "api_key"
	AuthOAuth2      AuthKind = "oauth2"
	AuthCustomLogin AuthKind = "custom_login"
	AuthPassword    AuthKind = "password"
	AuthPrivateKey  AuthKind = "private_key"
	// The REST kit's further kinds (connectors/rest/auth).
	AuthBearer                  AuthKind = "bearer"
	AuthHMAC                    AuthKind = "hmac"
	AuthOAuth2ClientCredentials AuthKind = "oauth2_client_credentials"
)

var knownAuthKinds = map[AuthKind]bool{
	AuthNone: true, AuthBasic: true, AuthAPIKey: true, AuthOAuth2: true,
	AuthCustomLogin: true, AuthPassword: true, AuthPrivateKey: true,
	AuthBearer: true, AuthHMAC: true, AuthOAuth2ClientCredentials: true,
}

// FieldType is the type of a config field; it decides the form control and
// how a value is checked.
type FieldType string

// The config field types.
const (
	TypeString   FieldType = "string"
	TypeText     FieldType = "text" // multi-line string, such as a PEM key
	TypeInt      FieldType = "int"
	TypeBool     FieldType = "bool"
	TypeURL      FieldType = "url"
	TypeSelect   FieldType = "select"
	TypeDuration FieldType = "duration"
)

var knownFieldTypes = map[FieldType]bool{
	TypeString: true, TypeText: true, TypeInt: true, TypeBool: true,
	TypeURL: true, TypeSelect: true, TypeDuration: true,
}

// Field describes one config field of a connector. The same description
// renders the connection form, validates what is saved, redacts secrets and
// documents the connector.
type Field struct {
	// Name is the key in the connection's config (or secrets, if Secret).
	Name string `json:"name"`
	// Title is the form label.
	Title string `json:"title"`
	// Type decides the control and the check.
	Type FieldType `json:"type"`
	// Required fields must be set (a Default counts as set).
	Required bool `json:"required,omitempty"`
	// Secret fields are kept in the connection's encrypted secrets, never in
	// its config, and are never shown, logged or returned.
	Secret bool `json:"secret,omitempty"`
	// Default is used when the field is not set.
	Default any `json:"default,omitempty"`
	// Options are the allowed values of a select field.
	Options []string `json:"options,omitempty"`
	// Help explains the field in one or two sentences.
	Help string `json:"help,omitempty"`
	// Example is a realistic value shown as a placeholder.
	Example string `json:"example,omitempty"`
	// Advanced fields are folded away in the form.
	Advanced bool `json:"advanced,omitempty"`
	// Use marks a flow field for reading flows, writing flows or both;
	// connection fields leave it empty.
	Use Use `json:"use,omitempty"`
}

// Spec is a connector's declarative description, registered once.
type Spec struct {
	// Name is the registered name, e.g. "woocommerce" or "sftp".
	Name string `json:"name"`
	// Title is the human name, e.g. "WooCommerce".
	Title string `json:"title"`
	// Category groups the connector in the UI.
	Category Category `json:"category"`
	// Description says in one sentence what the connector connects to.
	Description string `json:"description,omitempty"`
	// Auth lists the authentication kinds the connector takes.
	Auth []AuthKind `json:"auth"`
	// Fields are the config fields, secrets included.
	Fields []Field `json:"fields"`
	// FlowFields are the options a flow sets for its use of a connection:
	// what one flow reads or writes through it (a file pattern, a format),
	// where the connection holds how to reach the app. Each is marked for
	// reading flows (the connection is the flow's source), writing flows
	// (its target) or both. They are never secret.
	FlowFields []Field `json:"flow_fields"`
	// Reads lists the entities the connector can read.
	Reads []Entity `json:"reads"`
	// Writes lists the entities the connector can write.
	Writes []Entity `json:"writes"`
	// Webhooks is true when the connector can receive webhooks.
	Webhooks bool `json:"webhooks"`
	// Mappings holds the connector's default mapping files (JSON, one per
	// entity and direction, in the format of the mappings package), usually
	// embedded. Nil means the connector's records are canonical already.
	Mappings fs.FS `json:"-"`
	// Validate, when set, is the connector's own check of a config that
	// fits the fields but cannot work: a pattern that does not compile, a
	// folder that leads out of the files root, a zero duration. It runs on
	// every save of a connection and before every run, after the fields
	// are resolved. It checks the config only and never opens a network
	// connection; at save time the secrets hold placeholders, not values.
	// It returns a *ValidationError naming each bad field.
	Validate func(cfg Config, env Env) error `json:"-"`
	// ValidateFlow, when set, is the connector's own check of a flow's
	// options that fit the flow fields but cannot work, as Validate is for
	// the connection: use says whether the flow reads or writes, opts are
	// its resolved options and conn the connection's resolved config. It
	// runs on every save of a flow and when the engine loads it, checks
	// the options only, and returns a *ValidationError naming each bad
	// option.
	ValidateFlow func(use Use, opts Config, conn Config, env Env) error `json:"-"`
	// ValidateOutput, when set, checks the fields a writing flow's records
	// will have (their paths, "prices.list") against what the connector
	// can write with the flow's resolved options: a name XML cannot hold,
	// a field outside a CSV file's columns. It runs on every save of a
	// flow, so that such a mapping is refused then, not at each record's
	// write, and returns an *OutputProblem.
	ValidateOutput func(opts Config, paths []string) error `json:"-"`
	// Place, when set, names where a writing flow's records go in the
	// target, from the flow's resolved options: a file connector's folder,
	// file names, format and write mode. Flows between the same two
	// connections share the links of the records they wrote (so that no
	// record is created twice) only when their places are equal; unset,
	// every flow writes to the same records, as in an app's API.
	Place func(opts Config) string `json:"-"`
}

// PlaceOf is the place of a flow writing through the connector with the
// resolved options opts: "" unless the connector sets Place.
func (s Spec) PlaceOf(opts Config) string {
	if s.Place == nil {
		return ""
	}
	return s.Place(opts)
}

// OutputProblem is a field of a flow's records that its target cannot
// write: Path names it ("Product Title"), Cause says why.
type OutputProblem struct {
	Path  string
	Cause error
}

func (p *OutputProblem) Error() string { return fmt.Sprintf("field %s: %v", p.Path, p.Cause) }

func (p *OutputProblem) Unwrap() error { return p.Cause }

var namePattern = regexp.MustCompile(`^[a-z][a-z0-9_+-]*$`)

// Field returns the field with the given name.
func (s Spec) Field(name string) (Field, bool) { return findField(s.Fields, name) }

// FlowField returns the flow field with the given name, whatever its use.
func (s Spec) FlowField(name string) (Field, bool) { return findField(s.FlowFields, name) }

func findField(fields []Field, name string) (Field, bool) {
	for _, f := range fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// CanRead reports whether the connector reads entity e.
func (s Spec) CanRead(e Entity) bool { return containsEntity(s.Reads, e) }

// CanWrite reports whether the connector writes entity e.
func (s Spec) CanWrite(e Entity) bool { return containsEntity(s.Writes, e) }

func containsEntity(list []Entity, e Entity) bool {
	for _, x := range list {
		if x == e {
			return true
		}
	}
	return false
}

// Check reports the first inconsistency in the spec itself: a bad name, an
// unknown category, auth kind, field type or entity, a duplicate field, or a
// select field without options. Register refuses a spec that fails it.
func (s Spec) Check() error {
	if !namePattern.MatchString(s.Name) {
		return fmt.Errorf("connector name %q: must be lowercase letters, digits, _, + or -", s.Name)
	}
	if s.Title == "" {
		return fmt.Errorf("connector %s: title is empty", s.Name)
	}
	if !knownCategories[s.Category] {
		return fmt.Errorf("connector %s: unknown category %q", s.Name, s.Category)
	}
	if len(s.Auth) == 0 {
		return fmt.Errorf("connector %s: no auth kind (use %q)", s.Name, AuthNone)
	}
	for _, a := range s.Auth {
		if !knownAuthKinds[a] {
			return fmt.Errorf("connector %s: unknown auth kind %q", s.Name, a)
		}
	}
	if err := checkEntities(s.Name, s.Reads, s.Writes); err != nil {
		return err
	}
	if err := checkFields(s.Name, s.Fields); err != nil {
		return err
	}
	return checkFlowFields(s.Name, s.FlowFields)
}

// checkFlowFields checks the flow fields as fields, and that each is
// marked for reading, writing or both, and is not secret: flow options
// are stored in the clear, where every role reads them.
func checkFlowFields(name string, fields []Field) error {
	if err := checkFields(name, fields); err != nil {
		return fmt.Errorf("flow fields: %w", err)
	}
	for _, f := range fields {
		if f.Use == 0 || f.Use&^UseBoth != 0 {
			return fmt.Errorf("connector %s: flow field %s: use must be read, write or both", name, f.Name)
		}
		if f.Secret {
			return fmt.Errorf("connector %s: flow field %s: flow options cannot be secret; keep it on the connection", name, f.Name)
		}
	}
	return nil
}

func checkEntities(name string, lists ...[]Entity) error {
	for _, list := range lists {
		for _, e := range list {
			if !e.Valid() {
				return fmt.Errorf("connector %s: unknown entity %q", name, e)
			}
		}
	}
	return nil
}

func checkFields(name string, fields []Field) error {
	seen := map[string]bool{}
	for _, f := range fields {
		if !namePattern.MatchString(f.Name) {
			return fmt.Errorf("connector %s: field name %q: must be lowercase letters, digits or _", name, f.Name)
		}
		if seen[f.Name] {
			return fmt.Errorf("connector %s: field %s declared twice", name, f.Name)
		}
		seen[f.Name] = true
		if !knownFieldTypes[f.Type] {
			return fmt.Errorf("connector %s: field %s: unknown type %q", name, f.Name, f.Type)
		}
		if f.Type == TypeSelect && len(f.Options) == 0 {
			return fmt.Errorf("connector %s: field %s: select without options", name, f.Name)
		}
		if f.Default != nil {
			if _, err := coerce(f, f.Default); err != nil {
				return fmt.Errorf("connector %s: field %s: default: %w", name, f.Name, err)
			}
		}
	}
	return nil
}
