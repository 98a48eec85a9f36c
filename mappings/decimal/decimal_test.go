package decimal

import (
	"encoding/json"
	"errors"
	"math"
	"testing"
)

func TestParseString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"12.50", "12.50"}, {"-3", "-3"}, {"+0.5", "0.5"}, {".5", "0.5"},
		{"1e3", "1000"}, {"1.5E-2", "0.015"}, {" 7 ", "7"}, {"1,25", "1.25"},
		{"0.000000000000000001", "0.000000000000000001"}, {"-0.01", "-0.01"},
		{"123456789012345678", "123456789012345678"},
	}
	for _, tt := range tests {
		d, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got := d.String(); got != tt.want {
			t.Errorf("Parse(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{"", "abc", "1.2.3", "1/2", "0x10", "--1", "1e400", "12345678901234567890"} {
		if d, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) = %s, want error", in, d)
		}
	}
}

func TestArithmetic(t *testing.T) {
	tests := []struct {
		op         string
		a, b, want string
	}{
		{"+", "0.1", "0.2", "0.3"},
		{"+", "12.50", "0.005", "12.505"},
		{"-", "10", "0.01", "9.99"},
		{"*", "29.99", "1.10", "32.9890"},
		{"*", "3", "29.99", "89.97"},
		{"/", "10", "4", "2.5"},
		{"/", "121.00", "1.21", "100.00"},
		{"/", "1", "3", "0.3333333333"},
		{"/", "2", "3", "0.6666666667"},
	}
	for _, tt := range tests {
		a, b := MustParse(tt.a), MustParse(tt.b)
		var got Decimal
		var err error
		switch tt.op {
		case "+":
			got, err = a.Add(b)
		case "-":
			got, err = a.Sub(b)
		case "*":
			got, err = a.Mul(b)
		case "/":
			got, err = a.Div(b)
		}
		if err != nil || got.String() != tt.want {
			t.Errorf("%s %s %s = %s, %v; want %s", tt.a, tt.op, tt.b, got, err, tt.want)
		}
	}
}

func TestOverflow(t *testing.T) {
	big := FromInt(math.MaxInt64 - 1)
	if _, err := big.Add(big); !errors.Is(err, ErrOverflow) {
		t.Errorf("add overflow: %v", err)
	}
	if _, err := big.Mul(big); !errors.Is(err, ErrOverflow) {
		t.Errorf("mul overflow: %v", err)
	}
	if _, err := FromInt(1).Div(Zero); !errors.Is(err, ErrDivByZero) {
		t.Errorf("div zero: %v", err)
	}
	// Trailing zeros are trimmed to fit rather than failing.
	got, err := MustParse("1.000000000").Mul(MustParse("1.000000000000"))
	if err != nil || got.String() != "1.000000000000000000" {
		t.Errorf("mul trim = %s, %v", got, err)
	}
}

func TestRound(t *testing.T) {
	tests := []struct {
		in    string
		scale int
		mode  Mode
		want  string
	}{
		{"2.345", 2, HalfUp, "2.35"}, {"2.345", 2, HalfEven, "2.34"},
		{"2.355", 2, HalfEven, "2.36"}, {"-2.345", 2, HalfUp, "-2.35"},
		{"-2.345", 2, HalfEven, "-2.34"}, {"2.349", 2, Down, "2.34"},
		{"2.341", 2, Up, "2.35"}, {"-2.341", 2, Floor, "-2.35"},
		{"-2.349", 2, Ceil, "-2.34"}, {"1.5", 2, HalfUp, "1.50"},
		{"0.5", 0, HalfEven, "0"}, {"1.5", 0, HalfEven, "2"},
	}
	for _, tt := range tests {
		got, err := MustParse(tt.in).Round(tt.scale, tt.mode)
		if err != nil || got.String() != tt.want {
			t.Errorf("Round(%s, %d, %s) = %s, %v; want %s", tt.in, tt.scale, tt.mode, got, err, tt.want)
		}
	}
}

func TestRoundStep(t *testing.T) {
	tests := []struct{ in, step, want string }{
		{"1.02", "0.05", "1.00"}, {"1.03", "0.05", "1.05"}, {"1.025", "0.05", "1.05"},
		{"-1.03", "0.05", "-1.05"}, {"17", "5", "15"}, {"17.5", "5", "20"}, {"103.95000", "0.05", "103.95"},
	}
	for _, tt := range tests {
		got, err := MustParse(tt.in).RoundStep(MustParse(tt.step), HalfUp)
		if err != nil || got.String() != tt.want {
			t.Errorf("RoundStep(%s, %s) = %s, %v; want %s", tt.in, tt.step, got, err, tt.want)
		}
	}
}

