package xml

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/switchboard-app/switchboard/connectors/codec"
	"github.com/switchboard-app/switchboard/connectors/codec/charset"
)

// Options configure a [Decoder].
type Options struct {
	// RecordPath names the record elements from the root, e.g.
	// "/Products/Product"; "*" matches any name. Default "/*/*": every
	// child of the root element.
	RecordPath string
	// Lists names elements that always become lists, even when they occur
	// once in a record.
	Lists []string
	// Encoding overrides the encoding the file declares; "" uses its BOM
	// or declaration.
	Encoding string
	// Limits bound depth, element text and record size.
	Limits codec.Limits
}

// ErrEntities is wrapped by the error for a DOCTYPE declaring entities.
var ErrEntities = errors.New("entity declarations are refused")

// Decoder reads record elements as records.
type Decoder struct {
	dec   *xml.Decoder
	limit *codec.LimitReader
	path  []string
	lists map[string]bool
	lim   codec.Limits
	stack []string
	root  bool
}

// NewDecoder prepares a decoder; nothing is read until the first Next.
func NewDecoder(r io.Reader, opts Options) (*Decoder, error) {
	text, converted, err := utf8Text(r, opts.Encoding)
	if err != nil {
		return nil, fmt.Errorf("xml: %w", err)
	}
	d := &Decoder{lim: opts.Limits.WithDefaults(), lists: map[string]bool{}}
	d.path = splitPath(opts.RecordPath)
	for _, l := range opts.Lists {
		d.lists[strings.TrimSpace(l)] = true
	}
	d.limit = &codec.LimitReader{R: text, Max: d.lim.MaxRecordBytes, What: "record"}
	d.dec = xml.NewDecoder(d.limit)
	d.dec.Strict = true
	d.dec.CharsetReader = charsetReader(converted)
	return d, nil
}

// utf8Text converts the input when a BOM or the config says how; otherwise
// the XML declaration decides, through the decoder's CharsetReader.
func utf8Text(r io.Reader, encoding string) (io.Reader, bool, error) {
	br := bufio.NewReader(r)
	head, _ := br.Peek(4)
	if encoding == "" && !charset.HasBOM(head) {
		return br, false, nil
	}
	text, _, err := charset.NewReader(br, encoding)
	return text, true, err
}

// charsetReader converts a declared encoding, unless the text is UTF-8
// already.
func charsetReader(converted bool) func(string, io.Reader) (io.Reader, error) {
	return func(label string, in io.Reader) (io.Reader, error) {
		if converted {
			return in, nil
		}
		return charset.Convert(in, label)
	}
}

func splitPath(p string) []string {
	p = strings.Trim(strings.TrimSpace(p), "/")
	if p == "" {
		return []string{"*", "*"}
	}
	return strings.Split(p, "/")
}

// Next returns the next record element and its line; see [codec.Decoder].
func (d *Decoder) Next() (map[string]any, int, error) {
	for {
		d.limit.Mark()
		tok, err := d.dec.Token()
		if err != nil {
			return nil, 0, d.fatal(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(d.stack) >= d.lim.MaxDepth {
				return nil, 0, d.fatal(fmt.Errorf("nested deeper than %d elements", d.lim.MaxDepth))
			}
			d.stack = append(d.stack, t.Name.Local)
			d.root = true
			if d.atRecord() {
				return d.record(t)
			}
		case xml.EndElement:
			d.stack = d.stack[:len(d.stack)-1]
		case xml.Directive:
			if err := checkDirective(t); err != nil {
				return nil, 0, d.fatal(err)
			}
		}
	}
}

func (d *Decoder) atRecord() bool {
	if len(d.stack) != len(d.path) {
		return false
	}
	for i, p := range d.path {
		if p != "*" && p != d.stack[i] {
			return false
		}
	}
	return true
}

func (d *Decoder) record(start xml.StartElement) (map[string]any, int, error) {
	line, _ := d.dec.InputPos()
	v, err := d.element(start, len(d.stack))
	d.stack = d.stack[:len(d.stack)-1]
	if err != nil {
		return nil, line, d.fatal(err)
	}
	rec, ok := v.(map[string]any)
	if !ok {
		rec = map[string]any{"#text": v}
	}
	return rec, line, nil
}

// checkDirective refuses a DOCTYPE that declares entities.
func checkDirective(dir xml.Directive) error {
	if bytes.HasPrefix(bytes.TrimSpace(dir), []byte("DOCTYPE")) && bytes.Contains(dir, []byte("<!ENTITY")) {
		return fmt.Errorf("the DOCTYPE declares entities, which could expand without limit: %w", ErrEntities)
	}
	return nil
}

// fatal wraps an error that ends the stream with its line; the end of the
// input before the root element closes is an early end.
func (d *Decoder) fatal(err error) error {
	line, _ := d.dec.InputPos()
	switch {
	case err == io.EOF && !d.root:
		return errors.New("xml: no root element: the file is empty or not XML")
	case err == io.EOF && len(d.stack) == 0:
		return io.EOF
	case err == io.EOF || isEarlyEnd(err):
		err = fmt.Errorf("the file ends inside <%s>: %w", d.stack[len(d.stack)-1], io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("xml: line %d: %w", line, err)
}

// isEarlyEnd reports whether encoding/xml met the end of the input inside
// a construct.
func isEarlyEnd(err error) bool {
	var se *xml.SyntaxError
	return errors.As(err, &se) && se.Msg == "unexpected EOF"
}

var _ codec.Decoder = (*Decoder)(nil)
