package sandbox

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/gotd/td/tg"
)

func TestStateRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s, err := New(Options{StatePath: path}) // generates and persists a key
	if err != nil {
		t.Fatal(err)
	}
	sc, ac, alice, _ := pair(t, s)
	big := int64(1<<62 + 12345) // survives JSON exactly
	send(t, sc, alice, "persist me", big)
	carol, err := s.AddUser(UserSpec{Phone: "+15557777", Username: "carol", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	var ok tg.BoolBox
	if err := ac.invoke(sendInvitesRequest{[]string{"+15551234567"}, "come"}, &ok); err != nil {
		t.Fatal(err)
	}
	hash := s.computeHash(SandboxUserID, AliceID)
	pem := string(s.PublicKeyPEM())
	ptsBefore := s.Pts(AliceID)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm()&0o077 != 0 {
		t.Fatalf("state file %v %v", info, err)
	}

	s2, err := New(Options{StatePath: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s2.Close() })
	if string(s2.PublicKeyPEM()) != pem {
		t.Fatal("key not restored")
	}
	if s2.computeHash(SandboxUserID, AliceID) != hash {
		t.Fatal("access hash changed")
	}
	if s2.Pts(AliceID) != ptsBefore {
		t.Fatal("pts changed")
	}
	msgs := s2.Messages(AliceID)
	if last := msgs[len(msgs)-1]; last.Text != "persist me" || last.From != SandboxUserID || last.PeerUser != SandboxUserID {
		t.Fatalf("messages %+v", msgs)
	}
	if inv := s2.Invites(); len(inv) != 1 || inv[0].Message != "come" {
		t.Fatalf("invites %+v", inv)
	}
	// Random ids, passwords and pts logs survived: dedup and 2FA still work.
	sc2 := newConn(s2)
	loginConn(t, sc2, "+15550000")
	_, err = sc2.api().MessagesSendMessage(context.Background(), &tg.MessagesSendMessageRequest{Peer: alice, Message: "x", RandomID: big})
	wantErr(t, err, 400, "RANDOM_ID_DUPLICATE")
	if u := s2.st.Users[carol]; u == nil || u.Password == nil || u.Username != "carol" {
		t.Fatalf("carol %+v", u)
	}
	diff, err := sc2.api().UpdatesGetDifference(context.Background(), &tg.UpdatesGetDifferenceRequest{Pts: 1})
	if err != nil {
		t.Fatal(err)
	}
	if d := diff.(*tg.UpdatesDifference); len(d.NewMessages) != 1 {
		t.Fatalf("difference after restart %+v", d)
	}
}

func TestListenChecks(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", "192.0.2.1:0", "example.com:1", "nonsense"} {
		if _, err := New(Options{Listen: addr, Key: testKey()}); err == nil {
			t.Errorf("listen %q accepted", addr)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "localhost:0", "[::1]:0"} {
		s, err := New(Options{Listen: addr, Key: testKey()})
		if err != nil {
			t.Errorf("listen %q: %v", addr, err)
			continue
		}
		_ = s.Close()
	}
	s, err := New(Options{Listen: "0.0.0.0:0", ListenAny: true, Key: testKey()})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
}
