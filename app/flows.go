package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/types"
	"github.com/robfig/cron/v3"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/mappings"
)

const flowsCollection = "flows"

// DefaultSchedule is a new flow's schedule when none is given.
const DefaultSchedule = "@every 5m"

// scheduleParser accepts standard 5-field cron expressions, descriptors
// such as @hourly and @every, and an optional CRON_TZ= prefix.
var scheduleParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// parseSchedule parses a flow's schedule as the engine runs it, refusing
// an @every interval under a second: robfig/cron would run it every
// second, which a negative or zero interval (a typo) does not say.
func parseSchedule(spec string) (cron.Schedule, error) {
	if every, ok := everyInterval(spec); ok {
		d, err := time.ParseDuration(every)
		if err == nil && d < time.Second {
			return nil, fmt.Errorf("an @every interval must be at least 1s, not %s", every)
		}
	}
	return scheduleParser.Parse(spec)
}

// everyInterval returns the interval of an @every schedule, after a
// time zone prefix (CRON_TZ= or TZ=) when there is one.
func everyInterval(spec string) (string, bool) {
	spec = strings.TrimSpace(spec)
	if strings.HasPrefix(spec, "CRON_TZ=") || strings.HasPrefix(spec, "TZ=") {
		_, spec, _ = strings.Cut(spec, " ")
		spec = strings.TrimSpace(spec)
	}
	every, ok := strings.CutPrefix(spec, "@every ")
	return strings.TrimSpace(every), ok
}

func (s *Switchboard) bindFlows() {
	s.app.OnRecordCreateRequest("integrations").BindFunc(enabledByDefault)
	s.app.OnRecordValidate("integrations").BindFunc(validateIntegration)
	s.app.OnRecordUpdate("integrations").BindFunc(moveFlowsWithConnections)
	s.app.OnRecordCreateRequest(flowsCollection).BindFunc(defaultSchedule)
	s.app.OnRecordCreateRequest(flowsCollection).BindFunc(superusersSetWebhookSecrets)
	s.app.OnRecordUpdateRequest(flowsCollection).BindFunc(superusersSetWebhookSecrets)
	s.app.OnRecordCreate(flowsCollection).BindFunc(s.newWebhookSecret)
	s.app.OnRecordUpdate(flowsCollection).BindFunc(s.sealChangedWebhookSecret)
	s.app.OnRecordValidate(flowsCollection).BindFunc(s.validateFlow)
	s.app.OnRecordDelete(flowsCollection).BindFunc(keepFailedTransactions)
	s.app.OnRecordEnrich(flowsCollection).BindFunc(func(e *core.RecordEnrichEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		e.Record.Hide(webhookSecretField)
		return nil
	})
}

// defaultSchedule gives a flow created through the API the default
// schedule when the request does not name one; an explicit "" means
// manual only. A flow fed by webhooks has no schedule unless one is set:
// its records arrive by themselves.
func defaultSchedule(e *core.RecordRequestEvent) error {
	info, err := e.RequestInfo()
	if err != nil {
		return err
	}
	if _, given := info.Body["schedule"]; !given && !e.Record.GetBool("webhook") {
		e.Record.Set("schedule", DefaultSchedule)
	}
	return e.Next()
}

// superusersSetWebhookSecrets refuses a webhook secret in a request of
// anybody but a superuser, naming the field. The column is hidden, and
// PocketBase drops a hidden field from such a request without a word: the
// request was answered 200, the flow kept its secret, and the app given
// the new one was refused.
//
// PocketBase also leaves hidden fields out of the request data it hands to
// hooks, so the body is read again, as the connections' secrets are.
func superusersSetWebhookSecrets(e *core.RecordRequestEvent) error {
	if e.HasSuperuserAuth() {
		return e.Next()
	}
	body := map[string]any{}
	if err := e.BindBody(&body); err != nil {
		return router.NewBadRequestError("The body could not be read.", err)
	}
	if _, given := body[webhookSecretField]; given {
		return router.NewBadRequestError("Only a superuser can set a flow's webhook secret.", validation.Errors{
			webhookSecretField: validation.NewError("validation_superusers_only",
				"only a superuser can set it; Switchboard makes one for each flow, shown to editors at GET "+
					APIPrefix+"/flows/{id}/webhook")})
	}
	return e.Next()
}

