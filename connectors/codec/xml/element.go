package xml

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-app/switchboard/connectors/codec"
)

// node collects one element while it is read.
type node struct {
	fields map[string]any
	text   strings.Builder
}

// element reads the element opened by start, at nesting level depth, up to
// its end tag, and returns a string for a plain element or a map. Once the
// record is over a limit, its content is read past without being kept.
func (d *Decoder) element(start xml.StartElement, depth int) (any, error) {
	n := node{}
	for _, a := range start.Attr {
		if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
			continue
		}
		d.checkSize(len(a.Value), start.Name.Local)
		n.set("@"+a.Name.Local, a.Value, false)
	}
	for {
		before := d.dec.InputOffset()
		tok, err := d.dec.Token()
		if err == io.EOF || isEarlyEnd(err) {
			return nil, fmt.Errorf("the file ends inside <%s>: %w", start.Name.Local, io.ErrUnexpectedEOF)
		}
		if err != nil {
			return nil, err
		}
		d.checkSize(n.text.Len(), start.Name.Local)
		switch t := tok.(type) {
		case xml.StartElement:
			d.rec.path = append(d.rec.path, t.Name.Local)
			d.noteField(before, t.Attr)
			if err := d.child(&n, t, depth+1); err != nil {
				return nil, err
			}
			d.rec.path = d.rec.path[:len(d.rec.path)-1]
		case xml.CharData:
			d.noteField(before, nil)
			if !d.rec.over && d.checkSize(n.text.Len()+len(t), start.Name.Local) {
				n.text.Write(t)
			}
		case xml.EndElement:
			return n.value(), nil
		case xml.Directive:
			if err := checkDirective(t); err != nil {
				return nil, err
			}
		}
	}
}

// checkSize notes a text of size bytes in element name over the element
// limit, and the record over the record limit; it reports whether the
// record's content is still kept.
func (d *Decoder) checkSize(size int, name string) bool {
	if int64(size) > d.lim.MaxElementBytes && d.rec.err == nil {
		d.rec.err = fmt.Errorf("the text of <%s> is larger than the limit of %d bytes (%w)", name, d.lim.MaxElementBytes, codec.ErrTooLarge)
	}
	if size := d.dec.InputOffset() - d.rec.start; size > d.lim.MaxRecordBytes && !d.rec.over {
		d.rec.over = true
		if d.rec.err == nil {
			d.rec.err = fmt.Errorf("record larger than the limit of %d bytes (%w)", d.lim.MaxRecordBytes, codec.ErrTooLarge)
		}
	}
	return !d.rec.over && d.rec.err == nil
}

func (d *Decoder) child(n *node, t xml.StartElement, depth int) error {
	if depth > d.lim.MaxDepth {
		return fmt.Errorf("nested deeper than %d elements", d.lim.MaxDepth)
	}
	v, err := d.element(t, depth)
	if err != nil {
		return err
	}
	if !d.rec.over {
		n.set(t.Name.Local, v, d.lists[t.Name.Local])
	}
	return nil
}

// set adds a value, turning a repeated name into a list. Element values
// are strings or maps, so a list is always one made here.
func (n *node) set(key string, v any, asList bool) {
	if n.fields == nil {
		n.fields = map[string]any{}
	}
	old, seen := n.fields[key]
	switch {
	case !seen && asList:
		n.fields[key] = []any{v}
	case !seen:
		n.fields[key] = v
	default:
		if list, ok := old.([]any); ok {
			n.fields[key] = append(list, v)
		} else {
			n.fields[key] = []any{old, v}
		}
	}
}

// value is the element as a string (no attributes or children) or a map
// with its text under "#text".
func (n *node) value() any {
	text := n.text.String()
	if n.fields == nil {
		if strings.TrimSpace(text) == "" {
			return ""
		}
		return text
	}
	if t := strings.TrimSpace(text); t != "" {
		n.fields["#text"] = t
	}
	return n.fields
}

// noteField names, for the record's first character the guard refused,
// the field it is in, when it lies in the token just read (from offset
// from): an attribute among attrs of the element the path ends with, or
// the element's text (#text for the record element's own).
func (d *Decoder) noteField(from int64, attrs []xml.Attr) {
	if d.rec.field != "" || !d.guard.refusedIn(max(from, d.rec.start), d.dec.InputOffset()) {
		return
	}
	d.rec.field = strings.Join(d.rec.path, ".")
	if attrs == nil && d.rec.field == "" {
		d.rec.field = "#text"
	}
	for _, a := range attrs {
		if strings.ContainsRune(a.Value, utf8.RuneError) {
			d.rec.field = strings.TrimPrefix(d.rec.field+".@"+a.Name.Local, ".")
			return
		}
	}
}
