// Package pb_migrations holds Switchboard's schema as PocketBase Go
// migrations, applied in file-name order on serve and by "migrate up".
// An applied migration is never edited: a change is a new file. A file
// taken out once a build has applied it is listed in app/schema's retired
// migrations, or a data folder that holds it is refused as migrated by a
// newer build.
package pb_migrations
