package luastr

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// conformance lists Lua expressions and what show renders of their values
// under Lua 5.1 (each was checked against C Lua 5.1.5: see
// TestConformanceLua51). A want "error: msg" is an error whose message
// contains msg.
var conformance = []struct{ code, want string }{
	// find: plain (no specials), init, plain flag
	{`("hello world"):find("o w")`, `5, 7`},
	{`("hello"):find("l")`, `3, 3`},
	{`("hello"):find("l", 4)`, `4, 4`},
	{`("hello"):find("l", -1)`, `nil`},
	{`("hello"):find("l", -2)`, `4, 4`},
	{`("hello"):find("xyz")`, `nil`},
	{`("hello"):find("")`, `1, 0`},
	{`("hello"):find("", 10)`, `6, 5`},
	{`("hello"):find("", -10)`, `1, 0`},
	{`("hello"):find("lo", 10, true)`, `nil`},
	{`("a.b"):find(".", 1, true)`, `2, 2`},
	{`("a+b"):find("+", 1, true)`, `2, 2`},
	{`("a+b"):find("a+b")`, `nil`},
	{`("aab"):find("a+b")`, `1, 3`},
	{`("a\0b"):find("\0", 1, true)`, `2, 2`},
	{`string.find(12345, 34)`, `3, 4`},
	{`string.find("x1.5y", 1.5)`, `2, 4`},
	// find: patterns
	{`("hello"):find("l+")`, `3, 4`},
	{`("hello"):find("(l+)")`, `3, 4, "ll"`},
	{`("hello"):find("()ll()")`, `3, 4, 3, 5`},
	{`("hello"):find("^h")`, `1, 1`},
	{`("hello"):find("^e")`, `nil`},
	{`("hello"):find("^e", 2)`, `2, 2`},
	{`("hello"):find("o$")`, `5, 5`},
	{`("hello"):find("l$")`, `nil`},
	{`("a$b"):find("$b")`, `2, 3`},
	{`("a^b"):find("a^")`, `1, 2`},
	{`("  x"):find("%S")`, `3, 3`},
	{`("abc123"):find("%d+")`, `4, 6`},
	{`("abc"):find("[b-c]+")`, `2, 3`},
	{`("abc"):find("[^a]")`, `2, 2`},
	{`("a]b"):find("[]]")`, `2, 2`},
	{`("a]b"):find("[^]]")`, `1, 1`},
	{`("a-b"):find("[a-]", 2)`, `2, 2`},
	{`("a-b"):find("[-b]")`, `2, 2`},
	{`("x^y"):find("[x^]", 2)`, `2, 2`},
	{`("a%b"):find("%%")`, `2, 2`},
	{`("a%b"):find("[%%]")`, `2, 2`},
	{`("a]b"):find("[%]]")`, `2, 2`},
	{`("ab1"):find("[%d]")`, `3, 3`},
	{`("a-z"):find("[%a-]+")`, `1, 3`},
	{`("f(a(b)c)d"):find("%b()")`, `2, 8`},
	{`("f(a(b)c d"):find("%b()")`, `4, 6`},
	{`("THE (quick) fox"):find("%f[%a]%a+%f[%A]")`, `1, 3`},
	{`("hello"):find("l*")`, `1, 0`},
	{`("hello"):find("l-o")`, `3, 5`},
	{`("aaa"):find("a-")`, `1, 0`},
	{`("aaab"):find("a-b")`, `1, 4`},
	{`("ab"):find("a?b")`, `1, 2`},
	{`("b"):find("a?b")`, `1, 1`},
	{`("xyz"):find(".-(y)")`, `1, 2, "y"`},
	{`("abcabc"):find("(abc)%1")`, `1, 6, "abc"`},
	{`("x = 'hi'"):find("(['\"])(.-)%1")`, `5, 8, "'", "hi"`},
	{`("a\0b"):find("%z")`, `2, 2`},
	{`("a\0b"):find("[%z]")`, `2, 2`},
	{`("a\0b"):find("%Z+")`, `1, 1`},
	{`("hello"):find("%w+", 10)`, `nil`},
	{`("AbC"):find("%u%l%u")`, `1, 3`},
	{`("a.b"):find("%.")`, `2, 2`},
	{`("tab\there"):find("%c")`, `4, 4`},
	{`("x!y"):find("%p")`, `2, 2`},
	{`("0x1F"):find("%x+", 3)`, `3, 4`},
	{`("\255\128a"):find("[\128-\255]+")`, `1, 2`},
	{`("\255"):find("%a")`, `nil`},
	{`("a b"):find("%s")`, `2, 2`},
	{`("a\vb"):find("%s")`, `2, 2`},
	{`("aXb"):find("%W")`, `nil`},
	{`("a_b"):find("%W")`, `2, 2`},
	{`("abc"):find("b", 1.9)`, `2, 2`},
	{`("abc"):find("(x*)")`, `1, 0, ""`},
	{`select("#", ("x"):find(("()"):rep(32)))`, `34`},
	// match
	{`("hello world"):match("%w+")`, `"hello"`},
	{`("hello world"):match("(%w+) (%w+)")`, `"hello", "world"`},
	{`("key = value"):match("^(%w+)%s*=%s*(%w+)$")`, `"key", "value"`},
	{`("hello"):match("()ll()")`, `3, 5`},
	{`("hello"):match("x")`, `nil`},
	{`("hello"):match(".-l")`, `"hel"`},
	{`("hello"):match(".*l")`, `"hell"`},
	{`("[[x]]"):match("%[(.*)%]")`, `"[x]"`},
	{`("date: 2024-01-15"):match("(%d+)-(%d+)-(%d+)")`, `"2024", "01", "15"`},
	{`("hello"):match("", 3)`, `""`},
	{`("hello"):match("()", 10)`, `6`},
	{`("hello"):match("h", -5)`, `"h"`},
	{`("hello"):match("h", -50)`, `"h"`},
	{`("  trim  "):match("^%s*(.-)%s*$")`, `"trim"`},
	{`("f(a,(b),c)"):match("%((.*)%)")`, `"a,(b),c"`},
	{`("f(a,(b),c) x)"):match("%b()")`, `"(a,(b),c)"`},
	{`("[a[b]c]"):match("%b[]")`, `"[a[b]c]"`},
	{`("<<a>"):match("%b<>")`, `"<a>"`},
	{`("abc"):match("((a)(b))")`, `"ab", "a", "b"`},
	{`("abc"):match("(a)(()b)")`, `"a", "b", 2`},
	{`("THE (quick) fox"):match("%f[%a](%a+)", 5)`, `"quick"`},
	{`("hello"):match("%f[%l]")`, `""`},
	{`("aXb"):match("%f[%u].")`, `"X"`},
	{`("end"):match("()%f[%z]")`, `4`},
	{`("foo bar"):match("%f[%w]%w+$")`, `"bar"`},
	{`("a1 b2"):match("%f[%d]()")`, `2`},
	{`("abab"):match("(ab)%1")`, `"ab"`},
	{`("aa"):match("(a)%1")`, `"a"`},
	{`("ab"):match("(a)%1")`, `nil`},
	{`("xx"):match("()%1")`, `nil`},
	{`("abcd"):match("(a(b)c)%2?d")`, `nil`},
	{`("abcb?d"):match("(a(b)c)%2?d")`, `"abc", "b"`},
	{`("aaa"):match("^(a-)a$")`, `"aa"`},
	{`("aaa"):match("^(a*)(a)$")`, `"aa", "a"`},
	{`("a.b.c"):match("^(.-)%.(.*)$")`, `"a", "b.c"`},
	{`("a.b.c"):match("^(.*)%.(.-)$")`, `"a.b", "c"`},
	{`("x"):match("^$")`, `nil`},
	{`(""):match("^$")`, `""`},
	{`(""):match(".*")`, `""`},
	{`("abc"):match("$")`, `""`},
	{`("$"):match("%$")`, `"$"`},
	{`("a*b"):match("a%*b")`, `"a*b"`},
	{`("**"):match("**")`, `"**"`},
	{`("a+"):match("a++")`, `"a+"`},
	{`("a?"):match("^(a)?")`, `"a"`},
	{`("(x)"):match("[(](.)[)]")`, `"x"`},
	// gmatch
	{`gm("hello world from lua", "%a+")`, `"[\34hello\34][\34world\34][\34from\34][\34lua\34]"`},
	{`gm("abc", "")`, `"[\34\34][\34\34][\34\34][\34\34]"`},
	{`gm("abc", "%a*")`, `"[\34abc\34][\34\34]"`},
	{`gm("k1=v1, k2=v2", "(%w+)=(%w+)")`, `"[\34k1\34, \34v1\34][\34k2\34, \34v2\34]"`},
	{`gm("abc", "()")`, `"[1][2][3][4]"`},
	{`gm("^a^a", "^a")`, `"[\34^a\34][\34^a\34]"`},
	{`gm("a,b,,c", "([^,]*)")`, `"[\34a\34][\34\34][\34b\34][\34\34][\34\34][\34c\34][\34\34]"`},
	{`gm("one two", "%a+()")`, `"[4][8]"`},
	{`gm("", "x*")`, `"[\34\34]"`},
	{`gm("aaa", "a-")`, `"[\34\34][\34\34][\34\34][\34\34]"`},
	{`gm("a(b)c(d(e))", "%b()")`, `"[\34(b)\34][\34(d(e))\34]"`},
	{`gm("THE (quick) fox", "%f[%a]%a+")`, `"[\34THE\34][\34quick\34][\34fox\34]"`},
	{`gm("aXbYc", "%u")`, `"[\34X\34][\34Y\34]"`},
	// gsub: string replacements
	{`("hello world"):gsub("o", "0")`, `"hell0 w0rld", 2`},
	{`("hello world"):gsub("o", "0", 1)`, `"hell0 world", 1`},
	{`("hello"):gsub("", "-")`, `"-h-e-l-l-o-", 6`},
	{`("abc"):gsub("%w*", "x")`, `"xx", 2`},
	{`("abc"):gsub("b*", "-")`, `"-a--c-", 4`},
	{`("hello world"):gsub("(%w+)", "<%1>")`, `"<hello> <world>", 2`},
	{`("hello world"):gsub("%w+", "%0 %0")`, `"hello hello world world", 2`},
	{`("hello"):gsub("l", "%%")`, `"he%%o", 2`},
	{`("abc"):gsub("b", "%")`, `"a\0c", 1`},
	{`("abc"):gsub("b", "%x")`, `"axc", 1`},
	{`("hello world"):gsub("(%w+) (%w+)", "%2 %1")`, `"world hello", 1`},
	{`("abc"):gsub("", "")`, `"abc", 4`},
	{`("hello"):gsub("^h", "H")`, `"Hello", 1`},
	{`("hhh"):gsub("^h", "H")`, `"Hhh", 1`},
	{`("hello"):gsub("^", ">")`, `">hello", 1`},
	{`("hello"):gsub("$", "<")`, `"hello<", 1`},
	{`("  x  "):gsub("^%s+", "")`, `"x  ", 1`},
	{`("  x  "):gsub("%s+$", "")`, `"  x", 1`},
	{`("a=1, b=2"):gsub("(%w+)=(%w+)", "%2=%1")`, `"1=a, 2=b", 2`},
	{`("abc"):gsub("()", "%1")`, `"1a2b3c4", 4`},
	{`("abc"):gsub("(a)(b)(c)", "%3%2%1%0")`, `"cbaabc", 1`},
	{`("a"):gsub("a", "%1")`, `"a", 1`},
	{`("abc"):gsub(".", 5)`, `"555", 3`},
	{`("abc"):gsub(".", "x", 0)`, `"abc", 0`},
	{`("abc"):gsub(".", "x", -1)`, `"abc", 0`},
	{`("abc"):gsub(".", "x", 2.7)`, `"xxc", 2`},
	{`("hello world"):gsub("o", "[%0]")`, `"hell[o] w[o]rld", 2`},
	{`("x y"):gsub("%s", "%%s")`, `"x%sy", 1`},
	{`("abc"):gsub("%w", "%2")`, `error: invalid capture index`},
	{`("abc"):gsub("(%w)", "%2")`, `error: invalid capture index`},
	{`("abc"):gsub("(", "")`, `"abc", 4`},
	{`("abc"):gsub("(", "%1")`, `error: unfinished capture`},
	// gsub: tables and functions
	{`("abc"):gsub(".", {a = "A", b = false})`, `"Abc", 3`},
	{`("abc"):gsub("%w", {a = 1})`, `"1bc", 3`},
	{`("abc"):gsub("b", {})`, `"abc", 1`},
	{`("abc"):gsub("b()", {[3] = "X"})`, `"aXc", 1`},
	{`("$x $y"):gsub("%$(%w+)", {x = "1", y = "2"})`, `"1 2", 2`},
	{`("abc"):gsub(".", setmetatable({}, {__index = function(_, k) return k:upper() end}))`, `"ABC", 3`},
	{`("abc"):gsub(".", {a = true})`, `error: invalid replacement value (a boolean)`},
	{`("abc"):gsub(".", function(c) if c == "b" then return nil end return c:upper() end)`, `"AbC", 3`},
	{`("abc"):gsub(".", function(c) return false end)`, `"abc", 3`},
	{`("abc"):gsub(".", function(c) end)`, `"abc", 3`},
	{`("abc"):gsub(".", function(c) return {} end)`, `error: invalid replacement value (a table)`},
	{`("a=1, b=2"):gsub("(%w+)=(%w+)", function(k, v) return v .. k end)`, `"1a, 2b", 2`},
	{`("hello"):gsub("l+", function(s) return #s end)`, `"he2o", 1`},
	{`("abc"):gsub("()b()", function(a, b) return a .. "-" .. b end)`, `"a2-3c", 1`},
	{`("abc"):gsub("", function() return "." end)`, `".a.b.c.", 4`},
	{`("ab"):gsub(".", function(c) return (c:gsub(".", "%0%0")) end)`, `"aabb", 2`},
	{`("x"):gsub("x", true)`, `error: bad argument #3 to 'gsub' (string/function/table expected)`},
	// errors in patterns
	{`("a"):find("%")`, `error: malformed pattern (ends with '%')`},
	{`("a"):find("[a")`, `error: malformed pattern (missing ']')`},
	{`("a"):find("[a%")`, `error: malformed pattern (missing ']')`},
	{`("a"):find("[]")`, `error: malformed pattern (missing ']')`},
	{`("a"):find("[^]")`, `error: malformed pattern (missing ']')`},
	{`("a"):find("(a")`, `error: unfinished capture`},
	{`("b"):find("(a")`, `nil`},
	{`("a"):find("a)")`, `nil`}, // no special character: a plain search
	{`("a"):match("a)")`, `error: invalid pattern capture`},
	{`("a"):find("%1")`, `error: invalid capture index`},
	{`("aa"):find("(a)%2")`, `error: invalid capture index`},
	{`("a"):find("(a%1)")`, `error: invalid capture index`},
	{`("a"):find("%0")`, `error: invalid capture index`},
	{`("a"):find("%f")`, `error: missing '[' after '%f' in pattern`},
	{`("a"):find("%fa")`, `error: missing '[' after '%f' in pattern`},
	{`("a"):find("%f[a")`, `error: malformed pattern (missing ']')`},
	{`("a"):find("%b")`, `error: unbalanced pattern`},
	{`("a"):find("%b(")`, `error: unbalanced pattern`},
	{`("x"):find(("()"):rep(33))`, `error: too many captures`},
	{`("x"):match("(")`, `error: unfinished capture`},
	{`("x"):match("()(")`, `error: unfinished capture`},
	{`gm("a", "%")`, `error: malformed pattern (ends with '%')`},
	{`string.find()`, `error: bad argument #1 to 'find' (string expected, got no value)`},
	{`string.find("x", {})`, `error: bad argument #2 to 'find' (string expected, got table)`},
	{`string.match("x", "x", {})`, `error: bad argument #3 to 'match' (number expected, got table)`},
	// rep
	{`string.rep("ab", 3)`, `"ababab"`},
	{`string.rep("x", 0)`, `""`},
	{`string.rep("x", -1)`, `""`},
	{`string.rep("", 1e9)`, `""`},
	{`string.rep("ab", 2.9)`, `"abab"`},
	{`string.rep("ab", "2")`, `"abab"`},
	{`("x"):rep(3)`, `"xxx"`},
	{`string.rep("x")`, `error: bad argument #2 to 'rep' (number expected, got no value)`},
	// format
	{`string.format("%5d|%-5s|%.2f", 42, "ab", 3.14159)`, `"   42|ab   |3.14"`},
	{`string.format("%%")`, `"%"`},
	{`string.format("a%%b%%")`, `"a%b%"`},
	{`string.format("%d", "12")`, `"12"`},
	{`string.format("%x", "255")`, `"ff"`},
	{`string.format("%x", 255)`, `"ff"`},
	{`string.format("%X", 255)`, `"FF"`},
	{`string.format("%#x", 255)`, `"0xff"`},
	{`string.format("%o", 8)`, `"10"`},
	{`string.format("%i", 7)`, `"7"`},
	{`string.format("%u", 42)`, `"42"`},
	{`string.format("%+d % d", 3, 3)`, `"+3  3"`},
	{`string.format("%05.1f", 3.14159)`, `"003.1"`},
	{`string.format("%5.1s|", "abc")`, `"    a|"`},
	{`string.format("%s %s", 1, "x")`, `"1 x"`},
	{`string.format("%5s", 12)`, `"   12"`},
	{`string.format("%c%c", 72, 105)`, `"Hi"`},
	{`string.format("%e", 12345.678)`, `"1.234568e+04"`},
	{`string.format("%g", 0.0001)`, `"0.0001"`},
	{`string.format("%g", 1e20)`, `"1e+20"`},
	{`string.format("%.3g", 2/3)`, `"0.667"`},
	{`string.format("%.14g", 2^53)`, `"9.007199254741e+15"`},
	{`string.format("%-3d|", 7)`, `"7  |"`},
	{`#string.format("%99d", 1)`, `99`},
	{`#string.format("%.99f", 1)`, `101`},
	{`string.format("%100d", 1)`, `error: invalid format (width or precision too long)`},
	{`string.format("%.100f", 1)`, `error: invalid format (width or precision too long)`},
	{`string.format("%d")`, `error: bad argument #2 to 'format' (no value)`},
	{`string.format("%d %d", 1)`, `error: bad argument #3 to 'format' (no value)`},
	{`string.format("%d", {})`, `error: bad argument #2 to 'format' (number expected, got table)`},
	{`string.format("%d", "x")`, `error: bad argument #2 to 'format' (number expected, got string)`},
	{`string.format("%y", 1)`, `error: invalid option '%y' to 'format'`},
	{`string.format("%------d", 1)`, `error: invalid format (repeated flags)`},
	{`string.format("%5", 1)`, `error: invalid option '%`},
	// concat
	{`table.concat({1, 2, 3}, ", ")`, `"1, 2, 3"`},
	{`table.concat({"a", "b", "c"})`, `"abc"`},
	{`table.concat({"a", "b", "c"}, "", 2)`, `"bc"`},
	{`table.concat({"a", "b", "c"}, "-", 2, 3)`, `"b-c"`},
	{`table.concat({"a", "b", "c"}, 0)`, `"a0b0c"`},
	{`table.concat({}, "x")`, `""`},
	{`table.concat({"a"}, ",", 3, 2)`, `""`},
	{`table.concat({1.5, 2}, " ")`, `"1.5 2"`},
	{`table.concat({"a", {}}, ",")`, `error: invalid value`},
	{`table.concat({"a"}, ",", 1, 2)`, `error: invalid value`},
	{`table.concat()`, `error: bad argument #1 to 'concat' (table expected, got no value)`},
	// upper, lower
	{`("Hello, World"):upper()`, `"HELLO, WORLD"`},
	{`("Hello, World"):lower()`, `"hello, world"`},
}

