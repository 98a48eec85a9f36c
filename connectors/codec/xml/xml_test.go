package xml

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors/codec"
)

func collect(t *testing.T, in io.Reader, opts Options) ([]string, error) {
	t.Helper()
	d, err := NewDecoder(in, opts)
	if err != nil {
		return nil, err
	}
	var out []string
	for {
		rec, line, err := d.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		b, _ := json.Marshal(rec)
		out = append(out, fmt.Sprintf("%d %s", line, b))
	}
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

// endless yields prefix, then fill repeated up to n bytes in total.
type endless struct {
	prefix []byte
	fill   byte
	n      int64
}

func (e *endless) Read(p []byte) (int, error) {
	if e.n <= 0 {
		return 0, io.EOF
	}
	i := copy(p, e.prefix)
	e.prefix = e.prefix[i:]
	for ; i < len(p) && int64(i) < e.n; i++ {
		p[i] = e.fill
	}
	e.n -= int64(i)
	return i, nil
}

func TestHostile(t *testing.T) {
	deep := strings.Repeat("<a>", 200) + strings.Repeat("</a>", 200)
	tests := []struct {
		name string
		in   io.Reader
		opts Options
		want string
		is   error
	}{
		{"billion laughs", strings.NewReader(billionLaughs), Options{}, "line 7: the DOCTYPE declares entities", ErrEntities},
		{"undeclared entity", strings.NewReader(`<r><p>&x;</p></r>`), Options{}, "invalid character entity &x;", nil},
		{"truncated", strings.NewReader(`<r><p><n>1</n></p><p><n>2`), Options{}, "the file ends inside <n>", io.ErrUnexpectedEOF},
		{"too deep", strings.NewReader(deep), Options{RecordPath: "/a"}, "nested deeper than 64", nil},
		{"2 GB element text", &endless{prefix: []byte("<r><p><n>"), fill: 'x', n: 2 << 30}, Options{}, "larger than", codec.ErrTooLarge},
		{"2 GB outside records", &endless{prefix: []byte("<r><!--"), fill: 'x', n: 2 << 30}, Options{}, "record larger than", codec.ErrTooLarge},
		{"not xml", strings.NewReader("sku,name\nA1,x\n"), Options{}, "no root element", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := collect(t, tt.in, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Fatalf("err = %v, want errors.Is %v", err, tt.is)
			}
			if time.Since(start) > 5*time.Second {
				t.Fatalf("took %v", time.Since(start))
			}
		})
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
