// Command tglua runs Lua scripts that call the Telegram API.
//
//	tglua [flags] FILE.lua [args...]   run a script (arg[0] = FILE.lua)
//	tglua [flags] -                    run a script read from standard input
//	tglua [flags] -e CHUNK [FILE...]   run a chunk, then the script if given
//	tglua [flags]                      REPL on a terminal, else run stdin
//	tglua [flags] login                log in (phone, code, 2FA password)
//	tglua [flags] login --bot-token T  log in as a bot
//	tglua doc NAME                     offline docs of a method, constructor or type
//	tglua --sandbox FILE.lua           run against an in-process offline Telegram
//	tglua sandbox serve                run the offline Telegram as a server
//
// Exit codes follow the lua interpreter: 0 success, 1 an uncaught Lua error
// (message and traceback on stderr) or a failure to start, 2 a usage error.
// See `tglua -h` for the flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gotd/log/logslog"

	"github.com/tglua/tglua/luabind"
	"github.com/tglua/tglua/runtime"
)

func main() {
	interrupts := make(chan os.Signal, 1)
	signal.Notify(interrupts, os.Interrupt, syscall.SIGTERM)
	os.Exit(run(context.Background(), os.Args[1:], stdio{
		in: os.Stdin, out: os.Stdout, err: os.Stderr,
		interrupts: interrupts,
		terminal:   stdinIsTerminal(),
	}))
}

// stdio is what run talks to: the standard streams, the interrupt signals
// and whether stdin is a terminal.
type stdio struct {
	in         io.Reader
	out, err   io.Writer
	interrupts <-chan os.Signal
	terminal   bool
	// guard, set for the REPL on a terminal, keeps output that handlers
	// write while the prompt waits off the input line.
	guard *promptGuard
	// exits run when a script calls os.exit, before the process ends (the
	// REPL saves its history).
	exits *exitHooks
}

// exitHooks are functions to run before os.exit ends the process.
type exitHooks struct{ fns []func() }

func (h *exitHooks) add(fn func()) { h.fns = append(h.fns, fn) }

// exit runs the hooks, last added first, and ends the process.
func (h *exitHooks) exit(code int) {
	for i := len(h.fns) - 1; i >= 0; i-- {
		h.fns[i]()
	}
	os.Exit(code)
}

// Exit codes, as the lua interpreter uses them.
const (
	exitOK    = 0
	exitError = 1 // an uncaught Lua error, or a failure to start
	exitUsage = 2
)

const usageText = `usage: tglua [flags] FILE.lua [args...]   run a script (arg[0] = FILE.lua, ... = args)
       tglua [flags] - [args...]          run a script read from standard input
       tglua [flags] -e CHUNK [FILE...]   run CHUNK (repeatable), then FILE if given
       tglua [flags]                      REPL on a terminal; otherwise run standard input
       tglua [flags] login [--bot-token TOKEN]
                                          log in and store the authorization in --session
       tglua run --accounts DIR [--restart [--max-restarts N]] FILE.lua
                                          run FILE once per account (DIR/NAME.session), concurrently
       tglua doc NAME                     offline docs: a method, constructor, type or namespace
       tglua --sandbox FILE.lua           run against an in-process offline Telegram (no account)
       tglua sandbox serve [--listen ADDR] [--key-out FILE] [--state FILE]
                                          run the offline Telegram as a standalone server
       tglua serve --http ADDR --sessions DIR [--sandbox | --server ADDR --server-key FILE]
                                          the HTTP API for many accounts (tglua serve -h)

Lua functions: phone_login, complete_phone_login, complete_2fa_login, complete_signup, bot_login,
get_self, logout, help(NAME or function), doc(NAME or function).
Environment: SESSION_FILE (or SESSION_DIR), APP_ID, APP_HASH, BOT_TOKEN; flags win.

flags:
`

type config struct {
	session      string
	apiID        int
	apiHash      string
	server       string
	serverKey    string
	dc           int
	exec         []string
	interactive  bool
	timeout      time.Duration
	verbose      bool
	floodWaitMax time.Duration
	floodWaitSet bool
	sandbox      bool
	limits       limits
	accounts     string
	restart      bool
	maxRestarts  int
	parallel     int
}

// chunks is the repeatable -e flag.
type chunks []string

