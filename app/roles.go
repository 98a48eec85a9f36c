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

// Role groups for routes, matching the collections' API rules.
var (
	anyRole    = Roles
	operatorUp = []string{RoleAdmin, RoleEditor, RoleOperator}
	editorUp   = []string{RoleAdmin, RoleEditor}
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
	if auth.Collection().Name != "users" || role == "" {
		return "Only users with the role " + strings.Join(allowed, ", ") + " may do this."
	}
	return "Your role (" + role + ") does not allow this: it needs the role " + strings.Join(allowed, ", ") + "."
}

// hasRole tells whether auth is a superuser or a user with one of the
// roles. It is the one place routes and pages decide who may do what.
func hasRole(auth *core.Record, allowed []string) bool {
	switch {
	case auth == nil:
		return false
	case auth.IsSuperuser():
		return true
	default:
		return auth.Collection().Name == "users" && slices.Contains(allowed, auth.GetString("role"))
	}
}
