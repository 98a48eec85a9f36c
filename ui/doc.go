// Package ui is Switchboard's admin web UI: server-rendered html/template
// pages and static files, all embedded in the binary, served at "/".
package ui
