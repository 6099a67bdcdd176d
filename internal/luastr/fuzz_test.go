package luastr

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// The differential test: FuzzFind runs string.find, string.match,
// string.gmatch and string.gsub (with the replacement "%0%0") of the bounded
// library and of gopher-lua's own string library on the same short subjects
// and patterns, and requires the same results. gopher-lua is the reference
// except where it departs from Lua 5.1, which this package follows; each
// such difference is listed in gopherDiffers (the cases are then only run
// through the bounded library, to check that it does not panic), and was
// checked against C Lua 5.1.5.

const (
	fuzzMaxSubject = 64
	fuzzMaxPattern = 16
	// fuzzMaxCost bounds backtrackCost of the inputs run through
	// gopher-lua, whose matcher has no step limit.
	fuzzMaxCost = 20_000_000
	// fuzzBudget is the step budget of the bounded library in the fuzz
	// test for the inputs compared with gopher-lua, which stay far below
	// it (at most about 3 million units); a case over it is not
	// compared.
	fuzzBudget = 50_000_000
)

// fuzzVM is a VM with the string library under test and its functions.
type fuzzVM struct {
	L                         *lua.LState
	find, match, gmatch, gsub lua.LValue
	used, budget              int // units spent by the bounded library, and its budget
}

const errStepLimit = "step limit exceeded"

func newFuzzVM(tb testing.TB, bounded bool) *fuzzVM {
	vm := &fuzzVM{L: lua.NewState(), budget: fuzzBudget}
	tb.Cleanup(vm.L.Close)
	if bounded {
		Open(vm.L, Limits{MaxString: 1 << 20, Spend: func(L *lua.LState, n int) {
			vm.used += n
			if vm.used > vm.budget {
				L.RaiseError(errStepLimit)
			}
		}})
	}
	str := vm.L.GetGlobal("string")
	vm.find = vm.L.GetField(str, "find")
	vm.match = vm.L.GetField(str, "match")
	vm.gmatch = vm.L.GetField(str, "gmatch")
	vm.gsub = vm.L.GetField(str, "gsub")
	return vm
}

// call calls fn in protected mode and returns its results.
func (vm *fuzzVM) call(fn lua.LValue, args ...lua.LValue) ([]lua.LValue, *lua.ApiError) {
	L := vm.L
	L.SetTop(0)
	defer L.SetTop(0)
	if err := L.CallByParam(lua.P{Fn: fn, NRet: lua.MultRet, Protect: true}, args...); err != nil {
		ae, ok := err.(*lua.ApiError)
		if !ok {
			ae = &lua.ApiError{Type: lua.ApiErrorPanic, Object: lua.LString(err.Error())}
		}
		return nil, ae
	}
	rs := make([]lua.LValue, L.GetTop())
	for i := range rs {
		rs[i] = L.Get(i + 1)
	}
	return rs, nil
}

// outcome is the rendered result of one operation: its values as show
// renders them, or "error: " and the message.
type outcome struct {
	text  string
	err   *lua.ApiError
	limit bool // the step budget ran out
}

func (o outcome) failed() bool { return o.err != nil }

func render(rs []lua.LValue) string {
	var b strings.Builder
	for i, v := range rs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(showValue(v))
	}
	return b.String()
}

