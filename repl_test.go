package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/tg"
	"github.com/peterh/liner"
	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/internal/docpage"
	"github.com/tglua/tglua/runtime"
)

// scripted feeds the REPL lines; an error entry is returned instead of a
// line (io.EOF ends the input by itself).
type scripted struct {
	mu      sync.Mutex
	lines   []any // string, error, or func() string (a line typed later)
	prompts []string
}

func (s *scripted) Prompt(p string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prompts = append(s.prompts, p)
	if len(s.lines) == 0 {
		return "", io.EOF
	}
	next := s.lines[0]
	s.lines = s.lines[1:]
	if err, ok := next.(error); ok {
		return "", err
	}
	if f, ok := next.(func() string); ok {
		s.mu.Unlock() // f waits for something: let the REPL go on meanwhile
		defer s.mu.Lock()
		return f(), nil
	}
	return next.(string), nil
}

// selfInvoker answers users.getUsers with one user, as a server would.
type selfInvoker struct{}

func (selfInvoker) Invoke(_ context.Context, in bin.Encoder, out bin.Decoder) error {
	var req bin.Buffer
	if err := in.Encode(&req); err != nil {
		return err
	}
	id, err := req.PeekID()
	if err != nil {
		return err
	}
	if id != tg.UsersGetUsersRequestTypeID {
		return errors.New("unexpected request")
	}
	var b bin.Buffer
	b.PutVectorHeader(1)
	u := &tg.User{ID: 42, AccessHash: 7, FirstName: "Alice", Username: "alice",
		Status: &tg.UserStatusRecently{}, Photo: &tg.UserProfilePhotoEmpty{}}
	if err := u.Encode(&b); err != nil {
		return err
	}
	return out.Decode(&b)
}

