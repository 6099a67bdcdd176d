package main

// The interactive side of tglua: the REPL (expression printing, multi-line
// input, completion, history, Ctrl-C), `tglua login`, `tglua doc` and the
// Lua help()/doc() functions.

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/peterh/liner"
	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"

	"github.com/tglua/tglua/internal/docpage"
	"github.com/tglua/tglua/internal/luaname"
	"github.com/tglua/tglua/luabind"
	"github.com/tglua/tglua/luabind/schema"
	"github.com/tglua/tglua/runtime"
)

const (
	prompt         = "> "
	continuePrompt = ">> "
	// printDepth is how deep the REPL prints nested tables.
	printDepth = 4
)

// stdinIsTerminal reports whether os.Stdin is a terminal.
func stdinIsTerminal() bool {
	_, err := liner.TerminalMode()
	return err == nil
}

// lineReader reads one line of input after showing a prompt. It returns
// io.EOF at the end of input and liner.ErrPromptAborted on Ctrl-C.
type lineReader interface {
	Prompt(prompt string) (string, error)
}

// plainReader reads lines without prompts, for input that is not a
// terminal.
type plainReader struct{ r *bufio.Reader }

func (p plainReader) Prompt(string) (string, error) {
	line, err := p.r.ReadString('\n')
	if err != nil && (line == "" || !errors.Is(err, io.EOF)) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// runREPL runs the read-eval-print loop until end of input or ctx ends.
func runREPL(ctx context.Context, rt *runtime.Runtime, std stdio) int {
	r := &repl{rt: rt, out: std.out, errw: std.err, interrupts: std.interrupts, guard: std.guard}
	if !std.terminal {
		return r.loop(ctx, plainReader{bufio.NewReader(std.in)}, nil)
	}
	// Open the lazily opened io library, so that Tab completes io.
	_, _ = rt.DoStringAsHost(ctx, "local _ = io and io.write")
	ln := liner.NewLiner()
	defer ln.Close()
	ln.SetCtrlCAborts(true)
	ln.SetTabCompletionStyle(liner.TabPrints)
	ln.SetWordCompleter(r.complete)
	hist := historyPath()
	if f, err := os.Open(hist); err == nil {
		_, _ = ln.ReadHistory(f)
		f.Close()
	}
	fmt.Fprintf(std.out, "tglua (layer %d) - help() for help, help('messages.sendMessage') for a method, Ctrl-D to quit\n", schema.Layer)
	save := func() {
		if hist == "" {
			return
		}
		if err := os.MkdirAll(filepath.Dir(hist), 0o700); err == nil {
			if f, err := os.OpenFile(hist, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600); err == nil {
				_, _ = ln.WriteHistory(f)
				f.Close()
			}
		}
	}
	if std.exits != nil {
		// os.exit() at the prompt: keep the history and the terminal sane.
		std.exits.add(func() {
			save()
			_ = ln.Close()
		})
	}
	code := r.loop(ctx, ln, ln.AppendHistory)
	save()
	return code
}

// historyPath is $XDG_STATE_HOME/tglua/history, or ~/.tglua_history.
func historyPath() string {
	if dir := os.Getenv("XDG_STATE_HOME"); dir != "" {
		return filepath.Join(dir, "tglua", "history")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".tglua_history")
}

type repl struct {
	rt         *runtime.Runtime
	out, errw  io.Writer
	interrupts <-chan os.Signal
	guard      *promptGuard // nil unless on a terminal
}

// loop reads chunks and runs them. An expression is printed; input that
// ends inside a statement continues on a ">>" prompt; Ctrl-C clears the
// input or cancels the running chunk; end of input ends the loop.
func (r *repl) loop(ctx context.Context, in lineReader, history func(string)) int {
	var buf []string
	for {
		if ctx.Err() != nil {
			return exitOK
		}
		p := prompt
		if len(buf) > 0 {
			p = continuePrompt
		}
		line, err := r.read(ctx, in, p)
		if errors.Is(err, liner.ErrPromptAborted) {
			buf = buf[:0]
			continue
		}
		if err != nil {
			if len(buf) > 0 {
				// The input ended inside a statement: report it as Lua would.
				if _, _, perr := compile(r.rt.State(), strings.Join(buf, "\n")); perr != nil {
					fmt.Fprintln(r.errw, strings.TrimSpace(perr.Error()))
				}
			}
			if _, ok := in.(*liner.State); ok {
				fmt.Fprintln(r.out)
			}
			return exitOK
		}
		if len(buf) == 0 && strings.TrimSpace(line) == "" {
			continue
		}
		buf = append(buf, line)
		src := strings.Join(buf, "\n")
		fn, more, err := compile(r.rt.State(), src)
		if err != nil {
			if more {
				continue
			}
			fmt.Fprintln(r.errw, strings.TrimSpace(err.Error()))
			r.remember(history, src)
			buf = buf[:0]
			continue
		}
		r.remember(history, src)
		buf = buf[:0]
		r.eval(ctx, fn)
	}
}

// read shows the prompt and waits for a line while the event loop runs on
// this goroutine, so on() handlers and timers fire while a person types.
// The prompt runs on its own goroutine; the VM stays here. Ctrl-C at the
// prompt also cancels a handler that is running.
func (r *repl) read(ctx context.Context, in lineReader, prompt string) (string, error) {
	type answer struct {
		line string
		err  error
	}
	waitCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	got := make(chan answer, 1)
	arrived := make(chan struct{})
	r.guard.show(prompt)
	go func() {
		line, err := in.Prompt(prompt)
		r.guard.hide()
		if errors.Is(err, liner.ErrPromptAborted) {
			cancel()
		}
		got <- answer{line, err}
		close(arrived)
	}()
	if err := r.rt.LoopUntil(waitCtx, arrived); err != nil && waitCtx.Err() == nil {
		// The loop ended (a handler error under StopOnHandlerError, the
		// update connection failing): report it and just wait for input.
		reportError(r.errw, err)
	}
	select {
	case a := <-got:
		return a.line, a.err
	case <-ctx.Done():
		return "", io.EOF
	}
}

// promptGuard keeps output from handlers that run while the prompt is shown
// off the input line: such output first clears the line, then the prompt
// and what was typed so far are drawn again after it (redraw). Without
// redraw, only the prompt is drawn, and liner shows the typed text again at
// the next key that refreshes the line.
type promptGuard struct {
	mu     sync.Mutex
	prompt string
	shown  bool
	redraw func() // asks liner to redraw its line; nil: draw the prompt only
}

// newPromptGuard returns the guard for the terminal REPL.
func newPromptGuard() *promptGuard { return &promptGuard{redraw: redrawPrompt} }

func (g *promptGuard) show(prompt string) {
	if g == nil {
		return
	}
	g.mu.Lock()
	g.prompt, g.shown = prompt, true
	g.mu.Unlock()
}

func (g *promptGuard) hide() {
	if g == nil {
		return
	}
	g.mu.Lock()
	g.shown = false
	g.mu.Unlock()
}

// writer wraps w, one of the terminal's outputs.
func (g *promptGuard) writer(w io.Writer) io.Writer { return guardedWriter{g, w} }

type guardedWriter struct {
	g *promptGuard
	w io.Writer
}

func (gw guardedWriter) Write(p []byte) (int, error) {
	g := gw.g
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.shown {
		return gw.w.Write(p)
	}
	out := make([]byte, 0, len(p)+len(g.prompt)+8)
	out = append(out, "\r\x1b[K"...)
	out = append(out, p...)
	endsLine := len(p) > 0 && p[len(p)-1] == '\n'
	switch {
	case !endsLine:
		g.shown = false // mid-line: the prompt comes back at the next key
	case g.redraw == nil:
		out = append(out, g.prompt...)
	}
	if _, err := gw.w.Write(out); err != nil {
		return 0, err
	}
	if endsLine && g.redraw != nil {
		g.redraw()
	}
	return len(p), nil
}

// secretCalls are the functions whose arguments are secrets: input that
// calls them is kept out of the history file.
var secretCalls = []string{"complete_phone_login", "complete_2fa_login", "bot_login", "importBotAuthorization", "checkPassword", "signIn"}

func (r *repl) remember(history func(string), src string) {
	if history == nil {
		return
	}
	for _, name := range secretCalls {
		if strings.Contains(src, name) {
			return
		}
	}
	history(strings.ReplaceAll(src, "\n", " "))
}

// compile compiles src as an expression to print ("return src") if it is
// one, and as statements otherwise. A leading '=' means return, as in Lua
// 5.1.
//
// more reports that src stops in the middle of an expression or a
// statement, so that more lines may complete it.
func compile(L *lua.LState, src string) (fn *lua.LFunction, more bool, err error) {
	exprMore := false
	if rest, ok := strings.CutPrefix(src, "="); ok {
		src = "return " + rest
	} else {
		fn, err := L.Load(strings.NewReader("return "+src+"\n"), "stdin")
		if err == nil {
			return fn, false, nil
		}
		exprMore = incomplete(err)
	}
	fn, err = L.Load(strings.NewReader(src), "stdin")
	if err != nil {
		return nil, exprMore || incomplete(err), err
	}
	return fn, false, nil
}

// incomplete reports whether a compile error means the input stopped in the
// middle of a statement (gopher-lua reports those "at EOF"), so that more
// lines may complete it. An unfinished single-line string is an error.
func incomplete(err error) bool {
	var pe *parse.Error
	if !errors.As(err, &pe) {
		msg := err.Error()
		return strings.Contains(msg, " at EOF:") && !strings.Contains(msg, "unterminated string")
	}
	return strings.Contains(pe.Error(), " at EOF:") && pe.Message != "unterminated string"
}

// replChunk is the global through which the REPL hands a compiled chunk to
// the runtime; it is set only while the chunk runs.
const replChunk = "_TGLUA_REPL_CHUNK"

// eval runs fn with its own cancellable context: an interrupt cancels it
// and the REPL goes on.
func (r *repl) eval(ctx context.Context, fn *lua.LFunction) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := r.watch(cancel)
	defer stop()

	L := r.rt.State()
	var results []lua.LValue
	L.SetGlobal(replChunk, L.NewFunction(func(L *lua.LState) int {
		top := L.GetTop()
		L.Push(fn)
		L.Call(0, lua.MultRet)
		results = make([]lua.LValue, 0, L.GetTop()-top)
		for i := top + 1; i <= L.GetTop(); i++ {
			results = append(results, L.Get(i))
		}
		return 0
	}))
	_, err := r.rt.Call(ctx, replChunk)
	L.SetGlobal(replChunk, lua.LNil)
	if err == nil {
		// Let handlers and timers registered with on()/after() run what
		// arrived meanwhile.
		err = r.rt.Poll(ctx)
	}
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintln(r.errw, "interrupted")
			return
		}
		var se *runtime.Error
		if errors.As(err, &se) {
			se.Traceback = trimTraceback(se.Traceback)
		}
		reportError(r.errw, err)
		return
	}
	if len(results) == 0 {
		return
	}
	parts := make([]string, len(results))
	multi := false
	for i, v := range results {
		if s, ok := v.(lua.LString); ok {
			parts[i] = string(s) // as print shows it
		} else {
			parts[i] = formatValue(r.rt, v, printDepth)
		}
		multi = multi || strings.Contains(parts[i], "\n")
	}
	sep := "\t"
	if multi {
		sep = "\n"
	}
	fmt.Fprintln(r.out, strings.Join(parts, sep))
}

