package mappings

import (
	"strings"
	"testing"
)

// evalExpr compiles and runs src against env.
func evalExpr(t *testing.T, src string, env map[string]any) (any, error) {
	t.Helper()
	p, err := newCompiler(nil, "").compile(src)
	if err != nil {
		t.Fatalf("%s: compile: %v", src, err)
	}
	if env == nil {
		env = map[string]any{}
	}
	return p.eval(newMachine(), env)
}

// TestExpressionsCannotExhaustMemory: expressions that ask for more text
// or longer lists than a machine holds fail with an error that says so,
// instead of the process running out of memory (three nested replaces
// asked for a terabyte, and Go cannot recover from that).
func TestExpressionsCannotExhaustMemory(t *testing.T) {
	const tenK = `pad_left("", 10000, "a")`
	doubled := "let a = " + tenK + "; let b = a+a; let c = b+b; let d = c+c; let e = d+d; let f = e+e; " +
		"let g = f+f; let h = g+g; let i = h+h; let j = i+i; let k = j+j; let l = k+k; len(l+l)"
	tests := []struct{ name, src string }{
		{"nested replace of the empty text", `replace(` + tenK + `, "", replace(` + tenK + `, "", pad_left("", 10000, "b")))`},
		{"join of many parts", `join(split(` + tenK + `, ""), pad_left("", 10000, "b"))`},
		{"texts doubled with +", doubled},
		{"texts doubled by reduce", `reduce(1..40, #acc + #acc, "aaaaaaaaaa")`},
		{"lists doubled with +", "let a = map(1..1000, #); let b = a+a; let c = b+b; let d = c+c; let e = d+d; let f = e+e; " +
			"let g = f+f; let h = g+g; let i = h+h; let j = i+i; let k = j+j; let l = k+k; len(l+l)"},
		{"concat of long texts", `concat(` + strings.Repeat(`pad_left("", 10000, "a"), `, 500) + `"")`},
		{"repeat", `repeat(` + tenK + `, 1000000)`},
		{"toJSON of one long text many times", `toJSON(map(1..1000, ` + tenK + `))`},
		{"string of one long text many times", `string(map(1..1000, ` + tenK + `))`},
		{"a function's text of a list", `upper(map(1..1000, ` + tenK + `))`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := evalExpr(t, tt.src, nil)
			if err == nil || !strings.Contains(err.Error(), "over the limit") && !strings.Contains(err.Error(), "longer than the limit") &&
				!strings.Contains(err.Error(), budgetExceeded) {
				t.Fatalf("= %.40v, %v; want an error over the limit", Show(got), err)
			}
		})
	}
}

// TestExpressionsWithinTheLimitsWork: the limits leave ordinary and long
// texts alone.
func TestExpressionsWithinTheLimitsWork(t *testing.T) {
	long := strings.Repeat("x", 1<<20)
	tests := []struct {
		src  string
		env  map[string]any
		want string
	}{
		{`replace("a-b-c", "-", "--")`, nil, `"a--b--c"`},
		{`replace("ab", "", "-")`, nil, `"-a-b-"`},
		{`join(["a", "b", ""], ", ")`, nil, `"a, b"`},
		{`concat("a", 1, "b")`, nil, `"a1b"`},
		{`repeat("ab", 3)`, nil, `"ababab"`},
		{`string([1, "a"])`, nil, `"[1 a]"`},
		{`"a" + "b"`, nil, `"ab"`},
		{`len(d + d + d)`, map[string]any{"d": long}, "3145728"},
		{`len(replace(d, "x", "yy"))`, map[string]any{"d": long}, "2097152"},
		{`len([1, 2] + [3])`, nil, "3"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			got, err := evalExpr(t, tt.src, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			if s := Show(got); s != tt.want {
				t.Fatalf("= %s, want %s", s, tt.want)
			}
		})
	}
}

// TestLongTextsStopWhenTheHeapIsFull: once the heap holds heapLimit, an
// expression that makes long texts fails its record.
func TestLongTextsStopWhenTheHeapIsFull(t *testing.T) {
	limit, every := heapLimit, heapCheckEvery
	t.Cleanup(func() { heapLimit, heapCheckEvery = limit, every })
	heapLimit, heapCheckEvery = 0, 1
	_, err := evalExpr(t, `len(pad_left("", 1000, "a") + "b")`, nil)
	if err == nil || !strings.Contains(err.Error(), "too much text") {
		t.Fatalf("a long text with the heap full: %v", err)
	}
	if got, err := evalExpr(t, `"short" + "text"`, nil); err != nil || Show(got) != `"shorttext"` {
		t.Fatalf("a short text with the heap full = %v, %v; short texts are not counted", got, err)
	}
}

// TestClosuresKeepTheMemoryBudget: a map or filter that runs as a closure
// counts the elements it makes against the VM's memory budget, as the VM
// does, so that map(lines, map(lines, #)) over a long list fails its
// record instead of making a list of a list of a million elements each.
func TestClosuresKeepTheMemoryBudget(t *testing.T) {
	long := make([]any, 2000)
	for i := range long {
		long[i] = i
	}
	env := map[string]any{"l": long}
	c := newCompiler(nil, "")
	for _, tc := range []struct {
		expr string
		fail bool
	}{
		{`len(map(l, map(l, #)))`, true},
		{`len(map(l, filter(l, # >= 0)))`, true},
		{`len(map(l, #))`, false},
		{`len(filter(l, # > 10))`, false},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			p, err := c.compile(tc.expr)
			if err != nil {
				t.Fatal(err)
			}
			if p.fn == nil {
				t.Fatal("does not run as a closure")
			}
			_, err = p.eval(newMachine(), env)
			if tc.fail != (err != nil && strings.Contains(err.Error(), "memory budget exceeded")) {
				t.Fatalf("error %v; want a memory budget error: %v", err, tc.fail)
			}
			if diff, ok := sameResult(p, env); !ok {
				t.Fatal(diff)
			}
		})
	}
}

// TestSplitKeepsTheListLimit: split makes no list over a million elements,
// as adding lists makes none: 50 fields of split(a 4 MB text, "") would
// hold about 6 GB.
func TestSplitKeepsTheListLimit(t *testing.T) {
	c := newCompiler(nil, "")
	for _, tc := range []struct {
		expr string
		fail bool
	}{
		{`len(split(repeat("a", 2000000), ""))`, true},
		{`len(split(repeat("a,", 1100000), ","))`, true},
		{`len(split(repeat("a,", 1000), ","))`, false},
		{`len(split(repeat("a", 1000), ""))`, false},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			p, err := c.compile(tc.expr)
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.eval(newMachine(), map[string]any{})
			if tc.fail != (err != nil && strings.Contains(err.Error(), "over the limit of 1048576")) {
				t.Fatalf("error %v; want the list limit's: %v", err, tc.fail)
			}
		})
	}
}
