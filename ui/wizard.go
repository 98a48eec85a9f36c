package ui

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"unicode"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/connectors"
)

// wizardData is one step of the wizard.
type wizardData struct {
	page
	Draft wizardDraft
	Step  int
	Steps []string
	// The pick steps: the connector catalogue, filtered, and the
	// connections there are.
	Query, Category string
	Categories      []string
	Specs           []connectors.Spec
	Existing        []*core.Record
	// The connect steps: the connection's form.
	Conn connectionData
	// The flows and setup steps.
	AName, BName string
	Choices      []flowChoice
	Setups       []flowSetupView
	Problem      string
}

// flowChoice is a flow the two apps can run, to tick.
type flowChoice struct {
	Key, Entity, From, To string
	Checked               bool
}

// wizardShow shows the step the user's draft is at.
func (u *UI) wizardShow(r *request) error {
	d, _ := u.loadDraft(r.user)
	return u.renderWizard(r, http.StatusOK, d, nil)
}

// wizardDiscard forgets the user's draft; connections it saved stay.
func (u *UI) wizardDiscard(r *request) error {
	if _, rec := u.loadDraft(r.user); rec != nil {
		if err := u.app().Delete(rec); err != nil {
			return err
		}
	}
	return r.done("/integrations", "flash.draft_discarded", 0)
}

// wizardPost carries out a step and moves on; the draft is kept after
// every step.
func (u *UI) wizardPost(r *request) error {
	d, rec := u.loadDraft(r.user)
	var status int
	var view *wizardData
	switch r.Request.PostFormValue("do") {
	case "pick":
		d = u.wizardPick(r, d)
	case "use":
		d = u.wizardUse(r, d)
	case "connect":
		d, view = u.wizardConnect(r, d)
	case "skip_test":
		d = nextAfterConnect(d)
	case "flows":
		d, view = u.wizardFlows(r, d)
	case "setup", "sample":
		d, view = u.wizardSetup(r, d)
	case "activate":
		return u.wizardActivate(r, d, rec)
	case "back":
		d = wizardBack(d)
	}
	if err := u.saveDraft(r.user, rec, d); err != nil {
		return err
	}
	if view != nil {
		status = http.StatusUnprocessableEntity
		return u.renderWizard(r, status, d, view)
	}
	return r.Redirect(http.StatusSeeOther, "/wizard")
}

func wizardBack(d wizardDraft) wizardDraft {
	i := stepIndex(d.Step)
	if i > 1 {
		d.Step = wizardSteps[i-2]
	}
	return d
}

// wizardPick chooses the first or second app's connector.
func (u *UI) wizardPick(r *request, d wizardDraft) wizardDraft {
	name := r.Request.PostFormValue("connector")
	if _, ok := u.sb.Registry().Lookup(name); !ok {
		return d
	}
	if d.Step == stepPickA {
		d.ConnectorA, d.ConnectionA, d.Step = name, "", stepConnectA
	} else if d.Step == stepPickB {
		d.ConnectorB, d.ConnectionB, d.Step = name, "", stepConnectB
	}
	return d
}

// wizardUse takes an existing connection as the first or second app.
func (u *UI) wizardUse(r *request, d wizardDraft) wizardDraft {
	conn, err := u.app().FindRecordById("connections", r.Request.PostFormValue("connection"))
	if err != nil {
		return d
	}
	if d.Step == stepPickA {
		d.ConnectorA, d.ConnectionA, d.Step = conn.GetString("connector"), conn.Id, stepPickB
	} else if d.Step == stepPickB && conn.Id != d.ConnectionA {
		d.ConnectorB, d.ConnectionB, d.Step = conn.GetString("connector"), conn.Id, stepFlows
	}
	return d
}

func nextAfterConnect(d wizardDraft) wizardDraft {
	switch {
	case d.Step == stepConnectA && d.ConnectionA != "":
		d.Step = stepPickB
	case d.Step == stepConnectB && d.ConnectionB != "":
		d.Step = stepFlows
	}
	return d
}

// wizardConnect saves the connection of the connect step and tests it:
// one that works moves on, one that does not shows its verdict.
func (u *UI) wizardConnect(r *request, d wizardDraft) (wizardDraft, *wizardData) {
	connector, id := d.ConnectorA, &d.ConnectionA
	if d.Step == stepConnectB {
		connector, id = d.ConnectorB, &d.ConnectionB
	}
	reg, ok := u.sb.Registry().Lookup(connector)
	if !ok || (d.Step != stepConnectA && d.Step != stepConnectB) {
		return d, nil
	}
	var existing *core.Record
	if *id != "" {
		existing, _ = u.app().FindRecordById("connections", *id)
	}
	in := readConnectionForm(r.Request, reg.Spec)
	saved, err := u.sb.SaveConnection(existing, in)
	if errs := fieldErrors(r, err); errs != nil || err != nil {
		view := &wizardData{Conn: connectionData{Spec: reg.Spec, Name: in.Name, Errors: errs, Record: existing}}
		if errs == nil {
			view.Problem = err.Error()
		}
		view.Conn.Errors = retypeSecrets(r, in, errs)
		view.Conn.Basic, view.Conn.Advanced = formFields(reg.Spec, in.Config, secretNames(existing), view.Conn.Errors)
		return d, view
	}
	*id = saved.Record.Id
	verdict, _ := u.sb.TestConnectionByID(context.Background(), saved.Record.Id)
	if !verdict.OK {
		fresh, _ := u.app().FindRecordById("connections", saved.Record.Id)
		view := &wizardData{Conn: connectionData{Spec: reg.Spec, Name: in.Name, Record: fresh, Verdict: &verdict}}
		view.Conn.Basic, view.Conn.Advanced = formFields(reg.Spec, in.Config, secretNames(fresh), nil)
		return d, view
	}
	return nextAfterConnect(d), nil
}

