package split

import (
	"cmp"
	"slices"
)

// Entity is the position of a message entity in UTF-16 units, as in the
// input message.
type Entity struct{ Offset, Length int }

// ChunkEntity is the part of an input entity that lies in one chunk. Index is
// the entity's index in the input slice; Offset is relative to the chunk.
type ChunkEntity struct{ Index, Offset, Length int }

// SplitEntities splits s like [Split] and distributes ents over the chunks;
// perChunk[i] belongs to chunks[i] and is ordered by Index. No chunk gets more
// than maxEntities parts (maxEntities <= 0 means [MaxEntities]); chunks are
// ended early to respect that, as the package documentation describes.
func SplitEntities(s string, ents []Entity, limit, maxEntities int) (chunks []Chunk, perChunk [][]ChunkEntity) {
	return split(s, limit, ents, maxEntities, true)
}

// ent is an entity clipped to the text: [off, end) in UTF-16 units.
type ent struct{ off, end, idx int }

// entBudget tracks, chunk after chunk, which entities are open.
type entBudget struct {
	list   []ent // sorted by (off, idx)
	ptr    int   // list[:ptr] start before the current chunk
	active []ent // entities started before the current chunk, still open
	max    int
	total  int
}

func newEntBudget(s string, ents []Entity, maxEntities int) *entBudget {
	if maxEntities <= 0 {
		maxEntities = MaxEntities
	}
	total := UTF16Len(s)
	b := &entBudget{max: maxEntities, total: total, list: make([]ent, 0, len(ents))}
	for i, e := range ents {
		o, l := e.Offset, e.Length
		if l <= 0 || o >= total {
			continue
		}
		var end int
		if o < 0 {
			end, o = o+l, 0 // no overflow: o < 0 < l
		} else if l > total-o {
			end = total
		} else {
			end = o + l
		}
		if end > total {
			end = total
		}
		if end <= o {
			continue
		}
		b.list = append(b.list, ent{off: o, end: end, idx: i})
	}
	slices.SortFunc(b.list, func(x, y ent) int {
		if c := cmp.Compare(x.off, y.off); c != 0 {
			return c
		}
		return cmp.Compare(x.idx, y.idx)
	})
	return b
}

// enter moves to the chunk starting at byte a, UTF-16 offset aU, and returns
// the absolute UTF-16 offset the chunk must not reach so that it carries at
// most max entities (ok false: no such bound).
func (b *entBudget) enter(s string, a, aU int) (bound int, ok bool) {
	for b.ptr < len(b.list) && b.list[b.ptr].off < aU {
		b.active = append(b.active, b.list[b.ptr])
		b.ptr++
	}
	k := 0
	for _, e := range b.active {
		if e.end > aU {
			b.active[k] = e
			k++
		}
	}
	b.active = b.active[:k]
	open, rest := len(b.active), len(b.list)-b.ptr
	if open+rest <= b.max {
		return 0, false
	}
	// The (max+1)-th entity to enter the chunk, counting the open ones as
	// entering at aU.
	bound = aU
	if open <= b.max {
		bound = b.list[b.ptr+b.max-open].off
	}
	_, size := decode(s, a)
	if first := aU + units(size); bound < first {
		// Degenerate: more than max entities cover the first rune. End
		// the chunk before any further entity starts.
		j := b.ptr
		for j < len(b.list) && b.list[j].off < first {
			j++
		}
		if j == len(b.list) {
			return 0, false
		}
		bound = b.list[j].off
	}
	return bound, true
}

// parts returns the entity parts of the chunk [aU, endU) entered last.
func (b *entBudget) parts(aU, endU int) []ChunkEntity {
	n := len(b.active)
	for j := b.ptr; j < len(b.list) && b.list[j].off < endU; j++ {
		n++
	}
	if n == 0 {
		return nil
	}
	out := make([]ChunkEntity, 0, n)
	for _, e := range b.active {
		out = append(out, ChunkEntity{Index: e.idx, Offset: 0, Length: min(e.end, endU) - aU})
	}
	for j := b.ptr; j < len(b.list) && b.list[j].off < endU; j++ {
		e := b.list[j]
		out = append(out, ChunkEntity{Index: e.idx, Offset: e.off - aU, Length: min(e.end, endU) - e.off})
	}
	slices.SortFunc(out, func(x, y ChunkEntity) int { return cmp.Compare(x.Index, y.Index) })
	if len(out) > b.max {
		out = out[:b.max] // degenerate case only, see enter
	}
	return out
}
