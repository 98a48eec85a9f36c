package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"gopkg.in/yaml.v3"

	"github.com/switchboard-app/switchboard/mappings"
)

// ExportVersion is the version of the integration file format.
const ExportVersion = 1

// IntegrationFile is an integration as a YAML file: its two connections
// without their secrets (only the secrets' names), its flows with their
// schedules, options, mappings and rules. A partner exports one client's
// setup and imports it for the next.
type IntegrationFile struct {
	Switchboard int              `yaml:"switchboard" json:"switchboard"`
	Integration FileIntegration  `yaml:"integration" json:"integration"`
	Connections []FileConnection `yaml:"connections" json:"connections"`
	Flows       []FileFlow       `yaml:"flows" json:"flows"`
}

// FileIntegration is the integration of a file.
type FileIntegration struct {
	Name        string `yaml:"name" json:"name"`
	Enabled     bool   `yaml:"enabled" json:"enabled"`
	AlertEmails string `yaml:"alert_emails,omitempty" json:"alert_emails,omitempty"`
}

// FileConnection is one of a file's two connections: "a" (the
// integration's first) or "b". Secrets names the secrets it had set; an
// import asks for their values.
type FileConnection struct {
	Ref       string         `yaml:"ref" json:"ref"`
	Name      string         `yaml:"name" json:"name"`
	Connector string         `yaml:"connector" json:"connector"`
	Config    map[string]any `yaml:"config,omitempty" json:"config,omitempty"`
	Secrets   []string       `yaml:"secrets,omitempty" json:"secrets,omitempty"`
}

// FileFlow is one flow of a file; Source and Target are connection refs.
type FileFlow struct {
	Name     string         `yaml:"name" json:"name"`
	Entity   string         `yaml:"entity" json:"entity"`
	Source   string         `yaml:"source" json:"source"`
	Target   string         `yaml:"target" json:"target"`
	Schedule string         `yaml:"schedule" json:"schedule"`
	Webhook  bool           `yaml:"webhook,omitempty" json:"webhook,omitempty"`
	Enabled  bool           `yaml:"enabled" json:"enabled"`
	Options  map[string]any `yaml:"options,omitempty" json:"options,omitempty"`
	// Mapping and Rules are as the flow stores them (JSON field names).
	Mapping any `yaml:"mapping,omitempty" json:"mapping,omitempty"`
	Rules   any `yaml:"rules,omitempty" json:"rules,omitempty"`
}

// ExportIntegration writes an integration as a YAML file; ErrNotFound
// when there is no such integration. No secret is in it: only the names
// of the connections' secrets, and no webhook secret.
func (s *Switchboard) ExportIntegration(id string) ([]byte, error) {
	integ, err := s.app.FindRecordById("integrations", id)
	if err != nil {
		return nil, ErrNotFound
	}
	f := IntegrationFile{Switchboard: ExportVersion, Integration: FileIntegration{Name: integ.GetString("name"),
		Enabled: integ.GetBool("enabled"), AlertEmails: integ.GetString("alert_emails")}}
	refs := map[string]string{}
	for _, ref := range []string{"a", "b"} {
		conn, err := s.app.FindRecordById(connectionsCollection, integ.GetString(ref))
		if err != nil {
			return nil, fmt.Errorf("integration %q: connection %s: %w", integ.GetString("name"), ref, err)
		}
		refs[conn.Id] = ref
		names := SecretNames(conn)
		sort.Strings(names)
		f.Connections = append(f.Connections, FileConnection{Ref: ref, Name: conn.GetString("name"),
			Connector: conn.GetString("connector"), Config: recordConfigOrNil(conn), Secrets: names})
	}
	flows, err := s.app.FindRecordsByFilter(flowsCollection, "integration = {:id}", "created", 0, 0, dbx.Params{"id": id})
	if err != nil {
		return nil, fmt.Errorf("integration %q: flows: %w", integ.GetString("name"), err)
	}
	for _, flow := range flows {
		ff, err := exportFlow(flow, refs)
		if err != nil {
			return nil, err
		}
		f.Flows = append(f.Flows, ff)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return nil, fmt.Errorf("writing the integration file: %w", err)
	}
	return buf.Bytes(), nil
}

