package runtime

import (
	"context"
	"io"
	"os"
	"time"

	"github.com/gotd/log"
	"github.com/gotd/td/session"

	"github.com/tglua/tglua/luabind"
)

// Sandbox selects which Lua libraries a script gets.
type Sandbox int

const (
	// SandboxNone opens every standard library. It is the CLI's default.
	SandboxNone Sandbox = iota
	// SandboxStrict is for untrusted scripts: base (without dofile,
	// loadfile and bytecode loading), string, table, math and coroutine;
	// os.time, os.clock and os.date only; no io, debug or module loading
	// from disk.
	SandboxStrict
)

// Options configure a Runtime.
type Options struct {
	// Invoker is a connection the host already has, such as a running gotd
	// telegram.Client. When nil, the runtime dials one from Dial on the
	// first method call.
	Invoker luabind.Invoker
	// Dial says how to connect when Invoker is nil.
	Dial Dial
	// SessionPath, if set, is the tglua session file: auth key, login
	// state, peer cache and update state. It is created 0600, locked against
	// other processes for the Runtime's life, and written atomically. It
	// takes precedence over Dial.Session.
	SessionPath string
	// Stdout receives print output; defaults to os.Stdout.
	Stdout io.Writer
	// Stderr receives diagnostics; defaults to os.Stderr.
	Stderr io.Writer
	// Sandbox selects the Lua libraries; see Sandbox.
	Sandbox Sandbox
	// NoGlobals registers the namespaces only under `tg`.
	NoGlobals bool
	// Args becomes the script's `arg` table: Args[0] is the script name.
	Args []string
	// ModulePaths are directories `require` searches first (dir/?.lua and
	// dir/?/init.lua), e.g. the script's directory. Ignored when the
	// sandbox has no module loading.
	ModulePaths []string
	// Logger receives protocol logs; nil means none.
	Logger log.Logger
	// StopOnHandlerError ends the event loop on the first error in an
	// on() handler, a timer or a callback, and returns it. By default the
	// error and its traceback go to Stderr and the loop goes on.
	StopOnHandlerError bool

	// FloodWaitMax is the longest FLOOD_WAIT_X (or FLOOD_PREMIUM_WAIT_X)
	// the runtime sleeps through before retrying the call; a longer one is
	// raised at once (its error value has argument = X). Zero means
	// DefaultFloodWaitMax (60s); negative means never wait. Each wait is
	// logged to Stderr ("flood wait 23s on messages.sendMessage"). A script
	// overrides it with the global flood_wait_max (seconds; negative: never
	// wait; nil: back to this value), read before every call.
	FloodWaitMax time.Duration
	// FloodWaitRetries bounds the retries of one call after flood waits.
	// Zero means DefaultFloodWaitRetries (5); negative means no retry.
	FloodWaitRetries int
	// StepLimit, if positive, is the most Lua VM instructions one DoString,
	// DoFile or Call may execute, coroutines it resumes included. Going
	// over raises "step limit exceeded" (ErrStepLimit). A wall-clock limit
	// comes from the context's deadline.
	StepLimit int64
	// MemoryLimit, if positive, bounds in bytes what a script may build:
	// a string builtin (string.rep, gsub, format, table.concat...) that
	// would build a larger string fails before allocating it, and while
	// the VM runs, the process's Go heap is checked every 65,536
	// instructions: over the limit (after a garbage collection), the
	// call fails with "memory limit exceeded" (ErrMemoryLimit). The heap
	// is the process's, so the limit fits hosts with one VM per process,
	// such as the CLI.
	MemoryLimit int64
	// CallTimeout bounds each attempt of a method call, from waiting for
	// the connection to the answer: a call still unanswered then fails
	// with an error of type TIMEOUT instead of waiting for ever on a dead
	// network or a server that drops requests. Zero means
	// DefaultCallTimeout (one minute); negative means no limit. Flood
	// waits between attempts are not counted.
	CallTimeout time.Duration
	// MaxThreads is how many light threads (spawn, handlers, timers,
	// map) may be alive at once; zero means DefaultMaxThreads (10,000).
	// spawn past it raises "too many light threads".
	MaxThreads int
	// MaxChunks is how many messages one long message may be split into
	// (scripts change it with split.max_chunks); zero means
	// luabind.DefaultMaxChunks (100).
	MaxChunks int
	// Allow, if non-nil, lists the methods scripts may call: exact names
	// ("users.getUsers"), whole namespaces ("messages.*") or "*". Anything
	// else fails before sending with "<method>: not allowed in this
	// sandbox" (type METHOD_NOT_ALLOWED). The calls the runtime makes on a
	// script's behalf obey it too, so a script cannot reach a method
	// through a helper: resolving '@name' or '+phone' peers needs
	// contacts.resolveUsername or contacts.resolvePhone, get_self
	// users.getUsers, upload upload.*, and the error names the method
	// that was refused and what it was needed for.
	Allow []string
	// Bot says the account is a bot (for hosts that log in themselves):
	// methods documented as user-only then fail before sending with
	// "<method>: bots cannot use this method". A session file whose self
	// user is a bot, or bot_login, has the same effect.
	Bot bool
	// PeerStorage is the peer cache used to resolve '@username', ids and
	// phone numbers. Nil means the session file when SessionPath is set,
	// else a new in-memory cache. Runtimes may share one (NewPeerStorage).
	PeerStorage PeerStorage
	// Exit ends the process for os.exit(code) (SandboxNone only), after the
	// runtime has stopped its connection and written its session file.
	// Defaults to os.Exit. If it returns, os.exit raises an error and the
	// runtime stays closed.
	Exit func(code int)
}

// Dial describes a connection the runtime makes itself.
type Dial struct {
	AppID   int
	AppHash string
	// AppIDHint, if set, replaces the remedy of the "no API id and hash"
	// error of phone_login and bot_login (the CLI names its flags there).
	AppIDHint string
	// Session stores the auth key; nil means an in-memory session.
	Session session.Storage
	// Server, if set, is the only MTProto server to use ("host:port"),
	// with ServerKey its RSA public key in PEM form (PKCS#1 or PKIX).
	Server    string
	ServerKey []byte
	// DC is the datacenter to use; defaults to 2.
	DC int
	// NewAuthKey, if set, gives a session that holds no auth key yet
	// (a new one) its key, in place of the client's key exchange: for a
	// server in the same process, such as the sandbox
	// (sandbox.Server.NewAuthKey), whose key exchange would cost the
	// client's side 0.7 s of CPU. Without it, a new session on Server gets
	// its key from internal/authkey's exchange (the same checks but fast
	// ones: about 20 ms), or from gotd's if that one fails.
	NewAuthKey func(ctx context.Context) (*session.Data, error)
}

// DefaultCallTimeout is the CallTimeout used when Options.CallTimeout is
// zero.
const DefaultCallTimeout = time.Minute

func (o *Options) setDefaults() {
	if o.CallTimeout == 0 {
		o.CallTimeout = DefaultCallTimeout
	}
	if o.Stdout == nil {
		o.Stdout = os.Stdout
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	if o.Exit == nil {
		o.Exit = os.Exit
	}
	if o.Logger == nil {
		o.Logger = log.Nop
	}
	if o.Dial.DC == 0 {
		o.Dial.DC = 2
	}
}
