package split

import (
	"fmt"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// refUTF16Len is an independent UTF16Len: Go's decoder plus utf16.RuneLen.
func refUTF16Len(s string) int {
	n := 0
	for _, r := range s { // invalid bytes decode to U+FFFD, one byte each
		n += utf16.RuneLen(r)
	}
	return n
}

// isCutSpace is the test's own definition of droppable whitespace.
func isCutSpace(r rune) bool {
	return unicode.IsSpace(r) && r != 0xA0 && r != 0x2007 && r != 0x202F
}

// onlySpace reports whether s is made of droppable whitespace only.
func onlySpace(s string) bool {
	for _, r := range s {
		if !isCutSpace(r) || r == utf8.RuneError {
			return false
		}
	}
	return true
}

// runeStarts returns the byte positions where Go's decoder starts a rune,
// plus len(s).
func runeStarts(s string) map[int]bool {
	m := make(map[int]bool, len(s)+1)
	for i := range s {
		m[i] = true
	}
	m[len(s)] = true
	return m
}

// checkChunks verifies every invariant of Split's result and returns an error
// describing the first violation.
func checkChunks(s string, limit int, chunks []Chunk) error {
	return checkChunksOpt(s, limit, chunks, true)
}

// checkChunksOpt is checkChunks; short says whether a text within the limit
// must come back as one chunk (not so when the entity budget splits it).
func checkChunksOpt(s string, limit int, chunks []Chunk, short bool) error {
	if limit <= 0 {
		limit = DefaultLimit
	}
	if s == "" {
		if len(chunks) != 1 || chunks[0] != (Chunk{}) {
			return fmt.Errorf("empty input: got %+v, want one empty chunk", chunks)
		}
		return nil
	}
	if len(chunks) == 0 {
		return fmt.Errorf("no chunks for non-empty input")
	}
	starts := runeStarts(s)
	valid := utf8.ValidString(s)
	total := refUTF16Len(s)
	if short && total <= limit && (len(chunks) != 1 || chunks[0].Text != s) {
		return fmt.Errorf("text of %d units <= limit %d not returned unchanged: %d chunks", total, limit, len(chunks))
	}
	pos, upos := 0, 0 // end of the previous chunk: bytes, UTF-16 units
	for i, c := range chunks {
		if c.Text == "" {
			return fmt.Errorf("chunk %d empty", i)
		}
		if c.Start < pos || c.Start+len(c.Text) > len(s) || s[c.Start:c.Start+len(c.Text)] != c.Text {
			return fmt.Errorf("chunk %d: Start %d inconsistent (prev end %d)", i, c.Start, pos)
		}
		if i == 0 && c.Start != 0 {
			return fmt.Errorf("first chunk starts at %d", c.Start)
		}
		if gap := s[pos:c.Start]; !onlySpace(gap) {
			return fmt.Errorf("before chunk %d: skipped non-whitespace %q", i, gap)
		} else if gap != "" {
			// A whitespace cut drops the whole run.
			if endsSpace(chunks[i-1].Text) || startsSpace(c.Text) {
				return fmt.Errorf("chunks %d/%d: whitespace run only partly dropped", i-1, i)
			}
		}
		if !starts[c.Start] || !starts[c.Start+len(c.Text)] {
			return fmt.Errorf("chunk %d [%d,%d) not on rune starts", i, c.Start, c.Start+len(c.Text))
		}
		upos += refUTF16Len(s[pos:c.Start])
		if c.Offset != upos {
			return fmt.Errorf("chunk %d: Offset %d, want %d", i, c.Offset, upos)
		}
		u := refUTF16Len(c.Text)
		upos += u
		if u > limit {
			r, size := utf8.DecodeRuneInString(c.Text)
			if !(limit == 1 && size == len(c.Text) && utf16.RuneLen(r) == 2) {
				return fmt.Errorf("chunk %d: %d units > limit %d", i, u, limit)
			}
		}
		if valid && !utf8.ValidString(c.Text) {
			return fmt.Errorf("chunk %d: invalid UTF-8", i)
		}
		pos = c.Start + len(c.Text)
	}
	if tail := s[pos:]; !onlySpace(tail) {
		return fmt.Errorf("after last chunk: skipped non-whitespace %q", tail)
	} else if tail != "" && endsSpace(chunks[len(chunks)-1].Text) {
		return fmt.Errorf("trailing whitespace run only partly dropped")
	}
	return nil
}

// checkEntities verifies SplitEntities' entity parts against the input
// entities: parts lie inside their chunk, budget respected, ordered by index,
// and every entity is exactly covered where it meets kept text - except in
// the documented degenerate case (more than max entities meet a chunk and
// the chunk carries exactly max parts).
func checkEntities(s string, ents []Entity, maxEntities int, chunks []Chunk, per [][]ChunkEntity) error {
	if maxEntities <= 0 {
		maxEntities = MaxEntities
	}
	if len(per) != len(chunks) {
		return fmt.Errorf("%d entity lists for %d chunks", len(per), len(chunks))
	}
	total := refUTF16Len(s)
	clip := func(e Entity) (int, int) {
		o, end := int64(e.Offset), int64(e.Offset)+int64(e.Length)
		if e.Length <= 0 {
			return 0, 0
		}
		o = max(o, 0)
		end = min(end, int64(total))
		if end <= o {
			return 0, 0
		}
		return int(o), int(end)
	}
	for ci, c := range chunks {
		cu := refUTF16Len(c.Text)
		cs, ce := c.Offset, c.Offset+cu
		list := per[ci]
		if len(list) > maxEntities {
			return fmt.Errorf("chunk %d: %d entities > %d", ci, len(list), maxEntities)
		}
		got := map[int]ChunkEntity{}
		for k, p := range list {
			if p.Index < 0 || p.Index >= len(ents) {
				return fmt.Errorf("chunk %d: bad index %d", ci, p.Index)
			}
			if k > 0 && list[k-1].Index >= p.Index {
				return fmt.Errorf("chunk %d: parts not strictly ordered by index", ci)
			}
			if p.Offset < 0 || p.Length <= 0 || p.Offset+p.Length > cu {
				return fmt.Errorf("chunk %d: part %+v outside chunk of %d units", ci, p, cu)
			}
			got[p.Index] = p
		}
		meeting := 0
		for i, e := range ents {
			o, end := clip(e)
			lo, hi := max(o, cs), min(end, ce)
			if lo >= hi {
				if _, ok := got[i]; ok {
					return fmt.Errorf("chunk %d: entity %d does not meet the chunk but has a part", ci, i)
				}
				continue
			}
			meeting++
			want := ChunkEntity{Index: i, Offset: lo - cs, Length: hi - lo}
			p, ok := got[i]
			if !ok {
				continue // checked below: only allowed in the degenerate case
			}
			if p != want {
				return fmt.Errorf("chunk %d: entity %d part %+v, want %+v", ci, i, p, want)
			}
		}
		if len(list) != meeting && !(meeting > maxEntities && len(list) == maxEntities) {
			return fmt.Errorf("chunk %d: %d parts, %d entities meet it (max %d)", ci, len(list), meeting, maxEntities)
		}
	}
	return nil
}

// sameChunks reports whether SplitEntities without entities matches Split.
func sameChunks(a, b []Chunk) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func startsSpace(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return s != "" && isCutSpace(r) && r != utf8.RuneError
}

func endsSpace(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return s != "" && isCutSpace(r) && r != utf8.RuneError
}
