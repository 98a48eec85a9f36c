package mappings

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/switchboard-app/switchboard/mappings/decimal"
)

// Function is one function of the expression library, with its documentation
// and examples. Every example is run by a test, and docs/mappings.md must
// mention every function, so the reference cannot drift.
type Function struct {
	Name      string
	Group     string // text, number, date, lookup
	Signature string // e.g. "pad_left(s, width, [char])"
	Doc       string
	MinArgs   int
	MaxArgs   int // -1: variadic
	Examples  []Example

	fn      func(args ...any) (any, error)
	withEnv func(c *compiler) func(args ...any) (any, error) // for functions that need the flow's tables or business zone
	dec     decFunc                                          // fn without boxing its decimal result, if it has one
}

// Example is an expression, the record it runs on and its result as [Show] prints it.
type Example struct {
	Expr  string
	Input map[string]any
	Want  string
}

// Tables are a flow's named lookup tables: table name -> key -> value.
type Tables map[string]map[string]string

var registry = map[string]*Function{}

// register adds functions to the library; names must be unique.
func register(fs ...*Function) {
	for _, f := range fs {
		if _, dup := registry[f.Name]; dup {
			panic("mappings: function registered twice: " + f.Name)
		}
		registry[f.Name] = f
	}
}

// Functions returns the function library sorted by group and name.
func Functions() []*Function {
	out := make([]*Function, 0, len(registry))
	for _, f := range registry {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Group != out[j].Group {
			return out[i].Group < out[j].Group
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// bound returns f's implementation bound to the flow c compiles (its
// tables, its business zone), with errors prefixed by its name.
func (f *Function) bound(c *compiler) func(args ...any) (any, error) {
	fn := f.fn
	if f.withEnv != nil {
		fn = f.withEnv(c)
	}
	name := f.Name
	return func(args ...any) (any, error) {
		for _, a := range args {
			if err := checkPrinted(a); err != nil { // text would give tooLongToShow
				return nil, fmt.Errorf("%s: %w", name, err)
			}
		}
		out, err := fn(args...)
		if err == nil {
			err = madeText(out)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return out, nil
	}
}

// madeText counts a function's long text result towards the heap's
// check (makeText); the functions that could make one over maxText check
// its length before they make it.
func madeText(out any) error {
	if s, ok := out.(string); ok && len(s) >= countedText {
		return makeText(len(s))
	}
	return nil
}

// boundDec is f.dec with errors prefixed by its name, as bound does.
func (f *Function) boundDec() decFunc {
	dec, name := f.dec, f.Name
	return func(args ...any) (decimal.Decimal, bool, error) {
		d, ok, err := dec(args...)
		if err != nil {
			return d, false, fmt.Errorf("%s: %w", name, err)
		}
		return d, ok, nil
	}
}

// option returns the expr option that declares f, bound to the flow c
// compiles (nil for a function without withEnv).
func (f *Function) option(c *compiler) expr.Option {
	return expr.Function(f.Name, f.bound(c), f.types()...)
}

var anyType = reflect.TypeFor[any]()

// types lists one signature per allowed argument count, so expr checks the
// number of arguments at compile time.
func (f *Function) types() []any {
	if f.MaxArgs < 0 {
		ins := make([]reflect.Type, f.MinArgs+1)
		for i := range ins {
			ins[i] = anyType
		}
		ins[f.MinArgs] = reflect.TypeFor[[]any]()
		return []any{reflect.New(reflect.FuncOf(ins, []reflect.Type{anyType}, true)).Interface()}
	}
	var ts []any
	for n := f.MinArgs; n <= f.MaxArgs; n++ {
		ins := make([]reflect.Type, n)
		for i := range ins {
			ins[i] = anyType
		}
		ts = append(ts, reflect.New(reflect.FuncOf(ins, []reflect.Type{anyType}, false)).Interface())
	}
	return ts
}

// Show formats a value the way examples and the preview print it: text
// quoted, decimals and numbers bare, times in RFC 3339, lists and objects in
// JSON-like form with sorted keys.
func Show(v any) string {
	var b strings.Builder
	show(&b, v)
	return b.String()
}

func show(b *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("nil")
	case string:
		b.WriteString(strconv.Quote(x))
	case decimal.Decimal:
		b.WriteString(x.String())
	case json.Number:
		b.WriteString(string(x))
	case time.Time:
		b.WriteString(x.Format(time.RFC3339Nano))
	case []any:
		showList(b, x)
	case map[string]any:
		showMap(b, x)
	default:
		fmt.Fprint(b, x)
	}
}

func showList(b *strings.Builder, l []any) {
	b.WriteByte('[')
	for i, e := range l {
		if i > 0 {
			b.WriteString(", ")
		}
		show(b, e)
	}
	b.WriteByte(']')
}

func showMap(b *strings.Builder, m map[string]any) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k + ": ")
		show(b, m[k])
	}
	b.WriteByte('}')
}
