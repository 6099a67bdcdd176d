package runtime

import (
	"io"
	"os"

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
	// Logger receives protocol logs; nil means none.
	Logger log.Logger
}

// Dial describes a connection the runtime makes itself.
type Dial struct {
	AppID   int
	AppHash string
	// Session stores the auth key; nil means an in-memory session.
	Session session.Storage
	// Server, if set, is the only MTProto server to use ("host:port"),
	// with ServerKey its RSA public key in PEM form (PKCS#1 or PKIX).
	Server    string
	ServerKey []byte
	// DC is the datacenter to use; defaults to 2.
	DC int
}

func (o *Options) setDefaults() {
	if o.Stdout == nil {
		o.Stdout = os.Stdout
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	if o.Logger == nil {
		o.Logger = log.Nop
	}
	if o.Dial.DC == 0 {
		o.Dial.DC = 2
	}
}
