package xml

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

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
type Encoder struct {
	w       *bufio.Writer
	enc     *xml.Encoder
	root    string
	record  string
	order   *codec.Order
	started bool
}

// NewEncoder returns an encoder writing UTF-8 XML to w.
func NewEncoder(w io.Writer, opts EncoderOptions) *Encoder {
	bw := bufio.NewWriter(w)
	e := &Encoder{w: bw, enc: xml.NewEncoder(bw), root: opts.Root, record: opts.Record, order: opts.Order}
	if e.root == "" {
		e.root = "Records"
	}
	if e.record == "" {
		e.record = "Record"
	}
	if opts.Indent {
		e.enc.Indent("", "  ")
	}
	return e
}

func (e *Encoder) start() error {
	if e.started {
		return nil
	}
	e.started = true
	if _, err := e.w.WriteString(xml.Header); err != nil {
		return err
	}
	return e.enc.EncodeToken(xml.StartElement{Name: xml.Name{Local: e.root}})
}

// Encode writes one record element.
func (e *Encoder) Encode(rec map[string]any) error {
	if err := e.start(); err != nil {
		return fmt.Errorf("xml: %w", err)
	}
	if err := e.element(e.record, rec, e.order); err != nil {
		return fmt.Errorf("xml: record: %w", err)
	}
	return nil
}

func (e *Encoder) element(name string, v any, order *codec.Order) error {
	if !validName(name) {
		return fmt.Errorf("%q is not a valid element name", name)
	}
	switch x := v.(type) {
	case []any:
		for _, item := range x {
			if err := e.element(name, item, order); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		return e.object(name, x, order)
	}
	return e.enc.EncodeElement(csv.Format(v), xml.StartElement{Name: xml.Name{Local: name}})
}

func (e *Encoder) object(name string, m map[string]any, order *codec.Order) error {
	start := xml.StartElement{Name: xml.Name{Local: name}}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	order.Arrange(keys)
	for _, k := range keys {
		if attr, ok := strings.CutPrefix(k, "@"); ok {
			if !validName(attr) {
				return fmt.Errorf("%q is not a valid attribute name", attr)
			}
			start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: attr}, Value: csv.Format(m[k])})
		}
	}
	if err := e.enc.EncodeToken(start); err != nil {
		return err
	}
	if t, ok := m["#text"]; ok {
		if err := e.enc.EncodeToken(xml.CharData(csv.Format(t))); err != nil {
			return err
		}
	}
	for _, k := range keys {
		if strings.HasPrefix(k, "@") || k == "#text" {
			continue
		}
		if err := e.element(k, m[k], order.Field(k)); err != nil {
			return err
		}
	}
	return e.enc.EncodeToken(start.End())
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
	if err := e.enc.EncodeToken(xml.EndElement{Name: xml.Name{Local: e.root}}); err != nil {
		return fmt.Errorf("xml: %w", err)
	}
	if err := e.enc.Flush(); err != nil {
		return fmt.Errorf("xml: %w", err)
	}
	if _, err := e.w.WriteString("\n"); err != nil {
		return fmt.Errorf("xml: %w", err)
	}
	return e.w.Flush()
}

var _ codec.Encoder = (*Encoder)(nil)
