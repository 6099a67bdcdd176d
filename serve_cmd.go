package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/tglua/tglua/gateway"
	"github.com/tglua/tglua/runtime"
	"github.com/tglua/tglua/sandbox"
)

const serveUsage = `usage: tglua serve --http 127.0.0.1:PORT --sessions DIR [--sandbox | --server ADDR --server-key FILE | --api-id ID --api-hash HASH]

Serves the HTTP API: every method of every logged-in account, as JSON.
  POST /phone_login phone=+15550000         -> {"ok":true,"result":{"token":"T",...}}
  POST /userT/complete_phone_login code=... -> the user
  POST /userT/auth.sendInvites phone_numbers=["+15550001"] message=Hi
  GET  /userT/getUpdates?offset=N&timeout=30
  GET  /docs/                               the method reference
With --sandbox the offline sandbox runs in the same process (accounts
+15550000, +15550001, +15550002, the bot @echo_bot; login code 12345). Its
users and messages are kept in DIR, but not its auth keys: log in again after
a restart, or run 'tglua sandbox serve' and pass --server and --server-key.

flags:
`

// serveCommand is `tglua serve`.
func serveCommand(ctx context.Context, args []string, std stdio) int {
	fs := flag.NewFlagSet("tglua serve", flag.ContinueOnError)
	fs.SetOutput(std.err)
	addr := fs.String("http", "127.0.0.1:8080", "listen on `ADDR` (127.0.0.1:0 picks a free port)")
	dir := fs.String("sessions", "", "keep one session file per account in `DIR` (created 0700, locked)")
	listenAny := fs.Bool("listen-any", false, "allow a non-loopback --http address")
	useSandbox := fs.Bool("sandbox", false, "run the offline sandbox Telegram in this process")
	server := fs.String("server", "", "connect only to this MTProto server, `HOST:PORT`")
	serverKey := fs.String("server-key", "", "the --server's RSA public key, a PEM `FILE`")
	dc := fs.Int("dc", 2, "datacenter `ID`")
	apiID := fs.Int("api-id", 0, "Telegram API `id` (env APP_ID)")
	apiHash := fs.String("api-hash", "", "Telegram API `hash` (env APP_HASH)")
	floodWaitMax := fs.Duration("flood-wait-max", 0, "sleep through FLOOD_WAIT up to `DURATION`, answer 429 beyond it (when unset: 60s); 0 never waits")
	callTimeout := fs.Duration("call-timeout", 0, "give up a method call after `DURATION` (when unset: 1m)")
	quiet := fs.Bool("q", false, "do not log requests to stderr")
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(std.out, serveUsage, fs)
			return exitOK
		}
		printUsage(std.err, serveUsage, fs)
		return exitUsage
	}
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(std.err, "tglua serve: "+format+"\n", a...)
		return code
	}
	if fs.NArg() > 0 {
		return fail(exitUsage, "unexpected argument %q", fs.Arg(0))
	}
	if *dir == "" {
		return fail(exitUsage, "--sessions DIR is required: the directory keeps one session file per account")
	}
	if (*server == "") != (*serverKey == "") {
		return fail(exitUsage, "--server and --server-key go together")
	}
	if *useSandbox && *server != "" {
		return fail(exitUsage, "--sandbox runs its own server: drop --server")
	}
	if err := checkLoopback(*addr, *listenAny); err != nil {
		return fail(exitUsage, "%v", err)
	}
	opts := gateway.Options{Sessions: *dir, CallTimeout: *callTimeout}
	if !*quiet {
		opts.Log = std.err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["flood-wait-max"] {
		opts.FloodWaitMax = *floodWaitMax
		if *floodWaitMax <= 0 {
			opts.FloodWaitMax = -1
		}
	}
	opts.Dial = runtime.Dial{AppID: *apiID, AppHash: *apiHash, Server: *server, DC: *dc,
		AppIDHint: "get them at my.telegram.org and pass --api-id and --api-hash to tglua serve (or set APP_ID and APP_HASH)"}
	if !set["api-id"] {
		if v := os.Getenv("APP_ID"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return fail(exitUsage, "APP_ID is not a number")
			}
			opts.Dial.AppID = n
		}
	}
	if !set["api-hash"] && opts.Dial.AppHash == "" {
		opts.Dial.AppHash = os.Getenv("APP_HASH")
	}
	if *serverKey != "" {
		key, err := os.ReadFile(*serverKey)
		if err != nil {
			return fail(exitUsage, "read --server-key: %v", err)
		}
		opts.Dial.ServerKey = key
		if opts.Dial.AppID == 0 {
			// A sandbox accepts any API id; Telegram itself is not reached
			// through --server.
			opts.Dial.AppID, opts.Dial.AppHash = 1, "sandbox"
		}
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := watchInterrupts(std.interrupts, cancel)
	defer stop()

	var sb *sandbox.Server
	if *useSandbox {
		if err := os.MkdirAll(*dir, 0o700); err != nil {
			return fail(exitError, "create --sessions directory: %v", err)
		}
		var err error
		sb, err = sandbox.New(sandbox.Options{StatePath: filepath.Join(*dir, "sandbox-state.json")})
		if err == nil {
			err = sb.Start(ctx)
		}
		if err != nil {
			return fail(exitError, "start the sandbox: %v", err)
		}
		opts.Dial.Server = sb.Addr().String()
		opts.Dial.ServerKey = sb.PublicKeyPEM()
		opts.Dial.DC = sb.DC()
		opts.Dial.NewAuthKey = sb.NewAuthKey // no key exchange per new account
		if opts.Dial.AppID == 0 {
			opts.Dial.AppID, opts.Dial.AppHash = 1, "sandbox"
		}
	}
	closeSandbox := func() {
		if sb != nil {
			if err := sb.Close(); err != nil {
				fmt.Fprintln(std.err, "tglua serve: close the sandbox:", err)
			}
		}
	}

	gw, err := gateway.New(opts)
	if err != nil {
		closeSandbox()
		return fail(exitError, "%v", err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		_ = gw.Close()
		closeSandbox()
		return fail(exitError, "listen on %s: %v", *addr, err)
	}
	fmt.Fprintf(std.out, "http listening on %s\n", ln.Addr())
	if f, ok := std.out.(interface{ Sync() error }); ok {
		_ = f.Sync()
	}
	srv := gw.Server()
	srv.ErrorLog = nil
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	code := exitOK
	select {
	case <-ctx.Done():
	case err := <-served:
		fmt.Fprintln(std.err, "tglua serve:", err)
		code = exitError
	}
	// Finish the requests in flight (long polls end within their timeout),
	// then write every session.
	sctx, scancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer scancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(std.err, "tglua serve: shut down:", err)
	}
	if err := gw.Close(); err != nil {
		fmt.Fprintln(std.err, "tglua serve: close:", err)
		code = exitError
	}
	closeSandbox()
	return code
}

// checkLoopback refuses a non-loopback address unless any is set.
func checkLoopback(addr string, any bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--http %s: %v", addr, err)
	}
	if any {
		return nil
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--http %s is not a loopback address: pass --listen-any to serve beyond this machine", addr)
}
