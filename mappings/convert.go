package mappings

import (
	"fmt"

	"github.com/switchboard-app/switchboard/mappings/decimal"
)

// expr-lang's int() and float() know Go's numbers only: on the decimals of
// the canonical model (and json.Number) they failed with "internal error",
// int() of a float too large gave -9223372036854775808, and float("NaN")
// made a value no record can hold. These stand in for them.
func init() {
	guardedBuiltins["int"] = builtinInt
	guardedBuiltins["float"] = builtinFloat
}

// builtinInt is expr's int(): a number or numeric text cut toward zero to
// a whole number; nil stays nil.
func builtinInt(args ...any) (any, error) {
	d, ok, err := convertArg("int", args)
	if err != nil || !ok {
		return nil, err
	}
	if d, err = d.Round(0, decimal.Down); err != nil {
		return nil, fmt.Errorf("int: %w", err)
	}
	return int(d.Int64()), nil
}

// builtinFloat is expr's float(): a number or numeric text as a float;
// nil stays nil.
func builtinFloat(args ...any) (any, error) {
	d, ok, err := convertArg("float", args)
	if err != nil || !ok {
		return nil, err
	}
	return d.Float64(), nil
}

// convertArg reads the one argument of int() or float() as a decimal; ok
// is false for nil.
func convertArg(name string, args []any) (decimal.Decimal, bool, error) {
	if len(args) != 1 {
		return decimal.Zero, false, fmt.Errorf("%s takes one argument, not %d", name, len(args))
	}
	if args[0] == nil {
		return decimal.Zero, false, nil
	}
	d, err := decimal.FromAny(args[0])
	if err != nil {
		return d, false, fmt.Errorf("%s: %w", name, err)
	}
	return d, true, nil
}
