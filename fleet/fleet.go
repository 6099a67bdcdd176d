package fleet

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/go-faster/errors"
	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/internal/linewriter"
	"github.com/tglua/tglua/internal/session"
	"github.com/tglua/tglua/runtime"
)

// SessionExt is the extension of an account's session file.
const SessionExt = ".session"

// Options configures Run.
type Options struct {
	// Accounts is where the sessions are (see session.List): a directory
	// of NAME.session files, locked for the run, or a Redis URL with a
	// prefix, redis://127.0.0.1:6379/0?prefix=acct:, whose keys acct:NAME
	// are the accounts (each held by its own lease). NAME is the account's
	// name.
	Accounts string
	// Runtime is the template of every account's runtime options; Run sets
	// SessionPath, Stdout, Stderr and Exit per account.
	Runtime runtime.Options
	// Stdout and Stderr receive the accounts' output, each line prefixed
	// with "[NAME] ". Default: os.Stdout and os.Stderr.
	Stdout, Stderr io.Writer
	// Restart runs an account's script again after it fails, waiting 1 s,
	// then twice as long each time up to MaxBackoff, until ctx ends.
	Restart bool
	// MaxRestarts, if positive, is how many times Restart runs a failing
	// account's script again before giving the account up.
	MaxRestarts int
	// MaxBackoff caps the wait between restarts; default 1 min.
	MaxBackoff time.Duration
	// Parallel bounds how many accounts connect and log in at once (a new
	// auth key costs a CPU-bound key exchange); default 4.
	Parallel int
}

func (o *Options) setDefaults() {
	if o.Stdout == nil {
		o.Stdout = os.Stdout
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = time.Minute
	}
	if o.Parallel <= 0 {
		o.Parallel = 4
	}
}

// Result is how one account's run ended.
type Result struct {
	Name string
	// Self names the logged-in user ("@alice", or "id 1000002"); empty
	// when the account could not log in.
	Self string
	// Runs counts the script's runs (more than 1 with Restart).
	Runs int
	// Err is the last run's error, nil for success.
	Err error
}

// Script runs the script in an account's runtime. The global `account`
// holds {name=NAME, self=<the user table>}.
type Script func(ctx context.Context, rt *runtime.Runtime) error

// account is one session: its name and its target for session.Open.
type account struct {
	name, target string
	shown        string // target without a password, for messages
}

// list finds the accounts at target.
func list(target string) ([]account, error) {
	targets, err := session.List(target)
	if err != nil {
		return nil, err
	}
	prefix := ""
	if u, err := url.Parse(target); err == nil && u.Scheme != "" {
		prefix = u.Query().Get("prefix")
	}
	out := make([]account, 0, len(targets))
	for _, t := range targets {
		a := account{name: strings.TrimSuffix(filepath.Base(t), SessionExt), target: t, shown: t}
		if u, err := url.Parse(t); err == nil && u.Scheme != "" {
			a.name = strings.TrimPrefix(u.Query().Get("key"), prefix)
			u.User = nil
			a.shown = u.String()
		}
		out = append(out, a)
	}
	return out, nil
}

// isURL reports whether target is a URL rather than a directory.
func isURL(target string) bool {
	u, err := url.Parse(target)
	return err == nil && len(u.Scheme) > 1 && u.Host != ""
}

// Run runs script once for every account in o.Accounts, concurrently,
// and returns each account's result, in name order, when all have ended.
func Run(ctx context.Context, o Options, script Script) ([]Result, error) {
	o.setDefaults()
	accts, err := list(o.Accounts)
	if err != nil {
		return nil, err
	}
	if len(accts) == 0 {
		if isURL(o.Accounts) {
			return nil, errors.New("no accounts: no session keys with that prefix (log in with 'tglua login --session redis://...?key=PREFIXNAME')")
		}
		return nil, errors.Errorf("no accounts in %s: it holds no NAME%s files (log in with 'tglua login --session %s')", o.Accounts, SessionExt, filepath.Join(o.Accounts, "NAME"+SessionExt))
	}
	if !isURL(o.Accounts) {
		unlock, err := session.LockDir(o.Accounts)
		if err != nil {
			return nil, err
		}
		defer func() { _ = unlock() }()
	}
	targets := make(map[string]string, len(accts))
	for _, a := range accts {
		targets[a.name] = a.target
	}
	pool := NewPool(func(name string) runtime.Options {
		opts := o.Runtime
		opts.SessionPath = targets[name]
		return opts
	}, nil)
	defer pool.Close()
	f := &fleet{o: o, script: script, pool: pool, start: make(chan struct{}, o.Parallel)}
	results := make([]Result, len(accts))
	var wg sync.WaitGroup
	for i, a := range accts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = f.account(ctx, a)
		}()
	}
	wg.Wait()
	return results, nil
}

