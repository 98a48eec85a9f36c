package pb_migrations

import (
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// The roles a user can have, from most to least powerful.
var roles = []string{"admin", "editor", "operator", "viewer"}

// API rules by role. A nil rule means superusers only.
//
// These are the rules as the first migrations set them, by role alone.
// Since 1765900240_disabled_users.go every rule a user can meet also
// begins with enabledGuard, so that a disabled user's token gets nothing:
// a later migration that sets a rule wraps it in whileEnabled, and
// TestEveryRuleRefusesDisabledUsers fails for one that does not.
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
	// userUpdateRule lets a user edit themselves, but never their role (the
	// first migration's; 1765400000_ui_users.go set uiUserUpdateRule).
	userUpdateRule = types.Pointer(`@request.auth.role = "admin" || (id = @request.auth.id && @request.body.role:isset = false)`)
	// uiUserUpdateRule kept a user from setting their own role or disabled
	// switch, but not an admin (1765400000_ui_users.go to 1765900240).
	uiUserUpdateRule = types.Pointer(`@request.auth.role = "admin" || (id = @request.auth.id && ` +
		`@request.body.role:isset = false && @request.body.disabled:isset = false)`)
	// userEditRule lets an admin edit other users, and every user edit
	// themselves, admins included, but never their own role or disabled
	// switch: a disabled admin cannot enable themselves again, nor an admin
	// lock themselves out (1765900240_disabled_users.go).
	userEditRule = types.Pointer(`(@request.auth.role = "admin" && id != @request.auth.id) || (id = @request.auth.id && ` +
		`@request.body.role:isset = false && @request.body.disabled:isset = false)`)
	// connectionUpdateRule lets editors write a connection's
	// configuration, and send its health fields back only as they are: a
	// client that reads a record and saves it whole is not refused, but the
	// engine's word on the connection's health is never changed
	// (1766800000_unchanged_engine_fields.go).
	connectionUpdateRule = types.Pointer(`(@request.auth.role = "admin" || @request.auth.role = "editor") && ` +
		unchangedIfSent("status", "status_message", "checked", "down_since", "failures"))
	// userSaveRule is userEditRule, except that a user may send their own
	// role and disabled switch back as they are
	// (1766800000_unchanged_engine_fields.go).
	userSaveRule = types.Pointer(`(@request.auth.role = "admin" && id != @request.auth.id) || (id = @request.auth.id && ` +
		unchangedIfSent("role", "disabled") + `)`)
	// userDeleteRule lets an admin delete other users, never themselves
	// (1766100000_no_self_delete.go).
	userDeleteRule = types.Pointer(`@request.auth.role = "admin" && id != @request.auth.id`)
)

// unchangedIfSent is a rule part that holds when none of fields is sent,
// or each is sent with the value the record already has.
func unchangedIfSent(fields ...string) string {
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = "(@request.body." + f + ":isset = false || @request.body." + f + " = " + f + ")"
	}
	return strings.Join(parts, " && ")
}

// enabledGuard begins every rule a user can meet: a disabled user's token,
// one issued before they were disabled included, reads and writes nothing.
const enabledGuard = `@request.auth.disabled = false`

// whileEnabled returns rule with enabledGuard in front. A nil rule
// (superusers only) and an empty one (anybody, without signing in) are
// returned as they are: a token adds nothing to them. A rule that already
// begins with the guard is not guarded twice.
func whileEnabled(rule *string) *string {
	if rule == nil || *rule == "" || strings.HasPrefix(*rule, enabledGuard+" && ") {
		return rule
	}
	return types.Pointer(enabledGuard + " && (" + *rule + ")")
}

// withoutGuard undoes whileEnabled.
func withoutGuard(rule *string) *string {
	if rule == nil {
		return nil
	}
	inner, ok := strings.CutPrefix(*rule, enabledGuard+" && (")
	if !ok || !strings.HasSuffix(inner, ")") {
		return rule
	}
	return types.Pointer(strings.TrimSuffix(inner, ")"))
}

// userRules are the rules of a collection that decide what a request may
// do: list, view, create, update, delete and, for auth collections, manage.
// The auth rule is not among them: it is checked against the record that
// signs in, not the one that asks.
func userRules(c *core.Collection) []**string {
	rules := []**string{&c.ListRule, &c.ViewRule, &c.CreateRule, &c.UpdateRule, &c.DeleteRule}
	if c.IsAuth() {
		rules = append(rules, &c.ManageRule)
	}
	return rules
}
