// Package codec holds what the file formats share: the streaming [Decoder]
// and [Encoder] contracts, [RecordError] for a record that fails alone, and
// [Limits] with a reader that enforces them.
//
// The formats live in sub-packages (csv, xml, json); charset turns a byte
// stream in any supported text encoding into UTF-8 and back.
package codec