// showValue renders v as the prelude's show does.
func showValue(v lua.LValue) string {
	s, ok := v.(lua.LString)
	if !ok {
		return v.String()
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 32 || c >= 127 || c == '"' || c == '\\' {
			b.WriteString("\\" + strconv.Itoa(int(c)))
		} else {
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func (vm *fuzzVM) outcome(rs []lua.LValue, err *lua.ApiError) outcome {
	if err != nil {
		msg := lua.LVAsString(err.Object)
		return outcome{text: "error: " + msg, err: err, limit: strings.Contains(msg, errStepLimit)}
	}
	return outcome{text: render(rs)}
}

// run runs operation op ("find", "match", "gmatch" or "gsub") on s and p
// (and init for find and match). gmatch renders every match as gm does in
// the prelude.
func (vm *fuzzVM) run(op, s, p string, init int) outcome {
	vm.used = 0
	ls, lp, li := lua.LString(s), lua.LString(p), lua.LNumber(init)
	switch op {
	case "find":
		return vm.outcome(vm.call(vm.find, ls, lp, li))
	case "match":
		rs, err := vm.call(vm.match, ls, lp, li)
		if err == nil && len(rs) == 0 {
			// gopher-lua's string.match returns nothing instead of nil
			// when there is no match; a difference of no consequence
			// in most code, ignored here.
			rs = []lua.LValue{lua.LNil}
		}
		return vm.outcome(rs, err)
	case "gsub":
		return vm.outcome(vm.call(vm.gsub, ls, lp, lua.LString("%0%0")))
	case "gmatch":
		rs, err := vm.call(vm.gmatch, ls, lp)
		if err != nil {
			return vm.outcome(nil, err)
		}
		iter, state := rs[0], rs[1:]
		var b strings.Builder
		for range len(s) + 2 { // at most len(s)+1 matches
			r, err := vm.call(iter, state...)
			if err != nil {
				return vm.outcome(nil, err)
			}
			if len(r) == 0 {
				return outcome{text: b.String()}
			}
			b.WriteString("[" + render(r) + "]")
		}
		return outcome{text: b.String() + "... (too many matches)"}
	}
	panic("unknown operation " + op)
}

var fuzzOps = []string{"find", "match", "gmatch", "gsub"}

func FuzzFind(f *testing.F) {
	for _, c := range []struct {
		s, p string
		init int
	}{
		{"hello world", "o w", 1},
		{"hello world", "(%w+) (%w+)", 1},
		{"key = value", "^(%w+)%s*=%s*(%w+)$", 1},
		{"  trim me  ", "^%s*(.-)%s*$", 1},
		{"f(a(b)c)d", "%b()", 1},
		{"date: 2024-01-15", "(%d+)-(%d+)-(%d+)", 3},
		{"abcabc", "(abc)%1", 1},
		{"x = 'hi'", "(['\"])(.-)%1", 1},
		{"a,b,,c", "([^,]*)", 1},
		{"hello", "()ll()", -4},
		{"THE (quick) fox", "%f[%a]%a+", 1},
		{"a-z]", "[%a-]+", 1},
		{"aaab", "a-b", 2},
		{"\x00\xffA", "[%z\x80-\xff]+", 1},
		{"hello", "l*$", 0},
		{"a-b-c x-y", "[a-c-]+", 1},
		{"((a)(b))", "%((%b())%)", 1},
		{"abba", "^(a)(b)%2%1$", 1},
		{"x=1, y=22", "(%a)=(%d*)", -6},
		{"a.b%c[d]", "[%.%%%[]", 1},
		{"$^", "^$^", 1},
		{"aaa", "a?a?a?aaa", 1},
	} {
		f.Add(c.s, c.p, c.init)
	}
	stock := newFuzzVM(f, false)
	bounded := newFuzzVM(f, true)
	f.Fuzz(func(t *testing.T, s, p string, init int) {
		s = s[:min(len(s), fuzzMaxSubject)]
		p = p[:min(len(p), fuzzMaxPattern)]
		// init in [-len(s)-2, len(s)+2], to reach every branch of the
		// index conversion without mostly testing out-of-range values
		init %= len(s) + 3
		compare := backtrackCost(p, len(s)) <= fuzzMaxCost
		// only checked for panics: a smaller budget keeps exponential
		// patterns from slowing the fuzzer down
		bounded.budget = fuzzBudget
		if !compare {
			bounded.budget = stepBudget
		}
		for _, op := range fuzzOps {
			b := bounded.run(op, s, p, init)
			if b.err != nil && b.err.Type != lua.ApiErrorRun {
				t.Fatalf("bounded %s(%q, %q, %d) panicked: %s", op, s, p, init, b.text)
			}
			if !compare || b.limit {
				continue
			}
			if why := gopherDiffers(op, s, p, init); why != "" {
				continue
			}
			g := stock.run(op, s, p, init)
			switch {
			case g.failed():
				// gopher-lua rejects more patterns than Lua 5.1 and
				// rejects them at once, while Lua 5.1 (and the bounded
				// library) only fails when the match reaches the fault:
				// any result goes.
			case b.text != g.text:
				t.Errorf("%s(%q, %q, %d):\nbounded: %s\ngopher:  %s%s", op, s, p, init, b.text, g.text, lua51Says(op, s, p, init))
			}
		}
	})
}

// backtrackCost bounds the work of matching p against a subject of n bytes
// at each position: every quantifier *, + or - may stop at any of n+1
// places and every ? at 2 (an item inside a set or after % is counted too,
// which only overestimates).
func backtrackCost(p string, n int) float64 {
	cost := float64(n + 1) // start positions
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '*', '+', '-':
			cost *= float64(n + 1)
		case '?':
			cost *= 2
		}
	}
	return cost
}

// gopherDiffers reports why gopher-lua's result for op on s, p and init is
// known to differ from Lua 5.1's (and the bounded library's), or "".
func gopherDiffers(op, s, p string, init int) string {
	switch op {
	case "find", "match":
		if init > len(s)+1 {
			// Lua 5.1 clamps init to the end of the subject, so that
			// ("ab"):find("", 10) is 3, 2 and ("ab"):match("()", 10)
			// is 3; gopher-lua finds nothing.
			return "init past the end"
		}
		if op == "find" && p == "" && startIndex(init, len(s)) != 0 {
			// gopher-lua's string.find returns 1, 0 for an empty
			// pattern whatever init is.
			return "empty pattern with init"
		}
	}
	ft := scanPattern(p)
	switch {
	case ft.frontier:
		// gopher-lua has no frontier pattern: %f is the letter f.
		return "%f"
	case ft.trailingEscape:
		// A '%' at the end of a pattern matches nothing in gopher-lua;
		// Lua 5.1 fails with "malformed pattern (ends with '%')" when
		// the match reaches it.
		return "trailing %"
	case ft.shortBalance:
		// %b, or %bx, at the end matches nothing in gopher-lua; Lua 5.1
		// fails with "unbalanced pattern" when the match reaches it.
		return "short %b"
	case ft.positionRef:
		// A back-reference to a position capture, ()%1, matches the
		// empty string in gopher-lua; in Lua 5.1 it never matches (the
		// C code compares the capture's length CAP_POSITION as a huge
		// size_t).
		return "back-reference to a position capture"
	case ft.openRef:
		// A back-reference to a capture that is not closed yet, as in
		// (()%1), is an error in Lua 5.1 ("invalid capture index");
		// gopher-lua may match it as the empty string.
		return "back-reference to an open capture"
	case ft.setRange:
		// gopher-lua reads '-' in sets differently: see gopherSetRange.
		return "range in a set"
	}
	switch op {
	case "gmatch":
		if strings.HasPrefix(p, "^") {
			// In Lua 5.1 gmatch, '^' is an ordinary character; gopher-
			// lua anchors the pattern (one match at most, at 1).
			return "gmatch with '^'"
		}
	}
	return ""
}

// lua51Says returns, for a failure message, what C Lua 5.1 makes of op on s,
// p and init, if lua5.1 is installed.
func lua51Says(op, s, p string, init int) string {
	lua51, err := exec.LookPath("lua5.1")
	if err != nil {
		return ""
	}
	code := fmt.Sprintf("show(string.%s(%s, %s, %d))", op, luaQuote(s), luaQuote(p), init)
	switch op {
	case "gsub":
		code = fmt.Sprintf("show(string.gsub(%s, %s, '%%0%%0'))", luaQuote(s), luaQuote(p))
	case "gmatch":
		code = fmt.Sprintf("gm(%s, %s)", luaQuote(s), luaQuote(p))
	}
	dir, err := os.MkdirTemp("", "lua51")
	if err != nil {
		return ""
	}
	defer os.RemoveAll(dir)
	script := prelude + "local ok, r = pcall(function() return " + code + " end)\n" +
		"io.write(ok and r or ('error: ' .. tostring(r)))\n"
	if err := os.WriteFile(dir+"/case.lua", []byte(script), 0o600); err != nil {
		return ""
	}
	out, err := exec.Command(lua51, dir+"/case.lua").CombinedOutput()
	if err != nil {
		return "\nlua5.1:  " + err.Error() + ": " + string(out)
	}
	return "\nlua5.1:  " + string(out)
}

// luaQuote quotes s as a Lua string literal with decimal escapes.
func luaQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		b.WriteString("\\" + strconv.Itoa(int(s[i])))
	}
	b.WriteByte('"')
	return b.String()
}

