package sandbox

import (
	"strconv"
	"sync"
	"time"

	"github.com/gotd/td/tgerr"
)

// Fault is a misbehaviour injected into one method with Server.SetFault.
//
// On every call of the method the fault decides whether it fires: always
// when Error, Latency or Drop is set, and for FloodWait once more than
// After calls were made within Window. A firing fault first waits Latency
// (the request is acknowledged at once and answered later, without
// blocking the connection), then drops the connection if Drop is set, or
// answers with Error, or with 420 FLOOD_WAIT_<FloodWait>; with only Latency
// set the call is then served normally. After Times firings (0 means no
// limit) the fault stays inert.
type Fault struct {
	// FloodWait, if positive, answers 420 FLOOD_WAIT_<FloodWait>.
	FloodWait int
	// After is how many calls within Window succeed before FloodWait fires.
	After int
	// Window is the sliding window calls are counted in; 0 counts every call
	// since SetFault.
	Window time.Duration
	// Error is an arbitrary RPC error to answer with.
	Error *tgerr.Error
	// Latency is added before the answer.
	Latency time.Duration
	// Drop closes the client's connection instead of answering. gotd
	// clients reconnect and resend the unacknowledged request.
	Drop bool
	// Times limits how often the fault fires; 0 means always.
	Times int
}

// faultState is a Fault with its counters.
type faultState struct {
	Fault
	calls []time.Time // within Window
	n     int         // calls since SetFault, when Window is 0
	fired int
}

// firing is what a fault decided for one call.
type firing struct {
	drop    bool
	latency time.Duration
	err     *tgerr.Error
}

// faults holds the injected faults and per-method call counters.
type faults struct {
	mu     sync.Mutex
	byName map[string]*faultState
	calls  map[string]int
}

func (f *faults) init() {
	f.byName = map[string]*faultState{}
	f.calls = map[string]int{}
}

// SetFault injects f into every call of method, a TL method name such as
// "messages.sendMessage"; "*" applies to methods that have no fault of
// their own. Setting a zero Fault removes the method's fault; setting a
// fault resets its counters.
func (s *Server) SetFault(method string, f Fault) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	if f == (Fault{}) {
		delete(s.faults.byName, method)
		return
	}
	s.faults.byName[method] = &faultState{Fault: f}
}

// ClearFaults removes all injected faults.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.byName = map[string]*faultState{}
}

// Calls returns how many requests for method (a TL name such as
// "messages.sendMessage") the server received, including faulted ones.
func (s *Server) Calls(method string) int {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return s.faults.calls[method]
}

// check counts a call of method and decides its fault.
func (f *faults) check(method string) firing {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[method]++
	st := f.byName[method]
	if st == nil {
		if st = f.byName["*"]; st == nil {
			return firing{}
		}
	}
	if st.Times > 0 && st.fired >= st.Times {
		return firing{}
	}
	flood := false
	if st.FloodWait > 0 {
		n := st.n + 1
		if st.Window > 0 {
			t := time.Now()
			i := 0
			for i < len(st.calls) && t.Sub(st.calls[i]) > st.Window {
				i++
			}
			st.calls = append(st.calls[i:], t)
			n = len(st.calls)
		}
		st.n = n
		flood = n > st.After
	}
	if !flood && st.Error == nil && !st.Drop && st.Latency <= 0 {
		return firing{}
	}
	st.fired++
	r := firing{drop: st.Drop, latency: st.Latency}
	switch {
	case st.Drop:
	case st.Error != nil:
		r.err = tgerr.New(st.Error.Code, st.Error.Message)
	case flood:
		r.err = tgerr.New(420, "FLOOD_WAIT_"+strconv.Itoa(st.FloodWait))
	}
	return r
}
