package decimal

import (
	"encoding/json"
	"fmt"
	"math"
)

// FromAny converts a value found in a record to a decimal: a Decimal, any Go
// integer, a json.Number, a numeric string, or (by its shortest representation)
// a float. Anything else is an error naming the value.
func FromAny(v any) (Decimal, error) {
	switch x := v.(type) {
	case Decimal:
		return x, nil
	case *Decimal:
		if x == nil {
			break
		}
		return *x, nil
	case int:
		return FromInt(int64(x)), nil
	case int64:
		return FromInt(x), nil
	case int32:
		return FromInt(int64(x)), nil
	case uint:
		return fromUint(uint64(x))
	case uint64:
		return fromUint(x)
	case uint32:
		return FromInt(int64(x)), nil
	case int16, int8, uint16, uint8:
		return FromAny(toInt(x))
	case json.Number:
		return Parse(string(x))
	case string:
		return Parse(x)
	case float64:
		return FromFloat(x)
	case float32:
		return FromFloat(float64(x))
	}
	return Decimal{}, fmt.Errorf("cannot use %s as decimal", describe(v))
}

func toInt(v any) int {
	switch x := v.(type) {
	case int16:
		return int(x)
	case int8:
		return int(x)
	case uint16:
		return int(x)
	case uint8:
		return int(x)
	}
	return 0
}

func fromUint(u uint64) (Decimal, error) {
	if u > math.MaxInt64 {
		return Decimal{}, ErrOverflow
	}
	return FromInt(int64(u)), nil
}

// IsNumber reports whether v is a numeric Go value, a Decimal or a json.Number
// (not a string that merely looks numeric).
func IsNumber(v any) bool {
	switch v.(type) {
	case Decimal, json.Number, int, int64, int32, int16, int8,
		uint, uint64, uint32, uint16, uint8, float64, float32:
		return true
	}
	return false
}

func describe(v any) string {
	if v == nil {
		return "nil"
	}
	s := fmt.Sprintf("%v", v)
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return fmt.Sprintf("%T %q", v, s)
}