// keepFailedTransactions runs as a flow is deleted, in the same database
// transaction: its finished and waiting transactions go with it, and the
// failed ones stay, with the flow's name, until somebody resolves them.
// Its xrefs stay too: they belong to its connections, not to it.
func keepFailedTransactions(e *core.RecordEvent) error {
	params := dbx.Params{"flow": e.Record.Id, "name": e.Record.GetString("name"),
		"failed": StatusFailed, "retrying": StatusRetrying, "now": types.NowDateTime().String()}
	for _, q := range []string{
		`DELETE FROM transactions WHERE flow = {:flow} AND status NOT IN ({:failed}, {:retrying})`,
		`UPDATE transactions SET status = {:failed}, error_class = 'permanent', next_attempt = '', updated = {:now},
			error = 'its flow was deleted before it could be retried: ' || error WHERE flow = {:flow} AND status = {:retrying}`,
		`UPDATE transactions SET flow_name = {:name} WHERE flow = {:flow}`,
	} {
		if _, err := e.App.DB().NewQuery(q).Bind(params).Execute(); err != nil {
			return fmt.Errorf("keeping the failed transactions of flow %q: %w", e.Record.GetString("name"), err)
		}
	}
	return e.Next()
}

// enabledByDefault enables an integration created through the API when the
// request does not say otherwise: its flows have switches of their own.
func enabledByDefault(e *core.RecordRequestEvent) error {
	info, err := e.RequestInfo()
	if err != nil {
		return err
	}
	if _, given := info.Body["enabled"]; !given {
		e.Record.Set("enabled", true)
	}
	return e.Next()
}

// moveFlowsWithConnections runs as an integration is updated: when it
// leaves a connection for another, its flows that read or write the one
// it left move to the new one, in the same transaction, each through a
// flow's checks. Left where they were, they went on using a connection
// that was no longer the integration's, and every later save of them was
// refused. A flow that cannot use the new connection (it cannot read or
// write the flow's entity, the flow's options do not fit it) refuses the
// change under the integration's field, naming the flow. Swapping the two
// ends moves nothing: the flows keep their direction.
func moveFlowsWithConnections(e *core.RecordEvent) error {
	old := e.Record.Original()
	ends := map[string]bool{e.Record.GetString("a"): true, e.Record.GetString("b"): true}
	moved := map[string]string{} // the connection left -> the field that left it
	for _, field := range []string{"a", "b"} {
		if was := old.GetString(field); was != "" && !ends[was] {
			moved[was] = field
		}
	}
	if len(moved) == 0 {
		return e.Next()
	}
	return e.App.RunInTransaction(func(tx core.App) error {
		e.App = tx
		if err := e.Next(); err != nil {
			return err
		}
		flows, err := tx.FindAllRecords(flowsCollection, dbx.HashExp{"integration": e.Record.Id})
		if err != nil {
			return fmt.Errorf("finding the flows of integration %q: %w", e.Record.GetString("name"), err)
		}
		for _, flow := range flows {
			if err := moveFlow(tx, flow, e.Record, moved); err != nil {
				return err
			}
		}
		return nil
	})
}

// moveFlow moves a flow's ends that are among the connections its
// integration left to the ones that took their place.
func moveFlow(tx core.App, flow, integration *core.Record, moved map[string]string) error {
	field := ""
	for _, end := range []string{"source", "target"} {
		if f, ok := moved[flow.GetString(end)]; ok {
			flow.Set(end, integration.GetString(f))
			field = f
		}
	}
	if field == "" {
		return nil
	}
	if err := tx.Save(flow); err != nil {
		return validation.Errors{field: validation.NewError("validation_flow_cannot_move",
			fmt.Sprintf("flow %q cannot use the new connection: %v", flow.GetString("name"), err))}
	}
	return nil
}

// validateIntegration refuses an integration whose two connections are
// one (its flows would read and write the same app), and alert addresses
// that are none, as they are saved: kept, their alerts would go nowhere
// without a word. A list saved before they were checked is left alone
// until it changes.
func validateIntegration(e *core.RecordEvent) error {
	if a := e.Record.GetString("a"); a != "" && a == e.Record.GetString("b") {
		return validation.Errors{"b": validation.NewError("validation_same_connection", "must differ from the first connection")}
	}
	list := e.Record.GetString("alert_emails")
	if orig := e.Record.Original(); e.Record.IsNew() || orig == nil || orig.GetString("alert_emails") != list {
		if _, bad := alertAddresses(list); bad != "" {
			return validation.Errors{"alert_emails": validation.NewError("validation_invalid_address",
				fmt.Sprintf("%q is not an e-mail address; separate addresses with commas", truncate(bad, 80)))}
		}
	}
	return e.Next()
}

