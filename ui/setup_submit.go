package ui

import (
	"errors"
	"net/http"
	"strings"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app"
	"github.com/switchboard-app/switchboard/app/demo"
)

// setupData is the first-run page.
type setupData struct {
	page
	Email          string
	Errors         map[string]string
	NeedsAttention bool
}

// errNotFirst refuses a first-run form once a user exists.
var errNotFirst = errors.New("a user exists already")

// setupSubmit creates the first admin, only while no user exists, signs
// them in and, when asked, installs the demo and runs it.
func (u *UI) setupSubmit(r *request) error {
	email := strings.TrimSpace(r.Request.PostFormValue("email"))
	password := r.Request.PostFormValue("password")
	if password != r.Request.PostFormValue("password_confirm") {
		return u.setupRefused(r, email, map[string]string{"password_confirm": r.L.T("setup.mismatch")})
	}
	var admin *core.Record
	err := u.app().RunInTransaction(func(tx core.App) error {
		n, err := tx.CountRecords("users")
		if err != nil || n > 0 {
			return errors.Join(errNotFirst, err)
		}
		admin, err = newUser(tx, email, password, app.RoleAdmin)
		return err
	})
	if errors.Is(err, errNotFirst) {
		return r.refused("/login", "flash.setup_done")
	}
	if errs := fieldErrors(r, err); errs != nil {
		return u.setupRefused(r, email, errs)
	}
	if err != nil {
		return err
	}
	if err := u.startSession(r.Response, r.Request, admin); err != nil {
		return err
	}
	if r.Request.PostFormValue("demo") == "on" {
		demo.Start(u.sb, u.app().DataDir())
		return r.done("/activity", "flash.demo_installed", 0)
	}
	return r.done("/", "flash.welcome", 0)
}

func (u *UI) setupRefused(r *request, email string, errs map[string]string) error {
	return r.render(http.StatusUnprocessableEntity, "setup",
		setupData{page: r.page("", r.L.T("setup.title")), Email: email, Errors: errs, NeedsAttention: u.sb.Ready() != nil})
}

// newUser saves a user with a role through PocketBase's validation.
func newUser(tx core.App, email, password, role string) (*core.Record, error) {
	col, err := tx.FindCollectionByNameOrId("users")
	if err != nil {
		return nil, err
	}
	rec := core.NewRecord(col)
	rec.SetEmail(email)
	rec.SetPassword(password)
	rec.SetVerified(true)
	rec.Set("role", role)
	if err := tx.Save(rec); err != nil {
		return nil, err
	}
	return rec, nil
}

// fieldErrors turns PocketBase's validation errors into messages by form
// field, in the user's language where the catalogue has the code; nil
// when err is no validation error.
func fieldErrors(r *request, err error) map[string]string {
	var verrs validation.Errors
	if !errors.As(err, &verrs) {
		return nil
	}
	out := map[string]string{}
	flattenErrors(r, "", verrs, out)
	return out
}

func flattenErrors(r *request, prefix string, verrs validation.Errors, out map[string]string) {
	for field, e := range verrs {
		name := field
		if prefix != "" {
			name = prefix + "." + field
		}
		var nested validation.Errors
		var coded validation.Error
		switch {
		case errors.As(e, &nested):
			flattenErrors(r, name, nested, out)
		case errors.As(e, &coded) && r.u.cat.Has("validation."+coded.Code()):
			out[name] = r.L.T("validation." + coded.Code())
		default:
			out[name] = e.Error()
		}
	}
}