// patternFeatures are the features of a pattern that gopher-lua gets wrong.
type patternFeatures struct {
	frontier       bool // %f[set]
	trailingEscape bool // a '%' at the very end of the pattern
	shortBalance   bool // %b without its two characters
	positionRef    bool // a back-reference to a position capture: ()%1
	openRef        bool // a back-reference to a capture not closed yet: (%1)
	setRange       bool // a set whose '-' gopher-lua reads as a range and Lua does not
}

// scanPattern walks p item by item as Lua 5.1's matcher does, without
// matching, and reports its features.
func scanPattern(p string) patternFeatures {
	var ft patternFeatures
	var position []bool // whether each capture opened so far is a position capture
	var open []int      // the captures not closed yet
	i := 0
	if strings.HasPrefix(p, "^") {
		i++
	}
	for i < len(p) {
		ep := i + 1 // the end of a single-character class at i
		switch p[i] {
		case '(':
			isPos := i+1 < len(p) && p[i+1] == ')'
			position = append(position, isPos)
			if isPos {
				i++
			} else {
				open = append(open, len(position))
			}
			i++
			continue
		case ')':
			if len(open) > 0 {
				open = open[:len(open)-1]
			}
			i++
			continue
		case '%':
			if i+1 == len(p) {
				ft.trailingEscape = true
				return ft
			}
			switch c := p[i+1]; {
			case c == 'b':
				if i+3 >= len(p) {
					ft.shortBalance = true
					return ft
				}
				i += 4
				continue
			case c == 'f':
				ft.frontier = true
				i += 2
				continue // the set that follows is read as a set below
			case '0' <= c && c <= '9':
				if n := int(c - '0'); n >= 1 && n <= len(position) {
					ft.positionRef = ft.positionRef || position[n-1]
					ft.openRef = ft.openRef || slices.Contains(open, n)
				}
				i += 2
				continue
			}
			ep = i + 2
		case '[':
			ep = setEnd(p, i)
			if ep < 0 {
				return ft // malformed: both fail
			}
			if gopherSetRange(p[i+1 : ep-1]) {
				ft.setRange = true
			}
		}
		i = ep
		if i < len(p) && strings.IndexByte("*+-?", p[i]) >= 0 {
			i++
		}
	}
	return ft
}