// trimTraceback drops the REPL's own frames from a traceback: the input is
// the main chunk.
func trimTraceback(tb string) string {
	lines := strings.Split(tb, "\n")
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "[G]: in function (anonymous)") {
			lines = lines[:i]
			break
		}
		lines[i] = strings.Replace(l, "in function <stdin:0>", "in main chunk", 1)
	}
	return strings.Join(lines, "\n")
}

// watch cancels the current evaluation on an interrupt.
func (r *repl) watch(cancel context.CancelFunc) (stop func()) {
	if r.interrupts == nil {
		return func() {}
	}
	// Forget interrupts that arrived while nothing ran.
	for {
		select {
		case <-r.interrupts:
			continue
		default:
		}
		break
	}
	return watchInterrupts(r.interrupts, cancel)
}

// formatValue pretty-prints a Lua value as inspect() does.
func formatValue(rt *runtime.Runtime, v lua.LValue, depth int) string {
	return rt.Inspect(rt.State(), v, depth)
}

// complete is the REPL's tab completion: namespaces ("mes" ->
// "messages."), methods ("messages.send" -> the send methods), fields of
// other global tables, globals and keywords, and parameter names inside the
// argument table of a method call ("messages.sendMessage{pe" -> "peer=").
func (r *repl) complete(line string, pos int) (head string, completions []string, tail string) {
	defer func() {
		// A bug here must not take down the REPL with the terminal raw.
		if recover() != nil {
			head, completions, tail = line, nil, ""
		}
	}()
	if pos > len(line) {
		pos = len(line)
	}
	// liner counts pos in runes.
	runes := []rune(line)
	if pos <= len(runes) {
		line, tail = string(runes[:pos]), string(runes[pos:])
	}
	start := len(line)
	for start > 0 && isWordByte(line[start-1]) {
		start--
	}
	head, word := line[:start], line[start:]
	return head, completeWord(r.rt, head, word), tail
}