// wizardFlows takes the flows ticked and the integration's name, with
// each flow's defaults. With none ticked the step is refused, with a
// message, and the draft stays as it was.
func (u *UI) wizardFlows(r *request, d wizardDraft) (wizardDraft, *wizardData) {
	ends, ok := u.wizardEnds(d)
	if !ok {
		return d, nil
	}
	choices := u.flowChoices(r, ends, d)
	if len(choices) > 0 && len(r.Request.PostForm["flow"]) == 0 {
		return d, &wizardData{Problem: r.L.T("wizard.tick_a_flow")}
	}
	d.Name = strings.TrimSpace(r.Request.PostFormValue("name"))
	keep := map[string]draftFlow{}
	for _, f := range d.Flows {
		keep[f.key()] = f
	}
	d.Flows = nil
	for _, c := range choices {
		if !contains(r.Request.PostForm["flow"], c.Key) {
			continue
		}
		if f, ok := keep[c.Key]; ok {
			d.Flows = append(d.Flows, f)
			continue
		}
		d.Flows = append(d.Flows, u.newDraftFlow(r, ends, c))
	}
	if len(d.Flows) > 0 {
		d.Step = stepSetup
	}
	return d, nil
}

// wizardPair is the wizard's two connections and their specs.
type wizardPair struct {
	a, b         *core.Record
	aSpec, bSpec connectors.Spec
}

func (u *UI) wizardEnds(d wizardDraft) (wizardPair, bool) {
	a, errA := u.app().FindRecordById("connections", d.ConnectionA)
	b, errB := u.app().FindRecordById("connections", d.ConnectionB)
	if errA != nil || errB != nil {
		return wizardPair{}, false
	}
	ra, okA := u.sb.Registry().Lookup(a.GetString("connector"))
	rb, okB := u.sb.Registry().Lookup(b.GetString("connector"))
	return wizardPair{a: a, b: b, aSpec: ra.Spec, bSpec: rb.Spec}, okA && okB
}

// flowChoices are the flows the pair supports: each entity one app reads
// and the other writes, either way.
func (u *UI) flowChoices(r *request, p wizardPair, d wizardDraft) []flowChoice {
	chosen := map[string]bool{}
	for _, f := range d.Flows {
		chosen[f.key()] = true
	}
	var out []flowChoice
	for _, dir := range []struct {
		from, to         *core.Record
		fromSpec, toSpec connectors.Spec
		suffix           string
	}{{p.a, p.b, p.aSpec, p.bSpec, ":ab"}, {p.b, p.a, p.bSpec, p.aSpec, ":ba"}} {
		for _, e := range connectors.Entities() {
			if dir.fromSpec.CanRead(e) && dir.toSpec.CanWrite(e) {
				out = append(out, flowChoice{Key: string(e) + dir.suffix, Entity: string(e), From: dir.from.GetString("name"),
					To: dir.to.GetString("name"), Checked: chosen[string(e)+dir.suffix]})
			}
		}
	}
	return out
}

// newDraftFlow is a flow with its defaults: every 5 minutes, or webhooks
// where the source sends them; the options' defaults; the fields of a
// sample matched by name.
func (u *UI) newDraftFlow(r *request, p wizardPair, c flowChoice) draftFlow {
	f := draftFlow{Entity: c.Entity, Forward: strings.HasSuffix(c.Key, ":ab"), Schedule: "@every 5m", Options: map[string]any{}}
	f.Name = r.L.T("flowform.default_name", r.L.T("entity."+c.Entity), c.From, c.To)
	source, spec := p.a, p.aSpec
	if !f.Forward {
		source, spec = p.b, p.bSpec
	}
	if spec.Webhooks {
		f.Webhook, f.Schedule = true, ""
	}
	if !u.hasDefaultIn(spec, c.Entity) {
		recs, err := u.sb.SampleConnection(context.Background(), source, c.Entity, nil, 5)
		if err == nil {
			names, values := sampleFields(recs)
			f.Matches = suggestMatches(c.Entity, names, values)
		}
	}
	return f
}

// catalogue filters the connectors by a search text and a category.
func catalogue(specs []connectors.Spec, query, category string) ([]connectors.Spec, []string) {
	cats := map[string]bool{}
	var out []connectors.Spec
	q := strings.ToLower(strings.TrimSpace(query))
	for _, s := range specs {
		cats[string(s.Category)] = true
		text := strings.ToLower(s.Name + " " + s.Title + " " + s.Description + " " + string(s.Category))
		if (category == "" || string(s.Category) == category) && (q == "" || strings.Contains(text, q)) {
			out = append(out, s)
		}
	}
	names := make([]string, 0, len(cats))
	for c := range cats {
		names = append(names, c)
	}
	sort.Strings(names)
	return out, names
}

// initials are a connector's logo where it has none: the first letters
// of its title's first two words, or the first two of a one-word title.
func initials(title string) string {
	var words [][]rune
	for _, w := range strings.Fields(title) {
		var letters []rune
		for _, c := range w {
			if unicode.IsLetter(c) || unicode.IsDigit(c) {
				letters = append(letters, c)
			}
		}
		if len(letters) > 0 {
			words = append(words, letters)
		}
	}
	switch {
	case len(words) >= 2:
		return strings.ToUpper(string(words[0][:1]) + string(words[1][:1]))
	case len(words) == 1 && len(words[0]) >= 2:
		return strings.ToUpper(string(words[0][:2]))
	case len(words) == 1:
		return strings.ToUpper(string(words[0]))
	}
	return "?"
}
