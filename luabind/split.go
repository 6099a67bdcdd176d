package luabind

import (
	"math"
	"strconv"
	"sync"

	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/internal/split"
	"github.com/tglua/tglua/luabind/schema"
)

// SplitMethods are the methods whose `message` parameter is split when it is
// longer than the limit: methods that send a new message as text. Editing
// methods and media captions are not split: a caption over its limit is the
// server's error to give. A VM reads it when it first binds a method's
// function.
var SplitMethods = map[string]bool{
	"auth.sendInvites":     true,
	"messages.sendMessage": true,
}

// messageSplitter is the default Splitter. The limit is, in order: the
// script's `split.limit`, message_length_max from the last help.getConfig
// answer, or 4096 UTF-16 code units.
//
// A call that would send more than max chunks (the script's
// `split.max_chunks`, else Options.MaxChunks, else DefaultMaxChunks) is
// refused before the first chunk goes out: a 50 MB string is more likely a
// bug than 12,000 messages anybody wants.
type messageSplitter struct {
	configLimit int // from a decoded config object; 0 when unseen
	watching    bool
	global      *lua.LTable
	maxChunks   int
}

func (s *messageSplitter) max() int {
	if n, ok := s.global.RawGetString("max_chunks").(lua.LNumber); ok && n >= 1 && n <= math.MaxInt32 {
		return int(n)
	}
	return s.maxChunks
}

// tooManyChunks is the error of a message that would need n chunks or more.
func tooManyChunks(n, limit, max int, atLeast bool) error {
	more := ""
	if atLeast {
		more = "at least "
	}
	return &ArgError{Path: "message", Msg: "message too long: it would be sent as " + more + strconv.Itoa(n) +
		" messages of up to " + strconv.Itoa(limit) + " UTF-16 units, more than split.max_chunks (" + strconv.Itoa(max) +
		"); send less text, or raise split.max_chunks"}
}

// configID is the ID of the config constructor, looked up on first use so
// that package initialisation builds no schema index.
var configID = sync.OnceValue(func() uint32 { return schema.ByName("config").ID })

func (s *messageSplitter) limit() int {
	if n, ok := s.global.RawGetString("limit").(lua.LNumber); ok && n >= 1 && n <= math.MaxInt32 {
		return int(n)
	}
	if s.configLimit > 0 {
		return s.configLimit
	}
	return split.DefaultLimit
}

// observe records message_length_max from a decoded config object.
func (s *messageSplitter) observe(t *lua.LTable) {
	if n, ok := t.RawGetString("message_length_max").(lua.LNumber); ok && n >= 1 && n <= math.MaxInt32 {
		s.configLimit = int(n)
	}
}

// Split implements Splitter.
func (s *messageSplitter) Split(L *lua.LState, m *schema.Constructor, args *lua.LTable) ([]*lua.LTable, error) {
	if !SplitMethods[m.Name] {
		return nil, nil
	}
	msg, ok := args.RawGetString("message").(lua.LString)
	if !ok {
		return nil, nil // the encoder reports the type error
	}
	limit := s.limit()
	text := string(msg)
	n := split.UTF16Len(text)
	if n <= limit {
		return nil, nil
	}
	max := s.max()
	if least := (n + limit - 1) / limit; least > max {
		return nil, tooManyChunks(least, limit, max, true)
	}

	// Entities, if they are well-formed enough to split; otherwise the
	// encoder reports what is wrong with them.
	var ents []split.Entity
	var entTables []*lua.LTable
	if et, ok := args.RawGetString("entities").(*lua.LTable); ok {
		for i := 1; i <= et.Len(); i++ {
			e, ok := et.RawGetInt(i).(*lua.LTable)
			if !ok {
				return nil, nil
			}
			off, ok1 := e.RawGetString("offset").(lua.LNumber)
			n, ok2 := e.RawGetString("length").(lua.LNumber)
			if !ok1 || !ok2 {
				return nil, nil
			}
			ents = append(ents, split.Entity{Offset: int(off), Length: int(n)})
			entTables = append(entTables, e)
		}
	}
	chunks, perChunk := split.SplitEntities(text, ents, limit, split.MaxEntities)
	if len(chunks) > max {
		return nil, tooManyChunks(len(chunks), limit, max, false)
	}
	calls := make([]*lua.LTable, len(chunks))
	for i, c := range chunks {
		t := copyTable(L, args)
		t.RawSetString("message", lua.LString(c.Text))
		if i > 0 {
			// A repeated random_id is rejected as a duplicate, and only the
			// first chunk replies.
			t.RawSetString("random_id", lua.LNil)
			t.RawSetString("reply_to", lua.LNil)
		}
		if entTables != nil {
			list := L.CreateTable(len(perChunk[i]), 0)
			for j, ce := range perChunk[i] {
				e := copyTable(L, entTables[ce.Index])
				e.RawSetString("offset", lua.LNumber(ce.Offset))
				e.RawSetString("length", lua.LNumber(ce.Length))
				list.RawSetInt(j+1, e)
			}
			t.RawSetString("entities", list)
		}
		calls[i] = t
	}
	return calls, nil
}

func copyTable(L *lua.LState, src *lua.LTable) *lua.LTable {
	t := L.CreateTable(0, 8)
	src.ForEach(func(k, v lua.LValue) { t.RawSet(k, v) })
	return t
}

// splitText is split.text(s [, limit]): the chunks as an array of strings.
func (s *messageSplitter) splitText(L *lua.LState) int {
	text := L.CheckString(1)
	limit := s.limit()
	if L.GetTop() >= 2 {
		n := L.CheckNumber(2)
		if n < 1 || n > math.MaxInt32 || float64(n) != math.Trunc(float64(n)) {
			L.ArgError(2, "limit must be a positive integer")
		}
		limit = int(n)
	}
	chunks := split.Text(text, limit)
	t := L.CreateTable(len(chunks), 0)
	for i, c := range chunks {
		t.RawSetInt(i+1, lua.LString(c))
	}
	L.Push(t)
	return 1
}

// registerSplit installs the `split` global and returns the splitter.
func registerSplit(L *lua.LState, maxChunks int) *messageSplitter {
	if maxChunks <= 0 {
		maxChunks = DefaultMaxChunks
	}
	s := &messageSplitter{global: L.CreateTable(0, 2), maxChunks: maxChunks}
	s.global.RawSetString("text", L.NewFunction(s.splitText))
	L.SetGlobal("split", s.global)
	return s
}