func exportFlow(flow *core.Record, refs map[string]string) (FileFlow, error) {
	ff := FileFlow{Name: flow.GetString("name"), Entity: flow.GetString("entity"), Source: refs[flow.GetString("source")],
		Target: refs[flow.GetString("target")], Schedule: flow.GetString("schedule"), Webhook: flow.GetBool("webhook"),
		Enabled: flow.GetBool("enabled")}
	if opts := FlowOptionsOf(flow); len(opts) > 0 {
		ff.Options = opts
	}
	for field, dst := range map[string]*any{"mapping": &ff.Mapping, "rules": &ff.Rules} {
		raw := strings.TrimSpace(flow.GetString(field))
		if raw == "" || raw == "null" || raw == "{}" || raw == "[]" {
			continue
		}
		if err := json.Unmarshal([]byte(raw), dst); err != nil {
			return ff, fmt.Errorf("flow %q: %s: %w", ff.Name, field, err)
		}
	}
	return ff, nil
}

func recordConfigOrNil(conn *core.Record) map[string]any {
	config, err := recordConfig(conn)
	if err != nil || len(config) == 0 {
		return nil
	}
	return config
}

// ParseIntegrationFile reads an integration file and checks its shape:
// the version, two connections "a" and "b", and flows between them with
// mappings and rules of the right form. The errors name the part.
func ParseIntegrationFile(data []byte) (IntegrationFile, error) {
	var f IntegrationFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return f, fmt.Errorf("the file is not an integration file: %w", err)
	}
	if f.Switchboard != ExportVersion {
		return f, fmt.Errorf("the file's version is %d; this Switchboard reads version %d", f.Switchboard, ExportVersion)
	}
	if len(f.Connections) != 2 || f.Connections[0].Ref != "a" || f.Connections[1].Ref != "b" {
		return f, errors.New("connections: the file must have two connections, ref a and ref b")
	}
	for i, fl := range f.Flows {
		if !((fl.Source == "a" && fl.Target == "b") || (fl.Source == "b" && fl.Target == "a")) {
			return f, fmt.Errorf("flows[%d] %q: source and target must be a and b, either way", i, fl.Name)
		}
		if _, _, err := fl.mappingAndRules(); err != nil {
			return f, fmt.Errorf("flows[%d] %q: %w", i, fl.Name, err)
		}
	}
	return f, nil
}

// mappingAndRules reads a file flow's mapping and rules as the flow
// stores them.
func (fl FileFlow) mappingAndRules() (FlowMapping, []mappings.Rule, error) {
	var m FlowMapping
	var rules []mappings.Rule
	if err := reshape(fl.Mapping, &m); err != nil {
		return m, nil, fmt.Errorf("mapping: %w", err)
	}
	if err := reshape(fl.Rules, &rules); err != nil {
		return m, nil, fmt.Errorf("rules: %w", err)
	}
	return m, rules, nil
}