func TestConformance(t *testing.T) {
	L := newVM(t, Limits{MaxString: 1 << 20})
	for _, c := range conformance {
		if got := eval(L, c.code); !matches(got, c.want) {
			t.Errorf("%s\n got: %s\nwant: %s", c.code, got, c.want)
		}
	}
}

// TestConformanceLua51 checks the expectations themselves against C Lua
// 5.1 where it is installed (Debian's lua5.1 package; the test is skipped
// elsewhere). Error messages are only checked to be errors, since C Lua's
// name function arguments by their call site.
func TestConformanceLua51(t *testing.T) {
	lua51, err := exec.LookPath("lua5.1")
	if err != nil {
		t.Skip("lua5.1 is not installed")
	}
	var script strings.Builder
	script.WriteString(prelude)
	for _, c := range conformance {
		script.WriteString("do local ok, r = pcall(function() return show(" + c.code + ") end)\n" +
			"io.write(ok and r or ('error: ' .. tostring(r)), '\\n') end\n")
	}
	f := t.TempDir() + "/conformance.lua"
	if err := os.WriteFile(f, []byte(script.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(lua51, f).Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(conformance) {
		t.Fatalf("lua5.1 printed %d lines for %d cases", len(lines), len(conformance))
	}
	for i, c := range conformance {
		got, want := lines[i], c.want
		if strings.HasPrefix(want, "error: ") {
			want = "error: "
		}
		if !matches(got, want) {
			t.Errorf("lua5.1: %s\n got: %s\nwant: %s", c.code, got, c.want)
		}
	}
}
