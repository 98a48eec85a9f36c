package mappings

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/expr-lang/expr/vm/runtime"
	"github.com/switchboard-app/switchboard/mappings/decimal"
)

// Operators rewritten to decimal-aware functions at compile time (see patch.go).
var binaryOps = map[string]string{
	"+": "_add", "-": "_sub", "*": "_mul", "/": "_div", "%": "_mod",
	"<": "_lt", ">": "_gt", "<=": "_le", ">=": "_ge", "==": "_eq", "!=": "_ne",
}

var opFuncs = map[string]func(args ...any) (any, error){
	"_add": opAdd, "_sub": arith((decimal.Decimal).Sub), "_mul": arith((decimal.Decimal).Mul),
	"_div": arith((decimal.Decimal).Div), "_mod": arith(mod),
	"_lt": compare(func(c int) bool { return c < 0 }), "_gt": compare(func(c int) bool { return c > 0 }),
	"_le": compare(func(c int) bool { return c <= 0 }), "_ge": compare(func(c int) bool { return c >= 0 }),
	"_eq": opEq, "_ne": opNe, "_neg": opNeg, "_get": opGet,
}

// opGet reads a member or an element: nil-safe, without reflection for
// JSON-shaped data, and nil for an index out of range (negative counts from the end).
func opGet(args ...any) (any, error) { return get(args[0], args[1]) }

// get is opGet of one member or element.
func get(from, key any) (any, error) {
	switch x := from.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		if k, ok := key.(string); ok {
			return x[k], nil
		}
	case []any:
		if i, ok := key.(int); ok {
			if i < 0 {
				i += len(x)
			}
			if i < 0 || i >= len(x) {
				return nil, nil
			}
			return x[i], nil
		}
	}
	return fetch(from, key)
}

// fetch is expr's own member access, for other Go types.
func fetch(from, key any) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, fmt.Errorf("%v", r)
		}
	}()
	return runtime.Fetch(from, key), nil
}

// toDec converts an operand; a nil operand is an error naming the operator side.
func toDec(v any) (decimal.Decimal, error) {
	if v == nil {
		return decimal.Decimal{}, fmt.Errorf("cannot use nil in arithmetic (use coalesce or ??)")
	}
	return decimal.FromAny(v)
}

func arith(op func(a, b decimal.Decimal) (decimal.Decimal, error)) func(args ...any) (any, error) {
	return boxed(arithDec(op))
}

// decFunc is a function whose result is a decimal (ok) or nil (!ok),
// returned without boxing; see decimalArgs in closure.go.
type decFunc func(args ...any) (d decimal.Decimal, ok bool, err error)

// boxed is f returning its result as an any.
func boxed(f decFunc) func(args ...any) (any, error) {
	return func(args ...any) (any, error) {
		d, ok, err := f(args...)
		if err != nil || !ok {
			return nil, err
		}
		return d, nil
	}
}

func arithDec(op func(a, b decimal.Decimal) (decimal.Decimal, error)) decFunc {
	return func(args ...any) (decimal.Decimal, bool, error) {
		a, err := toDec(args[0])
		if err != nil {
			return a, false, err
		}
		b, err := toDec(args[1])
		if err != nil {
			return b, false, err
		}
		d, err := op(a, b)
		return d, true, err
	}
}

// decOps are the operators with a decFunc.
var decOps = map[string]decFunc{
	"_sub": arithDec((decimal.Decimal).Sub), "_mul": arithDec((decimal.Decimal).Mul),
	"_div": arithDec((decimal.Decimal).Div), "_mod": arithDec(mod),
}

func mod(a, b decimal.Decimal) (decimal.Decimal, error) {
	q, err := a.Div(b)
	if err != nil {
		return q, err
	}
	q, _ = q.Round(0, decimal.Down)
	p, err := q.Mul(b)
	if err != nil {
		return p, err
	}
	return a.Sub(p)
}