// validateFlow checks that a flow's schedule parses, that its source and
// target are the integration's two connections, able to read and write its
// entity, and that its options fit the engine's and the connectors' flow
// fields.
func (s *Switchboard) validateFlow(e *core.RecordEvent) error {
	errs := validation.Errors{}
	if sched := e.Record.GetString("schedule"); sched != "" {
		if _, err := parseSchedule(sched); err != nil {
			errs["schedule"] = validation.NewError("validation_invalid_schedule",
				fmt.Sprintf("%v; use a cron expression such as */5 * * * * or @every 5m", err))
		}
	}
	s.checkFlowEnds(e.App, e.Record, errs)
	if len(errs) > 0 {
		return errs
	}
	return e.Next()
}

func (s *Switchboard) checkFlowEnds(app core.App, flow *core.Record, errs validation.Errors) {
	source, target := flow.GetString("source"), flow.GetString("target")
	if source == "" || target == "" {
		return // required-field validation reports it
	}
	if source == target {
		errs["target"] = validation.NewError("validation_same_connection", "must differ from the source")
		return
	}
	integration, err := app.FindRecordById("integrations", flow.GetString("integration"))
	if err != nil {
		return
	}
	ends := map[string]bool{integration.GetString("a"): true, integration.GetString("b"): true}
	for field, id := range map[string]string{"source": source, "target": target} {
		if !ends[id] {
			errs[field] = validation.NewError("validation_not_in_integration", "must be one of the integration's two connections")
		}
	}
	if len(errs) == 0 {
		s.checkCapability(app, flow, errs)
	}
	if len(errs) == 0 {
		opts, optionsOK := s.checkFlowOptions(app, flow, errs)
		prog := s.checkMapping(app, flow, errs)
		if optionsOK && prog != nil {
			s.checkOutput(app, flow, opts, prog, errs)
		}
	}
}

// checkMapping compiles the flow's mapping and rules, so that an expression
// that does not parse, a field the model lacks or an unknown rule kind is
// refused when the flow is saved, not when its first record runs. It
// returns the program it compiled, nil when it refused the flow.
func (s *Switchboard) checkMapping(app core.App, flow *core.Record, errs validation.Errors) *mappings.Program {
	if !checkMappingShapes(flow, errs) {
		return nil
	}
	rt := &flowRuntime{flow: flow, entity: connectors.Entity(flow.GetString("entity"))}
	var err error
	if rt.source, err = app.FindRecordById(connectionsCollection, flow.GetString("source")); err != nil {
		return nil
	}
	if rt.target, err = app.FindRecordById(connectionsCollection, flow.GetString("target")); err != nil {
		return nil
	}
	cfg, err := s.engine.flowConfig(rt)
	if err != nil {
		errs["mapping"] = validation.NewError("validation_invalid_mapping", err.Error())
		return nil
	}
	prog, err := mappings.Check(cfg)
	if err != nil {
		for field, msgs := range mappingErrors(err) {
			errs[field] = msgs
		}
		return nil
	}
	return prog
}

// checkOutput asks the flow's target whether it can write the fields the
// flow's records will have (connectors.Spec.ValidateOutput) with the
// flow's resolved options, and refuses the first it cannot as an error of
// the write mapping's field.
func (s *Switchboard) checkOutput(app core.App, flow *core.Record, opts flowOptions, prog *mappings.Program, errs validation.Errors) {
	target, err := app.FindRecordById(connectionsCollection, flow.GetString("target"))
	if err != nil {
		return
	}
	reg, ok := s.registry.Lookup(target.GetString("connector"))
	if !ok || reg.Spec.ValidateOutput == nil {
		return
	}
	err = reg.Spec.ValidateOutput(opts.target, prog.OutputPaths())
	if err == nil {
		return
	}
	path, cause := "", err
	var problem *connectors.OutputProblem
	if errors.As(err, &problem) {
		path, cause = problem.Path, problem.Cause
	}
	fe := &mappings.FieldError{Field: path, Stage: mappings.StageMapOut, Cause: fmt.Errorf("%s cannot write it: %w", reg.Spec.Title, cause)}
	for field, msgs := range mappingErrors(mappings.Errors{fe}) {
		errs[field] = msgs
	}
}