func newTestREPL(t *testing.T) (*repl, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	var out, errw bytes.Buffer
	rt, err := runtime.New(runtime.Options{Stdout: &out, Stderr: &errw, Invoker: selfInvoker{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rt.Close() })
	registerHelp(rt, &out)
	return &repl{rt: rt, out: &out, errw: &errw}, &out, &errw
}

func runLines(t *testing.T, r *repl, lines ...any) *scripted {
	t.Helper()
	in := &scripted{lines: lines}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if code := r.loop(ctx, in, nil); code != exitOK {
		t.Fatalf("loop returned %d", code)
	}
	return in
}

func TestREPLExpressionsAndStatements(t *testing.T) {
	r, out, errw := newTestREPL(t)
	runLines(t, r,
		"1 + 1",
		"x = 10",
		"x * 2",
		"'a', 2, nil, true",
		"=x",
		"return x + 1",
		"",
		"print('printed')",
		"2^53",
		"0.5",
	)
	want := "2\n20\na\t2\tnil\ttrue\n10\n11\nprinted\n9007199254740992\n0.5\n"
	if out.String() != want {
		t.Fatalf("output:\n%q\nwant\n%q", out.String(), want)
	}
	if errw.Len() != 0 {
		t.Fatalf("stderr: %s", errw)
	}
}

func TestREPLMultiLine(t *testing.T) {
	r, out, errw := newTestREPL(t)
	in := runLines(t, r,
		"function double(n)",
		"  return n * 2",
		"end",
		"double(21)",
		"t = {",
		"  a = 1,",
		"}",
		"t.a",
		"messages.sendMessage{",
		"  peer = 'inputPeerSelf',", // still inside the table
	)
	if got := out.String(); got != "42\n1\n" {
		t.Fatalf("output %q", got)
	}
	want := []string{"> ", ">> ", ">> ", "> ", "> ", ">> ", ">> ", "> ", "> ", ">> ", ">> "}
	if !slices.Equal(in.prompts, want) {
		t.Fatalf("prompts %q, want %q", in.prompts, want)
	}
	// The input ended inside a statement: the parse error is shown.
	if !strings.Contains(errw.String(), "EOF") {
		t.Fatalf("stderr %q", errw)
	}
}

func TestREPLErrorsAndCtrlC(t *testing.T) {
	r, out, errw := newTestREPL(t)
	runLines(t, r,
		"x = = 1",
		"error('boom')",
		"x = {",
		liner.ErrPromptAborted, // Ctrl-C at the prompt drops the pending input
		"'unterminated",
		"print('still here')",
	)
	if got := out.String(); got != "still here\n" {
		t.Fatalf("output %q", got)
	}
	e := errw.String()
	for _, want := range []string{"syntax error", "tglua: stdin:1: boom\n", "\tstdin:1: in main chunk", "unterminated string"} {
		if !strings.Contains(e, want) {
			t.Errorf("stderr lacks %q:\n%s", want, e)
		}
	}
	if strings.Contains(e, "anonymous") || strings.Contains(e, replChunk) {
		t.Errorf("stderr shows the REPL's own frames:\n%s", e)
	}
}

// An interrupt cancels the running chunk; the REPL goes on.
func TestREPLInterruptCancelsChunk(t *testing.T) {
	r, out, errw := newTestREPL(t)
	sig := make(chan os.Signal, 1)
	r.interrupts = sig
	started := make(chan struct{})
	r.rt.SetGlobal("started", r.rt.State().NewFunction(func(*lua.LState) int {
		close(started)
		return 0
	}))
	go func() {
		<-started
		sig <- os.Interrupt // as if Ctrl-C was pressed while the loop runs
	}()
	runLines(t, r, "started() while true do end", "print('after')")
	if !strings.Contains(errw.String(), "interrupted") {
		t.Fatalf("stderr %q", errw)
	}
	if out.String() != "after\n" {
		t.Fatalf("output %q", out)
	}
}

// Timers and handlers fire while the prompt waits for the next line.
func TestREPLHandlersRunWhileWaiting(t *testing.T) {
	r, out, errw := newTestREPL(t)
	ticked := make(chan struct{})
	r.rt.SetGlobal("ticked", r.rt.State().NewFunction(func(*lua.LState) int {
		close(ticked)
		return 0
	}))
	runLines(t, r,
		"after(0.01, function() print('tick') ticked() end)",
		func() string {
			select {
			case <-ticked: // the timer ran while this prompt waited
			case <-time.After(time.Minute):
				t.Error("the timer did not fire while the prompt waited")
			}
			return "print('typed')"
		},
	)
	if got := out.String(); got != "timer: after(0.01)\ntick\ntyped\n" {
		t.Fatalf("output %q, stderr %q", got, errw)
	}
}

func TestPromptGuard(t *testing.T) {
	var term bytes.Buffer
	g := &promptGuard{} // no redraw: the guard draws the prompt
	w := g.writer(&term)
	fmt.Fprint(w, "before\n")
	g.show("> ")
	fmt.Fprint(w, "from a handler\n")
	fmt.Fprint(w, "partial")
	fmt.Fprint(w, " line\n")
	g.hide()
	fmt.Fprint(w, "after\n")
	want := "before\n\r\x1b[Kfrom a handler\n> \r\x1b[Kpartial line\nafter\n"
	if got := term.String(); got != want {
		t.Fatalf("terminal got %q, want %q", got, want)
	}

	// With redraw (liner's, on a terminal), the guard asks for one after
	// each complete line instead of drawing the prompt.
	term.Reset()
	redraws := 0
	g = &promptGuard{redraw: func() { redraws++ }}
	w = g.writer(&term)
	g.show("> ")
	fmt.Fprint(w, "one\n")
	fmt.Fprint(w, "two\n")
	if got, want := term.String(), "\r\x1b[Kone\n\r\x1b[Ktwo\n"; got != want || redraws != 2 {
		t.Fatalf("terminal got %q (want %q), %d redraws (want 2)", got, want, redraws)
	}
}

// Every documented built-in function exists in the CLI's Lua environment,
// and help(fn) finds its page.
func TestBuiltinPagesMatchFunctions(t *testing.T) {
	r, out, _ := newTestREPL(t)
	L := r.rt.State()
	for _, name := range docpage.BuiltinNames() {
		out.Reset()
		src := "help(" + name + ")"
		if err := L.DoString(src); err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		if !strings.HasPrefix(out.String(), "Function: "+name+"\n") {
			t.Errorf("%s printed %q", src, out.String())
		}
	}
}

// Every global function tglua adds to Lua (those a bare gopher-lua state
// lacks) has a page for help().
func TestFunctionsHavePages(t *testing.T) {
	r, _, _ := newTestREPL(t)
	bare := lua.NewState()
	defer bare.Close()
	pages := docpage.BuiltinNames()
	r.rt.State().G.Global.ForEach(func(k, v lua.LValue) {
		name, ok := k.(lua.LString)
		if !ok || v.Type() != lua.LTFunction || bare.GetGlobal(string(name)) != lua.LNil {
			return
		}
		if !slices.Contains(pages, string(name)) {
			t.Errorf("global function %s has no page in internal/docpage/builtins.go", name)
		}
	})
}

func TestREPLPrintsTLTables(t *testing.T) {
	r, out, errw := newTestREPL(t)
	runLines(t, r, "users.getUsers{id={'inputUserSelf'}}", "users.getUsers{id={'inputUserSelf'}}[1]")
	if errw.Len() != 0 {
		t.Fatalf("stderr: %s", errw)
	}
	want := `{
  {
    _ = "user",
    access_hash = 7,
    first_name = "Alice",
    id = 42,
    photo = {_ = "userProfilePhotoEmpty"},
    status = {_ = "userStatusRecently"},
    username = "alice",
`
	if !strings.HasPrefix(out.String(), want) {
		t.Fatalf("output:\n%s\nwant prefix:\n%s", out, want)
	}
	second := out.String()[strings.Index(out.String(), "\n}\n")+3:]
	if !strings.HasPrefix(second, "{\n  _ = \"user\",\n  access_hash = 7,\n") {
		t.Fatalf("second value:\n%s", second)
	}
}

func TestFormatValue(t *testing.T) {
	r, _, _ := newTestREPL(t)
	L := r.rt.State()
	eval := func(src string) lua.LValue {
		t.Helper()
		if err := L.DoString("return " + src); err != nil {
			t.Fatal(err)
		}
		v := L.Get(-1)
		L.Pop(1)
		return v
	}
	for _, c := range []struct {
		src   string
		depth int
		want  string
	}{
		{`nil`, 4, `nil`},
		{`'a"b\n'`, 4, `"a\"b\n"`},
		{`12345678901234`, 4, `12345678901234`},
		{`1.5`, 4, `1.5`},
		{`{}`, 4, `{}`},
		{`{1, 2, 'x'}`, 4, `{1, 2, "x"}`},
		{`{b=1, a=2, _='ctor', [3]=true, ['not a name']=1, ['end']=2}`, 4,
			`{_ = "ctor", ["end"] = 2, ["not a name"] = 1, a = 2, b = 1, [3] = true}`},
		{`{x={y={z={}}}}`, 2, "{\n  x = {\n    y = {...},\n  },\n}"},
		{`{x={}}`, 1, "{\n  x = {},\n}"},
		{`auth.sendInvites`, 4, `function: auth.sendInvites`},
		{`setmetatable({}, {__tostring=function() return 'custom' end})`, 4, `custom`},
	} {
		if got := formatValue(r.rt, eval(c.src), c.depth); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.src, got, c.want)
		}
	}
	// A cycle does not loop.
	if err := L.DoString(`cyc = {name='c'} cyc.self = cyc`); err != nil {
		t.Fatal(err)
	}
	if got := formatValue(r.rt, L.GetGlobal("cyc"), 4); !strings.Contains(got, "self = {<cycle>}") {
		t.Errorf("cycle: %q", got)
	}
}

