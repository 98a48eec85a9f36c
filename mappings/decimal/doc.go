// Package decimal is the exact decimal number used for money and quantities
// in canonical records and mapping expressions.
//
// A [Decimal] is an int64 coefficient scaled by a power of ten: 12.50 is
// coefficient 1250 at scale 2. Addition, subtraction and multiplication are
// exact; division is rounded half-even at a documented scale. An operation
// whose result does not fit returns [ErrOverflow] instead of losing digits.
// There is no float64 anywhere on the path from text to text.
package decimal
