package suggest

import "testing"

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		max  int
		want int
	}{
		{"kitten", "sitting", 10, 3},
		{"", "abc", 10, 3},
		{"same", "same", 10, 0},
		{"a", "abcdefgh", 3, 3},
	} {
		if got := Distance(tc.a, tc.b, tc.max); got != tc.want {
			t.Errorf("Distance(%q, %q, %d) = %d, want %d", tc.a, tc.b, tc.max, got, tc.want)
		}
	}
}

func TestClosest(t *testing.T) {
	names := []string{"messages.sendMessage", "messages.sendMedia", "users.getUsers"}
	if got := Closest("messages.sendMesage", names); got != "messages.sendMessage" {
		t.Fatalf("got %q", got)
	}
	if got := Closest("MESSAGES.SENDMEDIA", names); got != "messages.sendMedia" {
		t.Fatalf("got %q", got)
	}
	if got := Closest("zzzzzzzzzzzz", names); got != "" {
		t.Fatalf("got %q", got)
	}
}
