package luabind

import (
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

// Limits on what one call may send or receive. They keep a hostile script or
// server answer from exhausting the host: every walk over a Lua table or a TL
// answer counts its depth explicitly instead of relying on the goroutine
// stack (Go's stack overflow is a fatal error no recover catches).
const (
	// MaxDepth is how deeply tables (objects and vectors) may nest in an
	// argument table or an answer. The deepest nesting the layer-229
	// schema has without repeating a type is 23 tables
	// (channels.adminLogResults → ... → inputUserFromMessage.peer, see
	// TestMaxDepthCoversSchema); recursive types (RichText, PageBlock,
	// JSONValue) nest further in real data only by a few levels. 64 leaves
	// a wide margin while bounding the encoder's and decoder's stack to a
	// few kilobytes.
	MaxDepth = 64

	// MaxRequestSize is the largest encoded request sent, in bytes: the
	// payload limit of one MTProto message (1 MB less the container
	// header, as Telegram's clients use), beyond which Telegram closes the
	// connection, so that such a request would be resent on every
	// reconnect. The largest legitimate request, upload.saveBigFilePart,
	// carries 512 KB.
	MaxRequestSize = 1044456 - 8

	// MaxAnswerTables is the most tables (objects and vectors) one answer
	// may decode into. gotd reads frames of up to 16 MB, enough for four
	// million empty objects and about a gigabyte of Lua tables; the
	// largest honest answers (a contact list, a language pack) hold tens of
	// thousands.
	MaxAnswerTables = 1 << 18

	// DefaultMaxChunks is how many messages one split call may send
	// unless split.max_chunks says otherwise.
	DefaultMaxChunks = 100
)

// tooDeep is the encoder's error for a value v that would nest beyond
// MaxDepth. When the tables entered repeat (a table that contains itself),
// it is a cycle, named at the first table that repeats an enclosing one:
// "events[1].data.value[1]: cycle: the table contains itself".
func (e *encoder) tooDeep(v lua.LValue) *pathError {
	for j := 1; j <= MaxDepth; j++ {
		tj, ok := v.(*lua.LTable)
		if j < MaxDepth {
			tj, ok = e.stack[j].(*lua.LTable)
		}
		if !ok {
			continue
		}
		for i := range j {
			if e.stack[i] == lua.LValue(tj) {
				return &pathError{msg: "cycle: the table contains itself", cycleAt: j}
			}
		}
	}
	return errf("table nested too deep (limit " + strconv.Itoa(MaxDepth) + ")")
}

func requestTooLarge(n int) *pathError {
	return errf("request too large: over " + strconv.Itoa(MaxRequestSize) + " bytes encoded (Telegram's limit for one request), got " + strconv.Itoa(n) + " so far")
}