type fleet struct {
	o      Options
	script Script
	pool   *Pool         // the accounts' runtimes
	start  chan struct{} // slots for accounts connecting
	// outMu and errMu keep the accounts' lines whole on Stdout and Stderr.
	outMu, errMu sync.Mutex
}

// account runs name's script, again after failures with Restart.
func (f *fleet) account(ctx context.Context, a account) Result {
	name := a.name
	res := Result{Name: name}
	stderr := linewriter.New(f.o.Stderr, "["+name+"] ", &f.errMu)
	backoff := time.Second
	for {
		res.Runs++
		err := f.once(ctx, a, &res)
		res.Err = err
		if err == nil || !f.o.Restart || ctx.Err() != nil {
			return res
		}
		if f.o.MaxRestarts > 0 && res.Runs > f.o.MaxRestarts {
			plural := "s"
			if f.o.MaxRestarts == 1 {
				plural = ""
			}
			fmt.Fprintf(stderr, "tglua: %v; giving up after %d restart%s\n", err, f.o.MaxRestarts, plural)
			return res
		}
		fmt.Fprintf(stderr, "tglua: %v; restarting in %s\n", err, backoff)
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return res
		}
		backoff = min(2*backoff, f.o.MaxBackoff)
	}
}

// errExit is a script's os.exit with a non-zero code.
type errExit int

func (e errExit) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// once is one run of the script for name, in a fresh runtime.
func (f *fleet) once(ctx context.Context, a account, res *Result) (err error) {
	name := a.name
	defer func() {
		if p := recover(); p != nil {
			err = errors.Errorf("internal error: %v (please report it)", p)
		}
	}()
	stdout := linewriter.New(f.o.Stdout, "["+name+"] ", &f.outMu)
	stderr := linewriter.New(f.o.Stderr, "["+name+"] ", &f.errMu)
	defer stdout.Flush()
	defer stderr.Flush()
	shown := a.shown
	exited, code := false, 0
	configure := func(opts *runtime.Options) {
		opts.Stdout, opts.Stderr = stdout, stderr
		opts.Exit = func(c int) { exited, code = true, c }
	}

	select {
	case f.start <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	var once sync.Once
	started := func() { once.Do(func() { <-f.start }) }
	defer started() // also when the runtime could not open
	return f.pool.Exec(ctx, name, configure, func(ctx context.Context, rt *runtime.Runtime) error {
		acct := rt.State().CreateTable(0, 2)
		acct.RawSetString("name", lua.LString(name))
		rt.SetGlobal("account", acct)
		self, err := rt.DoStringAsHost(ctx, "account.self = get_self() return account.self")
		started()
		if err != nil {
			return errors.Wrapf(err, "not logged in: run 'tglua login --session %s'", shown)
		}
		user, _ := self[0].(map[string]any)
		res.Self = describeUser(user)

		err = f.script(ctx, rt)
		if exited {
			if code == 0 {
				return nil
			}
			return errExit(code)
		}
		return err
	})
}

func describeUser(u map[string]any) string {
	if name, ok := u["username"].(string); ok && name != "" {
		return "@" + name
	}
	return fmt.Sprintf("id %v", u["id"])
}

// Summary writes one line per failed account and a total, and reports
// whether every account succeeded.
func Summary(w io.Writer, results []Result) bool {
	failed := 0
	for _, r := range results {
		if r.Err != nil {
			failed++
			fmt.Fprintf(w, "account %s: %v\n", r.Name, r.Err)
		}
	}
	fmt.Fprintf(w, "%d accounts: %d ok, %d failed\n", len(results), len(results)-failed, failed)
	return failed == 0
}