// The shapes of a flow's mapping and rules, as its save errors tell them.
const (
	mappingShape = `an object of "in" and "out" (lists of fields) and "tables"`
	rulesShape   = "a list of rules"
)

// checkMappingShapes refuses, each under its own field, a mapping or rules
// that is not JSON of the shape the engine reads; it reports whether both
// are.
func checkMappingShapes(flow *core.Record, errs validation.Errors) bool {
	var fm flowMapping
	if err := strictJSONField(flow, "mapping", &fm); err != nil {
		errs["mapping"] = validation.NewError("validation_invalid_mapping", shapeProblem(err, mappingShape))
	}
	var rules []mappings.Rule
	if err := strictJSONField(flow, "rules", &rules); err != nil {
		errs["rules"] = validation.NewError("validation_invalid_rules", shapeProblem(err, rulesShape))
	}
	return errs["mapping"] == nil && errs["rules"] == nil
}

// strictJSONField decodes a JSON field of the flow into v, refusing a key
// v does not know: a misspelled "when" would otherwise be left out
// without a word, and the rule would apply to every record.
func strictJSONField(flow *core.Record, field string, v any) error {
	var raw types.JSONRaw
	if err := flow.UnmarshalJSONField(field, &raw); err != nil {
		return err
	}
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// shapeProblem says in words why JSON did not decode as want: the kind of
// value found, and where when it was inside.
func shapeProblem(err error, want string) string {
	if key, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return fmt.Sprintf("must be %s: it has the unknown key %s", want, key)
	}
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return fmt.Sprintf("must be %s: %v", want, err)
	}
	if te.Field != "" {
		return fmt.Sprintf("must be %s: %s is %s", want, te.Field, jsonKind(te.Value))
	}
	return fmt.Sprintf("must be %s, not %s", want, jsonKind(te.Value))
}

// jsonKind names a JSON value's kind, as encoding/json reports it, with
// its article.
func jsonKind(value string) string {
	kind, _, _ := strings.Cut(value, " ")
	switch kind {
	case "array", "object":
		return "an " + kind
	case "bool":
		return "true or false"
	default:
		return "a " + kind
	}
}

// mappingErrors sorts compile errors into the flow's fields: mapping
// errors by direction and target field ("mapping": {"in.total": ...}),
// rule errors under "rules".
func mappingErrors(err error) validation.Errors {
	byField := map[string]validation.Errors{}
	var rules []string
	for _, fe := range mappings.AsErrorList(err) {
		msg := fe.Error()
		switch fe.Stage {
		case mappings.StageMapIn, mappings.StageMapOut:
			dir := "in"
			if fe.Stage == mappings.StageMapOut {
				dir = "out"
			}
			if byField["mapping"] == nil {
				byField["mapping"] = validation.Errors{}
			}
			byField["mapping"][dir+"."+fe.Field] = validation.NewError("validation_invalid_mapping", msg)
		default:
			rules = append(rules, msg)
		}
	}
	out := validation.Errors{}
	for field, e := range byField {
		out[field] = e
	}
	if len(rules) > 0 {
		out["rules"] = validation.NewError("validation_invalid_rules", strings.Join(rules, "; "))
	}
	return out
}

func (s *Switchboard) checkCapability(app core.App, flow *core.Record, errs validation.Errors) {
	entity := connectors.Entity(flow.GetString("entity"))
	checks := []struct {
		field string
		can   func(connectors.Spec) bool
		verb  string
	}{
		{"source", func(sp connectors.Spec) bool { return sp.CanRead(entity) }, "read"},
		{"target", func(sp connectors.Spec) bool { return sp.CanWrite(entity) }, "write"},
	}
	for _, c := range checks {
		conn, err := app.FindRecordById(connectionsCollection, flow.GetString(c.field))
		if err != nil {
			continue
		}
		reg, ok := s.registry.Lookup(conn.GetString("connector"))
		if ok && !c.can(reg.Spec) {
			errs[c.field] = validation.NewError("validation_unsupported_entity",
				fmt.Sprintf("%s cannot %s %ss", reg.Spec.Title, c.verb, entity))
		}
		if ok && c.field == "source" && flow.GetBool("webhook") && !reg.Spec.Webhooks {
			errs["webhook"] = validation.NewError("validation_no_webhooks",
				fmt.Sprintf("%s takes no webhooks: the flow reads it on its schedule or when run", reg.Spec.Title))
		}
	}
}
