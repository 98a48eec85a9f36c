package ui

import (
	"net/http"
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app"
)

// integrationFormData is the form of a new or changed integration.
type integrationFormData struct {
	page
	Record      *core.Record
	Action      string
	In          app.IntegrationInput
	Connections []*core.Record
	Errors      map[string]string
}

// integrationNew shows the form of a new integration: a name and its two
// connections.
func (u *UI) integrationNew(r *request) error {
	return u.renderIntegrationForm(r, http.StatusOK, integrationFormData{
		page: r.page("integrations", r.L.T("integrationform.new")), Action: "/integrations",
		In: app.IntegrationInput{Enabled: true}})
}

// integrationCreate saves a new integration through the same checks as
// the API.
func (u *UI) integrationCreate(r *request) error {
	in := readIntegrationForm(r.Request)
	rec, err := u.sb.SaveIntegration(nil, in)
	if errs := fieldErrors(r, err); errs != nil {
		return u.renderIntegrationForm(r, http.StatusUnprocessableEntity, integrationFormData{
			page: r.page("integrations", r.L.T("integrationform.new")), Action: "/integrations", In: in, Errors: errs})
	}
	if err != nil {
		return err
	}
	return r.done("/integrations#i-"+rec.Id, "flash.saved", 0)
}

// integrationEdit shows an integration's form.
func (u *UI) integrationEdit(r *request) error {
	rec, err := u.app().FindRecordById("integrations", r.Request.PathValue("id"))
	if err != nil {
		return r.fail(http.StatusNotFound, "error.not_found")
	}
	in := app.IntegrationInput{Name: rec.GetString("name"), A: rec.GetString("a"), B: rec.GetString("b"),
		Enabled: rec.GetBool("enabled")}
	return u.renderIntegrationForm(r, http.StatusOK, integrationFormData{page: r.page("integrations", in.Name),
		Record: rec, Action: "/integrations/" + rec.Id, In: in})
}

// integrationUpdate saves a changed integration.
func (u *UI) integrationUpdate(r *request) error {
	rec, err := u.app().FindRecordById("integrations", r.Request.PathValue("id"))
	if err != nil {
		return r.fail(http.StatusNotFound, "error.not_found")
	}
	in := readIntegrationForm(r.Request)
	if _, err := u.sb.SaveIntegration(rec, in); err != nil {
		errs := fieldErrors(r, err)
		if errs == nil {
			return err
		}
		return u.renderIntegrationForm(r, http.StatusUnprocessableEntity, integrationFormData{
			page: r.page("integrations", in.Name), Record: rec, Action: "/integrations/" + rec.Id, In: in, Errors: errs})
	}
	return r.done("/integrations#i-"+rec.Id, "flash.saved", 0)
}

func readIntegrationForm(r *http.Request) app.IntegrationInput {
	return app.IntegrationInput{Name: strings.TrimSpace(r.PostFormValue("name")), A: r.PostFormValue("a"),
		B: r.PostFormValue("b"), Enabled: r.PostFormValue("enabled") == "on"}
}

func (u *UI) renderIntegrationForm(r *request, status int, d integrationFormData) error {
	var err error
	if d.Connections, err = u.app().FindRecordsByFilter("connections", "", "name", 0, 0); err != nil {
		return err
	}
	if d.Errors == nil {
		d.Errors = map[string]string{}
	}
	return r.render(status, "integration_form", d)
}