func (c *chunks) String() string     { return strings.Join(*c, "; ") }
func (c *chunks) Set(s string) error { *c = append(*c, s); return nil }

// newFlagSet defines tglua's flags on a new set writing to stderr.
func newFlagSet(name string, cfg *config, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.session, "session", "", "session `FILE` holding the auth key, login and peer cache (env SESSION_FILE, or SESSION_DIR/tglua.session); in memory when unset")
	fs.IntVar(&cfg.apiID, "api-id", 0, "Telegram API `id` (env APP_ID)")
	fs.StringVar(&cfg.apiHash, "api-hash", "", "Telegram API `hash` (env APP_HASH)")
	fs.StringVar(&cfg.server, "server", "", "connect only to this MTProto server, `HOST:PORT` (TCP, intermediate codec)")
	fs.StringVar(&cfg.serverKey, "server-key", "", "the --server's RSA public key, a PEM `FILE` (PKCS#1 or PKIX)")
	fs.IntVar(&cfg.dc, "dc", 2, "datacenter `ID`")
	fs.Var((*chunks)(&cfg.exec), "e", "run this Lua `CHUNK` (repeatable), before FILE if one is given")
	fs.BoolVar(&cfg.interactive, "i", false, "enter the REPL after running the script or chunks")
	fs.DurationVar(&cfg.timeout, "timeout", 0, "stop the whole run after `DURATION` (e.g. 30s); 0 means no limit")
	fs.BoolVar(&cfg.verbose, "v", false, "log the protocol to stderr (secrets redacted)")
	fs.DurationVar(&cfg.floodWaitMax, "flood-wait-max", 0, "wait out FLOOD_WAIT errors up to `DURATION` and retry (when unset: 60s); 0 never waits")
	cfg.limits.addFlags(fs)
	fs.StringVar(&cfg.accounts, "accounts", "", "run the script once per account: every NAME.session in `DIR` (or the keys of a redis://...?prefix=P URL), concurrently")
	fs.BoolVar(&cfg.restart, "restart", false, "with --accounts: run an account's script again after it fails, with backoff")
	fs.IntVar(&cfg.maxRestarts, "max-restarts", 0, "with --restart: give an account up after N restarts (0: no limit)")
	fs.IntVar(&cfg.parallel, "parallel", 4, "with --accounts: how many accounts connect and log in at once")
	fs.BoolVar(&cfg.sandbox, "sandbox", false, "run against an in-process offline sandbox Telegram, logged in as +15550000 (no account, no network)")
	fs.Usage = func() {} // run prints the usage: to stdout for -h
	return fs
}

// printUsage writes head and every flag of fs, long names with "--".
func printUsage(w io.Writer, head string, fs *flag.FlagSet) {
	fmt.Fprint(w, head)
	fs.VisitAll(func(f *flag.Flag) {
		dash := "--"
		if len(f.Name) == 1 {
			dash = "-"
		}
		name, usage := flag.UnquoteUsage(f)
		line := "  " + dash + f.Name
		if name != "" {
			line += " " + name
		}
		fmt.Fprintf(w, "%-28s %s", line, usage)
		if d := f.DefValue; d != "" && d != "0" && d != "false" && d != "0s" && d != "[]" {
			fmt.Fprintf(w, " (default %s)", d)
		}
		fmt.Fprintln(w)
	})
}

// parseFlags parses the flags, then fills what they left unset from the
// environment.
func parseFlags(args []string, stderr io.Writer) (*config, *flag.FlagSet, error) {
	cfg := &config{}
	fs := newFlagSet("tglua", cfg, stderr)
	if err := fs.Parse(args); err != nil {
		return nil, fs, err
	}
	return cfg, fs, nil
}

