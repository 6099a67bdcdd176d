package luaname

import "testing"

func TestIs(t *testing.T) {
	for s, want := range map[string]bool{"a": true, "_x1": true, "peer_id": true, "1a": false, "": false, "end": false, "goto": false, "a-b": false, "é": false} {
		if Is(s) != want {
			t.Errorf("Is(%q) = %v", s, !want)
		}
	}
}
