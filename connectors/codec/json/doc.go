// Package json reads records from JSON and NDJSON streams and writes them
// back. The reader streams: a small scanner finds where each value ends,
// walks every top-level value to the records (a top-level array, a dotted
// path such as data.items, or the values themselves), and decodes one
// record at a time with encoding/json, keeping numbers as json.Number so
// no digit is lost. A record over a limit is read past without being kept
// and fails alone; a file that ends early fails after its records.
package json
