package app

import (
	"slices"
	"strings"

	"github.com/pocketbase/pocketbase/core"
)

// The roles, as stored in users.role.
const (
	RoleAdmin    = "admin"
	RoleEditor   = "editor"
	RoleOperator = "operator"
	RoleViewer   = "viewer"
)

// Roles lists every role, from most to least powerful.
var Roles = []string{RoleAdmin, RoleEditor, RoleOperator, RoleViewer}

// Role groups, matching the collections' API rules: what each group may
// do is decided by HasRole, for the REST routes and the web UI alike.
var (
	// AnyRole reads everything but users and secrets.
	AnyRole = Roles
	// OperatorUp runs flows, retries, resolves and tests connections.
	OperatorUp = []string{RoleAdmin, RoleEditor, RoleOperator}
	// EditorUp manages connections, integrations, flows and mappings.
	EditorUp = []string{RoleAdmin, RoleEditor}
	// AdminOnly manages users and settings.
	AdminOnly = []string{RoleAdmin}
)

// The route groups' short names.
var (
	anyRole    = AnyRole
	operatorUp = OperatorUp
	editorUp   = EditorUp
)

// requireRole lets superusers and users with one of the roles through; it
// answers 401 without auth and 403 with the wrong role.
func requireRole(allowed []string) func(e *core.RequestEvent) error {
	return func(e *core.RequestEvent) error {
		if e.Auth == nil {
			return e.UnauthorizedError("Sign in first: this needs the role "+strings.Join(allowed, ", ")+".", nil)
		}
		if hasRole(e.Auth, allowed) {
			return e.Next()
		}
		return e.ForbiddenError(refusal(e.Auth, allowed), nil)
	}
}

// refusal says why a signed-in caller may not do something.
func refusal(auth *core.Record, allowed []string) string {
	role := auth.GetString("role")
	if auth.Collection().Name == "users" && auth.GetBool("disabled") {
		return "Your account is disabled."
	}
	if auth.Collection().Name != "users" || role == "" {
		return "Only users with the role " + strings.Join(allowed, ", ") + " may do this."
	}
	return "Your role (" + role + ") does not allow this: it needs the role " + strings.Join(allowed, ", ") + "."
}

// HasRole tells whether auth is a superuser or a user with one of the
// roles: the one rule the REST routes and the web UI both apply.
func HasRole(auth *core.Record, allowed []string) bool { return hasRole(auth, allowed) }

// hasRole tells whether auth is a superuser or a user with one of the
// roles who is not disabled. It is the one place routes and pages decide
// who may do what.
func hasRole(auth *core.Record, allowed []string) bool {
	switch {
	case auth == nil:
		return false
	case auth.IsSuperuser():
		return true
	default:
		return auth.Collection().Name == "users" && !auth.GetBool("disabled") && slices.Contains(allowed, auth.GetString("role"))
	}
}
