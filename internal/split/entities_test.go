package split

import (
	"strings"
	"testing"
)

func mustSplitEntities(t *testing.T, s string, ents []Entity, limit, maxEnt int) ([]Chunk, [][]ChunkEntity) {
	t.Helper()
	chunks, per := SplitEntities(s, ents, limit, maxEnt)
	if err := checkChunksOpt(s, limit, chunks, len(ents) <= maxEnt || (maxEnt <= 0 && len(ents) <= MaxEntities)); err != nil {
		t.Fatal(err)
	}
	if err := checkEntities(s, ents, maxEnt, chunks, per); err != nil {
		t.Fatal(err)
	}
	return chunks, per
}

// coveredUnits sums the part lengths of entity i over all chunks.
func coveredUnits(per [][]ChunkEntity, i int) int {
	n := 0
	for _, list := range per {
		for _, p := range list {
			if p.Index == i {
				n += p.Length
			}
		}
	}
	return n
}

func TestEntitiesNone(t *testing.T) {
	s := strings.Repeat("lorem ipsum ", 1000)
	c1 := Split(s, 100)
	c2, per := mustSplitEntities(t, s, nil, 100, 0)
	if !sameChunks(c1, c2) {
		t.Fatal("SplitEntities without entities differs from Split")
	}
	for _, p := range per {
		if len(p) != 0 {
			t.Fatal("parts without entities")
		}
	}
	c, per := mustSplitEntities(t, "", []Entity{{0, 5}}, 10, 0)
	if len(c) != 1 || len(per) != 1 || len(per[0]) != 0 {
		t.Fatalf("empty text: %v %v", c, per)
	}
}

func TestEntityCrossingCut(t *testing.T) {
	s := "hello world foo bar"
	// bold over everything, italic "world", code "o b" crossing the
	// second cut.
	ents := []Entity{{0, 19}, {6, 5}, {14, 3}}
	c, per := mustSplitEntities(t, s, ents, 8, 0)
	if !eqStrings(texts(c), []string{"hello", "world", "foo bar"}) {
		t.Fatalf("chunks %q", texts(c))
	}
	want := [][]ChunkEntity{
		{{0, 0, 5}},
		{{0, 0, 5}, {1, 0, 5}},
		{{0, 0, 7}, {2, 2, 3}},
	}
	for i := range want {
		if len(per[i]) != len(want[i]) {
			t.Fatalf("chunk %d: %v want %v", i, per[i], want[i])
		}
		for j := range want[i] {
			if per[i][j] != want[i][j] {
				t.Fatalf("chunk %d: %v want %v", i, per[i], want[i])
			}
		}
	}
	// Bold over the whole text loses only the two dropped spaces.
	if n := coveredUnits(per, 0); n != 17 {
		t.Fatalf("covered %d", n)
	}
	// An entity only on dropped whitespace vanishes.
	_, per = mustSplitEntities(t, s, []Entity{{5, 1}}, 8, 0)
	if coveredUnits(per, 0) != 0 {
		t.Fatal("whitespace-only entity kept")
	}
}

func TestEntityAcrossManyChunks(t *testing.T) {
	s := strings.Repeat("😀bc ", 1000) // 5000 units
	ents := []Entity{{1, 4990}, {-5, 10}, {4998, 100}, {7, 0}, {100000, 3}}
	c, per := mustSplitEntities(t, s, ents, 64, 0)
	parts := 0
	for _, list := range per {
		for _, p := range list {
			if p.Index == 0 {
				parts++
			}
		}
	}
	if parts < len(c)-1 {
		t.Fatalf("entity 0 in %d of %d chunks", parts, len(c))
	}
	if coveredUnits(per, 3) != 0 || coveredUnits(per, 4) != 0 {
		t.Fatal("empty entities produced parts")
	}
	if coveredUnits(per, 1) != 5 {
		t.Fatalf("negative offset entity: %d", coveredUnits(per, 1))
	}
}

