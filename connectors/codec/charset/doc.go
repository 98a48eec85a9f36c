// Package charset turns text in the encodings that business files come in
// (UTF-8 with or without BOM, UTF-16 and UTF-32 with BOM, Windows-1252,
// ISO-8859-1 and ISO-8859-15) into UTF-8 while streaming, detecting the
// encoding when it is not configured, and encodes UTF-8 back for writers.
//
// Nothing is replaced silently: what an encoding cannot decode (a lone
// UTF-16 surrogate, a byte Windows-1252 leaves undefined) comes out as
// bytes that are not valid UTF-8, and [Check] finds them, with their offset
// and a reason naming the encoding, so that the record holding them fails
// instead of carrying U+FFFD. Files with the byte order mark of an
// unsupported encoding (UTF-7 and others) are refused.
package charset