func TestCompletion(t *testing.T) {
	r, _, _ := newTestREPL(t)
	complete := func(line string) []string {
		t.Helper()
		head, c, tail := r.complete(line, len([]rune(line)))
		if tail != "" {
			t.Fatalf("tail %q", tail)
		}
		for i := range c {
			c[i] = head + c[i]
		}
		return c
	}
	if got := complete("mes"); !slices.Equal(got, []string{"messages."}) {
		t.Errorf("mes: %q", got)
	}
	got := complete("messages.send")
	for _, want := range []string{"messages.sendMessage", "messages.sendMedia", "messages.sendMultiMedia"} {
		if !slices.Contains(got, want) {
			t.Errorf("messages.send: %q lacks %s", got, want)
		}
	}
	for _, c := range got {
		if !strings.HasPrefix(c, "messages.send") {
			t.Errorf("messages.send: %q", c)
		}
	}
	// A library opened on first use is completed like any table.
	if got := complete("math.flo"); !slices.Equal(got, []string{"math.floor"}) {
		t.Errorf("math.flo: %q", got)
	}
	if got := complete("tg.auth.sendInv"); !slices.Equal(got, []string{"tg.auth.sendInvites"}) {
		t.Errorf("tg.auth.sendInv: %q", got)
	}
	if got := complete("x = auth.sendInv"); !slices.Equal(got, []string{"x = auth.sendInvites"}) {
		t.Errorf("x = auth.sendInv: %q", got)
	}
	// Parameter names inside the argument table.
	if got := complete("messages.sendMessage{pe"); !slices.Equal(got, []string{"messages.sendMessage{peer="}) {
		t.Errorf("param: %q", got)
	}
	if got := complete("messages.sendMessage{peer='@bob', me"); !slices.Equal(got, []string{"messages.sendMessage{peer='@bob', message="}) {
		t.Errorf("second param: %q", got)
	}
	got = complete("auth.sendInvites({")
	if !slices.Equal(got, []string{"auth.sendInvites({phone_numbers=", "auth.sendInvites({message="}) {
		t.Errorf("all params: %q", got)
	}
	if got := complete("messages.sendMessage{peer={_='x', "); slices.ContainsFunc(got, func(s string) bool { return strings.HasSuffix(s, "peer=") }) {
		t.Errorf("nested table offers method params: %q", got)
	}
	if got := complete("messages.sendMessage{message='{', si"); !slices.Equal(got, []string{"messages.sendMessage{message='{', silent="}) {
		t.Errorf("brace in string: %q", got)
	}
	// Globals, fields of other tables and keywords.
	if got := complete("pri"); !slices.Contains(got, "print") {
		t.Errorf("pri: %q", got)
	}
	if got := complete("string.fo"); !slices.Equal(got, []string{"string.format"}) {
		t.Errorf("string.fo: %q", got)
	}
	if got := complete("func"); !slices.Contains(got, "function") {
		t.Errorf("func: %q", got)
	}
	if got := complete("phone_l"); !slices.Equal(got, []string{"phone_login"}) {
		t.Errorf("phone_l: %q", got)
	}
	// The cursor in the middle of the line.
	head, c, tail := r.complete("mes + 1", 3)
	if head != "" || tail != " + 1" || !slices.Equal(c, []string{"messages."}) {
		t.Errorf("middle: %q %q %q", head, c, tail)
	}
}

