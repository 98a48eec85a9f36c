package decimal

import (
	"fmt"
	"math/big"
)

// Mode is a rounding mode.
type Mode int

// Rounding modes.
const (
	HalfUp   Mode = iota // 2.5 → 3, -2.5 → -3 (commercial rounding)
	HalfEven             // 2.5 → 2, 3.5 → 4 (bankers' rounding)
	Down                 // toward zero
	Up                   // away from zero
	Floor                // toward -∞
	Ceil                 // toward +∞
)

// ParseMode reads a mode name: half_up, half_even, down, up, floor or ceil.
func ParseMode(s string) (Mode, error) {
	for m, name := range modeNames {
		if name == s {
			return Mode(m), nil
		}
	}
	return 0, fmt.Errorf("unknown rounding mode %q", s)
}

var modeNames = [...]string{"half_up", "half_even", "down", "up", "floor", "ceil"}

// String returns the mode's name.
func (m Mode) String() string { return modeNames[m] }

// Round returns d rounded to scale decimals (0..MaxScale) with mode m.
// A larger scale pads with zeros: Round(1.5, 2) = 1.50.
func (d Decimal) Round(scale int, m Mode) (Decimal, error) {
	if scale < 0 || scale > MaxScale {
		return Decimal{}, fmt.Errorf("round: scale %d out of range 0..%d", scale, MaxScale)
	}
	s := int32(scale)
	if s >= d.scale {
		return d.rescale(s)
	}
	return Decimal{coef: divRound64(d.coef, pow10[d.scale-s], m), scale: s}, nil
}

// RoundStep rounds d to a multiple of step with mode m, e.g. to 0.05 for cash.
// The result has the scale of step.
func (d Decimal) RoundStep(step Decimal, m Mode) (Decimal, error) {
	if step.Sign() <= 0 {
		return Decimal{}, fmt.Errorf("round step %s must be positive", step)
	}
	a, b, err := align(d, step)
	if err != nil {
		return Decimal{}, err
	}
	q := divRound64(a.coef, b.coef, m)
	c, ok := mul64(q, b.coef)
	if !ok {
		return Decimal{}, ErrOverflow
	}
	return Decimal{coef: c, scale: a.scale}.trim(step.scale), nil
}

// divRound returns n/d rounded with mode m.
func divRound(n, d *big.Int, m Mode) *big.Int {
	q, r := new(big.Int).QuoRem(n, d, new(big.Int))
	if r.Sign() == 0 {
		return q
	}
	neg := (n.Sign() < 0) != (d.Sign() < 0)
	if awayFromZero(q, r, d, neg, m) {
		if neg {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q
}

func awayFromZero(q, r, d *big.Int, neg bool, m Mode) bool {
	switch m {
	case Down:
		return false
	case Up:
		return true
	case Floor:
		return neg
	case Ceil:
		return !neg
	}
	twice := new(big.Int).Abs(r)
	twice.Lsh(twice, 1)
	c := twice.Cmp(new(big.Int).Abs(d))
	if c != 0 {
		return c > 0
	}
	if m == HalfEven {
		return q.Bit(0) == 1
	}
	return true
}

// divRound64 is divRound for int64 operands (d != 0).
func divRound64(n, d int64, m Mode) int64 {
	q, r := n/d, n%d
	if r == 0 {
		return q
	}
	neg := (n < 0) != (d < 0)
	if !away64(q, absU(r), absU(d), neg, m) {
		return q
	}
	if neg {
		return q - 1
	}
	return q + 1
}

func away64(q int64, r, d uint64, neg bool, m Mode) bool {
	switch m {
	case Down:
		return false
	case Up:
		return true
	case Floor:
		return neg
	case Ceil:
		return !neg
	}
	half := d - r // r > half of d  <=>  r > d - r
	switch {
	case r > half:
		return true
	case r < half:
		return false
	}
	return m == HalfUp || q%2 != 0
}
