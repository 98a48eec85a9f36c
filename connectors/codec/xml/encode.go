package xml

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-app/switchboard/connectors/codec"
	"github.com/switchboard-app/switchboard/connectors/codec/csv"
)

// EncoderOptions configure an [Encoder].
type EncoderOptions struct {
	// Root is the root element's name (default "Records").
	Root string
	// Record is each record's element name (default "Record").
	Record string
	// Indent pretty-prints with two spaces.
	Indent bool
	// Order is the elements' order; by default, by name.
	Order *codec.Order
}

// Encoder writes records as elements under one root element, in the
// order of its Order (by name where it has none). Keys starting
// with "@" become attributes, "#text" the element's text, maps nested
// elements and lists repeated elements.
//
// Each record is written whole or not at all: it is encoded aside first,
// so a record that cannot be written (a field name that is not an XML
// name, a character XML cannot hold) fails alone and leaves the output as
// it was.
type Encoder struct {
	w       *bufio.Writer
	rec     bytes.Buffer // the record being encoded
	enc     *xml.Encoder // encodes into rec
	indent  bool
	root    string
	record  string
	order   *codec.Order
	started bool
	count   int
}

// NewEncoder returns an encoder writing UTF-8 XML to w.
func NewEncoder(w io.Writer, opts EncoderOptions) *Encoder {
	e := &Encoder{w: bufio.NewWriter(w), indent: opts.Indent, root: opts.Root, record: opts.Record, order: opts.Order}
	if e.root == "" {
		e.root = "Records"
	}
	if e.record == "" {
		e.record = "Record"
	}
	e.reset()
	return e
}

// reset gives the encoder a new record encoder, without the open elements
// of a record that failed half-way.
func (e *Encoder) reset() {
	e.rec.Reset()
	e.enc = xml.NewEncoder(&e.rec)
	if e.indent {
		e.enc.Indent("  ", "  ") // records are children of the root
	}
}

func (e *Encoder) start() error {
	if e.started {
		return nil
	}
	if !validName(e.root) {
		return fmt.Errorf("the root element's name %q is not a valid element name", e.root)
	}
	e.started = true
	_, err := e.w.WriteString(xml.Header + "<" + e.root + ">")
	return err
}

// Encode writes one record element. A record that cannot be written
// returns an error naming the field and the cause, and writes nothing.
func (e *Encoder) Encode(rec map[string]any) error {
	if err := e.start(); err != nil {
		return fmt.Errorf("xml: %w", err)
	}
	e.rec.Reset()
	err := e.element(e.record, rec, e.order, "")
	if err == nil {
		err = e.enc.Flush()
	}
	if err != nil {
		e.reset()
		return fmt.Errorf("xml: record: %w", err)
	}
	// The record encoder starts every record but its first on a new line.
	text := bytes.TrimPrefix(e.rec.Bytes(), []byte("\n"))
	if e.indent {
		if err := e.w.WriteByte('\n'); err != nil {
			return fmt.Errorf("xml: %w", err)
		}
	}
	if _, err := e.w.Write(text); err != nil {
		return fmt.Errorf("xml: %w", err)
	}
	e.count++
	return nil
}

// element encodes v as the element name; field is its path in the record
// for messages, "" for the record itself.
func (e *Encoder) element(name string, v any, order *codec.Order, field string) error {
	if !validName(name) {
		return fieldError(field, fmt.Errorf("%q is not a valid element name", name))
	}
	switch x := v.(type) {
	case []any:
		for i, item := range x {
			if err := e.element(name, item, order, fmt.Sprintf("%s[%d]", field, i)); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		return e.object(name, x, order, field)
	}
	text, err := xmlText(v, field)
	if err != nil {
		return err
	}
	return e.enc.EncodeElement(text, xml.StartElement{Name: xml.Name{Local: name}})
}

func (e *Encoder) object(name string, m map[string]any, order *codec.Order, field string) error {
	start := xml.StartElement{Name: xml.Name{Local: name}}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	order.Arrange(keys)
	for _, k := range keys {
		if attr, ok := strings.CutPrefix(k, "@"); ok {
			if !validName(attr) {
				return fieldError(join(field, k), fmt.Errorf("%q is not a valid attribute name", attr))
			}
			value, err := xmlText(m[k], join(field, k))
			if err != nil {
				return err
			}
			start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: attr}, Value: value})
		}
	}
	if err := e.enc.EncodeToken(start); err != nil {
		return err
	}
	if t, ok := m["#text"]; ok {
		text, err := xmlText(t, join(field, "#text"))
		if err != nil {
			return err
		}
		if err := e.enc.EncodeToken(xml.CharData(text)); err != nil {
			return err
		}
	}
	for _, k := range keys {
		if strings.HasPrefix(k, "@") || k == "#text" {
			continue
		}
		if err := e.element(k, m[k], order.Field(k), join(field, k)); err != nil {
			return err
		}
	}
	return e.enc.EncodeToken(start.End())
}

// xmlText renders a value as text, refusing what XML 1.0 cannot hold:
// encoding/xml would write U+FFFD in its place.
func xmlText(v any, field string) (string, error) {
	s := csv.Format(v)
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			return "", fieldError(field, fmt.Errorf("byte 0x%02X is not UTF-8 and cannot be written in XML", s[i]))
		case !isChar(r):
			return "", fieldError(field, fmt.Errorf("%#U cannot be written in XML", r))
		}
	}
	return s, nil
}

// isChar reports whether XML 1.0 allows r in a document (its production
// Char).
func isChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// fieldError names the field err is about; the record's own element has
// no field name.
func fieldError(field string, err error) error {
	if field == "" {
		return err
	}
	return fmt.Errorf("field %q: %w", field, err)
}

func join(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// CheckPath tells whether the fields of a record at path (dotted, as
// "prices.list" or "Product.@id") can be written as XML: an element or
// attribute name XML cannot hold is an error saying which.
func CheckPath(path string) error {
	parts := strings.Split(path, ".")
	for i, part := range parts {
		switch attr, isAttr := strings.CutPrefix(part, "@"); {
		case part == "#text" && i == len(parts)-1:
		case isAttr && i == len(parts)-1:
			if !validName(attr) {
				return fmt.Errorf("%q is not a valid XML attribute name", attr)
			}
		default:
			if err := CheckName(part); err != nil {
				return err
			}
		}
	}
	return nil
}

// CheckName tells whether name can be the name of an XML element the
// encoder writes (its root, a record, a field).
func CheckName(name string) error {
	if !validName(name) {
		return fmt.Errorf("%q is not a valid XML element name", name)
	}
	return nil
}

// validName is a conservative check of an XML name.
func validName(s string) bool {
	if s == "" || strings.HasPrefix(strings.ToLower(s), "xml") {
		return false
	}
	for i, r := range s {
		letter := r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127
		if !letter && (i == 0 || !(r == '-' || r == '.' || r >= '0' && r <= '9')) {
			return false
		}
	}
	return true
}

// Close ends the root element and flushes.
func (e *Encoder) Close() error {
	if err := e.start(); err != nil {
		return fmt.Errorf("xml: %w", err)
	}
	end := "</" + e.root + ">\n"
	if e.indent && e.count > 0 {
		end = "\n" + end
	}
	if _, err := e.w.WriteString(end); err != nil {
		return fmt.Errorf("xml: %w", err)
	}
	if err := e.w.Flush(); err != nil {
		return fmt.Errorf("xml: %w", err)
	}
	return nil
}

var _ codec.Encoder = (*Encoder)(nil)
