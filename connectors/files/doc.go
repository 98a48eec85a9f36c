// Package files holds the file connectors: "folder" (a folder on the
// Switchboard machine), "ftp" (FTP and FTPS) and "sftp". They read CSV,
// XML, JSON and NDJSON files as records and write records as files.
//
// A connection says how to reach the files (server, login, base folder);
// each flow says, in its options (the connectors' flow fields), which
// files it takes or makes there: its sub-folder, pattern, format and file
// names. They come with every read and write request, so flows sharing a
// connection keep to their own files.
//
// Reading follows a lifecycle that never loses or repeats a file: list the
// folder by pattern, take only files that are complete (a marker, or the
// same size and time over a settle time), claim a file by renaming it into
// a processing sub-folder, stream it as pages of records, check that it
// did not change meanwhile, and only once the engine has
// committed the file's last page (Page.Ack) move it to the archive folder
// or delete it. The fingerprints of recently committed files travel in the
// cursor, which the engine stores atomically with the records, so a file
// committed just before a crash is archived on the next run, not read
// again. A file that cannot be parsed goes to the error folder with a
// report beside it.
//
// Writing buffers records in a local file (or uploads one file per
// record) and makes files visible in two steps ([connectors.Publisher]):
// Prepare uploads them under temporary names noted in a local journal,
// Publish renames them into place once the engine has recorded the writes,
// and a start's Recover finishes or removes what a stopped process left.
package files
