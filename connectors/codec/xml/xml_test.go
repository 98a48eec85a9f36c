package xml

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/switchboard-app/switchboard/connectors/codec"
	"github.com/switchboard-app/switchboard/connectors/codec/codectest"
)

func collect(t *testing.T, in io.Reader, opts Options) ([]string, error) {
	t.Helper()
	d, err := NewDecoder(in, opts)
	if err != nil {
		return nil, err
	}
	return codectest.Lines(d, func(rec map[string]any) string {
		b, _ := json.Marshal(rec)
		return string(b)
	})
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name string
		in   string
		opts Options
		want []string
	}{
		{"record path with attributes and repeats",
			`<?xml version="1.0"?>
<Products>
  <Product sku="A1"><Name>Chair</Name><Tag>x</Tag><Tag>y</Tag></Product>
  <Product sku="A2"><Name lang="nl">Stoel</Name></Product>
  <Other/>
</Products>`, Options{RecordPath: "/Products/Product"},
			[]string{`3 {"@sku":"A1","Name":"Chair","Tag":["x","y"]}`, `4 {"@sku":"A2","Name":{"#text":"Stoel","@lang":"nl"}}`}},
		{"default path is children of the root", `<r><a><x>1</x></a><b><x>2</x></b></r>`, Options{},
			[]string{`1 {"x":"1"}`, `1 {"x":"2"}`}},
		{"namespaces become local names",
			`<p:Feed xmlns:p="urn:p" xmlns="urn:d"><p:Item p:id="7"><Name>n</Name></p:Item></p:Feed>`,
			Options{RecordPath: "/Feed/Item"}, []string{`1 {"@id":"7","Name":"n"}`}},
		{"forced lists", `<r><o><Line>1</Line></o></r>`, Options{Lists: []string{"Line"}}, []string{`1 {"Line":["1"]}`}},
		{"deeper path with wildcard", `<a><b><c><d>1</d></c></b><z><c><d>2</d></c></z></a>`, Options{RecordPath: "/a/*/c"},
			[]string{`1 {"d":"1"}`, `1 {"d":"2"}`}},
		{"windows-1252 declared", "<?xml version=\"1.0\" encoding=\"windows-1252\"?><r><p><n>Caf\xe9</n></p></r>", Options{},
			[]string{`1 {"n":"Café"}`}},
		{"iso-8859-15 configured", "<r><p><n>\xa4</n></p></r>", Options{Encoding: "iso-8859-15"}, []string{`1 {"n":"€"}`}},
		{"utf-8 BOM", "\xEF\xBB\xBF<r><p><n>1</n></p></r>", Options{}, []string{`1 {"n":"1"}`}},
		{"plain text record", `<r><sku>A1</sku></r>`, Options{}, []string{`1 {"#text":"A1"}`}},
		{"utf-16 declared in a UTF-8 file", `<?xml version="1.0" encoding="utf-16"?><r><p><n>Café</n></p></r>`, Options{},
			[]string{`1 {"n":"Café"}`}},
		{"utf-16le without BOM", utf16(`<?xml version="1.0" encoding="UTF-16"?><r><p><n>Café</n></p></r>`)[2:], Options{},
			[]string{`1 {"n":"Café"}`}},
		{"utf-16be without BOM", utf16BE(`<?xml version="1.0" encoding="UTF-16"?><r><p><n>Café</n></p></r>`), Options{},
			[]string{`1 {"n":"Café"}`}},
		{"blank line before the declaration", "\r\n<?xml version='1.0' encoding='ISO-8859-1'?>\n<r><p><n>Caf\xe9</n></p></r>", Options{},
			[]string{`3 {"n":"Café"}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := collect(t, strings.NewReader(tt.in), tt.opts)
			if err != nil {
				t.Fatalf("error: %v (got %q)", err, got)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<lolz><lol>&lol9;</lol></lolz>`

func TestHostile(t *testing.T) {
	deep := strings.Repeat("<a>", 200) + strings.Repeat("</a>", 200)
	tests := []struct {
		name string
		in   string
		opts Options
		want string
		is   error
	}{
		{"billion laughs", billionLaughs, Options{}, "line 7: the DOCTYPE declares entities", ErrEntities},
		{"undeclared entity", `<r><p>&x;</p></r>`, Options{}, "invalid character entity &x;", nil},
		{"truncated", `<r><p><n>1</n></p><p><n>2`, Options{}, "the file ends inside <n>", io.ErrUnexpectedEOF},
		{"too deep", deep, Options{RecordPath: "/a"}, "nested deeper than 64", nil},
		{"not xml", "sku,name\nA1,x\n", Options{}, "no root element", nil},
		{"only a declaration", `<?xml version="1.0"?>`, Options{}, "no root element", nil},
		{"ends inside the root's start tag", `<r`, Options{}, "the file ends before its root element is complete", io.ErrUnexpectedEOF},
		{"ends inside an attribute of the root", `<r a="1`, Options{}, "the file ends before its root element is complete", io.ErrUnexpectedEOF},
		{"ends inside a comment before the root", `<?xml version="1.0"?><!-- x`, Options{}, "the file ends before its root element is complete", io.ErrUnexpectedEOF},
		{"ends inside the root", `<r><p>1</p>`, Options{}, "the file ends inside <r>", io.ErrUnexpectedEOF},
		{"ends inside a tag in a record", `<r><p><n>1</n></p><p a="`, Options{}, "the file ends inside <r>", io.ErrUnexpectedEOF},
		{"unknown declared encoding", `<?xml version="1.0" encoding="ebcdic"?><r/>`, Options{}, "unknown encoding", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := collect(t, strings.NewReader(tt.in), tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Fatalf("err = %v, want errors.Is %v", err, tt.is)
			}
		})
	}
}

// small are limits small enough for tests to go past them quickly.
var small = codec.Limits{MaxRecordBytes: 64 << 10, MaxElementBytes: 4 << 10}

// TestBadItemsFailAlone checks that a record holding a character XML does
// not allow, or text over a limit, fails alone and the next one is read.
func TestBadItemsFailAlone(t *testing.T) {
	long := strings.Repeat("x", 5<<10)
	lines := strings.Repeat("y\n", 3<<10)
	tests := []struct {
		name string
		in   string
		opts Options
		want []string
	}{
		{"surrogate character reference", "<r><p><n>&#xD800;</n></p><p><n>&#x1F600;</n></p></r>", Options{},
			[]string{`1 ERR field "n": the character reference &#xD800; names no character XML allows (at byte offset 9)`, `1 {"n":"😀"}`}},
		{"NUL character reference", "<r><p><n>a&#0;</n></p><p><n>2</n></p></r>", Options{},
			[]string{`1 ERR field "n": the character reference &#0; names no character XML allows (at byte offset 10)`, `1 {"n":"2"}`}},
		{"NUL byte", "<r>\n<p><n>a\x00</n></p>\n<p><n>2</n></p></r>", Options{},
			[]string{`2 ERR field "n": a NUL byte (0x00), which is not text (at byte offset 7)`, `3 {"n":"2"}`}},
		{"control character in an attribute", "<r><p n=\"a\x01\"/><p n=\"2\"/></r>", Options{},
			[]string{`1 ERR field "@n": the control character U+0001, which XML does not allow (at byte offset 10)`, `1 {"@n":"2"}`}},
		{"invalid UTF-8", "<r><p><n>caf\xe9</n></p><p><n>2</n></p></r>", Options{},
			[]string{`1 ERR field "n": invalid UTF-8 (byte 0xE9): the file seems to be in another encoding (set encoding, e.g. windows-1252) (at byte offset 12)`, `1 {"n":"2"}`}},
		{"byte windows-1252 leaves undefined", "<?xml version=\"1.0\" encoding=\"windows-1252\"?><r><p><n>\x81</n></p><p><n>\x80</n></p></r>", Options{},
			[]string{`1 ERR field "n": byte 0x81 is not a character in windows-1252 (at byte offset 54)`, `1 {"n":"€"}`}},
		{"lone surrogate in UTF-16", utf16("<r><p><n>") + "\x00\xD8" + utf16("</n></p><p><n>2</n></p></r>")[2:], Options{},
			[]string{`1 ERR field "n": a lone UTF-16 surrogate U+D800, which is not a character (at byte offset 9)`, `1 {"n":"2"}`}},
		{"text over the limit", "<r><p><n>" + long + "</n></p><p><n>2</n></p></r>", Options{Limits: small},
			[]string{`1 ERR the text on line 1 is 5120 bytes, larger than the limit of 4096 bytes (too large)`, `1 {"n":"2"}`}},
		{"CDATA over the limit", "<r><p><n><![CDATA[" + long + "]]></n></p><p><n>2</n></p></r>", Options{Limits: small},
			[]string{`1 ERR the text on line 1 is 5120 bytes, larger than the limit of 4096 bytes (too large)`, `1 {"n":"2"}`}},
		{"text and CDATA together over the limit", "<r><p><n>" + long[:3<<10] + "<![CDATA[" + long[:3<<10] + "]]></n></p><p><n>2</n></p></r>", Options{Limits: small},
			[]string{`1 ERR the text of <n> is larger than the limit of 4096 bytes (too large)`, `1 {"n":"2"}`}},
		{"cut text with lines keeps line numbers", "<r>\n<p><n>" + lines + "</n></p>\n<p><n>2</n></p></r>", Options{Limits: small},
			[]string{`2 ERR the text on line 2 is 6144 bytes, larger than the limit of 4096 bytes (too large)`, fmt.Sprintf(`%d {"n":"2"}`, 3+3<<10)}},
		{"record over the limit", "<r><p>" + strings.Repeat("<n>"+long[:3<<10]+"</n>", 30) + "</p><p><n>2</n></p></r>", Options{Limits: small},
			[]string{`1 ERR record larger than the limit of 65536 bytes (too large)`, `1 {"n":"2"}`}},
		// the error names the field: nested elements, an attribute of one,
		// the record's own text
		{"control character deep in the record", "<r><p><sku>1</sku><Note><Text>a\x01</Text></Note></p><p><sku>2</sku></p></r>", Options{},
			[]string{`1 ERR field "Note.Text": the control character U+0001, which XML does not allow (at byte offset 31)`, `1 {"sku":"2"}`}},
		{"control character in a nested attribute", "<r><p><sku>1</sku><Note lang=\"n\x02l\">x</Note></p><p><sku>2</sku></p></r>", Options{},
			[]string{`1 ERR field "Note.@lang": the control character U+0002, which XML does not allow (at byte offset 31)`, `1 {"sku":"2"}`}},
		{"control character in a record of text", "<r><sku>a\x03</sku><sku>2</sku></r>", Options{},
			[]string{`1 ERR field "#text": the control character U+0003, which XML does not allow (at byte offset 9)`, `1 {"#text":"2"}`}},
		{"bad character outside records", "<r a=\"\x01\"><!-- \x00 --><p><n>1</n></p></r>", Options{}, []string{`1 {"n":"1"}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := collect(t, strings.NewReader(tt.in), tt.opts)
			if err != nil {
				t.Fatalf("error: %v (got %q)", err, got)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// utf16BE is s in UTF-16BE, without a BOM.
func utf16BE(s string) string {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r>>8), byte(r))
	}
	return string(b)
}

func utf16(s string) string {
	b := []byte{0xFF, 0xFE}
	for _, r := range s {
		b = append(b, byte(r), byte(r>>8))
	}
	return string(b)
}

// TestHugeItems checks that text many times the limits fails its record
// alone while reading allocates a small part of it, and that markup over
// the record limit ends the file after reading little more than the limit.
func TestHugeItems(t *testing.T) {
	const huge = 32 << 20
	text := &codectest.Generated{Prefix: "<r><p><n>", Fill: 'x', N: huge, Suffix: "</n></p><p><n>2</n></p></r>"}
	var got []string
	var err error
	alloc := codectest.Allocated(func() { got, err = collect(t, text, Options{Limits: small}) })
	want := fmt.Sprintf(`1 ERR the text on line 1 is %d bytes, larger than the limit of 4096 bytes (too large)|1 {"n":"2"}`, huge)
	if err != nil || strings.Join(got, "|") != want {
		t.Fatalf("got %q, %v; want %q", got, err, want)
	}
	if alloc > uint64(text.Taken/4) {
		t.Fatalf("reading %d bytes allocated %d bytes", text.Taken, alloc)
	}
	for _, prefix := range []string{"<r><!--", "<r><p a=\"", "<r><?pi ", "<!DOCTYPE r [", "<r"} {
		in := &codectest.Generated{Prefix: prefix, Fill: 'x', N: 2 << 30}
		_, err := collect(t, in, Options{Limits: small})
		if !errors.Is(err, codec.ErrTooLarge) || !strings.Contains(err.Error(), "larger than the limit of 65536 bytes") {
			t.Fatalf("%s...: err = %v", prefix, err)
		}
		if in.Taken > 1<<20 {
			t.Fatalf("%s...: read %d bytes before failing", prefix, in.Taken)
		}
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	enc := NewEncoder(&buf, EncoderOptions{Root: "Orders", Record: "Order", Indent: true})
	recs := []map[string]any{
		{"@id": "1", "Number": "SO-1", "Line": []any{map[string]any{"Sku": "A1", "Qty": json.Number("2")}, map[string]any{"Sku": "A2", "Qty": 1}}},
		{"@id": "2", "Number": "SO-<2>&", "Note": map[string]any{"@lang": "nl", "#text": "hallo"}},
	}
	for _, r := range recs {
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := collect(t, &buf, Options{RecordPath: "/Orders/Order"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`3 {"@id":"1","Line":[{"Qty":"2","Sku":"A1"},{"Qty":"1","Sku":"A2"}],"Number":"SO-1"}`,
		`14 {"@id":"2","Note":{"#text":"hallo","@lang":"nl"},"Number":"SO-\u003c2\u003e\u0026"}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s", strings.Join(got, "\n"))
	}
}

func TestEncodeEmptyAndBadName(t *testing.T) {
	var buf bytes.Buffer
	enc := NewEncoder(&buf, EncoderOptions{})
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "<Records></Records>") {
		t.Fatalf("got %q", buf.String())
	}
	enc = NewEncoder(io.Discard, EncoderOptions{})
	if err := enc.Encode(map[string]any{"bad name": 1}); err == nil {
		t.Fatal("want an error for an invalid element name")
	}
}

// TestRecordPathNotFound checks that a file in which the record path's
// elements never occur fails, as a JSON file without its path does, while
// a file that has the records' parent without records is empty.
func TestRecordPathNotFound(t *testing.T) {
	tests := []struct {
		name, path, in string
		want           int    // records read
		err            string // "" when the file ends cleanly
	}{
		{"root of another name", "/Stock/Item", `<Inventory><Row><Sku>A</Sku></Row></Inventory>`, 0,
			"xml: record path /Stock/Item not found: the file has no element /Stock (its root element is <Inventory>)"},
		{"parent missing deeper", "/Feed/Stock/Item", `<Feed><Other><Item/></Other></Feed>`, 0,
			"xml: record path /Feed/Stock/Item not found: the file has no element /Feed/Stock (its root element is <Feed>)"},
		{"record path of the root alone", "/Product", `<Products><Product/></Products>`, 0,
			"xml: record path /Product not found: the file has no element /Product (its root element is <Products>)"},
		{"parent without records", "/Stock/Item", `<Stock></Stock>`, 0, ""},
		{"parent with other children", "/Stock/Item", `<Stock><GeneratedAt>today</GeneratedAt></Stock>`, 0, ""},
		{"parent deeper without records", "/Feed/Stock/Item", `<Feed><Header/><Stock/></Feed>`, 0, ""},
		{"parent found in a second branch", "/Feed/Stock/Item", `<Feed><Other/><Stock><Item/></Stock></Feed>`, 1, ""},
		{"the root as the record", "/Product", `<Product><Sku>A</Sku></Product>`, 1, ""},
		{"default path on an empty root", "", `<Records/>`, 0, ""},
		{"wildcard root", "/*/Item", `<Anything/>`, 0, ""},
		{"records found", "/Stock/Item", `<Stock><Item/><Item/></Stock>`, 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := collect(t, strings.NewReader(tt.in), Options{RecordPath: tt.path})
			switch {
			case tt.err == "" && err != nil:
				t.Fatalf("err = %v, want none", err)
			case tt.err != "" && (err == nil || err.Error() != tt.err):
				t.Fatalf("err = %v, want %q", err, tt.err)
			case len(got) != tt.want:
				t.Fatalf("read %q, want %d records", got, tt.want)
			}
		})
	}
}

// TestEncodeBadRecordFailsAlone checks that a record the encoder cannot
// write fails with the field and the cause, writes nothing, and leaves
// the file whole for the records around it, indented or not.
func TestEncodeBadRecordFailsAlone(t *testing.T) {
	tests := []struct {
		name string
		rec  map[string]any
		want string
	}{
		{"element name with a space", map[string]any{"Sku": "B", "Zz Extra": "x"}, `field "Zz Extra": "Zz Extra" is not a valid element name`},
		{"nested element name", map[string]any{"Sku": "B", "attributes": map[string]any{"color name": "red"}},
			`field "attributes.color name": "color name" is not a valid element name`},
		{"element name in a list", map[string]any{"Line": []any{map[string]any{"ok": 1}, map[string]any{"1st": 2}}},
			`field "Line[1].1st": "1st" is not a valid element name`},
		{"attribute name", map[string]any{"Sku": "B", "@a b": "x"}, `field "@a b": "a b" is not a valid attribute name`},
		{"control character in text", map[string]any{"Sku": "B", "name": "ctrl\x01char"}, `field "name": U+0001 cannot be written in XML`},
		{"control character deep in the record", map[string]any{"Sku": "B", "Note": map[string]any{"#text": "a\x1fb"}},
			`field "Note.#text": U+001F cannot be written in XML`},
		{"control character in an attribute", map[string]any{"@code": "\x0b", "Sku": "B"}, `field "@code": U+000B cannot be written in XML`},
		{"NUL", map[string]any{"Sku": "B\x00"}, `field "Sku": U+0000 cannot be written in XML`},
		{"not a character", map[string]any{"Sku": "B\uFFFE"}, `field "Sku": U+FFFE cannot be written in XML`},
		{"invalid UTF-8", map[string]any{"Sku": "B\xff"}, `field "Sku": byte 0xFF is not UTF-8 and cannot be written in XML`},
	}
	for _, tt := range tests {
		for _, indent := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s indent %v", tt.name, indent), func(t *testing.T) {
				var buf bytes.Buffer
				enc := NewEncoder(&buf, EncoderOptions{Root: "Products", Record: "Product", Indent: indent})
				if err := enc.Encode(map[string]any{"Sku": "A", "Tab": "a\tb\uFFFD"}); err != nil {
					t.Fatal(err)
				}
				err := enc.Encode(tt.rec)
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("err = %v, want %q", err, tt.want)
				}
				if err := enc.Encode(map[string]any{"Sku": "C"}); err != nil {
					t.Fatalf("the record after the bad one: %v", err)
				}
				if err := enc.Close(); err != nil {
					t.Fatalf("Close: %v", err)
				}
				got, err := collect(t, &buf, Options{RecordPath: "/Products/Product"})
				if err != nil {
					t.Fatalf("reading the file back: %v\n%s", err, buf.String())
				}
				if len(got) != 2 || !strings.Contains(got[0], "\"Sku\":\"A\",\"Tab\":\"a\\tb\uFFFD\"") || !strings.Contains(got[1], `{"Sku":"C"}`) {
					t.Fatalf("read back %q", got)
				}
			})
		}
	}
}

