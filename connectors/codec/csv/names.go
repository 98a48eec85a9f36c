package csv

import (
	"fmt"
	"strconv"
	"strings"
)

// names trims column names and names an empty one colN by its position. A
// name used twice is refused, or numbered (sku, sku_2) with rename.
func names(raw []string, rename bool) ([]string, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	out := make([]string, len(raw))
	first := map[string]int{}
	unnamed := map[int]bool{}
	for i, n := range raw {
		n = strings.TrimSpace(n)
		if n == "" {
			n, unnamed[i] = "col"+strconv.Itoa(i+1), true
		}
		if at, seen := first[n]; seen {
			if !rename {
				return nil, repeated(i, at, n, unnamed)
			}
			n = unique(n, first)
		}
		first[n] = i
		out[i] = n
	}
	return out, nil
}

// repeated is the error for column i repeating the name of column at; a
// column without a name in the file is named by its position, and the
// error says so.
func repeated(i, at int, name string, unnamed map[int]bool) error {
	const fix = "(rename one, or set duplicate columns to rename)"
	switch {
	case unnamed[i]:
		return fmt.Errorf("column %d has no name, and %s, the name it gets by its position, is the name of column %d %s", i+1, name, at+1, fix)
	case unnamed[at]:
		return fmt.Errorf("column %d repeats the name %q that column %d, which has no name, gets by its position %s", i+1, name, at+1, fix)
	}
	return fmt.Errorf("column %d repeats the name %q of column %d %s", i+1, name, at+1, fix)
}

// unique returns name_2, name_3... the first one not taken.
func unique(name string, taken map[string]int) string {
	for c := 2; ; c++ {
		n := name + "_" + strconv.Itoa(c)
		if _, used := taken[n]; !used {
			return n
		}
	}
}

func positional(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "col" + strconv.Itoa(i+1)
	}
	return out
}