// fromEnv fills flags that were not given from gotd's environment
// variables, and checks combinations.
func (cfg *config) fromEnv(fs *flag.FlagSet) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !set["session"] {
		if v := os.Getenv("SESSION_FILE"); v != "" {
			cfg.session = v
		} else if dir := os.Getenv("SESSION_DIR"); dir != "" {
			cfg.session = filepath.Join(dir, "tglua.session")
		}
	}
	if !set["api-id"] {
		if v := os.Getenv("APP_ID"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return errors.New("APP_ID is not a number")
			}
			cfg.apiID = n
		}
	}
	if !set["api-hash"] {
		cfg.apiHash = os.Getenv("APP_HASH")
	}
	cfg.floodWaitSet = set["flood-wait-max"]
	if (cfg.server == "") != (cfg.serverKey == "") {
		return errors.New("--server and --server-key go together")
	}
	if cfg.sandbox && (cfg.server != "" || cfg.session != "") {
		return errors.New("--sandbox runs its own server with an in-memory session: drop --server and --session")
	}
	if cfg.timeout < 0 {
		return errors.New("--timeout must not be negative")
	}
	return cfg.limits.check()
}

func run(ctx context.Context, args []string, std stdio) int {
	cfg, fs, err := parseFlags(args, std.err)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(std.out, usageText, fs)
			return exitOK
		}
		// The flag package printed the error.
		printUsage(std.err, usageText, fs)
		return exitUsage
	}
	rest := fs.Args()
	if len(cfg.exec) == 0 && len(rest) > 0 {
		switch rest[0] {
		case "doc":
			return docCommand(rest[1:], std)
		case "login":
			return loginCommand(ctx, cfg, fs, rest[1:], std)
		case "sandbox":
			return sandboxCommand(ctx, rest[1:], std)
		case "serve":
			return serveCommand(ctx, rest[1:], std)
		case "run":
			// "tglua run [flags] FILE" is "tglua [flags] FILE".
			return run(ctx, append(args[:len(args)-len(rest):len(args)-len(rest)], rest[1:]...), std)
		}
	}
	if err := cfg.fromEnv(fs); err != nil {
		fmt.Fprintln(std.err, "tglua:", err)
		return exitUsage
	}

	// What to run: chunks, a file, stdin or the REPL.
	script, stdinScript := "", false
	switch {
	case len(rest) > 0 && rest[0] == "-":
		stdinScript = true
	case len(rest) > 0:
		script = rest[0]
	case len(cfg.exec) == 0 && !std.terminal:
		stdinScript = true
	}
	repl := cfg.interactive || (len(cfg.exec) == 0 && len(rest) == 0 && std.terminal)

	if repl && std.terminal {
		std.guard = newPromptGuard()
		std.out, std.err = std.guard.writer(std.out), std.guard.writer(std.err)
	}
	opts, err := cfg.options(std)
	if err != nil {
		fmt.Fprintln(std.err, "tglua:", err)
		return exitUsage
	}
	if std.exits == nil {
		std.exits = &exitHooks{}
	}
	opts.Exit = std.exits.exit
	switch {
	case len(rest) > 0:
		opts.Args = rest
	default:
		opts.Args = []string{"tglua"}
	}
	dir := "."
	if script != "" {
		dir = filepath.Dir(script)
	}
	opts.ModulePaths = []string{dir, "scripts"}

	if cfg.accounts != "" {
		return runAccounts(ctx, cfg, opts, script, std)
	}
	if cfg.sandbox {
		sb, err := startSandbox(ctx, &opts)
		if err != nil {
			fmt.Fprintln(std.err, "tglua: start sandbox:", err)
			return exitError
		}
		defer func() { _ = sb.Close() }()
	}

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
	registerHelp(rt, std.out)

	runCtx, cancel := withTimeout(ctx, cfg.timeout)
	defer cancel()
	if cfg.sandbox {
		if err := sandboxLogin(runCtx, rt); err != nil {
			return reportRunError(runCtx, std.err, cfg.timeout, err)
		}
	}
	// Interrupts cancel the run; the REPL takes them over per input.
	stopWatch := watchInterrupts(std.interrupts, cancel)

	for _, chunk := range cfg.exec {
		if _, err := rt.DoString(runCtx, chunk); err != nil {
			stopWatch()
			return reportRunError(runCtx, std.err, cfg.timeout, err)
		}
	}
	if script != "" || stdinScript {
		if stdinScript {
			src, rerr := readAll(runCtx, std.in)
			if rerr == nil {
				_, err = rt.DoChunk(runCtx, "stdin", src)
			} else {
				err = rerr
			}
		} else {
			_, err = rt.DoFile(runCtx, script)
		}
		if err != nil {
			stopWatch()
			return reportRunError(runCtx, std.err, cfg.timeout, err)
		}
	}
	stopWatch()
	if repl {
		return runREPL(runCtx, rt, std)
	}
	return exitOK
}

