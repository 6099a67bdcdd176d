package luastr

import (
	"runtime"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// Pathological inputs, run as a host runs scripts: through L.DoString in a
// VM with the standard libraries and the bounded ones over them, with a
// step budget that Spend enforces as the sandbox does.

// stepBudget is the budget of the tests' Spend.
const stepBudget = 1_000_000

// budget counts the units spent and stops the script once more than
// stepBudget are spent.
type budget struct{ used int }

func (b *budget) spend(L *lua.LState, units int) {
	b.used += units
	if b.used > stepBudget {
		L.RaiseError(errStepLimit)
	}
}

// newBudgetVM returns a VM as newVM does, with b enforcing the step budget.
func newBudgetVM(t *testing.T, b *budget, maxString int) *lua.LState {
	return newVM(t, Limits{Spend: b.spend, MaxString: maxString})
}

// Each of these runs for minutes, or for ever, with gopher-lua's own string
// library (its matcher backtracks without bound and cannot be interrupted:
// a context deadline is only checked between VM instructions).
var runaway = []struct{ name, code string }{
	// every way of splitting 5000 a's among 20 a*, at each position
	{"find", `string.find(('a'):rep(5000), ('a*'):rep(20) .. 'b')`},
	{"find method", `(('a'):rep(5000)):find(('a*'):rep(20) .. 'b')`},
	{"match lazy", `(('a'):rep(5000)):match(('a-'):rep(20) .. 'b')`},
	// quadratic: x* takes the rest of the subject at each of 100000
	// positions, then gives it back one byte at a time
	{"gsub", `(('x'):rep(100000)):gsub('x*y*z*w*q', '')`},
	{"gsub cubic", `(('x'):rep(100000)):gsub('x*x*x*y', '%0')`},
	{"gmatch", `for m in (('x'):rep(100000)):gmatch('x*y*z*w*q') do end`},
	{"gmatch cubic", `for m in (('x'):rep(100000)):gmatch('x*x*x*y') do end`},
	// a balance scan to the end of the subject at each position
	{"balance", `(('('):rep(100000)):find('%b()')`},
	// back-references compare long captures at each backtrack
	{"back-reference", `(('a'):rep(100000)):find('(a*)%1b')`},
	{"anchored", `(('a'):rep(5000)):find('^' .. ('a*'):rep(20) .. 'b')`},
}

func TestRunawayPatterns(t *testing.T) {
	var b budget
	L := newBudgetVM(t, &b, 64<<20)
	for _, c := range runaway {
		t.Run(c.name, func(t *testing.T) {
			for _, protected := range []bool{true, false} {
				b.used = 0
				var err error
				if protected {
					// the script catches the error: it is an ordinary Lua error
					err = L.DoString(`
						local ok, err = pcall(function() ` + c.code + ` end)
						assert(not ok, "no error")
						assert(err:find("step limit exceeded", 1, true), err)`)
				} else {
					err = L.DoString(c.code)
					if err == nil || !strings.Contains(err.Error(), errStepLimit) {
						t.Fatalf("got %v, want %q", err, errStepLimit)
					}
					err = nil
				}
				if err != nil {
					t.Fatal(err)
				}
				// Spend is called at least every flushUnits units (a
				// back-reference adds its bytes at once, at most
				// 100000/BytesPerUnit units)
				if b.used > stepBudget+2*flushUnits {
					t.Errorf("stopped after %d units (budget %d)", b.used, stepBudget)
				}
			}
			// the VM still works, and the library too
			b.used = 0
			if got := eval(L, `('hello world'):find('(o)%s*(w)'), ('abc'):rep(2):gsub('b', '%0%0')`); got != `5, "abbcabbc", 2` {
				t.Errorf("afterwards: %s", got)
			}
		})
	}
}

// TestGreedyWithinBudget: patterns that look like the runaway ones but
// match at once stay far below the budget.
func TestGreedyWithinBudget(t *testing.T) {
	var b budget
	L := newBudgetVM(t, &b, 64<<20)
	for _, c := range []struct{ code, want string }{
		{`(('x'):rep(100000)):gsub('x*y*z*w*', '')`, `"", 2`},
		{`#(('a'):rep(5000)):match(('a*'):rep(20))`, `5000`},
		{`(('a'):rep(5000)):find(('a*'):rep(20) .. '$')`, `1, 5000`},
		{`#(('('):rep(50000) .. (')'):rep(50000)):match('%b()')`, `100000`},
	} {
		b.used = 0
		if got := eval(L, c.code); got != c.want {
			t.Errorf("%s\n got: %s\nwant: %s", c.code, got, c.want)
		}
		if b.used > stepBudget/2 {
			t.Errorf("%s: %d units", c.code, b.used)
		}
	}
}

// allocated runs "local _ = <code>" and returns how many bytes the Go heap
// allocated meanwhile, and its error.
func allocated(L *lua.LState, code string) (uint64, error) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	err := L.DoString("local _ = " + code)
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, err
}

