package mappings

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/switchboard-app/switchboard/mappings/decimal"
	"golang.org/x/text/currency"
)

var hundred = decimal.FromInt(100)

func init() {
	register(
		&Function{Name: "dec", Group: "number", Signature: "dec(x)", MinArgs: 1, MaxArgs: 1,
			Doc: "Converts a number or numeric text (\"12,50\" too) to an exact decimal; nil stays nil.", fn: fnDec,
			Examples: []Example{{Expr: `dec("12,50")`, Want: `12.50`}, {Expr: `dec(qty) * 2`, Input: map[string]any{"qty": json.Number("1.5")}, Want: `3.0`}}},
		&Function{Name: "num", Group: "number", Signature: "num(x)", MinArgs: 1, MaxArgs: 1,
			Doc: "Converts to a JSON number (for native payloads that want numbers, not text); nil stays nil.", fn: fnNum,
			Examples: []Example{{Expr: `num("12.50")`, Want: `12.50`}}},
		&Function{Name: "round", Group: "number", Signature: "round(x, [places])", MinArgs: 1, MaxArgs: 2,
			Doc: "Rounds half-up (commercial rounding) to places decimals (default 0).", fn: rounder(decimal.HalfUp), dec: roundDec(decimal.HalfUp),
			Examples: []Example{{Expr: `round(2.345, 2)`, Want: `2.35`}, {Expr: `round(-2.5)`, Want: `-3`}}},
		&Function{Name: "round_even", Group: "number", Signature: "round_even(x, [places])", MinArgs: 1, MaxArgs: 2,
			Doc: "Rounds half-even (bankers' rounding) to places decimals (default 0).", fn: rounder(decimal.HalfEven), dec: roundDec(decimal.HalfEven),
			Examples: []Example{{Expr: `round_even(2.345, 2)`, Want: `2.34`}, {Expr: `round_even(2.355, 2)`, Want: `2.36`}}},
		&Function{Name: "round_down", Group: "number", Signature: "round_down(x, [places])", MinArgs: 1, MaxArgs: 2,
			Doc: "Cuts off decimals beyond places (rounds toward zero).", fn: rounder(decimal.Down), dec: roundDec(decimal.Down),
			Examples: []Example{{Expr: `round_down(2.349, 2)`, Want: `2.34`}}},
		&Function{Name: "round_to", Group: "number", Signature: "round_to(x, step)", MinArgs: 2, MaxArgs: 2,
			Doc: "Rounds half-up to a multiple of step, e.g. 0.05 for cash.", fn: fnRoundTo,
			Examples: []Example{{Expr: `round_to(1.03, 0.05)`, Want: `1.05`}, {Expr: `round_to(1.02, 0.05)`, Want: `1.00`}}},
		&Function{Name: "abs", Group: "number", Signature: "abs(x)", MinArgs: 1, MaxArgs: 1,
			Doc: "The absolute value.", fn: fnAbs, Examples: []Example{{Expr: `abs(-4.20)`, Want: `4.20`}}},
		&Function{Name: "min", Group: "number", Signature: "min(a, b, ...) or min(list)", MinArgs: 1, MaxArgs: -1,
			Doc: "The smallest number; nil values are ignored.", fn: extreme(-1),
			Examples: []Example{{Expr: `min(3, 1.5, 2)`, Want: `1.5`}, {Expr: `min([4, 2])`, Want: `2`}}},
		&Function{Name: "max", Group: "number", Signature: "max(a, b, ...) or max(list)", MinArgs: 1, MaxArgs: -1,
			Doc: "The largest number; nil values are ignored.", fn: extreme(1),
			Examples: []Example{{Expr: `max(3, 1.5, 2)`, Want: `3`}}},
		&Function{Name: "sum", Group: "number", Signature: "sum(list)", MinArgs: 1, MaxArgs: 1,
			Doc: "Adds the numbers of a list exactly; nil values are ignored.", fn: fnSum,
			Examples: []Example{{Expr: `sum(map(lines, .total))`, Input: map[string]any{"lines": []any{map[string]any{"total": "10.10"}, map[string]any{"total": json.Number("0.20")}}}, Want: `10.30`}}},
		&Function{Name: "percent", Group: "number", Signature: "percent(x, p)", MinArgs: 2, MaxArgs: 2,
			Doc: "p percent of x.", fn: fnPercent, Examples: []Example{{Expr: `percent(250, 10)`, Want: `25`}}},
		&Function{Name: "incl_vat", Group: "number", Signature: "incl_vat(excl, rate)", MinArgs: 2, MaxArgs: 2,
			Doc: "Adds VAT at rate percent to an amount excluding VAT (not rounded).", fn: fnInclVAT,
			Examples: []Example{{Expr: `incl_vat(100, 21)`, Want: `121`}, {Expr: `round(incl_vat(9.99, 9), 2)`, Want: `10.89`}}},
		&Function{Name: "excl_vat", Group: "number", Signature: "excl_vat(incl, rate)", MinArgs: 2, MaxArgs: 2,
			Doc: "Removes VAT at rate percent from an amount including VAT (division keeps 10 extra decimals; round the result).", fn: fnExclVAT, dec: exclVATDec,
			Examples: []Example{{Expr: `excl_vat(121.00, 21)`, Want: `100.00`}, {Expr: `round(excl_vat(10, 21), 2)`, Want: `8.26`}}},
		&Function{Name: "vat", Group: "number", Signature: "vat(excl, rate)", MinArgs: 2, MaxArgs: 2,
			Doc: "The VAT at rate percent on an amount excluding VAT.", fn: fnPercent,
			Examples: []Example{{Expr: `vat(100.00, 21)`, Want: `21.00`}}},
		&Function{Name: "vat_rate", Group: "number", Signature: "vat_rate(excl, incl)", MinArgs: 2, MaxArgs: 2,
			Doc: "The VAT rate in percent, from the amounts excluding and including VAT, rounded to 2 decimals.", fn: fnVATRate,
			Examples: []Example{{Expr: `vat_rate(100, 121)`, Want: `21.00`}, {Expr: `vat_rate(0, 0)`, Want: `0`}}},
		&Function{Name: "from_minor", Group: "number", Signature: "from_minor(amount, currency)", MinArgs: 2, MaxArgs: 2,
			Doc: "Converts an amount in minor units (cents) to a decimal by the currency's ISO 4217 digits.", fn: fnFromMinor,
			Examples: []Example{{Expr: `from_minor(550, "USD")`, Want: `5.50`}, {Expr: `from_minor(550, "JPY")`, Want: `550`}}},
		&Function{Name: "to_minor", Group: "number", Signature: "to_minor(x, currency)", MinArgs: 2, MaxArgs: 2,
			Doc: "Converts a decimal amount to whole minor units (cents), rounding half-up.", fn: fnToMinor,
			Examples: []Example{{Expr: `to_minor(5.505, "EUR")`, Want: `551`}}},
	)
}

