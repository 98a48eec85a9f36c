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
	guard *guard
	path  []string
	lists map[string]bool
	lim   codec.Limits
	stack []string
	match int    // how many elements of the stack, from the root, match the path
	most  int    // the most elements of the path that ever matched
	root  bool   // the root element has started
	name  string // the root element's name
	ended bool   // the root element has ended
	rec   recordState
}

// recordState is what is known of the record being read.
type recordState struct {
	start int64    // its offset in the guarded text
	over  bool     // larger than the record limit: its content is not kept
	err   error    // the first problem found in it
	path  []string // the elements from the record down to the one being read
	field string   // the field holding the first character the guard refused
}

// NewDecoder prepares a decoder; nothing is read until the first Next.
func NewDecoder(r io.Reader, opts Options) (*Decoder, error) {
	text, enc, err := utf8Text(r, opts.Encoding)
	if err != nil {
		return nil, fmt.Errorf("xml: %w", err)
	}
	d := &Decoder{lim: opts.Limits.WithDefaults(), lists: map[string]bool{}}
	d.path = splitPath(opts.RecordPath)
	for _, l := range opts.Lists {
		d.lists[strings.TrimSpace(l)] = true
	}
	d.guard = newGuard(text, enc, d.lim)
	d.dec = xml.NewDecoder(d.guard)
	d.dec.Strict = true
	d.dec.CharsetReader = func(_ string, in io.Reader) (io.Reader, error) { return in, nil }
	return d, nil
}

// utf8Text converts the input to UTF-8: by the configured encoding, else
// its BOM, else the encoding its start is in and its XML declaration
// names, else as UTF-8.
func utf8Text(r io.Reader, encoding string) (io.Reader, string, error) {
	br := bufio.NewReader(r)
	head, _ := br.Peek(1024)
	if encoding == "" && !charset.HasBOM(head) {
		encoding = prolog(head)
	}
	return charset.NewReader(br, encoding)
}

// wide are the starts of a document in UTF-16 or UTF-32 without a BOM: its
// first "<" (XML 1.0, appendix F).
var wide = []struct{ start, encoding string }{
	{"<\x00\x00\x00", charset.UTF32LE}, {"\x00\x00\x00<", charset.UTF32BE},
	{"<\x00?\x00", charset.UTF16LE}, {"\x00<\x00?", charset.UTF16BE},
}

// prolog returns the encoding of a document without a BOM. One that starts
// in UTF-16 or UTF-32 is in it. Else it is in the encoding its declaration
// names, but for a UTF-16 or UTF-32 one: a declaration that can be read
// byte by byte is in an 8-bit encoding whatever it says (a document made
// as a string in memory and saved as UTF-8 keeps its "utf-16"), and is
// read as UTF-8, whose checks catch other text.
func prolog(head []byte) string {
	for _, w := range wide {
		if bytes.HasPrefix(head, []byte(w.start)) {
			return w.encoding
		}
	}
	name := declared(bytes.TrimLeft(head, " \t\r\n"))
	canon, err := charset.Canonical(name)
	switch {
	case name == "":
		return charset.UTF8
	case err != nil:
		return name // refused with the encodings known
	}
	for _, w := range wide {
		if canon == w.encoding {
			return charset.UTF8
		}
	}
	return name
}

// declared returns the encoding an XML declaration at the start of head
// names, or "".
func declared(head []byte) string {
	if !bytes.HasPrefix(head, []byte("<?xml")) {
		return ""
	}
	decl, _, _ := bytes.Cut(head, []byte("?>"))
	_, after, ok := bytes.Cut(decl, []byte("encoding"))
	if !ok {
		return ""
	}
	after = bytes.TrimLeft(after, " \t\r\n=")
	if len(after) == 0 || after[0] != '"' && after[0] != '\'' {
		return ""
	}
	name, _, _ := bytes.Cut(after[1:], after[:1])
	return string(name)
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
		start := d.dec.InputOffset()
		tok, err := d.dec.Token()
		if err != nil {
			return nil, 0, d.fatal(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := d.push(t); err != nil {
				return nil, 0, d.fatal(err)
			}
			if d.atRecord() {
				return d.record(t, start)
			}
		case xml.EndElement:
			d.pop()
		case xml.CharData:
			if d.ended && len(bytes.TrimSpace(t)) > 0 {
				return nil, 0, d.fatal(fmt.Errorf("text after the end of the root element <%s>: an XML file has one root element", d.name))
			}
		case xml.Directive:
			if err := checkDirective(t); err != nil {
				return nil, 0, d.fatal(err)
			}
		}
		d.guard.take(0, d.dec.InputOffset())
	}
}