func TestEntities300(t *testing.T) {
	// 300 one-word entities in a text that fits one message: the budget
	// forces at least 3 chunks, none over 100, none lost.
	var b strings.Builder
	var ents []Entity
	for i := range 300 {
		w := "w" + strings.Repeat("x", i%5)
		ents = append(ents, Entity{Offset: UTF16Len(b.String()), Length: len(w)})
		b.WriteString(w)
		if i%10 == 9 {
			b.WriteString("\n")
		} else {
			b.WriteString(" ")
		}
	}
	s := b.String()
	if UTF16Len(s) > 4096 {
		t.Fatal("text too long for the test")
	}
	// Unsorted input.
	ents[0], ents[299] = ents[299], ents[0]
	ents[10], ents[150] = ents[150], ents[10]
	c, per := mustSplitEntities(t, s, ents, 4096, 0)
	if len(c) < 3 {
		t.Fatalf("%d chunks", len(c))
	}
	seen := 0
	for i, list := range per {
		if len(list) > MaxEntities {
			t.Fatalf("chunk %d has %d entities", i, len(list))
		}
		seen += len(list)
	}
	if seen != 300 {
		t.Fatalf("%d parts, want 300 (no word entity crosses a cut)", seen)
	}
	for i, e := range ents {
		if coveredUnits(per, i) != e.Length {
			t.Fatalf("entity %d lost units", i)
		}
	}
	// The budget cut prefers a line break: chunks end at line ends.
	for i, ch := range c[:len(c)-1] {
		if !strings.HasSuffix(s[:ch.Start+len(ch.Text)+1], "\n") {
			t.Fatalf("chunk %d does not end at a line break", i)
		}
	}
	// Small budgets too.
	for _, m := range []int{1, 2, 7, 99} {
		mustSplitEntities(t, s, ents, 4096, m)
		mustSplitEntities(t, s, ents, 50, m)
	}
}

func TestEntityBudgetCutsAtEntityStart(t *testing.T) {
	// No whitespace: the chunk ends exactly where the entity over the
	// budget starts.
	s := strings.Repeat("abcdefghij", 10)
	var ents []Entity
	for i := range 10 {
		ents = append(ents, Entity{Offset: i*10 + 3, Length: 2})
	}
	c, per := mustSplitEntities(t, s, ents, 4096, 4)
	if len(c) != 3 || c[0].Text != s[:43] || c[1].Text != s[43:83] {
		t.Fatalf("chunks %q", texts(c))
	}
	for i, list := range per {
		if len(list) != []int{4, 4, 2}[i] {
			t.Fatalf("chunk %d: %v", i, list)
		}
	}
}

func TestNestedEntities(t *testing.T) {
	s := strings.Repeat("one two three four five six ", 20)
	n := UTF16Len(s)
	var ents []Entity
	for d := range 30 { // 30 nested levels shrinking towards the middle
		ents = append(ents, Entity{Offset: d * 5, Length: n - d*10})
	}
	ents = append(ents, Entity{Offset: 50, Length: 3}, Entity{Offset: 50, Length: 3}) // duplicates
	for _, limit := range []int{30, 100, 4096} {
		for _, m := range []int{0, 10, 31, 32} {
			mustSplitEntities(t, s, ents, limit, m)
		}
	}
	// Degenerate: more than max entities cover the first rune.
	c, per := mustSplitEntities(t, s, ents, 4096, 10)
	if len(per[0]) != 10 {
		t.Fatalf("degenerate first chunk: %d parts", len(per[0]))
	}
	if len(c[0].Text) == 0 {
		t.Fatal("empty chunk")
	}
}

func TestEntitiesSurrogates(t *testing.T) {
	// Entity offsets inside a surrogate pair must not break anything.
	s := strings.Repeat("😀", 50)
	ents := []Entity{{1, 2}, {3, 1}, {5, 40}, {0, 100}}
	for _, limit := range []int{1, 2, 3, 10} {
		for _, m := range []int{1, 2, 3} {
			mustSplitEntities(t, s, ents, limit, m)
		}
	}
}