// reshape decodes a value read from YAML into dst through JSON, refusing
// unknown fields.
func reshape(v any, dst any) error {
	if v == nil {
		return nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(dst)
}

// ImportChoices are what the person importing says: the secrets of each
// connection (by ref, then name), the connections to take from this
// appliance instead (by ref: the id of an existing connection), new
// names, and whether the integration starts switched on.
type ImportChoices struct {
	Secrets  map[string]map[string]string `json:"secrets"`
	Existing map[string]string            `json:"existing"`
	Names    map[string]string            `json:"names"`
	Enabled  bool                         `json:"enabled"`
}

// ImportSetup is what importing a file with the choices would create.
func ImportSetup(f IntegrationFile, c ImportChoices) Setup {
	s := Setup{Name: f.Integration.Name, Enabled: c.Enabled, AlertEmails: f.Integration.AlertEmails}
	if n := strings.TrimSpace(c.Names["integration"]); n != "" {
		s.Name = n
	}
	for _, conn := range f.Connections {
		sc := SetupConnection{ID: c.Existing[conn.Ref]}
		if sc.ID == "" {
			name := conn.Name
			if n := strings.TrimSpace(c.Names[conn.Ref]); n != "" {
				name = n
			}
			sc.Input = ConnectionInput{Name: name, Connector: conn.Connector, Config: conn.Config, Secrets: c.Secrets[conn.Ref]}
			if sc.Input.Config == nil {
				sc.Input.Config = map[string]any{}
			}
		}
		if conn.Ref == "a" {
			s.A = sc
		} else {
			s.B = sc
		}
	}
	for _, fl := range f.Flows {
		m, rules, _ := fl.mappingAndRules()
		s.Flows = append(s.Flows, SetupFlow{Name: fl.Name, Entity: fl.Entity, Forward: fl.Source == "a", Schedule: fl.Schedule,
			Webhook: fl.Webhook, Enabled: fl.Enabled, Options: fl.Options, Mapping: m, Rules: rules})
	}
	return s
}

func (s *Switchboard) handleExport(e *core.RequestEvent) error {
	data, err := s.ExportIntegration(e.Request.PathValue("id"))
	if errors.Is(err, ErrNotFound) {
		return e.NotFoundError("No such integration.", nil)
	}
	if err != nil {
		return err
	}
	e.Response.Header().Set("Content-Disposition", `attachment; filename="integration.yaml"`)
	return e.Blob(http.StatusOK, "application/yaml; charset=utf-8", data)
}

// importRefusal says which part of an import was refused and why: its
// cause, or its field errors (which data lists too), so that a script's
// log shows "a: name: Value must be unique", not only "a".
func importRefusal(se *SetupError) string {
	return "The import was refused: " + se.Part + ": " + strings.TrimSuffix(se.Err.Error(), ".") + "."
}

// maxImportBody bounds an import request.
const maxImportBody = 4 << 20

// importShape is the shape of an import request, as its errors tell it.
const importShape = `JSON such as {"yaml": "...", "secrets": {"a": {"password": "..."}}, "existing": {}, "names": {}, "enabled": false, "dry_run": false}`

// readImportRequest reads an import request. A key it does not know is
// refused, naming it: a misspelled "dry_run" would create what was only
// to be checked. So is a value of the wrong kind, naming its field, and a
// body over maxImportBody (413). Its error is the answer to give.
func readImportRequest(e *core.RequestEvent) (importRequest, error) {
	var req importRequest
	dec := json.NewDecoder(http.MaxBytesReader(e.Response, e.Request.Body, maxImportBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(&req)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return req, e.Error(http.StatusRequestEntityTooLarge, fmt.Sprintf("The body is larger than %d bytes.", maxImportBody), nil)
	case err != nil:
		return req, e.BadRequestError("The body "+shapeProblem(err, importShape)+".", nil)
	}
	return req, nil
}

// importRequest is the body of POST /api/switchboard/integrations/import.
type importRequest struct {
	ImportChoices
	YAML   string `json:"yaml"`
	DryRun bool   `json:"dry_run"`
}

// handleImport creates an integration from a file, or with dry_run only
// checks it; a refusal answers 400 with the part and its errors.
func (s *Switchboard) handleImport(e *core.RequestEvent) error {
	req, err := readImportRequest(e)
	if err != nil {
		return err
	}
	if strings.TrimSpace(req.YAML) == "" {
		return e.BadRequestError("The field yaml is required: the text of an integration file, as GET "+APIPrefix+"/integrations/{id}/export makes it.", nil)
	}
	f, err := ParseIntegrationFile([]byte(req.YAML))
	if err != nil {
		return e.BadRequestError(err.Error(), nil)
	}
	setup := ImportSetup(f, req.ImportChoices)
	if req.DryRun {
		err = s.CheckSetup(setup)
	} else {
		var res SetupResult
		if res, err = s.CreateSetup(setup); err == nil {
			ids := make([]string, len(res.Flows))
			for i, fl := range res.Flows {
				ids[i] = fl.Id
			}
			return e.JSON(http.StatusCreated, map[string]any{"integration": res.Integration.Id,
				"connections": []string{res.A.Id, res.B.Id}, "flows": ids})
		}
	}
	var se *SetupError
	if errors.As(err, &se) {
		return e.JSON(http.StatusBadRequest, map[string]any{"status": 400, "message": importRefusal(se),
			"part": se.Part, "data": se.Err})
	}
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, map[string]any{"ok": true})
}