func fnDec(args ...any) (any, error) {
	if args[0] == nil {
		return nil, nil
	}
	return decimal.FromAny(args[0])
}

func fnNum(args ...any) (any, error) {
	if args[0] == nil {
		return nil, nil
	}
	d, err := decimal.FromAny(args[0])
	if err != nil {
		return nil, err
	}
	return json.Number(d.String()), nil
}

func rounder(m decimal.Mode) func(args ...any) (any, error) { return boxed(roundDec(m)) }

func roundDec(m decimal.Mode) decFunc {
	return func(args ...any) (decimal.Decimal, bool, error) {
		if args[0] == nil {
			return decimal.Zero, false, nil
		}
		d, err := argDec(args[0], "value")
		if err != nil {
			return d, false, err
		}
		places := 0
		if len(args) == 2 {
			if places, err = argInt(args[1], "places"); err != nil {
				return d, false, err
			}
		}
		d, err = d.Round(places, m)
		return d, true, err
	}
}

func fnRoundTo(args ...any) (any, error) {
	if args[0] == nil {
		return nil, nil
	}
	d, err := argDec(args[0], "value")
	if err != nil {
		return nil, err
	}
	step, err := argDec(args[1], "step")
	if err != nil {
		return nil, err
	}
	return d.RoundStep(step, decimal.HalfUp)
}

func fnAbs(args ...any) (any, error) {
	d, err := argDec(args[0], "value")
	if err != nil {
		return nil, err
	}
	return d.Abs(), nil
}

