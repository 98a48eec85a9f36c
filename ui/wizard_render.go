package ui

import (
	"net/http"

	"github.com/pocketbase/pocketbase/core"
)

// wizardActivate creates the integration and its flows, switched on,
// starts each flow's first run and shows their Activity. A refused setup
// goes back to its step with the errors, and nothing is created.
func (u *UI) wizardActivate(r *request, d wizardDraft, rec *core.Record) error {
	if d.Step != stepReview {
		return r.Redirect(http.StatusSeeOther, "/wizard")
	}
	p, _ := u.wizardEnds(d)
	res, err := u.sb.CreateSetup(setupOf(d, p))
	if err != nil {
		d.Step = stepSetup
		if saveErr := u.saveDraft(r.user, rec, d); saveErr != nil {
			return saveErr
		}
		return u.renderWizard(r, http.StatusUnprocessableEntity, d, u.setupProblems(r, err))
	}
	if rec != nil {
		if err := u.app().Delete(rec); err != nil {
			return err
		}
	}
	for _, flow := range res.Flows {
		if _, err := u.sb.Engine().RunNow(flow.Id); err != nil {
			u.app().Logger().Warn("the first run of a new flow did not start", "flow", flow.Id, "error", err)
		}
	}
	return r.done("/activity?integration="+res.Integration.Id, "flash.activated", int64(len(res.Flows)))
}

// renderWizard shows the draft's step; view carries a refused step's
// form and errors.
func (u *UI) renderWizard(r *request, status int, d wizardDraft, view *wizardData) error {
	w := wizardData{}
	if view != nil {
		w = *view
	}
	w.page = r.page("integrations", r.L.T("wizard.title"))
	w.Draft, w.Step, w.Steps = d, stepIndex(d.Step), wizardSteps
	switch d.Step {
	case stepPickA, stepPickB:
		u.fillCatalogue(r, &w)
	case stepConnectA, stepConnectB:
		u.fillConnect(r, &w)
	default:
		p, ok := u.wizardEnds(d)
		if !ok {
			d.Step = stepPickA
			return u.renderWizard(r, status, d, nil)
		}
		w.AName, w.BName = p.a.GetString("name"), p.b.GetString("name")
		w.Choices = u.flowChoices(r, p, d)
		w.Setups = u.setupViews(r, p, d, w.Setups)
		if w.Draft.Name == "" {
			w.Draft.Name = w.AName + " ⇄ " + w.BName
		}
	}
	return r.render(status, "wizard", w)
}

func (u *UI) fillCatalogue(r *request, w *wizardData) {
	q := r.Request.URL.Query()
	w.Query, w.Category = q.Get("q"), q.Get("cat")
	w.Specs, w.Categories = catalogue(u.sb.Registry().Specs(), w.Query, w.Category)
	conns, _ := u.app().FindRecordsByFilter("connections", "", "name", 0, 0)
	for _, c := range conns {
		if c.Id != w.Draft.ConnectionA {
			w.Existing = append(w.Existing, c)
		}
	}
}

func (u *UI) fillConnect(r *request, w *wizardData) {
	connector, id := w.Draft.ConnectorA, w.Draft.ConnectionA
	if w.Draft.Step == stepConnectB {
		connector, id = w.Draft.ConnectorB, w.Draft.ConnectionB
	}
	reg, ok := u.sb.Registry().Lookup(connector)
	if !ok {
		return
	}
	if w.Conn.Spec.Name != "" {
		w.Conn.Action = "/wizard"
		return
	}
	w.Conn = connectionData{Spec: reg.Spec, Name: u.freeConnectionName(reg.Spec.Title), Action: "/wizard"}
	config := map[string]any{}
	if rec, err := u.app().FindRecordById("connections", id); err == nil {
		w.Conn.Record, w.Conn.Name, config = rec, rec.GetString("name"), recordConfigMap(rec)
	}
	w.Conn.Basic, w.Conn.Advanced = formFields(reg.Spec, config, secretNames(w.Conn.Record), nil)
}

// freeConnectionName is a name no connection has: the title, else the
// title and a number.
func (u *UI) freeConnectionName(title string) string {
	name := title
	for n := 2; n < 100; n++ {
		if _, err := u.app().FindFirstRecordByData("connections", "name", name); err != nil {
			return name
		}
		name = title + " " + itoa(n)
	}
	return name
}