// setEnd returns the index after the ']' that ends the set at p[i] (Lua
// 5.1's classEnd), or -1 if there is none.
func setEnd(p string, i int) int {
	i++
	if i < len(p) && p[i] == '^' {
		i++
	}
	for {
		if i >= len(p) {
			return -1
		}
		c := p[i]
		i++
		if c == '%' && i < len(p) {
			i++
		}
		if i < len(p) && p[i] == ']' {
			return i + 1
		}
	}
}

// gopherSetRange reports whether gopher-lua reads the set body (between
// '[' and ']') with a range that Lua 5.1 does not have. gopher-lua makes a
// range of the two items around any '-' that is not the first item nor
// just before the ']', even if one of them is a class (%a) or itself a
// range, and such a range matches nothing; "--" after an item is a single
// '-' to it. Lua 5.1 makes a range only of a character followed by '-' and
// a character, where a '%' after the '-' is just the character '%'.
func gopherSetRange(body string) bool {
	body = strings.TrimPrefix(body, "^")
	type kind int
	const (
		char kind = iota
		class
		rng
	)
	var items []kind
	dash := false
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c == '-' && len(items) > 0 {
			if dash {
				return true
			}
			dash = true
			continue
		}
		k := char
		if c == '%' {
			k = class
			i++
		}
		if dash {
			if items[len(items)-1] != char || k != char {
				return true
			}
			items[len(items)-1] = rng
			dash = false
			continue
		}
		items = append(items, k)
	}
	return false
}

// gopherDifferences has an example of each difference between gopher-lua
// and Lua 5.1 that FuzzFind skips (the fuzzer found them), with Lua 5.1's
// result, which the bounded library gives.
var gopherDifferences = []struct {
	op, s, p string
	init     int
	want     string
}{
	{"find", "ab", "", 3, `3, 2`},
	{"find", "ab", "()", 10, `3, 2, 3`},
	{"match", "ab", "()", 10, `3`},
	{"find", "THE (quick) fox", "%f[%a]%a+", 1, `1, 3`},
	{"gsub", "THE (quick) fox", "%f[%a]%a+", 1, `"THETHE (quickquick) foxfox", 3`},
	{"gmatch", "^a^a", "^a", 1, `["^a"]["^a"]`},
	{"gsub", "0000o wo000", "o %", 1, `error: malformed pattern (ends with '%')`},
	{"find", "ab", "%ba", 1, `error: unbalanced pattern`},
	{"find", "xx", "()%1", 1, `nil`},
	{"find", "0", "(()%1)", 1, `error: invalid capture index`},
	{"find", "-", "[%a-z]", 1, `1, 1`},
	{"find", "d", "[a-%d]", 1, `1, 1`},
	{"find", "c", "[a-b-c]", 1, `1, 1`},
	{"find", "-", "[a--]", 1, `nil`},
	{"find", "]", "[%]-a]", 1, `1, 1`},
}

func TestGopherDifferences(t *testing.T) {
	stock := newFuzzVM(t, false)
	bounded := newFuzzVM(t, true)
	_, lookErr := exec.LookPath("lua5.1")
	for _, c := range gopherDifferences {
		name := fmt.Sprintf("%s(%q, %q, %d)", c.op, c.s, c.p, c.init)
		if why := gopherDiffers(c.op, c.s, c.p, c.init); why == "" {
			t.Errorf("%s: not in gopherDiffers", name)
		}
		if got := bounded.run(c.op, c.s, c.p, c.init).text; !matches(got, c.want) {
			t.Errorf("%s: got %s, want %s", name, got, c.want)
		}
		if got := stock.run(c.op, c.s, c.p, c.init).text; matches(got, c.want) {
			t.Errorf("%s: gopher-lua gives Lua 5.1's result now (%s): update gopherDiffers", name, got)
		}
		if lookErr == nil {
			got := strings.TrimPrefix(lua51Says(c.op, c.s, c.p, c.init), "\nlua5.1:  ")
			if !matches(got, c.want) {
				t.Errorf("%s: lua5.1 gives %s, want %s", name, got, c.want)
			}
		}
	}
}
