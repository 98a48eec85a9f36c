// Package json reads records from JSON and NDJSON streams and writes them
// back. The reader streams with json.Decoder tokens: it walks to the
// records (a top-level array, a dotted path such as data.items, or a
// sequence of top-level values) and decodes one record at a time, keeping
// numbers as json.Number so no digit is lost.
package json
