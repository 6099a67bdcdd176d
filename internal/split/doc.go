// Package split cuts long Telegram message texts, and their message
// entities, into pieces that each fit one message.
//
// # Lengths
//
// Telegram measures text and entity offsets in UTF-16 code units, so every
// length here is UTF-16 units ([UTF16Len]): U+1F600 counts 2, "é" counts 1.
// Invalid UTF-8 is tolerated: each byte that does not start a valid sequence
// counts as one unit (as U+FFFD would) and is a rune of its own. Chunk
// boundaries are always at rune starts, so a chunk never ends inside a UTF-8
// sequence or a surrogate pair, and every chunk of valid UTF-8 input is valid
// UTF-8.
//
// # Where a chunk ends
//
// A text of at most limit units is returned unchanged as one chunk. Otherwise
// each chunk is cut inside its window, the longest prefix of the remaining
// text of at most limit units. Candidate cut points, best class first:
//
//  1. paragraph break: a whitespace run holding at least two line breaks
//     ("\n\n", "\n  \n", "\r\n\r\n", U+2029 ...);
//  2. line break: a whitespace run holding one line break (\n, \r, \r\n, \v,
//     \f, U+0085, U+2028);
//  3. whitespace: any other run of breakable whitespace (space, tab, U+1680,
//     U+2000..U+200A except U+2007, U+205F, U+3000; the no-break spaces
//     U+00A0, U+2007 and U+202F are not whitespace here);
//  4. sentence end: just after a sentence terminator (. ! ? … ‼ ⁇ ⁈ ⁉ 。 ！
//     ？ ｡ ؟ ۔ । ॥), optionally followed by closing quotes or brackets, when
//     the next character is not whitespace (that case is class 3), not a
//     combining character, not a no-break space or word joiner (U+00A0,
//     U+2007, U+202F, U+2060, U+FEFF) and - for the ASCII terminators . ! ? -
//     not ASCII
//     (so "3.14", "example.com" or "a.b" are never cut, but "すごい!本当" and
//     "你好。世界" are).
//
// A whitespace cut ends the chunk before the run and drops the whole run (it
// may extend past the window); the next chunk starts after it. A sentence cut
// drops nothing.
//
// Choice: the best class whose last candidate in the window leaves the chunk
// at least half the window long wins (its last candidate is used). So a
// paragraph break at 60% of the window beats a line break at 95%, but a line
// break at 95% beats a paragraph break at 30%. If no candidate reaches half
// the window, the last candidate of any class is used: a short chunk is
// preferred to cutting a word.
//
// Only when the window holds no candidate at all (a single word longer than
// the limit, or a window that is all whitespace, e.g. only newlines) is the
// chunk cut hard: at the last grapheme-cluster boundary (UAX #29, so flags,
// ZWJ sequences, skin-tone modifiers, combining marks and CR LF stay whole)
// in the last 10% of the window (at least the last 32 units), else at the
// last rune boundary of the window. A hard cut drops nothing. Grapheme
// segmentation runs only around hard cuts, from a nearby position that is
// provably a cluster boundary (or the chunk start), never over the whole text.
//
// No chunk is empty, except that an empty text gives exactly one empty chunk
// (so the caller still sends it and gets MESSAGE_EMPTY from the server).
// Concatenating the chunks, with the dropped whitespace put back between
// them, gives the input. Leading whitespace of the text, and whitespace that
// does not sit at a cut, is kept; a text of only whitespace longer than the
// limit becomes hard-cut whitespace chunks. A chunk exceeds limit only when
// limit is 1 and the chunk is a single astral rune (2 units): a surrogate
// pair is never split.
//
// # Entities
//
// [SplitEntities] also distributes message entities (UTF-16 offset and
// length, possibly nested, overlapping and unsorted; out-of-range parts are
// clipped to the text and empty ones ignored). Each chunk gets the part of
// every entity that intersects its text, re-based to the chunk and tagged
// with the entity's index in the input so the caller can copy the other
// fields. An entity crossing cuts is split into one part per chunk; parts that
// fall only in dropped whitespace vanish. Parts are ordered by input index.
//
// Entity budget: a chunk carries at most maxEntities parts (Telegram rejects
// more than [MaxEntities]). If the window would take in more, the window is
// shortened to end where the first entity over the budget starts; the chunk
// is then cut by the rules above inside the shortened window (the half-window
// rule uses the shortened window), and if that window has no candidate it is
// cut exactly at that entity's start (rounded down to a rune start). No entity
// is lost this way. The only loss possible is the degenerate case where more
// than maxEntities entities already cover the chunk's first rune, which no
// cut can fix: that chunk extends only until another entity would start and
// keeps the maxEntities parts with the lowest input indices.
//
// Cost is linear in the text: one forward pass per window (with an ASCII
// fast path that checks the window eight bytes at a time and searches
// backwards only for line breaks), grapheme segmentation only near hard
// cuts. All functions are pure and safe for concurrent use; besides their
// results they allocate only a sorted copy of the entities and, on the first
// hard cut, the grapheme iterators.
package split
