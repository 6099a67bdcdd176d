package luastr

import (
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// The benchmarks call string.find, string.match and string.gsub of
// gopher-lua's library ("gopher") and of the bounded one ("bounded", with a
// Spend that only counts) on ordinary patterns, through L.CallByParam as a
// script's call would, so that both go through the same path.

type benchCase struct {
	name string
	fn   string // the string library function
	args []lua.LValue
}

// benchText returns about n bytes of prose with numbers in it, the first
// one near the end.
func benchText(n int) string {
	words := []string{"lorem", "ipsum", "dolor", "sit", "amet,", "consectetur", "adipiscing", "elit", "sed", "do"}
	var b strings.Builder
	for i := 0; b.Len() < n-12; i++ {
		if i > 0 {
			b.WriteString(" ")
			if i%7 == 0 {
				b.WriteString("  \t")
			}
		}
		b.WriteString(words[i%len(words)])
	}
	b.WriteString(" 12345 end")
	return b.String()
}

var (
	text200 = benchText(200)
	text1k  = benchText(1024)
)

var findCases = []benchCase{
	{"digits", "find", []lua.LValue{lua.LString(text200), lua.LString("%d+")}},
	{"captures", "find", []lua.LValue{lua.LString(text200), lua.LString("(%a+) (%d+)")}},
	{"keyvalue", "match", []lua.LValue{lua.LString("timeout123=value456"), lua.LString("^(%w+)=(%w+)$")}},
	{"plain", "find", []lua.LValue{lua.LString(text200), lua.LString("end")}},
}

var gsubCases = []benchCase{
	{"spaces", "gsub", []lua.LValue{lua.LString(text1k), lua.LString("%s+"), lua.LString(" ")}},
	{"words", "gsub", []lua.LValue{lua.LString(text1k), lua.LString("%w+"), lua.LString("<%0>")}},
	{"trim", "gsub", []lua.LValue{lua.LString("   " + text200 + "   "), lua.LString("^%s*(.-)%s*$"), lua.LString("%1")}},
}

func BenchmarkFind(b *testing.B) { benchLibs(b, findCases) }

func BenchmarkGsub(b *testing.B) { benchLibs(b, gsubCases) }

func benchLibs(b *testing.B, cases []benchCase) {
	for _, lib := range []string{"gopher", "bounded"} {
		b.Run(lib, func(b *testing.B) {
			L := lua.NewState()
			defer L.Close()
			var units int
			if lib == "bounded" {
				Open(L, Limits{MaxString: 64 << 20, Spend: func(_ *lua.LState, n int) { units += n }})
			}
			str := L.GetGlobal("string")
			for _, c := range cases {
				b.Run(c.name, func(b *testing.B) {
					p := lua.P{Fn: L.GetField(str, c.fn), NRet: lua.MultRet}
					if err := L.CallByParam(p, c.args...); err != nil {
						b.Fatal(err)
					}
					if L.Get(1) == lua.LNil {
						b.Fatalf("%s: no match", c.name)
					}
					L.SetTop(0)
					b.ReportAllocs()
					for b.Loop() {
						if err := L.CallByParam(p, c.args...); err != nil {
							b.Fatal(err)
						}
						L.SetTop(0)
					}
				})
			}
			_ = units
		})
	}
}

// TestBenchCases: both libraries give the same results on the benchmarks'
// cases.
func TestBenchCases(t *testing.T) {
	stock, bounded := newFuzzVM(t, false), newFuzzVM(t, true)
	for _, c := range append(findCases, gsubCases...) {
		g, gerr := stock.call(stock.L.GetField(stock.L.GetGlobal("string"), c.fn), c.args...)
		r, rerr := bounded.call(bounded.L.GetField(bounded.L.GetGlobal("string"), c.fn), c.args...)
		if gerr != nil || rerr != nil || render(g) != render(r) {
			t.Errorf("%s: gopher %s %v, bounded %s %v", c.name, render(g), gerr, render(r), rerr)
		}
	}
}
