package main

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tglua/tglua/runtime"
)

// limits are the flags that bound a run: for untrusted scripts (--strict,
// --steps, --memory, --allow) and for calls that must end (--call-timeout,
// --max-chunks).
type limits struct {
	strict      bool
	steps       int64
	memory      byteSize
	allow       string
	callTimeout time.Duration
	maxChunks   int
}

func (l *limits) addFlags(fs *flag.FlagSet) {
	fs.BoolVar(&l.strict, "strict", false, "run the script in the strict sandbox: no io, os (but time and date), debug or module loading from disk")
	fs.Int64Var(&l.steps, "steps", 0, "stop a run after `N` Lua instructions (string matching counts its steps); 0 means no limit")
	fs.Var(&l.memory, "memory", "stop a run that grows memory by more than `BYTES` (e.g. 64MB); 0 means no limit")
	fs.StringVar(&l.allow, "allow", "", "allow only these methods: comma-separated `LIST` of names and namespaces, e.g. 'messages.*,users.getUsers'")
	fs.DurationVar(&l.callTimeout, "call-timeout", runtime.DefaultCallTimeout, "fail a method call with no answer after `DURATION`; 0 means wait for ever")
	fs.IntVar(&l.maxChunks, "max-chunks", 0, "refuse messages that would be split into more than `N` messages (when unset: 100; scripts: split.max_chunks)")
}

func (l *limits) check() error {
	switch {
	case l.steps < 0:
		return errors.New("--steps must not be negative")
	case l.callTimeout < 0:
		return errors.New("--call-timeout must not be negative")
	case l.maxChunks < 0:
		return errors.New("--max-chunks must not be negative")
	}
	return nil
}

// apply sets the runtime options for the limits.
func (l *limits) apply(opts *runtime.Options) {
	if l.strict {
		opts.Sandbox = runtime.SandboxStrict
	}
	opts.StepLimit = l.steps
	opts.MemoryLimit = int64(l.memory)
	if l.allow != "" {
		opts.Allow = []string{}
		for _, p := range strings.Split(l.allow, ",") {
			if p = strings.TrimSpace(p); p != "" {
				opts.Allow = append(opts.Allow, p)
			}
		}
	}
	opts.CallTimeout = l.callTimeout
	if l.callTimeout == 0 {
		opts.CallTimeout = -1 // no limit
	}
	opts.MaxChunks = l.maxChunks
}

// byteSize is a flag value in bytes with an optional unit: 1048576, 512KB,
// 64MB, 1GB (powers of 1024; KiB, MiB, GiB and K, M, G too).
type byteSize int64

func (b *byteSize) String() string {
	if b == nil || *b == 0 {
		return "0"
	}
	return strconv.FormatInt(int64(*b), 10)
}

func (b *byteSize) Set(s string) error {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GIB", 1 << 30}, {"MIB", 1 << 20}, {"KIB", 1 << 10}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return fmt.Errorf("%q is not a size in bytes (e.g. 67108864 or 64MB)", s)
	}
	*b = byteSize(n * mult)
	return nil
}