func isWordByte(c byte) bool {
	return c == '_' || c == '.' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// completeWord lists the completions of word, typed after head; rt may be
// nil.
func completeWord(rt *runtime.Runtime, head, word string) []string {
	var L *lua.LState
	if rt != nil {
		L = rt.State()
	}
	if m := argTableMethod(head); m != nil && !strings.Contains(word, ".") {
		var out []string
		for _, p := range m.Params {
			if p.Type.Kind != schema.KindFlags && strings.HasPrefix(p.Name, word) {
				out = append(out, p.Name+"=")
			}
		}
		return out
	}
	prefix, rest := "", word
	if r, ok := strings.CutPrefix(word, "tg."); ok {
		prefix, rest = "tg.", r
	}
	var out []string
	if dot := strings.LastIndexByte(rest, '.'); dot >= 0 {
		ns, short := rest[:dot], rest[dot+1:]
		if methods := schema.Methods(ns); len(methods) > 0 {
			for _, m := range methods {
				if strings.HasPrefix(m.Short(), short) {
					out = append(out, prefix+m.Name)
				}
			}
		} else if L != nil && prefix == "" {
			if t, ok := L.GetGlobal(ns).(*lua.LTable); ok {
				rt.OpenLazy(t)
				t.ForEach(func(k, _ lua.LValue) {
					if s, ok := k.(lua.LString); ok && strings.HasPrefix(string(s), short) && luaname.Is(string(s)) {
						out = append(out, ns+"."+string(s))
					}
				})
			}
		}
	} else {
		for _, ns := range schema.Namespaces() {
			if strings.HasPrefix(ns, rest) {
				out = append(out, prefix+ns+".")
			}
		}
		if prefix == "" {
			if strings.HasPrefix("tg", rest) {
				out = append(out, "tg.")
			}
			if L != nil {
				if g, ok := L.Get(lua.GlobalsIndex).(*lua.LTable); ok {
					g.ForEach(func(k, _ lua.LValue) {
						s, ok := k.(lua.LString)
						if !ok || !strings.HasPrefix(string(s), rest) || !luaname.Is(string(s)) || string(s) == replChunk {
							return
						}
						if len(schema.Methods(string(s))) > 0 || s == "tg" {
							return // offered with a dot above
						}
						out = append(out, string(s))
					})
				}
			}
			for _, kw := range luaname.Keywords {
				if strings.HasPrefix(kw, rest) && rest != "" {
					out = append(out, kw)
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// argTableMethod returns the method whose argument table the cursor is in,
// at a key position: head ends in "ns.method{" or "ns.method({... ,".
func argTableMethod(head string) *schema.Constructor {
	// Find the innermost unclosed '{', skipping quoted strings.
	var stack []int
	var quoteCh byte
	for i := 0; i < len(head); i++ {
		c := head[i]
		switch {
		case quoteCh != 0:
			if c == '\\' {
				i++
			} else if c == quoteCh {
				quoteCh = 0
			}
		case c == '"' || c == '\'':
			quoteCh = c
		case c == '{':
			stack = append(stack, i)
		case c == '}':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	if quoteCh != 0 || len(stack) == 0 {
		return nil
	}
	open := stack[len(stack)-1]
	// The cursor must be at a key: right after '{' or ','.
	if after := strings.TrimSpace(head[open+1:]); after != "" && !strings.HasSuffix(after, ",") {
		return nil
	}
	before := strings.TrimRight(head[:open], " \t")
	before = strings.TrimRight(strings.TrimSuffix(before, "("), " \t")
	start := len(before)
	for start > 0 && isWordByte(before[start-1]) {
		start--
	}
	name := strings.TrimPrefix(before[start:], "tg.")
	if m := schema.ByName(name); m != nil && m.Method {
		return m
	}
	return nil
}

// builtinName finds which documented built-in function fn is.
func builtinName(L *lua.LState, fn *lua.LFunction) (string, bool) {
	for _, name := range docpage.BuiltinNames() {
		var v lua.LValue = L.G.Global
		for _, part := range strings.Split(name, ".") {
			t, ok := v.(*lua.LTable)
			if !ok {
				v = lua.LNil
				break
			}
			v = t.RawGetString(part)
		}
		if v == fn {
			return name, true
		}
	}
	return "", false
}

// registerHelp adds help() and doc() to the runtime's globals.
func registerHelp(rt *runtime.Runtime, out io.Writer) {
	L := rt.State()
	page := func(L *lua.LState) (string, error) {
		switch v := L.Get(1).(type) {
		case lua.LString:
			return docpage.Render(string(v))
		case *lua.LFunction:
			if m, ok := rt.MethodOf(v); ok {
				return docpage.MethodPage(m), nil
			}
			if name, ok := builtinName(L, v); ok {
				return docpage.Render(name)
			}
			return "", errors.New("not a Telegram method or tglua function")
		case *lua.LTable:
			if ns, ok := rt.NamespaceOf(v); ok && ns != "" {
				return docpage.Render(ns)
			}
			L.ArgError(1, "name, function or namespace expected, got a table that is none of them")
			return "", nil
		case *lua.LNilType:
			return helpText, nil
		default:
			L.ArgError(1, "name, function or namespace expected, got "+v.Type().String())
			return "", nil
		}
	}
	rt.SetGlobal("doc", L.NewFunction(func(L *lua.LState) int {
		p, err := page(L)
		if err != nil {
			L.RaiseError("doc: %s", err.Error())
			return 0
		}
		L.Push(lua.LString(p))
		return 1
	}))
	help := L.NewFunction(func(L *lua.LState) int {
		p, err := page(L)
		if err != nil {
			p = "help: " + err.Error() + "\n"
		}
		_, _ = io.WriteString(out, p)
		return 0
	})
	// "help" is also a TL namespace (help.getConfig): make that table
	// callable rather than replace it.
	ns, ok := L.GetGlobal("help").(*lua.LTable)
	if !ok {
		rt.SetGlobal("help", help)
		return
	}
	mt := L.CreateTable(0, 2)
	if old, ok := ns.Metatable.(*lua.LTable); ok {
		old.ForEach(func(k, v lua.LValue) { mt.RawSet(k, v) })
	}
	mt.RawSetString("__call", L.NewFunction(func(L *lua.LState) int {
		L.Remove(1) // the table itself
		return help.GFunction(L)
	}))
	ns.Metatable = mt
}

const helpText = `tglua: the Telegram API from Lua.

  messages.sendMessage{peer='@username', message='Hello'}   call a method
  help('messages.sendMessage'), help(messages.sendMessage)  a method's page
  help('InputPeer'), help('inputPeerUser'), help('auth')    a type, a constructor, a namespace
  doc(NAME)                                                 the page as a string
  pp(v), inspect(v)                                         print a value as here / as a string
  for m in iter(messages.getHistory, {peer='@alice'}) do   pages for you (dialogs, search, participants)
  ask(peer, text), wait_for(filter, timeout)                conversations

Login: phone_login(number), complete_phone_login(code), complete_2fa_login(password),
complete_signup(first, last), bot_login(token), get_self(), logout().

Updates: on('message', fn), on('updateUserTyping', fn), on('update', fn), off(h),
reply(msg, text), sleep(s), after(s, fn), every(s, fn), stop().

Light threads (many calls in flight; each handler and timer runs in one): t = spawn(fn, ...),
wait(t, ...), wait_any(t, ...), t:cancel(); map(fn, list, {concurrency=8}), parallel(fns).

Formatting: messages.sendMessage{peer=..., message='**hi**', parse_mode='markdown'}
(or 'html': <b>hi</b>), or parse_mode = 'markdown' for every call that has a message.

Files: upload(path) -> InputFile; send_file(peer, path, {caption=...});
download(msg_or_media [, path]) -> path, or the bytes without one.

REPL: expressions print their value; Tab completes namespaces, methods and parameter
names; Ctrl-C cancels the running call; Ctrl-D quits.
`

// docCommand is `tglua doc NAME...`.
func docCommand(args []string, std stdio) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(std.err, "usage: tglua doc NAME   (a method, constructor, type or namespace: auth.sendInvites, inputPeerUser, InputPeer, auth)")
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	code := exitOK
	for _, name := range args {
		p, err := docpage.Render(name)
		if err != nil {
			fmt.Fprintln(std.err, "tglua doc:", err)
			code = exitError
			continue
		}
		fmt.Fprint(std.out, p)
	}
	return code
}

// loginCommand is `tglua login`: it asks for the phone number, the code
// and, when the account has one, the 2FA password (not echoed), or logs in
// with --bot-token.
func loginCommand(ctx context.Context, cfg *config, fs *flag.FlagSet, args []string, std stdio) int {
	var sub config
	lfs := newFlagSet("tglua login", &sub, std.err)
	botToken := lfs.String("bot-token", "", "log in as the bot with this `TOKEN` (env BOT_TOKEN)")
	phone := lfs.String("phone", "", "the account's phone `NUMBER`; asked for when not given")
	const loginUsage = "usage: tglua [flags] login [--phone NUMBER | --bot-token TOKEN]\n\n" +
		"Logs in and stores the authorization in the session file; asks for the code\n" +
		"and, if the account has one, the two-step verification password.\n\nflags:\n"
	if err := lfs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(std.out, loginUsage, lfs)
			return exitOK
		}
		printUsage(std.err, loginUsage, lfs)
		return exitUsage
	}
	if lfs.NArg() > 0 {
		fmt.Fprintf(std.err, "tglua login: unexpected argument %q\n", lfs.Arg(0))
		return exitUsage
	}
	// Flags given after "login" count as if given before it.
	var setErr error
	lfs.Visit(func(f *flag.Flag) {
		if fs.Lookup(f.Name) != nil && setErr == nil {
			setErr = fs.Set(f.Name, f.Value.String())
		}
	})
	if setErr != nil {
		fmt.Fprintln(std.err, "tglua login:", setErr)
		return exitUsage
	}
	if err := cfg.fromEnv(fs); err != nil {
		fmt.Fprintln(std.err, "tglua:", err)
		return exitUsage
	}
	if *botToken == "" {
		*botToken = os.Getenv("BOT_TOKEN")
	}
	if cfg.session == "" {
		fmt.Fprintln(std.err, "tglua login: --session FILE (or SESSION_FILE) is required: the login is stored there")
		return exitUsage
	}
	opts, err := cfg.options(std)
	if err != nil {
		fmt.Fprintln(std.err, "tglua:", err)
		return exitUsage
	}
	opts.Args = []string{"tglua"}
	rt, err := runtime.New(opts)
	if err != nil {
		fmt.Fprintln(std.err, "tglua:", err)
		return exitError
	}
	defer func() {
		if err := rt.Close(); err != nil {
			fmt.Fprintln(std.err, "tglua:", err)
		}
	}()
	ctx, cancel := withTimeout(ctx, cfg.timeout)
	defer cancel()
	stop := watchInterrupts(std.interrupts, cancel)
	defer stop()

	var user any
	if *botToken != "" {
		user, err = call(ctx, rt, "bot_login", *botToken)
	} else {
		in := newAsker(std)
		defer in.close()
		user, err = phoneLogin(ctx, rt, in, *phone, std.err)
	}
	if err != nil {
		return reportRunError(ctx, std.err, cfg.timeout, err)
	}
	fmt.Fprintln(std.out, "Logged in as", describeUser(user))
	return exitOK
}

// call calls a global Lua function and returns its first result.
func call(ctx context.Context, rt *runtime.Runtime, fn string, args ...any) (any, error) {
	out, err := rt.Call(ctx, fn, args...)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out[0], nil
}

// rpcType returns the RPC error type of a failed call ("PHONE_CODE_INVALID").
func rpcType(err error) string {
	var le *luabind.Error
	if errors.As(err, &le) {
		return le.Type
	}
	return ""
}

// phoneLogin runs the interactive phone login.
func phoneLogin(ctx context.Context, rt *runtime.Runtime, in *asker, phone string, errw io.Writer) (any, error) {
	var err error
	if phone == "" {
		if phone, err = in.line("Phone number (international format, e.g. +15550000): "); err != nil {
			return nil, err
		}
	}
	if _, err := call(ctx, rt, "phone_login", phone); err != nil {
		return nil, err
	}
	const tries = 3
	var res any
	for i := 1; ; i++ {
		code, err := in.line("Code: ")
		if err != nil {
			return nil, err
		}
		res, err = call(ctx, rt, "complete_phone_login", code)
		if err == nil {
			break
		}
		if rpcType(err) != "PHONE_CODE_INVALID" || i == tries {
			return nil, err
		}
		fmt.Fprintln(errw, "That code is not valid; try again.")
	}
	if res == runtime.SignUpNeeded {
		fmt.Fprintln(errw, "This number has no Telegram account yet: choose a name to create one.")
		first, err := in.line("First name: ")
		if err != nil {
			return nil, err
		}
		last, err := in.line("Last name (optional): ")
		if err != nil {
			return nil, err
		}
		if res, err = call(ctx, rt, "complete_signup", first, last); err != nil {
			return nil, err
		}
	}
	if res != runtime.PasswordNeeded {
		return res, nil
	}
	for i := 1; ; i++ {
		pw, err := in.password("Two-step verification password: ")
		if err != nil {
			return nil, err
		}
		res, err = call(ctx, rt, "complete_2fa_login", pw)
		if err == nil {
			return res, nil
		}
		if rpcType(err) != "PASSWORD_HASH_INVALID" || i == tries {
			return nil, err
		}
		fmt.Fprintln(errw, "Wrong password; try again.")
	}
}

// describeUser renders a user table as "First Last (@username, id 42)".
func describeUser(u any) string {
	m, ok := u.(map[string]any)
	if !ok {
		return fmt.Sprint(u)
	}
	name := strings.TrimSpace(fmt.Sprintf("%v %v", orEmpty(m["first_name"]), orEmpty(m["last_name"])))
	var extra []string
	if un, ok := m["username"].(string); ok && un != "" {
		extra = append(extra, "@"+un)
	}
	if b, ok := m["bot"].(bool); ok && b {
		extra = append(extra, "bot")
	}
	extra = append(extra, fmt.Sprintf("id %v", m["id"]))
	if name == "" {
		name = "user"
	}
	return name + " (" + strings.Join(extra, ", ") + ")"
}

func orEmpty(v any) any {
	if v == nil {
		return ""
	}
	return v
}

// asker asks questions on a terminal (the password is not echoed) or
// reads answers line by line from piped input.
type asker struct {
	ln  *liner.State
	r   *bufio.Reader
	err io.Writer
}

func newAsker(std stdio) *asker {
	if std.terminal {
		return &asker{ln: liner.NewLiner(), err: std.err}
	}
	return &asker{r: bufio.NewReader(std.in), err: std.err}
}

func (a *asker) close() {
	if a.ln != nil {
		a.ln.Close()
	}
}

func (a *asker) line(prompt string) (string, error) {
	var s string
	var err error
	if a.ln != nil {
		s, err = a.ln.Prompt(prompt)
	} else {
		fmt.Fprint(a.err, prompt)
		s, err = plainReader{a.r}.Prompt(prompt)
	}
	if errors.Is(err, liner.ErrPromptAborted) {
		return "", context.Canceled
	}
	if errors.Is(err, io.EOF) {
		return "", errors.New("login: input ended")
	}
	return strings.TrimSpace(s), err
}

func (a *asker) password(prompt string) (string, error) {
	if a.ln == nil {
		return a.line(prompt)
	}
	s, err := a.ln.PasswordPrompt(prompt)
	switch {
	case errors.Is(err, liner.ErrPromptAborted):
		return "", context.Canceled
	case errors.Is(err, io.EOF):
		return "", errors.New("login: input ended")
	case err != nil:
		return "", fmt.Errorf("cannot read the password without echoing it (%w); run tglua login with standard output on the terminal", err)
	}
	return s, nil
}
