package fleet

import (
	"context"
	"sync"

	"github.com/go-faster/errors"
	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/runtime"
)

// Pool owns accounts by name: each a Runtime opened from the options the
// Pool is given for its name, and stopped, its session written, by Stop or
// Close. An account is either served or scripted. Served (Runtime, Go): opened
// on first use, its event loop on a goroutine of its own (Runtime.Serve)
// so that Go runs calls as light threads from any goroutine, and started
// again if its loop fails; the HTTP gateway keeps its accounts so. Scripted
// (Exec): opened for one run of a function that drives it, as Run does for
// every session of a fleet, and closed when it returns.
type Pool struct {
	options func(name string) runtime.Options
	logf    func(format string, args ...any)
	ctx     context.Context
	cancel  context.CancelFunc

	mu      sync.Mutex
	members map[string]*member
	closed  bool
}

// member is one account of a Pool.
type member struct {
	mu     sync.Mutex
	rt     *runtime.Runtime
	gen    int // counts the runtimes started
	stop   context.CancelFunc
	served chan struct{} // closed once the runtime is closed
	gone   bool
	// scripted: rt belongs to an Exec.
	scripted bool
}

// ErrGone is what a Pool answers for an account it stopped.
var ErrGone = errors.New("account is gone")

// NewPool makes a Pool. options gives each account's runtime options
// (SessionPath above all); logf, if not nil, is told when a loop fails.
func NewPool(options func(name string) runtime.Options, logf func(format string, args ...any)) *Pool {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Pool{options: options, logf: logf, ctx: ctx, cancel: cancel, members: map[string]*member{}}
}

func (p *Pool) member(name string) (*member, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, ErrGone
	}
	m := p.members[name]
	if m == nil {
		m = &member{}
		p.members[name] = m
	}
	return m, nil
}

// Runtime returns name's Runtime, starting it (again, if its loop ended)
// when needed, and its generation, which changes with every start: state a
// host kept in the old runtime (handlers) must be set up again.
func (p *Pool) Runtime(name string) (*runtime.Runtime, int, error) {
	m, err := p.member(name)
	if err != nil {
		return nil, 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.gone {
		return nil, 0, ErrGone
	}
	if m.rt != nil {
		select {
		case <-m.served:
			m.rt = nil // the loop failed: start afresh
		default:
			if m.scripted {
				return nil, 0, ErrBusy
			}
			return m.rt, m.gen, nil
		}
	}
	rt, err := runtime.New(p.options(name))
	if err != nil {
		return nil, 0, errors.Wrap(err, "start account")
	}
	ctx, cancel := context.WithCancel(p.ctx)
	served := make(chan struct{})
	go func() {
		defer close(served)
		if err := rt.Serve(ctx); err != nil {
			p.logf("account %s: %v", name, err)
		}
		if err := rt.Close(); err != nil {
			p.logf("account %s: close: %v", name, err)
		}
	}()
	m.rt, m.stop, m.served = rt, cancel, served
	m.gen++
	return rt, m.gen, nil
}

// ErrBusy is what Exec answers for an account that is already open.
var ErrBusy = errors.New("account is in use")

// Exec opens name's runtime from its options, changed by configure if it
// is not nil, runs fn with it under a context that Stop and Close cancel,
// and closes it, writing its session. The account must not be open: a
// second Exec or a served account fails with ErrBusy. Exec returns fn's
// error, or the error of opening or closing the runtime.
func (p *Pool) Exec(ctx context.Context, name string, configure func(*runtime.Options), fn func(context.Context, *runtime.Runtime) error) (err error) {
	m, err := p.member(name)
	if err != nil {
		return err
	}
	m.mu.Lock()
	if m.gone {
		m.mu.Unlock()
		return ErrGone
	}
	if m.rt != nil {
		m.mu.Unlock()
		return ErrBusy
	}
	opts := p.options(name)
	if configure != nil {
		configure(&opts)
	}
	rt, err := runtime.New(opts)
	if err != nil {
		m.mu.Unlock()
		return errors.Wrap(err, "start account")
	}
	ctx, cancel := context.WithCancel(ctx)
	unhook := context.AfterFunc(p.ctx, cancel) // Close
	served := make(chan struct{})
	m.rt, m.stop, m.served, m.scripted = rt, cancel, served, true
	m.gen++
	m.mu.Unlock()
	defer func() {
		unhook()
		cancel()
		if cerr := rt.Close(); cerr != nil && err == nil {
			err = cerr
		}
		m.mu.Lock()
		m.rt, m.scripted = nil, false
		m.mu.Unlock()
		close(served)
	}()
	return fn(ctx, rt)
}

// Go runs fn as a light thread on name's runtime (see Runtime.Go).
func (p *Pool) Go(ctx context.Context, name string, fn func(L *lua.LState) error) error {
	rt, _, err := p.Runtime(name)
	if err != nil {
		return err
	}
	return rt.Go(ctx, fn)
}

// Stop ends name's runtime, writing its session, and waits for it; later
// calls for name fail with ErrGone.
func (p *Pool) Stop(name string) {
	p.mu.Lock()
	m := p.members[name]
	if m == nil {
		m = &member{} // a tombstone: name stays gone
		p.members[name] = m
	}
	p.mu.Unlock()
	m.mu.Lock()
	m.gone = true
	stop, served := m.stop, m.served
	m.mu.Unlock()
	if stop != nil {
		stop()
		<-served
	}
}

// Close stops every account, in parallel, and waits for them.
func (p *Pool) Close() {
	p.mu.Lock()
	p.closed = true
	names := make([]string, 0, len(p.members))
	for n := range p.members {
		names = append(names, n)
	}
	p.mu.Unlock()
	var wg sync.WaitGroup
	for _, n := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.Stop(n)
		}()
	}
	wg.Wait()
	p.cancel()
}
