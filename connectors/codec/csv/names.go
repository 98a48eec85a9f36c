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
	for i, n := range raw {
		n = strings.TrimSpace(n)
		if n == "" {
			n = "col" + strconv.Itoa(i+1)
		}
		if at, seen := first[n]; seen {
			if !rename {
				return nil, fmt.Errorf("column %d repeats the name %q of column %d (rename one, or set duplicate columns to rename)", i+1, n, at+1)
			}
			n = unique(n, first)
		}
		first[n] = i
		out[i] = n
	}
	return out, nil
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