func TestCmp(t *testing.T) {
	if MustParse("1.50").Cmp(MustParse("1.5")) != 0 || MustParse("-1").Cmp(MustParse("0.1")) != -1 {
		t.Error("Cmp mismatch")
	}
	if MustParse("0.000000000000000001").Cmp(MustParse("999999999999999999")) != -1 {
		t.Error("Cmp across overflowing scales")
	}
}

func TestJSON(t *testing.T) {
	b, err := json.Marshal(map[string]Decimal{"p": MustParse("12.50")})
	if err != nil || string(b) != `{"p":"12.50"}` {
		t.Fatalf("marshal = %s, %v", b, err)
	}
	var v struct{ A, B Decimal }
	if err := json.Unmarshal([]byte(`{"A":"1.10","B":2.5}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.A.String() != "1.10" || v.B.String() != "2.5" {
		t.Errorf("unmarshal = %s %s", v.A, v.B)
	}
}

func TestFromAny(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{json.Number("3.10"), "3.10"}, {42, "42"}, {int64(-7), "-7"}, {"0.5", "0.5"},
		{1.1, "1.1"}, {MustParse("2.00"), "2.00"}, {uint8(3), "3"},
	}
	for _, tt := range tests {
		got, err := FromAny(tt.in)
		if err != nil || got.String() != tt.want {
			t.Errorf("FromAny(%#v) = %s, %v; want %s", tt.in, got, err, tt.want)
		}
	}
	if _, err := FromAny(true); err == nil {
		t.Error("FromAny(true) succeeded")
	}
}

func TestStringEdges(t *testing.T) {
	tests := []struct {
		d    Decimal
		want string
	}{
		{New(0, 0), "0"}, {New(0, 2), "0.00"}, {New(5, 3), "0.005"}, {New(-5, 3), "-0.005"},
		{New(100, 2), "1.00"}, {New(-100, 2), "-1.00"}, {New(1, 18), "0.000000000000000001"},
		{New(math.MaxInt64, 0), "9223372036854775807"}, {New(math.MinInt64, 0), "-9223372036854775808"},
		{New(math.MinInt64, 18), "-9.223372036854775808"}, {New(math.MaxInt64, 18), "9.223372036854775807"},
	}
	for _, tt := range tests {
		if got := tt.d.String(); got != tt.want {
			t.Errorf("String() = %s, want %s", got, tt.want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = New(-12345, 2).String() }); n > 1 {
		t.Errorf("String allocates %v times, want at most 1", n)
	}
}

// TestProductsAndQuotientsRoundToFit: a product or quotient with more
// digits than an int64 holds keeps as many decimals as fit, rounded
// half-even from the exact value, instead of overflowing: a price net of
// VAT (12 decimals) times a quantity and a surcharge failed its record
// with "decimal overflow". An integer part that does not fit still does.
func TestProductsAndQuotientsRoundToFit(t *testing.T) {
	for _, tt := range []struct{ a, op, b, want string }{
		{"38.740950413223625", "*", "1.0725", "41.54966931818233781"},
		{"12345678.12345678", "*", "1.12345678", "13869835.79149519653"},
		{"0.000000000000000005", "*", "0.5", "0.000000000000000002"},
		{"0.000000000000000015", "*", "0.5", "0.000000000000000008"},
		{"1234567.891", "/", "1.21", "1020304.042148760331"},
		{"9223372036.854775807", "/", "0.3", "30744573456.18258602"},
	} {
		a, b := MustParse(tt.a), MustParse(tt.b)
		var got Decimal
		var err error
		if tt.op == "*" {
			got, err = a.Mul(b)
		} else {
			got, err = a.Div(b)
		}
		if err != nil || got.String() != tt.want {
			t.Errorf("%s %s %s = %s, %v; want %s", tt.a, tt.op, tt.b, got, err, tt.want)
		}
	}
	if _, err := MustParse("9223372036854775807").Mul(MustParse("10.5")); !errors.Is(err, ErrOverflow) {
		t.Errorf("an integer part past an int64: %v, want an overflow", err)
	}
	if _, err := MustParse("9223372036854775807").Div(MustParse("0.5")); !errors.Is(err, ErrOverflow) {
		t.Errorf("a quotient past an int64: %v, want an overflow", err)
	}
}
