package gateway

import (
	"io"
	"time"

	"github.com/tglua/tglua/runtime"
)

// Options configures a Gateway.
type Options struct {
	// Sessions is the directory holding one session file per account. It
	// is created 0700 if missing and locked against a second gateway.
	Sessions string
	// Dial says how accounts connect (server, key, API id and hash). Its
	// Session is ignored: each account has its own file.
	Dial runtime.Dial
	// FloodWaitMax is the longest flood wait a call sleeps through before
	// retrying; a longer one is answered with 429 and Retry-After. Zero
	// means runtime.DefaultFloodWaitMax; negative means never wait.
	FloodWaitMax time.Duration
	// CallTimeout bounds each attempt of a method call; zero means
	// runtime.DefaultCallTimeout.
	CallTimeout time.Duration
	// MaxBody bounds a JSON or url-encoded request body; default 1 MiB.
	MaxBody int64
	// MaxUpload bounds a multipart request body; default 64 MiB.
	MaxUpload int64
	// MaxPollTimeout caps getUpdates' timeout; default 50s.
	MaxPollTimeout time.Duration
	// ReadHeaderTimeout is how long Server waits for a request's headers
	// (slow clients); default 10s. ReadTimeout bounds a whole request,
	// body included; default 5 min.
	ReadHeaderTimeout, ReadTimeout time.Duration
	// Log receives one line per request and account events; tokens never
	// appear in it. Nil means none.
	Log io.Writer
	// RuntimeLog receives the accounts' diagnostics (flood waits, handler
	// errors), each line prefixed with the account's id. Nil means Log.
	RuntimeLog io.Writer
}

func (o *Options) setDefaults() {
	if o.MaxBody == 0 {
		o.MaxBody = 1 << 20
	}
	if o.MaxUpload == 0 {
		o.MaxUpload = 64 << 20
	}
	if o.MaxPollTimeout == 0 {
		o.MaxPollTimeout = 50 * time.Second
	}
	if o.ReadHeaderTimeout == 0 {
		o.ReadHeaderTimeout = 10 * time.Second
	}
	if o.ReadTimeout == 0 {
		o.ReadTimeout = 5 * time.Minute
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.RuntimeLog == nil {
		o.RuntimeLog = o.Log
	}
}
