package decimal

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"
)

// MaxScale is the largest number of digits after the decimal point.
const MaxScale = 18

// DivExtraDigits is how many digits a quotient keeps beyond the larger
// scale of its operands before trailing zeros are trimmed.
const DivExtraDigits = 10

// ErrOverflow reports a result that does not fit the int64 coefficient.
var ErrOverflow = errors.New("decimal overflow")

// ErrDivByZero reports a division by zero.
var ErrDivByZero = errors.New("decimal division by zero")

// Decimal is an exact decimal number: coef × 10^-scale. The zero value is 0.
type Decimal struct {
	coef  int64
	scale int32
}

// Zero is the decimal 0.
var Zero = Decimal{}

var pow10 = [...]int64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// New returns coef × 10^-scale. It panics if scale is outside 0..MaxScale.
func New(coef int64, scale int) Decimal {
	if scale < 0 || scale > MaxScale {
		panic(fmt.Sprintf("decimal: scale %d out of range", scale))
	}
	return Decimal{coef: coef, scale: int32(scale)}
}

// FromInt returns the integer n as a decimal.
func FromInt(n int64) Decimal { return Decimal{coef: n} }

// Parse reads a decimal from text such as "12.50", "-3", "+0.5", "1e3" or "1,5"
// (a single comma is taken as the decimal separator). Surrounding spaces are ignored.
func Parse(s string) (Decimal, error) {
	if d, ok := parseFast(s); ok { // plain digits: no spaces or comma to handle
		return d, nil
	}
	t := strings.TrimSpace(s)
	if strings.Count(t, ",") == 1 && !strings.Contains(t, ".") {
		t = strings.Replace(t, ",", ".", 1)
	}
	d, ok := parseFast(t)
	if ok {
		return d, nil
	}
	return parseSlow(t, s)
}

// MustParse is like Parse but panics on error; for constants and tests.
func MustParse(s string) Decimal {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// parseFast handles plain [-+]digits[.digits] of at most 18 digits.
func parseFast(s string) (Decimal, bool) {
	if s == "" || len(s) > 20 {
		return Decimal{}, false
	}
	neg, i := false, 0
	if s[0] == '-' || s[0] == '+' {
		neg, i = s[0] == '-', 1
	}
	var coef int64
	digits, scale, dot := 0, 0, false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.' && !dot:
			dot = true
		case c >= '0' && c <= '9':
			coef = coef*10 + int64(c-'0')
			digits++
			if dot {
				scale++
			}
		default:
			return Decimal{}, false
		}
	}
	if digits == 0 || digits > 18 {
		return Decimal{}, false
	}
	if neg {
		coef = -coef
	}
	return Decimal{coef: coef, scale: int32(scale)}, true
}

// parseSlow handles exponents and long inputs through math/big.
func parseSlow(t, orig string) (Decimal, error) {
	r, ok := new(big.Rat).SetString(t)
	if !ok || t == "" || strings.ContainsAny(t, "/xXpP_") {
		return Decimal{}, fmt.Errorf("cannot parse %q as decimal", orig)
	}
	for scale := 0; scale <= MaxScale; scale++ {
		n := new(big.Int).Mul(r.Num(), big.NewInt(pow10[scale]))
		q, m := new(big.Int).QuoRem(n, r.Denom(), new(big.Int))
		if m.Sign() == 0 {
			if !q.IsInt64() {
				return Decimal{}, fmt.Errorf("%q: %w", orig, ErrOverflow)
			}
			return Decimal{coef: q.Int64(), scale: int32(scale)}, nil
		}
	}
	return Decimal{}, fmt.Errorf("%q has more than %d decimals: %w", orig, MaxScale, ErrOverflow)
}

// FromFloat converts f by its shortest decimal representation, so 1.1 becomes
// exactly 1.1. Use it only at the edges where a float cannot be avoided.
func FromFloat(f float64) (Decimal, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return Decimal{}, fmt.Errorf("cannot convert %v to decimal", f)
	}
	return Parse(strconv.FormatFloat(f, 'g', -1, 64))
}

// Scale returns the number of digits after the decimal point.
func (d Decimal) Scale() int { return int(d.scale) }

// Coef returns the unscaled coefficient.
func (d Decimal) Coef() int64 { return d.coef }

