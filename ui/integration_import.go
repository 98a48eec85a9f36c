package ui

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app"
	"github.com/switchboard-app/switchboard/connectors"
)

// maxImportFile bounds an uploaded integration file.
const maxImportFile = 4 << 20

// errImportTooLarge refuses an uploaded file over maxImportFile.
var errImportTooLarge = errors.New("the file is larger than the import takes")

// integrationExport downloads an integration as a YAML file, without
// secrets.
func (u *UI) integrationExport(r *request) error {
	rec, err := u.app().FindRecordById("integrations", r.Request.PathValue("id"))
	if err != nil {
		return r.fail(http.StatusNotFound, "error.not_found")
	}
	data, err := u.sb.ExportIntegration(rec.Id)
	if err != nil {
		return err
	}
	name := slugName(rec.GetString("name"))
	r.Response.Header().Set("Content-Disposition", `attachment; filename="`+name+`.yaml"`)
	return r.Blob(http.StatusOK, "application/yaml; charset=utf-8", data)
}

// slugName is a name fit for a file: letters, digits and hyphens.
func slugName(s string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(s) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	if out := strings.Trim(b.String(), "-"); out != "" {
		return out
	}
	return "integration"
}

// importData is the import page: the upload form, then what the file
// will create, with the secrets to type.
type importData struct {
	page
	YAML    string
	File    *app.IntegrationFile
	Name    string
	Enabled bool
	Conns   []importConn
	Problem string
	Errors  map[string]string
}

// importConn is one connection of the file: created with the secrets
// typed, or taken from this appliance.
type importConn struct {
	app.FileConnection
	Title    string
	NewName  string
	Existing []*core.Record
	Use      string
	Required map[string]bool
	// Multiline secrets (a private key) are typed into a text area.
	Multiline map[string]bool
	// Titles are the secrets' labels.
	Titles map[string]string
	Errors map[string]string
}

// integrationImportShow shows the upload form.
func (u *UI) integrationImportShow(r *request) error {
	return r.render(http.StatusOK, "integration_import", importData{page: r.page("integrations", r.L.T("import.title"))})
}

// integrationImport reads an uploaded file and shows what it will create
// (do=plan), or creates it with the secrets typed (do=import). A refusal
// creates nothing and shows the error at its part.
func (u *UI) integrationImport(r *request) error {
	d := importData{page: r.page("integrations", r.L.T("import.title")), Errors: map[string]string{}}
	data, err := uploadedFile(r.Request)
	if errors.Is(err, errImportTooLarge) {
		d.Problem = r.L.T("import.too_large", maxImportFile>>20)
		return r.render(http.StatusUnprocessableEntity, "integration_import", d)
	}
	if err != nil || strings.TrimSpace(data) == "" {
		d.Problem = r.L.T("import.no_file")
		return r.render(http.StatusUnprocessableEntity, "integration_import", d)
	}
	d.YAML = data
	f, err := app.ParseIntegrationFile([]byte(data))
	if err != nil {
		d.Problem = err.Error()
		return r.render(http.StatusUnprocessableEntity, "integration_import", d)
	}
	d.File = &f
	choices := readImportChoices(r.Request, f)
	d.Name, d.Enabled = firstOf(choices.Names["integration"], f.Integration.Name), choices.Enabled
	if r.Request.PostFormValue("do") == "import" {
		res, err := u.sb.CreateSetup(app.ImportSetup(f, choices))
		if err == nil {
			return r.done("/integrations#i-"+res.Integration.Id, "flash.imported", int64(len(res.Flows)))
		}
		u.importProblem(r, &d, err)
		retypeImportSecrets(r, choices, d.Errors)
	}
	d.Conns = u.importConns(f, choices, d.Errors)
	status := http.StatusOK
	if d.Problem != "" || len(d.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return r.render(status, "integration_import", d)
}

// uploadedFile is the file uploaded, else the text pasted or carried
// from the plan.
func uploadedFile(r *http.Request) (string, error) {
	if file, _, err := r.FormFile("file"); err == nil {
		defer func() { _ = file.Close() }()
		data, err := io.ReadAll(io.LimitReader(file, maxImportFile+1))
		if err != nil {
			return "", fmt.Errorf("reading the uploaded file: %w", err)
		}
		if len(data) > maxImportFile {
			return "", errImportTooLarge
		}
		return string(data), nil
	}
	return r.PostFormValue("yaml"), nil
}

func readImportChoices(r *http.Request, f app.IntegrationFile) app.ImportChoices {
	c := app.ImportChoices{Secrets: map[string]map[string]string{}, Existing: map[string]string{},
		Names: map[string]string{"integration": r.PostFormValue("name")}, Enabled: r.PostFormValue("enabled") == "on"}
	for _, conn := range f.Connections {
		p := "c." + conn.Ref + "."
		c.Names[conn.Ref] = r.PostFormValue(p + "name")
		c.Existing[conn.Ref] = r.PostFormValue(p + "existing")
		c.Secrets[conn.Ref] = map[string]string{}
		for _, s := range conn.Secrets {
			if v := r.PostFormValue(p + "s." + s); v != "" {
				c.Secrets[conn.Ref][s] = v
			}
		}
	}
	return c
}

// importProblem puts a refused import's errors at their part.
func (u *UI) importProblem(r *request, d *importData, err error) {
	var se *app.SetupError
	if !errors.As(err, &se) {
		d.Problem = err.Error()
		return
	}
	errs := fieldErrors(r, se.Err)
	if errs == nil {
		errs = map[string]string{"": se.Err.Error()}
	}
	for k, v := range errs {
		d.Errors[strings.TrimSuffix(se.Part+"."+k, ".")] = v
	}
	d.Problem = r.L.T("import.refused")
}

// retypeImportSecrets notes at each secret a refused import had typed
// that it was not saved: the page cannot show it again.
func retypeImportSecrets(r *request, c app.ImportChoices, errs map[string]string) {
	for ref, secrets := range c.Secrets {
		if c.Existing[ref] != "" {
			continue
		}
		for name := range secrets {
			if key := ref + ".secrets." + name; errs[key] == "" {
				errs[key] = r.L.T("connection.secret_retype")
			}
		}
	}
}

// importConns lays out the file's connections with the connections of
// this appliance that could stand in for them.
func (u *UI) importConns(f app.IntegrationFile, c app.ImportChoices, errs map[string]string) []importConn {
	var out []importConn
	for _, conn := range f.Connections {
		ic := importConn{FileConnection: conn, NewName: firstOf(c.Names[conn.Ref], conn.Name), Use: c.Existing[conn.Ref],
			Required: map[string]bool{}, Multiline: map[string]bool{}, Titles: map[string]string{}, Errors: map[string]string{}}
		if reg, ok := u.sb.Registry().Lookup(conn.Connector); ok {
			ic.Title = reg.Spec.Title
			for _, fld := range reg.Spec.Fields {
				ic.Required[fld.Name] = fld.Secret && fld.Required
				ic.Multiline[fld.Name] = fld.Secret && fld.Type == connectors.TypeText
				ic.Titles[fld.Name] = fld.Title
			}
		}
		ic.Existing, _ = u.app().FindRecordsByFilter("connections", "connector = {:c}", "name", 0, 0, map[string]any{"c": conn.Connector})
		for k, v := range errs {
			if rest, ok := strings.CutPrefix(k, conn.Ref+"."); ok {
				ic.Errors[rest] = v
			} else if k == conn.Ref {
				ic.Errors[""] = v
			}
		}
		out = append(out, ic)
	}
	return out
}