func TestIncomplete(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	for src, want := range map[string]bool{
		"for i=1,3 do":   true,
		"x = {":          true,
		"f(":             true,
		"x = [[abc":      true,
		"x = )":          false,
		"print('a":       false,
		"if x then else": true,
		"1 +":            true,
		"local x =":      true,
		"x = = 1":        false,
	} {
		_, more, err := compile(L, src)
		if err == nil {
			t.Fatalf("%q compiled", src)
		}
		if more != want {
			t.Errorf("compile(%q): more = %v, want %v (%v)", src, more, want, err)
		}
	}
}

func TestHistoryKeepsNoSecrets(t *testing.T) {
	r, _, _ := newTestREPL(t)
	var hist []string
	in := &scripted{lines: []any{"x = 1", "pcall(complete_2fa_login, 'hunter2')", "y = {", "2}", "pcall(bot_login, '1:tok')"}}
	if code := r.loop(context.Background(), in, func(s string) { hist = append(hist, s) }); code != exitOK {
		t.Fatal(code)
	}
	if want := []string{"x = 1", "y = { 2}"}; !slices.Equal(hist, want) {
		t.Fatalf("history %q, want %q", hist, want)
	}
}

func TestHistoryPath(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/state")
	if got := historyPath(); got != filepath.FromSlash("/state/tglua/history") {
		t.Errorf("with XDG_STATE_HOME: %s", got)
	}
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("HOME", "/home/u")
	if got := historyPath(); got != filepath.FromSlash("/home/u/.tglua_history") {
		t.Errorf("without: %s", got)
	}
}

func TestDescribeUser(t *testing.T) {
	got := describeUser(map[string]any{"first_name": "Echo", "username": "echo_bot", "bot": true, "id": int64(5)})
	if got != "Echo (@echo_bot, bot, id 5)" {
		t.Fatal(got)
	}
}
