package mappings

import (
	"errors"
	"fmt"
	"runtime/metrics"
	"strings"
	"sync/atomic"

	"github.com/expr-lang/expr/builtin"
)

// Limits on what an expression makes, so that a mapping or rule (a
// mistaken one, or an editor's on purpose) fails its record instead of
// exhausting the appliance's memory: a few nested calls can ask for far
// more than any machine holds (replacing "" by a long text multiplies
// lengths, so three nested replaces asked for a terabyte), and Go cannot
// recover from running out of memory.
const (
	// maxText bounds the text one step makes: a function's result, texts
	// or lists added with "+", a list or object turned into text.
	maxText = 4 << 20
	// maxList bounds the elements of a list made by adding lists.
	maxList = 1 << 20
	// countedText is the length from which a text made counts towards
	// heapCheckEvery: shorter ones are too cheap to count.
	countedText = 256
)

// heapCheckEvery is how many bytes of text expressions make, all of them
// together, between two readings of the heap (heapLimit). A variable for
// the tests.
var heapCheckEvery int64 = 16 << 20

// heapLimit is the Go heap beyond which expressions make no more long
// texts: a mapping that keeps many of them (one for each of a million
// elements) fails its record once the appliance holds this much, long
// before the machine runs out. The appliance's own heap stays near 100 MB
// under load (docs/performance.md). A variable for the tests.
var heapLimit uint64 = 1 << 30

// textMade counts the bytes of text made since the heap was last read.
var textMade atomic.Int64

// errHeapFull is the error of a text made while the heap is over heapLimit.
var errHeapFull = errors.New("the expressions hold too much text in memory already " +
	"(a list of many long texts?); the record cannot be mapped")

// limitError is a limit an expression ran into.
type limitError struct{ msg string }

func (e *limitError) Error() string { return e.msg }

// overLimit stands for a length over maxText that is not worked out (it
// could overflow an int).
const overLimit = -1

// tooLong is the error of a text of n bytes (or overLimit), over maxText.
func tooLong(n int) error {
	if n < 0 {
		return &limitError{fmt.Sprintf("the text would be longer than the limit of %d bytes", maxText)}
	}
	return &limitError{fmt.Sprintf("the text would be %d bytes long, over the limit of %d", n, maxText)}
}

// makeText reports whether a text of n bytes may be made: not over
// maxText, and not while the heap is over heapLimit.
func makeText(n int) error {
	if n > maxText || n < 0 {
		return tooLong(n)
	}
	if n < countedText {
		return nil
	}
	return countMade(n)
}

// countMade counts n bytes made towards heapCheckEvery, and refuses them
// while the heap is over heapLimit.
func countMade(n int) error {
	if textMade.Add(int64(n)) < heapCheckEvery {
		return nil
	}
	textMade.Store(0)
	if heapObjects() > heapLimit {
		return &limitError{errHeapFull.Error()}
	}
	return nil
}

// listEntry is about the bytes an element of a list of texts takes: the
// interface and the text's header.
const listEntry = 32

// makeList reports whether a list of n elements may be made: not over
// maxList, and not while the heap is over heapLimit.
func makeList(n int) error {
	if err := addLists(n, 0); err != nil {
		return err
	}
	return countMade(n * listEntry)
}

// heapObjects reads the bytes the heap's live and not yet swept objects
// take, without stopping the world.
func heapObjects() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return sample[0].Value.Uint64()
}

// addLists reports whether lists of a and b elements may be added.
func addLists(a, b int) error {
	if a+b > maxList {
		return &limitError{fmt.Sprintf("the list would have %d elements, over the limit of %d", a+b, maxList)}
	}
	return nil
}

// printedSize is about how long the text of v is (as fmt or JSON prints
// it), counted up to limit and a little past it: a list that holds one
// long text a million times prints a million copies.
func printedSize(v any, limit int) int {
	switch x := v.(type) {
	case string:
		return len(x) + 2
	case []any:
		n := 2
		for _, e := range x {
			if n += printedSize(e, limit-n) + 1; n > limit {
				return n
			}
		}
		return n
	case map[string]any:
		n := 2
		for k, e := range x {
			if n += len(k) + 4 + printedSize(e, limit-n); n > limit {
				return n
			}
		}
		return n
	default:
		return 32
	}
}

// checkPrinted returns the error of turning v into text, when that text
// would be over maxText.
func checkPrinted(v any) error {
	switch v.(type) {
	case []any, map[string]any:
		if n := printedSize(v, maxText); n > maxText {
			return tooLong(n)
		}
	}
	return nil
}

// guardedBuiltins stand in for expr's builtins (int and float: convert.go) that can make a text far
// longer than their arguments' own: repeat, and string and toJSON of a
// list that holds one long text many times.
var guardedBuiltins = map[string]func(args ...any) (any, error){
	"repeat": guardedRepeat,
	"string": guardedPrint("string"),
	"toJSON": guardedPrint("toJSON"),
}

// guardedRepeat is expr's repeat, with the length of its result checked
// before it is made.
func guardedRepeat(args ...any) (any, error) {
	if len(args) != 2 {
		return nil, fmt.Errorf("repeat takes a text and a count, not %d arguments", len(args))
	}
	s, ok := args[0].(string)
	if !ok {
		return nil, fmt.Errorf("repeat: %s is not a text", Show(args[0]))
	}
	n, err := argInt(args[1], "the count")
	if err != nil || n < 0 {
		return nil, fmt.Errorf("repeat: the count must be a whole number from 0, not %s", Show(args[1]))
	}
	if n > 0 && len(s) > maxText/n {
		return nil, tooLong(overLimit)
	}
	if err := makeText(len(s) * n); err != nil {
		return nil, err
	}
	return strings.Repeat(s, n), nil
}

// guardedPrint is the builtin that turns its one argument into text, with
// the text's length estimated before it is made.
func guardedPrint(name string) func(args ...any) (any, error) {
	b := builtin.Builtins[builtin.Index[name]]
	call := b.Func
	if call == nil {
		fast := b.Fast
		call = func(args ...any) (any, error) { return fast(args[0]), nil }
	}
	return func(args ...any) (any, error) {
		if len(args) != 1 {
			return nil, fmt.Errorf("%s takes one argument, not %d", name, len(args))
		}
		if err := checkPrinted(args[0]); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out, err := call(args...)
		if err == nil {
			err = madeText(out)
		}
		return out, err
	}
}
