// Package charset turns text in the encodings that business files come in
// (UTF-8 with or without BOM, UTF-16 with BOM, Windows-1252, ISO-8859-1 and
// ISO-8859-15) into UTF-8 while streaming, detecting the encoding when it is
// not configured, and encodes UTF-8 back for writers.
package charset
