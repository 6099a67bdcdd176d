// Command tglua runs Lua scripts that call the Telegram API.
//
//	tglua [flags] FILE.lua [args...]   run a script
//	tglua [flags] -e 'chunk'           run a chunk
//
// See `tglua -h` for the flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/gotd/td/session"

	"github.com/tglua/tglua/runtime"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// Exit codes, as the lua interpreter uses them.
const (
	exitOK    = 0
	exitError = 1 // an uncaught Lua error, or a failure to start
	exitUsage = 2
)

type config struct {
	session   string
	apiID     int
	apiHash   string
	server    string
	serverKey string
	dc        int
	exec      string
}

func parseFlags(args []string, stderr io.Writer) (*config, []string, error) {
	cfg := &config{}
	fs := flag.NewFlagSet("tglua", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.session, "session", os.Getenv("SESSION_FILE"), "session file holding the auth key (env SESSION_FILE); in memory when empty")
	fs.IntVar(&cfg.apiID, "api-id", envInt("APP_ID"), "Telegram API id (env APP_ID)")
	fs.StringVar(&cfg.apiHash, "api-hash", os.Getenv("APP_HASH"), "Telegram API hash (env APP_HASH)")
	fs.StringVar(&cfg.server, "server", "", "connect only to this MTProto server, `HOST:PORT` (TCP, intermediate codec)")
	fs.StringVar(&cfg.serverKey, "server-key", "", "the --server's RSA public key, a PEM `FILE` (PKCS#1 or PKIX)")
	fs.IntVar(&cfg.dc, "dc", 2, "datacenter `ID`")
	fs.StringVar(&cfg.exec, "e", "", "run this Lua `chunk` instead of a file")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: tglua [flags] FILE.lua [args...]\n       tglua [flags] -e CHUNK\n\nflags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	if (cfg.server == "") != (cfg.serverKey == "") {
		return nil, nil, errors.New("--server and --server-key go together")
	}
	return cfg, fs.Args(), nil
}

func envInt(name string) int {
	n, _ := strconv.Atoi(os.Getenv(name))
	return n
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cfg, rest, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		fmt.Fprintln(stderr, "tglua:", err)
		return exitUsage
	}
	if cfg.exec == "" && len(rest) == 0 {
		fmt.Fprintln(stderr, "tglua: no script given (usage: tglua [flags] FILE.lua [args...], or -e CHUNK)")
		return exitUsage
	}

	opts := runtime.Options{
		Stdout: stdout,
		Stderr: stderr,
		Dial: runtime.Dial{
			AppID:   cfg.apiID,
			AppHash: cfg.apiHash,
			Server:  cfg.server,
			DC:      cfg.dc,
		},
	}
	if cfg.serverKey != "" {
		key, err := os.ReadFile(cfg.serverKey)
		if err != nil {
			fmt.Fprintln(stderr, "tglua:", err)
			return exitUsage
		}
		opts.Dial.ServerKey = key
	}
	if cfg.session != "" {
		opts.Dial.Session = &session.FileStorage{Path: cfg.session}
	}
	if cfg.exec != "" {
		opts.Args = append([]string{"-e"}, rest...)
	} else {
		opts.Args = rest
	}

	rt, err := runtime.New(opts)
	if err != nil {
		fmt.Fprintln(stderr, "tglua:", err)
		return exitError
	}
	defer rt.Close()

	if cfg.exec != "" {
		_, err = rt.DoString(ctx, cfg.exec)
	} else {
		_, err = rt.DoFile(ctx, rest[0])
	}
	if err != nil {
		reportError(stderr, err)
		return exitError
	}
	return exitOK
}

// reportError prints an uncaught error and its traceback.
func reportError(w io.Writer, err error) {
	var se *runtime.Error
	if errors.As(err, &se) {
		fmt.Fprintln(w, "tglua:", se.Message)
		if se.Traceback != "" {
			fmt.Fprintln(w, se.Traceback)
		}
		return
	}
	fmt.Fprintln(w, "tglua:", err)
}