func TestMemoryLimits(t *testing.T) {
	const maxString = 64 << 20
	const limitErr = "memory limit exceeded: "
	// No step budget here: gsub over a megabyte takes a million steps.
	L := newVM(t, Limits{MaxString: maxString})
	if err := L.DoString(`mb = ('x'):rep(2^20)`); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, code, want string
		maxAlloc         uint64 // what the attempt may allocate
	}{
		{"rep", `string.rep('x', 2^31)`,
			limitErr + "string.rep would build a string of 2147483648 bytes (limit 67108864)", 1 << 20},
		{"rep method", `('x'):rep(2^31)`, limitErr + "string.rep", 1 << 20},
		{"rep method on a variable", `mb:rep(65)`, limitErr + "string.rep would build a string of 68157440 bytes", 1 << 20},
		{"rep huge", `('xy'):rep(1e300)`, limitErr + "string.rep would build a string of 2000000000000000", 1 << 20},
		{"rep inf", `('x'):rep(math.huge)`, limitErr + "string.rep", 1 << 20},
		// the result is checked as it grows: the builder's buffer
		// doubles up to the limit, so the copies add up to a few times it
		{"gsub", `mb:gsub('x', ('y'):rep(100))`, limitErr + "string.gsub would build a string of at least", 8 * maxString},
		{"gsub captures", `mb:gsub('.', ('%0'):rep(65))`, limitErr + "string.gsub", 8 * maxString},
		{"gsub function", `mb:gsub('x', function() return ('y'):rep(100) end)`, limitErr + "string.gsub", 8 * maxString},
		{"concat", `(function() local t = {} for i = 1, 100 do t[i] = mb end return table.concat(t) end)()`,
			limitErr + "table.concat would build a string of at least", 1 << 20},
		{"concat separator", `table.concat({mb, mb}, mb:rep(63))`, limitErr + "table.concat", 1<<20 + 63<<20},
		{"format width", `string.format('%100d', 1)`, "invalid format (width or precision too long)", 1 << 20},
		{"format precision", `string.format('%.100f', 1)`, "invalid format (width or precision too long)", 1 << 20},
		{"format", `string.format('%s%s', mb:rep(33), mb:rep(33))`, limitErr + "string.format", 66<<20 + 4*maxString},
	} {
		t.Run(c.name, func(t *testing.T) {
			alloc, err := allocated(L, c.code)
			t.Logf("allocated %d bytes", alloc)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s\n got: %v\nwant: error %s", c.code, err, c.want)
			}
			if alloc > c.maxAlloc {
				t.Errorf("%s allocated %d bytes", c.code, alloc)
			}
		})
	}
	// within the limit (which is inclusive), and the VM still works
	for _, c := range []struct{ code, want string }{
		{`#mb:rep(64)`, `67108864`},
		{`('x'):rep(3)`, `"xxx"`},
		{`#table.concat({mb, mb, mb}, ',')`, `3145730`},
		{`#string.format('%99d', 1)`, `99`},
	} {
		if got := eval(L, c.code); got != c.want {
			t.Errorf("%s\n got: %s\nwant: %s", c.code, got, c.want)
		}
	}
}

func TestProtect(t *testing.T) {
	var b budget
	L := newBudgetVM(t, &b, 64<<20)
	// unprotected, gopher-lua hands out the string table itself
	if got := eval(L, `getmetatable('') == string`); got != `true` {
		t.Fatalf("before Protect: getmetatable('') == string is %s", got)
	}
	Protect(L)
	for _, c := range []struct{ code, want string }{
		{`getmetatable('') == string`, `false`},
		{`type(getmetatable(''))`, `"string"`},
		{`rawequal(getmetatable(''), string)`, `false`},
		{`string.__index`, `nil`},
		// the placeholder is a string: assigning to it fails
		{`pcall(function() getmetatable('').__index = nil end)`, `false`},
		{`('x'):upper()`, `"X"`},
		{`pcall(setmetatable, '', {__index = {upper = function() return 'pwned' end}})`, `false, "<string>:1: cannot change a protected metatable"`},
		{`('x'):upper()`, `"X"`},
		{`pcall(rawset, getmetatable(''), '__index', {})`, `false`},
		// string.__index is an ordinary field now, not the strings' __index
		{`(function() string.__index = {upper = function() return 'pwned' end} return ('x'):upper() end)()`, `"X"`},
		// methods follow the string table, as in C Lua
		{`(function() string.shout = function(s) return s:upper() .. '!' end return ('hi'):shout() end)()`, `"HI!"`},
		// and reach the bounded builtins
		{`('x'):rep(3), ('abc'):find('b'), ('%d'):format(5)`, `"xxx", 2, "5"`},
		{`('x'):rep(2^31)`, `error: memory limit exceeded: string.rep`},
		{`#(('a'):rep(5000)):gsub(('a*'):rep(20) .. 'b', '')`, `error: step limit exceeded`},
	} {
		b.used = 0
		if got := eval(L, c.code); !matches(got, c.want) && !strings.HasPrefix(got, c.want) {
			t.Errorf("%s\n got: %s\nwant: %s", c.code, got, c.want)
		}
	}
}

// TestProtectBeforeOpen: Protect and Open work in either order.
func TestProtectBeforeOpen(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	Protect(L)
	Open(L, Limits{MaxString: 1 << 20})
	if err := L.DoString(prelude); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ code, want string }{
		{`type(getmetatable(''))`, `"string"`},
		{`('x'):upper()`, `"X"`},
		{`('x'):rep(2^21)`, `error: memory limit exceeded: string.rep`},
	} {
		if got := eval(L, c.code); !matches(got, c.want) && !strings.HasPrefix(got, c.want) {
			t.Errorf("%s\n got: %s\nwant: %s", c.code, got, c.want)
		}
	}
}
