// Package ui is Switchboard's admin web UI: server-rendered html/template
// pages and static files, all embedded in the binary, served at "/".
//
// views.go is the view table (each page and its partials, parsed at
// start), routes.go the route table (each page and action with the roles
// that may use it), and each handler file one resource and action. Users
// sign in with PocketBase's users collection into an HttpOnly cookie
// session; every form carries a CSRF token; app.HasRole decides who may
// do what, as it does for the REST API, and the handlers call the same
// services (app/service_*.go). Every text comes from the catalogue in
// ui/i18n. docs/ui.md describes the pages.
package ui
