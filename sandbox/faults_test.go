package sandbox

import (
	"testing"
	"time"

	"github.com/gotd/td/tgerr"
)

func TestFaultDecisions(t *testing.T) {
	var f faults
	f.init()
	byName := func(name string, st Fault) { f.byName[name] = &faultState{Fault: st} }

	byName("a", Fault{FloodWait: 5, After: 2})
	for i := 1; i <= 4; i++ {
		r := f.check("a")
		if flood := r.err != nil; flood != (i > 2) {
			t.Fatalf("call %d: %+v", i, r)
		}
	}
	if r := f.check("a"); r.err.Message != "FLOOD_WAIT_5" || r.err.Code != 420 || r.err.Argument != 5 {
		t.Fatalf("flood error %+v", r.err)
	}

	byName("b", Fault{FloodWait: 1, Times: 1})
	if r := f.check("b"); r.err == nil {
		t.Fatal("first call not flooded")
	}
	if r := f.check("b"); r.err != nil {
		t.Fatal("fault fired more than Times")
	}

	// A window long enough that nothing expires during the test.
	byName("c", Fault{FloodWait: 1, After: 1, Window: time.Hour})
	f.check("c")
	if r := f.check("c"); r.err == nil {
		t.Fatal("second call in window not flooded")
	}

	byName("d", Fault{Error: tgerr.New(400, "CUSTOM_ERROR"), Latency: time.Millisecond})
	if r := f.check("d"); r.err == nil || r.err.Type != "CUSTOM_ERROR" || r.latency != time.Millisecond {
		t.Fatalf("error fault %+v", r)
	}
	byName("*", Fault{Drop: true})
	if r := f.check("anything"); !r.drop {
		t.Fatal("wildcard did not fire")
	}
	if r := f.check("d"); r.drop {
		t.Fatal("wildcard overrode a method fault")
	}
	if f.calls["a"] != 5 || f.calls["anything"] != 1 {
		t.Fatalf("calls %v", f.calls)
	}
}

func TestSetFaultClears(t *testing.T) {
	s := newTestServer(t, Options{})
	s.SetFault("x", Fault{Drop: true})
	s.SetFault("x", Fault{})
	if r := s.faults.check("x"); r.drop {
		t.Fatal("fault not cleared")
	}
	s.SetFault("y", Fault{Drop: true})
	s.ClearFaults()
	if r := s.faults.check("y"); r.drop {
		t.Fatal("faults not cleared")
	}
	if s.Calls("x") != 1 {
		t.Fatalf("calls %d", s.Calls("x"))
	}
}