// TestAfterTheRoot checks that what a file holds after its root element
// ends is never passed over in silence: elements or text there end the
// file with an error after the records before, while white space,
// comments and processing instructions are fine.
func TestAfterTheRoot(t *testing.T) {
	tests := []struct {
		name string
		in   string
		opts Options
		want []string
		err  string
	}{
		{"records after the root", "<Orders><Order><n>1</n></Order></Orders>\n<Order><n>2</n></Order>", Options{RecordPath: "/Orders/Order"},
			[]string{`1 {"n":"1"}`}, "xml: line 2: <Order> after the end of the root element <Orders>: an XML file has one root element"},
		{"a second document", "<r><p><n>1</n></p></r><r><p><n>2</n></p></r>", Options{},
			[]string{`1 {"n":"1"}`}, "<r> after the end of the root element <r>"},
		{"text after the root", "<r><p><n>1</n></p></r>\n2;x", Options{},
			[]string{`1 {"n":"1"}`}, "xml: line 2: text after the end of the root element <r>"},
		{"the root is the record", "<p><n>1</n></p><p><n>2</n></p>", Options{RecordPath: "/p"},
			[]string{`1 {"n":"1"}`}, "<p> after the end of the root element <p>"},
		{"white space, comments and instructions", "<r><p><n>1</n></p></r>\n<!-- end -->\n<?done?>\n", Options{},
			[]string{`1 {"n":"1"}`}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := collect(t, strings.NewReader(tt.in), tt.opts)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			switch {
			case tt.err == "" && err != nil:
				t.Fatalf("error: %v", err)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Fatalf("err = %v, want it to mention %q", err, tt.err)
			}
		})
	}
}
