package sandbox

import (
	"context"
	"testing"

	"github.com/gotd/td/tg"
)

// pair logs two fake connections in as the sandbox user and Alice and
// returns them with the peer of the other side.
func pair(t *testing.T, s *Server) (sc, ac *conn, alice, sandbox *tg.InputPeerUser) {
	t.Helper()
	ctx := context.Background()
	sc, ac = newConn(s), newConn(s)
	loginConn(t, sc, "+15550000")
	loginConn(t, ac, "+15550001")
	a, err := resolve(ctx, sc.api(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	u, err := resolve(ctx, ac.api(), "sandbox")
	if err != nil {
		t.Fatal(err)
	}
	return sc, ac, inputPeer(a), inputPeer(u)
}

func send(t *testing.T, c *conn, peer tg.InputPeerClass, text string, randomID int64) tg.UpdatesClass {
	t.Helper()
	res, err := c.api().MessagesSendMessage(context.Background(), &tg.MessagesSendMessageRequest{
		Peer: peer, Message: text, RandomID: randomID,
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestPtsSequencing(t *testing.T) {
	s := newTestServer(t, Options{})
	ctx := context.Background()
	sc, ac, alice, _ := pair(t, s)

	st, err := ac.api().UpdatesGetState(ctx)
	if err != nil {
		t.Fatal(err)
	}
	base := st.Pts
	if base != 1 { // the seeded group's creation message
		t.Fatalf("alice starts at pts %d", base)
	}

	mine := s.Pts(SandboxUserID)
	for i := 1; i <= 5; i++ {
		res := send(t, sc, alice, "m", int64(i)).(*tg.UpdateShortSentMessage)
		if res.PtsCount != 1 || res.Pts != mine+1 {
			t.Fatalf("send %d: pts %d count %d after %d", i, res.Pts, res.PtsCount, mine)
		}
		mine = res.Pts
	}
	if got := s.Pts(AliceID); got != base+5 {
		t.Fatalf("alice pts %d, want %d", got, base+5)
	}

	// Alice deletes two of her copies: one event counting two.
	hist, err := ac.api().MessagesGetHistory(ctx, &tg.MessagesGetHistoryRequest{Peer: &tg.InputPeerSelf{}, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(hist.(*tg.MessagesMessages).Messages); n != 0 {
		t.Fatalf("saved messages has %d messages", n)
	}
	mid := base + 3 // pts after the third message
	aff, err := ac.api().MessagesDeleteMessages(ctx, &tg.MessagesDeleteMessagesRequest{ID: []int{2, 3, 999}})
	if err != nil {
		t.Fatal(err)
	}
	if aff.PtsCount != 2 || aff.Pts != base+7 {
		t.Fatalf("delete affected %+v", aff)
	}
	read, err := ac.api().MessagesReadHistory(ctx, &tg.MessagesReadHistoryRequest{Peer: &tg.InputPeerUser{UserID: SandboxUserID, AccessHash: s.computeHash(AliceID, SandboxUserID)}})
	if err != nil {
		t.Fatal(err)
	}
	if read.PtsCount != 1 || read.Pts != base+8 {
		t.Fatalf("read affected %+v", read)
	}
	// The sender's box got a read_outbox event.
	if got := s.Pts(SandboxUserID); got != mine+1 {
		t.Fatalf("sender pts %d, want %d", got, mine+1)
	}

	// getDifference from the middle returns exactly the missed events.
	diff, err := ac.api().UpdatesGetDifference(ctx, &tg.UpdatesGetDifferenceRequest{Pts: mid})
	if err != nil {
		t.Fatal(err)
	}
	d := diff.(*tg.UpdatesDifference)
	if len(d.NewMessages) != 2 {
		t.Fatalf("new messages %d, want 2 (messages 4 and 5)", len(d.NewMessages))
	}
	for i, m := range d.NewMessages {
		if m.GetID() != 5+i {
			t.Fatalf("new message %d has id %d", i, m.GetID())
		}
	}
	if len(d.OtherUpdates) != 2 {
		t.Fatalf("other updates %v", d.OtherUpdates)
	}
	del := d.OtherUpdates[0].(*tg.UpdateDeleteMessages)
	if del.PtsCount != 2 || del.Pts != base+7 || len(del.Messages) != 2 {
		t.Fatalf("delete update %+v", del)
	}
	rd := d.OtherUpdates[1].(*tg.UpdateReadHistoryInbox)
	if rd.Pts != base+8 || rd.MaxID != 6 || rd.StillUnreadCount != 0 {
		t.Fatalf("read update %+v", rd)
	}
	if d.State.Pts != base+8 {
		t.Fatalf("state pts %d", d.State.Pts)
	}
	if len(d.Users) == 0 {
		t.Fatal("difference without users")
	}

	// Up to date: empty; ahead: too long.
	diff, err = ac.api().UpdatesGetDifference(ctx, &tg.UpdatesGetDifferenceRequest{Pts: base + 8})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := diff.(*tg.UpdatesDifferenceEmpty); !ok {
		t.Fatalf("got %T, want differenceEmpty", diff)
	}
	diff, err = ac.api().UpdatesGetDifference(ctx, &tg.UpdatesGetDifferenceRequest{Pts: base + 100})
	if err != nil {
		t.Fatal(err)
	}
	if tl, ok := diff.(*tg.UpdatesDifferenceTooLong); !ok || tl.Pts != base+8 {
		t.Fatalf("got %#v, want differenceTooLong", diff)
	}
}

func TestDifferenceSlice(t *testing.T) {
	s := newTestServer(t, Options{})
	ctx := context.Background()
	sc, ac, alice, _ := pair(t, s)
	for i := 1; i <= 7; i++ {
		send(t, sc, alice, "m", int64(i))
	}
	api := ac.api()
	pts, got := 1, 0
	for rounds := 0; ; rounds++ {
		diff, err := api.UpdatesGetDifference(ctx, &tg.UpdatesGetDifferenceRequest{Pts: pts, PtsLimit: 3})
		if err != nil {
			t.Fatal(err)
		}
		switch d := diff.(type) {
		case *tg.UpdatesDifferenceSlice:
			got += len(d.NewMessages)
			pts = d.IntermediateState.Pts
			continue
		case *tg.UpdatesDifference:
			got += len(d.NewMessages)
			pts = d.State.Pts
		default:
			t.Fatalf("got %T", diff)
		}
		if rounds != 2 {
			t.Fatalf("took %d slices, want 2", rounds)
		}
		break
	}
	if got != 7 || pts != 8 {
		t.Fatalf("got %d messages up to pts %d", got, pts)
	}
}

func TestPushes(t *testing.T) {
	s := newTestServer(t, Options{})
	r := record(s)
	sc, ac, alice, _ := pair(t, s)
	sc2 := sc.sibling() // another session of the sandbox user's key
	if _, err := sc2.api().UpdatesGetState(context.Background()); err != nil {
		t.Fatal(err)
	}
	res := send(t, sc, alice, "hello", 1).(*tg.UpdateShortSentMessage)

	check := func(c *conn, out bool, id, pts int) {
		t.Helper()
		u := r.wait(c.session, 1)[0].(*tg.Updates)
		nm := u.Updates[0].(*tg.UpdateNewMessage)
		m := nm.Message.(*tg.Message)
		if m.Out != out || m.ID != id || m.Message != "hello" || nm.Pts != pts || nm.PtsCount != 1 {
			t.Fatalf("pushed %+v pts %d", m, nm.Pts)
		}
		found := false
		for _, pu := range u.Users {
			found = found || pu.GetID() == SandboxUserID
		}
		if !found {
			t.Fatalf("pushed users %v lack the sender", u.Users)
		}
	}
	check(ac, false, 2, s.Pts(AliceID))
	check(sc2, true, res.ID, res.Pts)

	r.mu.Lock()
	defer r.mu.Unlock()
	if n := len(r.pushes[sc.session]); n != 0 {
		t.Fatalf("sender's own session got %d pushes", n)
	}
}