// push enters an element outside records. An element after the root
// element ended is refused: what follows the root is no part of the
// document, and its records would be passed over in silence.
func (d *Decoder) push(t xml.StartElement) error {
	switch {
	case d.ended:
		return fmt.Errorf("<%s> after the end of the root element <%s>: an XML file has one root element", t.Name.Local, d.name)
	case len(d.stack) >= d.lim.MaxDepth:
		return fmt.Errorf("nested deeper than %d elements", d.lim.MaxDepth)
	case !d.root:
		d.root, d.name = true, t.Name.Local
	}
	d.stack = append(d.stack, t.Name.Local)
	if n := len(d.stack); d.match == n-1 && n <= len(d.path) && (d.path[n-1] == "*" || d.path[n-1] == t.Name.Local) {
		d.match = n
		d.most = max(d.most, n)
	}
	return nil
}

// pop leaves an element, noting the end of the root element.
func (d *Decoder) pop() {
	d.stack = d.stack[:len(d.stack)-1]
	d.match = min(d.match, len(d.stack))
	d.ended = len(d.stack) == 0
}

// pathFound returns nil when the file had the record path's elements up
// to the records' parent (without records, the file is empty, as a JSON
// file whose array is), else an error naming the part of the path that
// was never found. A path of one element is the root element itself.
func (d *Decoder) pathFound() error {
	if d.most >= max(len(d.path)-1, 1) {
		return nil
	}
	return fmt.Errorf("xml: record path /%s not found: the file has no element /%s (its root element is <%s>)",
		strings.Join(d.path, "/"), strings.Join(d.path[:d.most+1], "/"), d.name)
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

// record reads the record element opened by start, which began at offset
// from. A problem inside it fails the record alone.
func (d *Decoder) record(start xml.StartElement, from int64) (map[string]any, int, error) {
	line := d.line()
	d.rec = recordState{start: from}
	d.noteField(from, start.Attr)
	v, err := d.element(start, len(d.stack))
	d.pop()
	if err != nil {
		return nil, line, d.fatal(err)
	}
	if bad := d.problem(line); bad != nil {
		return nil, line, bad
	}
	rec, ok := v.(map[string]any)
	if !ok {
		rec = map[string]any{"#text": v}
	}
	return rec, line, nil
}

// problem returns the record error for the record just read, if the guard
// or the limits found a problem in it.
func (d *Decoder) problem(line int) error {
	e, found := d.guard.take(d.rec.start, d.dec.InputOffset())
	switch {
	case found && e.err != nil && d.rec.field != "":
		return codec.TextError(line, e.line, e.col, fmt.Errorf("field %q: %w", d.rec.field, e.err))
	case found && e.err != nil:
		return codec.TextError(line, e.line, e.col, e.err)
	case found:
		return &codec.RecordError{Line: line, Err: fmt.Errorf("the text on line %d is %d bytes, larger than the limit of %d bytes (%w)",
			e.line, e.size, d.lim.MaxElementBytes, codec.ErrTooLarge)}
	case d.rec.err != nil:
		return &codec.RecordError{Line: line, Err: d.rec.err}
	}
	return nil
}

// line returns the line of the decoder's position in the file.
func (d *Decoder) line() int {
	line, _ := d.dec.InputPos()
	return line + d.guard.lineShift(d.dec.InputOffset())
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
	line := d.line()
	switch {
	case err == io.EOF && !d.root:
		return errors.New("xml: no root element: the file is empty or not XML")
	case err == io.EOF && len(d.stack) == 0:
		if err := d.pathFound(); err != nil {
			return err
		}
		return io.EOF
	case (err == io.EOF || isEarlyEnd(err)) && len(d.stack) == 0:
		err = fmt.Errorf("the file ends before its root element is complete: %w", io.ErrUnexpectedEOF)
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
