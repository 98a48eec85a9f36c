package mappings

import (
	"encoding/json"
	"fmt"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/mappings/decimal"
)

// TestBoxesHoldValuesLikeGo: a value boxed in a chunk is, to every reader,
// the value Go would have boxed: same type, same value, equal with ==, the
// same JSON, and unchanged after the chunk fills up and the garbage
// collector runs.
func TestBoxesHoldValuesLikeGo(t *testing.T) {
	var b boxes
	when := time.Date(2026, 11, 27, 8, 30, 0, 0, time.FixedZone("CET", 3600))
	type pair struct{ got, want any }
	var kept []pair
	for i := range 3 * chunkBytes / 16 {
		d := decimal.New(int64(i)*7+1, 2)
		s := fmt.Sprintf("text %d", i)
		kept = append(kept,
			pair{b.Decimal(d), d},
			pair{b.Time(when.Add(time.Duration(i) * time.Minute)), when.Add(time.Duration(i) * time.Minute)},
			pair{b.String(s), s},
			pair{b.number(d), json.Number(d.String())},
			pair{b.boxList([]any{s, d}), []any{s, d}},
		)
	}
	runtime.GC()
	for _, p := range kept {
		if reflect.TypeOf(p.got) != reflect.TypeOf(p.want) {
			t.Fatalf("type %T, want %T", p.got, p.want)
		}
		if !reflect.DeepEqual(p.got, p.want) {
			t.Fatalf("got %v, want %v", p.got, p.want)
		}
		if reflect.TypeOf(p.want).Comparable() && p.got != p.want {
			t.Fatalf("%v != %v with ==", p.got, p.want)
		}
		gj, _ := json.Marshal(p.got)
		wj, _ := json.Marshal(p.want)
		if string(gj) != string(wj) {
			t.Fatalf("JSON %s, want %s", gj, wj)
		}
	}
}

// TestBoxesListsAreSeparate: an append to a list from the boxes copies it
// rather than write over the next list in the chunk.
func TestBoxesListsAreSeparate(t *testing.T) {
	var b boxes
	first, second := b.list(2), b.list(2)
	first[0], first[1], second[0], second[1] = "a", "b", "c", "d"
	grown := append(first, "x")
	grown[0] = "changed"
	if second[0] != "c" || first[0] != "a" {
		t.Fatalf("append reached a neighbour: first %v, second %v", first, second)
	}
	if len(b.list(0)) != 0 {
		t.Fatal("an empty list is not empty")
	}
}

// TestBoxesAllocateByChunk: boxing many values costs one allocation a chunk.
func TestBoxesAllocateByChunk(t *testing.T) {
	var b boxes
	d := decimal.MustParse("12.50")
	n := testing.AllocsPerRun(10, func() {
		for range chunkBytes / 16 {
			_ = b.Decimal(d)
		}
	})
	if n > 1 {
		t.Fatalf("%d decimals took %v allocations, want at most 1", chunkBytes/16, n)
	}
}