// Sign returns -1, 0 or +1.
func (d Decimal) Sign() int {
	switch {
	case d.coef < 0:
		return -1
	case d.coef > 0:
		return 1
	}
	return 0
}

// IsZero reports whether d is 0.
func (d Decimal) IsZero() bool { return d.coef == 0 }

// Neg returns -d.
func (d Decimal) Neg() Decimal { return Decimal{coef: -d.coef, scale: d.scale} }

// Abs returns |d|.
func (d Decimal) Abs() Decimal {
	if d.coef < 0 {
		return d.Neg()
	}
	return d
}

// Int64 returns the integer part of d, truncated toward zero.
func (d Decimal) Int64() int64 { return d.coef / pow10[d.scale] }

// Float64 returns the nearest float64, for display and statistics only.
func (d Decimal) Float64() float64 {
	f, _ := strconv.ParseFloat(d.String(), 64)
	return f
}

// String formats d with exactly Scale() decimals, e.g. "12.50".
func (d Decimal) String() string {
	var buf [24]byte
	return string(d.append(buf[:0]))
}

func (d Decimal) append(b []byte) []byte {
	u := uint64(d.coef)
	if d.coef < 0 {
		b = append(b, '-')
		u = -u
	}
	var tmp [20]byte
	digits := strconv.AppendUint(tmp[:0], u, 10)
	scale := int(d.scale)
	if scale == 0 {
		return append(b, digits...)
	}
	if len(digits) <= scale {
		b = append(b, '0', '.')
		for range scale - len(digits) {
			b = append(b, '0')
		}
		return append(b, digits...)
	}
	cut := len(digits) - scale
	b = append(b, digits[:cut]...)
	b = append(b, '.')
	return append(b, digits[cut:]...)
}

// MarshalJSON writes d as a JSON string, e.g. "12.50", so no reader turns it into a float.
func (d Decimal) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 24)
	b = append(b, '"')
	b = d.append(b)
	return append(b, '"'), nil
}

// UnmarshalJSON reads a JSON string or number.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("decimal: %w", err)
	}
	v, err := Parse(string(n))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalText writes d as text.
func (d Decimal) MarshalText() ([]byte, error) { return d.append(nil), nil }

// UnmarshalText parses d from text.
func (d *Decimal) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// mul64 multiplies with an overflow check.
func mul64(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	neg := (a < 0) != (b < 0)
	hi, lo := bits.Mul64(absU(a), absU(b))
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	if neg {
		return -int64(lo), true
	}
	return int64(lo), true
}

func absU(a int64) uint64 {
	if a < 0 {
		return uint64(-a)
	}
	return uint64(a)
}

// rescale returns d at a larger scale.
func (d Decimal) rescale(scale int32) (Decimal, error) {
	if scale == d.scale {
		return d, nil
	}
	if scale > MaxScale {
		return Decimal{}, ErrOverflow
	}
	c, ok := mul64(d.coef, pow10[scale-d.scale])
	if !ok {
		return Decimal{}, ErrOverflow
	}
	return Decimal{coef: c, scale: scale}, nil
}

func align(a, b Decimal) (Decimal, Decimal, error) {
	var err error
	switch {
	case a.scale < b.scale:
		a, err = a.rescale(b.scale)
	case b.scale < a.scale:
		b, err = b.rescale(a.scale)
	}
	return a, b, err
}

// Add returns d + e, exact.
func (d Decimal) Add(e Decimal) (Decimal, error) {
	a, b, err := align(d, e)
	if err != nil {
		return Decimal{}, err
	}
	s := a.coef + b.coef
	if (s > a.coef) != (b.coef > 0) {
		return Decimal{}, ErrOverflow
	}
	return Decimal{coef: s, scale: a.scale}, nil
}

// Sub returns d - e, exact.
func (d Decimal) Sub(e Decimal) (Decimal, error) { return d.Add(e.Neg()) }

// Mul returns d × e, exact; the scale is the sum of the scales, with
// trailing zeros trimmed only when needed to fit.
func (d Decimal) Mul(e Decimal) (Decimal, error) {
	c, ok := mul64(d.coef, e.coef)
	scale := d.scale + e.scale
	if ok && scale <= MaxScale {
		return Decimal{coef: c, scale: scale}, nil
	}
	p := new(big.Int).Mul(big.NewInt(d.coef), big.NewInt(e.coef))
	if r, err := fromBig(p, scale); err == nil {
		return r, nil
	}
	return roundBig(p, scale)
}