// numbers flattens arguments (a single list argument is its elements) to decimals, skipping nil.
func numbers(args []any) ([]decimal.Decimal, error) {
	if len(args) == 1 {
		if l, err := argList(args[0]); err == nil {
			args = l
		}
	}
	out := make([]decimal.Decimal, 0, len(args))
	for i, a := range args {
		if a == nil {
			continue
		}
		d, err := argDec(a, fmt.Sprintf("value %d", i+1))
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

func extreme(sign int) func(args ...any) (any, error) {
	return func(args ...any) (any, error) {
		ds, err := numbers(args)
		if err != nil || len(ds) == 0 {
			return nil, err
		}
		best := ds[0]
		for _, d := range ds[1:] {
			if d.Cmp(best) == sign {
				best = d
			}
		}
		return best, nil
	}
}

func fnSum(args ...any) (any, error) {
	if _, err := argList(args[0]); err != nil {
		return nil, err
	}
	ds, err := numbers(args)
	if err != nil {
		return nil, err
	}
	total := decimal.Zero
	for _, d := range ds {
		if total, err = total.Add(d); err != nil {
			return nil, err
		}
	}
	return total, nil
}

func twoDec(args []any, a, b string) (decimal.Decimal, decimal.Decimal, error) {
	x, err := argDec(args[0], a)
	if err != nil {
		return x, x, err
	}
	y, err := argDec(args[1], b)
	return x, y, err
}

func fnPercent(args ...any) (any, error) {
	x, p, err := twoDec(args, "amount", "percentage")
	if err != nil {
		return nil, err
	}
	v, err := x.Mul(p)
	if err != nil {
		return nil, err
	}
	return v.Div(hundred)
}

// factor returns 1 + rate/100.
func factor(rate decimal.Decimal) (decimal.Decimal, error) {
	f, err := rate.Div(hundred)
	if err != nil {
		return f, err
	}
	return f.Add(decimal.FromInt(1))
}

func fnInclVAT(args ...any) (any, error) {
	x, rate, err := twoDec(args, "amount", "rate")
	if err != nil {
		return nil, err
	}
	f, err := factor(rate)
	if err != nil {
		return nil, err
	}
	v, err := x.Mul(f)
	if err != nil {
		return nil, err
	}
	return v.Normalize().Round(max(x.Scale(), v.Normalize().Scale()), decimal.Down)
}

func fnExclVAT(args ...any) (any, error) { return boxed(exclVATDec)(args...) }

func exclVATDec(args ...any) (decimal.Decimal, bool, error) {
	x, rate, err := twoDec(args, "amount", "rate")
	if err != nil {
		return x, false, err
	}
	f, err := factor(rate)
	if err != nil {
		return f, false, err
	}
	x, err = x.Div(f)
	return x, true, err
}

func fnVATRate(args ...any) (any, error) {
	excl, incl, err := twoDec(args, "excl", "incl")
	if err != nil {
		return nil, err
	}
	if excl.IsZero() {
		return decimal.Zero, nil
	}
	q, err := incl.Div(excl)
	if err != nil {
		return nil, err
	}
	q, _ = q.Sub(decimal.FromInt(1))
	if q, err = q.Mul(hundred); err != nil {
		return nil, err
	}
	return q.Round(2, decimal.HalfUp)
}

func currencyDigits(v any) (int, error) {
	code := strings.ToUpper(strings.TrimSpace(text(v)))
	u, err := currency.ParseISO(code)
	if err != nil {
		return 0, fmt.Errorf("%q is not an ISO 4217 currency code", text(v))
	}
	scale, _ := currency.Standard.Rounding(u)
	return scale, nil
}

func fnFromMinor(args ...any) (any, error) {
	if args[0] == nil {
		return nil, nil
	}
	n, err := argInt(args[0], "amount")
	if err != nil {
		return nil, err
	}
	digits, err := currencyDigits(args[1])
	if err != nil {
		return nil, err
	}
	return decimal.New(int64(n), digits), nil
}

func fnToMinor(args ...any) (any, error) {
	d, err := argDec(args[0], "amount")
	if err != nil {
		return nil, err
	}
	digits, err := currencyDigits(args[1])
	if err != nil {
		return nil, err
	}
	r, err := d.Round(digits, decimal.HalfUp)
	if err != nil {
		return nil, err
	}
	return int(r.Coef()), nil
}
