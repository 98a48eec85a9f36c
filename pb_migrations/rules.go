package pb_migrations

import "github.com/pocketbase/pocketbase/tools/types"

// The roles a user can have, from most to least powerful.
var roles = []string{"admin", "editor", "operator", "viewer"}

// API rules by role. A nil rule means superusers only.
var (
	anyRoleRule = types.Pointer(`@request.auth.collectionName = "users" && @request.auth.role != ""`)
	editorRule  = types.Pointer(`@request.auth.role = "admin" || @request.auth.role = "editor"`)
	adminRule   = types.Pointer(`@request.auth.role = "admin"`)
	// configWriteRule lets editors write configuration but not the status
	// fields the engine keeps.
	configWriteRule = types.Pointer(`(@request.auth.role = "admin" || @request.auth.role = "editor") && @request.body.status:isset = false`)
	// connectionWriteRule lets editors write a connection's configuration
	// but none of the health fields the engine keeps.
	connectionWriteRule = types.Pointer(`(@request.auth.role = "admin" || @request.auth.role = "editor") && ` +
		`@request.body.status:isset = false && @request.body.status_message:isset = false && ` +
		`@request.body.checked:isset = false && @request.body.down_since:isset = false && ` +
		`@request.body.failures:isset = false`)
	// userViewRule lets a user see themselves and an admin see everybody.
	userViewRule = types.Pointer(`id = @request.auth.id || @request.auth.role = "admin"`)
	// userUpdateRule lets a user edit themselves, but never their role.
	userUpdateRule = types.Pointer(`@request.auth.role = "admin" || (id = @request.auth.id && @request.body.role:isset = false)`)
)
