package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"sync/atomic"
	"time"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/tgerr"
	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/luabind"
	"github.com/tglua/tglua/luabind/schema"
)

// Flood wait defaults.
const (
	// DefaultFloodWaitMax is the longest FLOOD_WAIT the runtime sleeps
	// through when Options.FloodWaitMax is zero (Telethon's
	// flood_sleep_threshold has the same default).
	DefaultFloodWaitMax = 60 * time.Second
	// DefaultFloodWaitRetries is how many times a call is retried after a
	// flood wait when Options.FloodWaitRetries is zero.
	DefaultFloodWaitRetries = 5
)

// floodWaitGlobal is the Lua global that overrides Options.FloodWaitMax, in
// seconds.
const floodWaitGlobal = "flood_wait_max"

// floodWait is a middleware around an invoker: a FLOOD_WAIT_X or
// FLOOD_PREMIUM_WAIT_X error with X at most the threshold is slept through
// and the call retried; a longer one is returned at once.
//
// Each attempt runs under the call timeout (Options.CallTimeout), so that
// every call ends: the sleeps between attempts are not counted.
type floodWait struct {
	next      luabind.Invoker
	timeout   time.Duration // per attempt; <= 0: none
	deadlines *deadlines    // the timeout's, if any
	main      attemptSlot   // for attempts outside light threads
	retries   int
	log       io.Writer
	// base is the threshold from Options; max is the one in force (base, or
	// the flood_wait_max global). Negative: never wait.
	base time.Duration
	max  atomic.Int64
}

func newFloodWait(next luabind.Invoker, opts Options) *floodWait {
	f := &floodWait{next: next, timeout: opts.CallTimeout, retries: opts.FloodWaitRetries, log: opts.Stderr, base: opts.FloodWaitMax}
	if f.base == 0 {
		f.base = DefaultFloodWaitMax
	}
	if f.retries == 0 {
		f.retries = DefaultFloodWaitRetries
	}
	f.max.Store(int64(f.base))
	if f.timeout > 0 {
		f.deadlines = deadlinesFor(f.timeout)
	}
	return f
}

// Invoke implements luabind.Invoker.
func (f *floodWait) Invoke(ctx context.Context, in bin.Encoder, out bin.Decoder) error {
	for attempt := 0; ; attempt++ {
		err := f.attempt(ctx, in, out)
		if err == nil {
			return nil
		}
		d, ok := tgerr.AsFloodWait(err)
		if !ok || attempt >= f.retries {
			return err
		}
		if max := time.Duration(f.max.Load()); max < 0 || d > max {
			return err
		}
		_, _ = fmt.Fprintf(f.log, "flood wait %ds on %s\n", int64(d/time.Second), methodName(in))
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
}

// attempt sends the request once, under the call timeout.
func (f *floodWait) attempt(ctx context.Context, in bin.Encoder, out bin.Decoder) error {
	if f.timeout <= 0 {
		return f.next.Invoke(ctx, in, out)
	}
	actx, at := f.deadlines.begin(ctx, &f.main)
	err := f.next.Invoke(actx, in, out)
	expired := f.deadlines.end(at)
	var le *luabind.Error
	if err != nil && ctx.Err() == nil && expired && !errors.As(err, &le) {
		return &luabind.Error{
			Method:  methodName(in),
			Type:    luabind.TypeTimeout,
			Message: "no answer within " + f.timeout.String() + " (the call timeout): the server is unreachable or did not answer; the call may or may not have been carried out",
			Err:     context.DeadlineExceeded,
		}
	}
	return err
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// methodName names a request by its TL ID.
func methodName(in bin.Encoder) string {
	if t, ok := in.(interface{ TypeID() uint32 }); ok {
		if c := schema.ByID(t.TypeID()); c != nil {
			return c.Name
		}
		return fmt.Sprintf("#%08x", t.TypeID())
	}
	return fmt.Sprintf("%T", in)
}

// syncGlobal reads the flood_wait_max global into the threshold. It
// runs on the VM goroutine before every call, so an assignment in the
// script applies to the next call. The read is raw, as rawGlobal reads.
func (f *floodWait) syncGlobal(globals *lua.LTable) error {
	var max int64
	switch v := globals.RawGetString(floodWaitGlobal).(type) {
	case *lua.LNilType:
		max = int64(f.base)
	case lua.LNumber:
		switch secs := float64(v); {
		case secs < 0:
			max = -1
		case secs >= math.MaxInt64/float64(time.Second):
			max = math.MaxInt64
		default:
			max = int64(secs * float64(time.Second))
		}
	default:
		return fmt.Errorf("global %s: number of seconds expected, got %s", floodWaitGlobal, v.Type().String())
	}
	// Store only on change: a store on every call would bounce the cache
	// line between cores when many VMs run at once.
	if f.max.Load() != max {
		f.max.Store(max)
	}
	return nil
}