// options builds the runtime options from the configuration.
func (cfg *config) options(std stdio) (runtime.Options, error) {
	opts := runtime.Options{
		Stdout:      std.out,
		Stderr:      std.err,
		SessionPath: cfg.session,
		Dial: runtime.Dial{
			AppID:     cfg.apiID,
			AppHash:   cfg.apiHash,
			AppIDHint: "get them at my.telegram.org and pass --api-id and --api-hash (or set APP_ID and APP_HASH)",
			Server:    cfg.server,
			DC:        cfg.dc,
		},
	}
	if cfg.server != "" && opts.Dial.AppID == 0 && opts.Dial.AppHash == "" {
		// A --server is a sandbox or a test server, which take any API id.
		opts.Dial.AppID, opts.Dial.AppHash = 1, "sandbox"
	}
	if cfg.serverKey != "" {
		key, err := os.ReadFile(cfg.serverKey)
		if err != nil {
			return opts, fmt.Errorf("read --server-key: %w", err)
		}
		opts.Dial.ServerKey = key
	}
	cfg.limits.apply(&opts)
	if cfg.floodWaitSet {
		opts.FloodWaitMax = cfg.floodWaitMax
		if cfg.floodWaitMax <= 0 {
			opts.FloodWaitMax = -1 // never wait
		}
	}
	if cfg.verbose {
		h := slog.NewTextHandler(std.err, &slog.HandlerOptions{Level: slog.LevelDebug})
		opts.Logger = runtime.NewRedactor(logslog.New(slog.New(h)))
	}
	return opts, nil
}

func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d > 0 {
		return context.WithTimeout(ctx, d)
	}
	return context.WithCancel(ctx)
}

// watchInterrupts calls cancel on the first interrupt until stopped. A
// second interrupt, while what was cancelled has not returned yet, exits
// the process.
func watchInterrupts(ch <-chan os.Signal, cancel context.CancelFunc) (stop func()) {
	if ch == nil {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		select {
		case <-ch:
			cancel()
		case <-done:
			return
		}
		select {
		case <-ch:
			fmt.Fprintln(os.Stderr, "tglua: interrupted twice, exiting")
			os.Exit(exitError)
		case <-done:
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// readAll reads a script from r, giving up when ctx ends.
func readAll(ctx context.Context, r io.Reader) (string, error) {
	type result struct {
		data []byte
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		data, err := io.ReadAll(r)
		ch <- result{data, err}
	}()
	select {
	case res := <-ch:
		if res.err != nil {
			return "", fmt.Errorf("read standard input: %w", res.err)
		}
		return string(res.data), nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// reportRunError prints why a run failed and returns the exit code.
func reportRunError(ctx context.Context, w io.Writer, timeout time.Duration, err error) int {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		fmt.Fprintf(w, "tglua: timed out after %s (--timeout)\n", timeout)
	case errors.Is(ctx.Err(), context.Canceled):
		fmt.Fprintln(w, "tglua: interrupted")
	default:
		reportError(w, err)
	}
	return exitError
}

// reportError prints an uncaught error and its traceback.
func reportError(w io.Writer, err error) {
	var se *runtime.Error
	if errors.As(err, &se) {
		fmt.Fprintln(w, "tglua:", se.Message)
		if se.Traceback != "" {
			fmt.Fprintln(w, se.Traceback)
		}
	} else {
		fmt.Fprintln(w, "tglua:", err)
	}
	if hint := loginHint(err); hint != "" {
		fmt.Fprintln(w, "tglua:", hint)
	}
}

// loginHint is what to do about an error that means the session holds no
// (valid) login, or "".
func loginHint(err error) string {
	var le *luabind.Error
	if !errors.As(err, &le) || le.Code != 401 {
		return ""
	}
	switch le.Type {
	case "AUTH_KEY_UNREGISTERED", "AUTH_KEY_INVALID", "SESSION_REVOKED", "SESSION_EXPIRED", "USER_DEACTIVATED", "AUTH_KEY_PERM_EMPTY":
		return "not logged in: run 'tglua login --session FILE' (or phone_login/bot_login in the script); restarting a sandbox forgets every login"
	}
	return ""
}