// roundBig is p × 10^-scale rounded half-even to the most decimals that
// fit, when it has more digits than an int64 holds: the product of a price
// net of VAT (12 decimals), a quantity and a rate is a price, not an
// overflow. Only an integer part that does not fit overflows.
func roundBig(p *big.Int, scale int32) (Decimal, error) {
	for drop := int32(1); drop <= scale; drop++ {
		q := divRound(p, bigPow10(int(drop)), HalfEven)
		if q.IsInt64() && scale-drop <= MaxScale {
			return Decimal{coef: q.Int64(), scale: scale - drop}, nil
		}
	}
	return Decimal{}, ErrOverflow
}

// fromBig trims trailing zeros until p × 10^-scale fits.
func fromBig(p *big.Int, scale int32) (Decimal, error) {
	ten, m := big.NewInt(10), new(big.Int)
	for (!p.IsInt64() || scale > MaxScale) && scale > 0 {
		q, r := new(big.Int).QuoRem(p, ten, m)
		if r.Sign() != 0 {
			break
		}
		p, scale = q, scale-1
	}
	if !p.IsInt64() || scale > MaxScale {
		return Decimal{}, ErrOverflow
	}
	return Decimal{coef: p.Int64(), scale: scale}, nil
}

// Div returns d ÷ e rounded half-even to max(scales)+DivExtraDigits decimals,
// then trimmed of trailing zeros down to max(scales): 10/4 = 2.5, 121.00/1.21 = 100.00.
func (d Decimal) Div(e Decimal) (Decimal, error) {
	if e.coef == 0 {
		return Decimal{}, ErrDivByZero
	}
	keep := max(d.scale, e.scale)
	target := min(keep+DivExtraDigits, MaxScale)
	if shift := target - d.scale + e.scale; shift <= MaxScale {
		if num, ok := mul64(d.coef, pow10[shift]); ok {
			return Decimal{coef: divRound64(num, e.coef, HalfEven), scale: target}.trim(keep), nil
		}
	}
	// d/e = (dc × 10^(target - ds + es)) / ec × 10^-target
	// Past an int64, fewer decimals, each time rounded from the exact
	// quotient: 1234567.891 / 1.21 keeps 12 decimals, not 13.
	for ; target >= 0; target-- {
		num := new(big.Int).Mul(big.NewInt(d.coef), bigPow10(int(target-d.scale+e.scale)))
		q := divRound(num, big.NewInt(e.coef), HalfEven)
		if r, err := fromBig(q, target); err == nil {
			return r.trim(min(keep, target)), nil
		}
	}
	return Decimal{}, ErrOverflow
}

func bigPow10(n int) *big.Int {
	if n < 0 {
		n = 0
	}
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

// trim removes trailing zeros while the scale stays at least min.
func (d Decimal) trim(minScale int32) Decimal {
	for d.scale > minScale && d.coef%10 == 0 {
		d.coef /= 10
		d.scale--
	}
	return d
}

// Normalize removes all trailing zeros after the decimal point: 12.50 becomes 12.5.
func (d Decimal) Normalize() Decimal { return d.trim(0) }

// Cmp compares d and e numerically: -1, 0 or +1. 1.50 and 1.5 are equal.
func (d Decimal) Cmp(e Decimal) int {
	a, b, err := align(d, e)
	if err != nil { // only the side with the larger scale can overflow; compare via big
		return compareBig(d, e)
	}
	switch {
	case a.coef < b.coef:
		return -1
	case a.coef > b.coef:
		return 1
	}
	return 0
}

func compareBig(d, e Decimal) int {
	x := new(big.Rat).SetFrac(big.NewInt(d.coef), bigPow10(int(d.scale)))
	y := new(big.Rat).SetFrac(big.NewInt(e.coef), bigPow10(int(e.scale)))
	return x.Cmp(y)
}

// Equal reports whether d and e are numerically equal.
func (d Decimal) Equal(e Decimal) bool { return d.Cmp(e) == 0 }
