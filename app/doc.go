// Package app is Switchboard's engine, attached to a PocketBase app: it
// keeps connection secrets sealed, validates configuration against the
// connectors' specs, serves Switchboard's own API routes and commands, and
// (as it grows) runs triggers, the inbox, workers, retries, activity and
// alerts. See docs/ARCHITECTURE.md.
package app