// opAdd adds numbers, or concatenates when both sides are text (or lists).
func opAdd(args ...any) (any, error) {
	a, b := args[0], args[1]
	if sa, ok := a.(string); ok {
		if sb, ok := b.(string); ok {
			if err := makeText(len(sa) + len(sb)); err != nil {
				return nil, err
			}
			return sa + sb, nil
		}
	}
	if la, ok := a.([]any); ok {
		if lb, ok := b.([]any); ok {
			if err := addLists(len(la), len(lb)); err != nil {
				return nil, err
			}
			return append(append(make([]any, 0, len(la)+len(lb)), la...), lb...), nil
		}
	}
	if ta, ok := a.(time.Time); ok {
		if d, ok := b.(time.Duration); ok {
			return ta.Add(d), nil
		}
	}
	return arith((decimal.Decimal).Add)(a, b)
}

func opNeg(args ...any) (any, error) {
	d, err := toDec(args[0])
	if err != nil {
		return nil, err
	}
	return d.Neg(), nil
}

// numeric reports whether v takes part in numeric comparison.
func numeric(v any) bool { return decimal.IsNumber(v) }

func compare(ok func(int) bool) func(args ...any) (any, error) {
	return func(args ...any) (any, error) {
		c, err := cmp(args[0], args[1])
		if err != nil {
			return nil, err
		}
		return ok(c), nil
	}
}

// cmp orders numbers numerically, texts lexically and times chronologically;
// a number against a numeric text compares as numbers, a time against a
// time's text as times.
func cmp(a, b any) (int, error) {
	if sa, ok := a.(string); ok {
		if sb, ok := b.(string); ok {
			return strings.Compare(sa, sb), nil
		}
	}
	if ta, tb, ok := times(a, b); ok {
		return ta.Compare(tb), nil
	}
	if a == nil || b == nil {
		return 0, fmt.Errorf("cannot compare %s with %s", typeName(a), typeName(b))
	}
	da, err := decimal.FromAny(a)
	if err != nil {
		return 0, fmt.Errorf("cannot compare %s with %s", typeName(a), typeName(b))
	}
	db, err := decimal.FromAny(b)
	if err != nil {
		return 0, fmt.Errorf("cannot compare %s with %s", typeName(a), typeName(b))
	}
	return da.Cmp(db), nil
}

// times reads a and b as times when one is a time and the other a time
// or a text argTime reads (RFC 3339, or a date as midnight UTC), so that
// ordered_at < "2024-01-01" compares.
func times(a, b any) (time.Time, time.Time, bool) {
	ta, okA := a.(time.Time)
	tb, okB := b.(time.Time)
	if okA == okB {
		return ta, tb, okA
	}
	var err error
	if sb, ok := b.(string); okA && ok {
		tb, err = argTime(sb)
		return ta, tb, err == nil
	}
	if sa, ok := a.(string); okB && ok {
		ta, err = argTime(sa)
		return ta, tb, err == nil
	}
	return ta, tb, false
}

func opEq(args ...any) (any, error) { return equal(args[0], args[1]), nil }

func opNe(args ...any) (any, error) { return !equal(args[0], args[1]), nil }

// equal compares numbers by value (1.50 == 1.5 == json.Number("1.5")),
// a number against a numeric text as numbers too, as < and > do (a
// quantity of 0 == "0"), and everything else like expr does.
func equal(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if numeric(a) && numeric(b) {
		c, err := cmp(a, b)
		return err == nil && c == 0
	}
	if numeric(a) || numeric(b) {
		if c, err := cmp(a, b); err == nil {
			return c == 0
		}
	}
	if n, ok := a.(json.Number); ok {
		a = string(n)
	}
	if n, ok := b.(json.Number); ok {
		b = string(n)
	}
	switch x := a.(type) {
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y)
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	}
	return reflect.DeepEqual(a, b)
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "nil"
	case decimal.Decimal, *decimal.Decimal, json.Number:
		return "number"
	case string:
		return "text"
	case map[string]any:
		return "object"
	case []any:
		return "list"
	}
	return fmt.Sprintf("%T", v)
}
