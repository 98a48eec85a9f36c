// Package csv reads and writes delimited text files as records, one row at
// a time. The reader detects the delimiter (comma, semicolon, pipe or tab),
// the quote character, the text encoding and the line ends (CRLF, LF or CR),
// takes names from a header row or from configured columns, can normalise
// decimal commas, and lets a bad row fail alone with its line number while
// the rest of the file goes on.
package csv
