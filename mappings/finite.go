package mappings

import (
	"errors"
	"math"
)

// errNotFinite is the error of a float NaN or infinity an expression made
// (float("NaN"), 2 ** 2000): no JSON, CSV or XML record can hold one.
var errNotFinite = errors.New("not a finite number (NaN or an infinity); " +
	"use exact decimals (dec, num) instead of float and **")

// finite returns errNotFinite when v, or a value in the lists and objects
// v holds, is a float NaN or infinity.
func finite(v any) error {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return errNotFinite
		}
	case float32:
		return finite(float64(x))
	case []any:
		for _, e := range x {
			if err := finite(e); err != nil {
				return err
			}
		}
	case map[string]any:
		for _, e := range x {
			if err := finite(e); err != nil {
				return err
			}
		}
	}
	return nil
}
