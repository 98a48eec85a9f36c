package app

import (
	"fmt"
	"net/http"

	"github.com/pocketbase/pocketbase/core"
)

// connectionHealthFields are the fields of a connection only the engine
// writes.
var connectionHealthFields = []string{"status", "status_message", "checked", "down_since", "failures"}

// ownUserFields are the fields of a user that nobody changes on themselves.
var ownUserFields = []string{"role", "disabled"}

// refuseEngineFieldChanges answers a PATCH that would change a field the
// collection's update rule keeps from the caller (a connection's health,
// one's own role or disabled switch) with 403 naming the field. The rule
// refuses it as well, but before any hook runs and with a bare 404, as for
// a record the caller cannot see; the same fields sent unchanged pass on.
func (s *Switchboard) refuseEngineFieldChanges(e *core.RequestEvent) error {
	if e.Request.Method != http.MethodPatch || e.Auth == nil || e.Auth.IsSuperuser() {
		return e.Next()
	}
	col, err := e.App.FindCachedCollectionByNameOrId(e.Request.PathValue("collection"))
	if err != nil || (col.Name != connectionsCollection && col.Name != "users") {
		return e.Next()
	}
	rec, err := e.App.FindRecordById(col, e.Request.PathValue("id"))
	if err != nil {
		return e.Next()
	}
	fields := keptFields(e.Auth, rec)
	if len(fields) == 0 {
		return e.Next()
	}
	info, err := e.RequestInfo()
	if err != nil {
		return e.Next()
	}
	for _, name := range fields {
		if !changesField(rec, name, info.Body) {
			continue
		}
		if col.Name == "users" {
			return e.ForbiddenError(fmt.Sprintf("The field %s of your own account is changed by another admin, not by you: "+
				"send it as it is or leave it out.", name), nil)
		}
		return e.ForbiddenError(fmt.Sprintf("The field %s of connection %q is kept by the engine: send it as it is or leave it out.",
			name, rec.GetString("name")), nil)
	}
	return e.Next()
}

// keptFields are the fields of rec that the update rule keeps from auth,
// when auth may otherwise update it. A disabled user gets nothing but the
// rule's refusal.
func keptFields(auth *core.Record, rec *core.Record) []string {
	switch {
	case rec.Collection().Name == connectionsCollection && hasRole(auth, EditorUp):
		return connectionHealthFields
	case rec.Collection().Name == "users" && rec.Id == auth.Id && !auth.GetBool("disabled"):
		return ownUserFields
	}
	return nil
}

// changesField reports whether body sends rec's field name with another
// value than it has.
func changesField(rec *core.Record, name string, body map[string]any) bool {
	raw, sent := body[name]
	field := rec.Collection().Fields.GetByName(name)
	if !sent || field == nil {
		return false
	}
	value, err := field.PrepareValue(rec, raw)
	if err != nil {
		return true
	}
	return fmt.Sprint(value) != fmt.Sprint(rec.Get(name))
}
