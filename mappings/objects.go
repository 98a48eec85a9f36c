package mappings

import "sync"

// objects hands out the maps of one result. A map costs two allocations or
// more, and a record is mostly maps: an order with five lines is about twenty
// objects in and twenty out. The maps of a released result are emptied and
// handed out again by a later run, so that a steady stream of records
// reuses the same maps instead of allocating new ones.
type objects struct {
	maps []map[string]any // every map made so far; the first used are in use
	used int
	gen  uint64 // counts releases, so that a stale Result cannot release twice
}

// maxPooledMaps bounds the maps an arena keeps across releases: a record
// with a huge list is not a reason to hold its maps for ever.
const maxPooledMaps = 1024

var objectPool = sync.Pool{New: func() any { return new(objects) }}

// newObjects returns an empty arena, reused when one was released.
func newObjects() *objects { return objectPool.Get().(*objects) }

// get returns an empty map; size is a hint for a new one.
func (o *objects) get(size int) map[string]any {
	if o.used < len(o.maps) {
		m := o.maps[o.used]
		o.used++
		return m
	}
	m := make(map[string]any, size)
	o.maps = append(o.maps, m)
	o.used++
	return m
}

// release empties every map handed out and pools the arena. A map still
// held somewhere is seen empty from now on, not silently shared.
func (o *objects) release(gen uint64) {
	if o == nil || o.gen != gen {
		return
	}
	o.gen++
	for _, m := range o.maps[:o.used] {
		clear(m)
	}
	o.used = 0
	if len(o.maps) > maxPooledMaps {
		return
	}
	objectPool.Put(o)
}
