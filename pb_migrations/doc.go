// Package pb_migrations holds Switchboard's schema as PocketBase Go
// migrations, applied in file-name order on serve and by "migrate up".
// An applied migration is never edited: a change is a new file.
package pb_migrations
