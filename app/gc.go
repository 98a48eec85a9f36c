package app

import "runtime/debug"

// gcPercent is the garbage collector's target of heap growth between
// collections, where Go's default is 100: the engine allocates a few KB a
// record that live for a moment, so collecting half as often takes about
// a tenth less CPU a record, for a peak RSS about a tenth higher
// (docs/performance.md, change 27).
const gcPercent = 200

// TuneGC sets the garbage collector's target to gcPercent unless the
// operator set one with GOGC, which Go's runtime has then applied.
func TuneGC(getenv func(string) string) {
	if getenv("GOGC") != "" {
		return
	}
	debug.SetGCPercent(gcPercent)
}
