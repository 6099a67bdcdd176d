package sandbox

import (
	"context"
	"testing"

	"github.com/gotd/td/tg"
)

func TestForwardMessages(t *testing.T) {
	s := newTestServer(t, Options{})
	r := record(s)
	ctx := context.Background()
	sc, ac, alice, _ := pair(t, s)
	api := sc.api()
	bob, err := resolve(ctx, api, "bob")
	if err != nil {
		t.Fatal(err)
	}
	bc := newConn(s)
	loginConn(t, bc, "+15550002")
	if _, err := bc.api().UpdatesGetState(ctx); err != nil { // Bob's session is known, so he gets pushes
		t.Fatal(err)
	}
	// Alice writes to the sandbox user, who forwards both messages to Bob.
	sandboxPeer, err := resolve(ctx, ac.api(), "sandbox")
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range []string{"first", "second"} {
		if _, err := ac.api().MessagesSendMessage(ctx, &tg.MessagesSendMessageRequest{Peer: inputPeer(sandboxPeer), Message: text, RandomID: int64(i + 1)}); err != nil {
			t.Fatal(err)
		}
	}
	hist, err := api.MessagesGetHistory(ctx, &tg.MessagesGetHistoryRequest{Peer: alice})
	if err != nil {
		t.Fatal(err)
	}
	ms := hist.(*tg.MessagesMessages).Messages
	second, first := ms[0].(*tg.Message), ms[1].(*tg.Message)

	res, err := api.MessagesForwardMessages(ctx, &tg.MessagesForwardMessagesRequest{
		FromPeer: alice, ToPeer: inputPeer(bob), ID: []int{first.ID, second.ID}, RandomID: []int64{10, 11},
	})
	if err != nil {
		t.Fatal(err)
	}
	ups := res.(*tg.Updates).Updates
	if len(ups) != 4 {
		t.Fatalf("%d updates, want 2 ids and 2 messages", len(ups))
	}
	for i, want := range []string{"first", "second"} {
		if id := ups[2*i].(*tg.UpdateMessageID); id.RandomID != int64(10+i) {
			t.Fatalf("update %d: %+v", 2*i, id)
		}
		m := ups[2*i+1].(*tg.UpdateNewMessage).Message.(*tg.Message)
		fwd, ok := m.GetFwdFrom()
		if m.Message != want || !m.Out || !ok || fwd.FromID.(*tg.PeerUser).UserID != AliceID || fwd.Date != first.Date {
			t.Fatalf("copy %d: %+v (forward header %+v)", i, m, fwd)
		}
	}
	// Bob gets them pushed, with Alice among the users.
	p := r.wait(bc.session, 2)
	m := p[1].(*tg.Updates).Updates[0].(*tg.UpdateNewMessage).Message.(*tg.Message)
	if fwd, _ := m.GetFwdFrom(); m.Message != "second" || fwd.FromID.(*tg.PeerUser).UserID != AliceID {
		t.Fatalf("bob got %+v", m)
	}
	hasAlice := false
	for _, u := range p[1].(*tg.Updates).Users {
		hasAlice = hasAlice || u.(*tg.User).ID == AliceID
	}
	if !hasAlice {
		t.Fatal("the pushed users lack the original author")
	}

	// A forward of the forward keeps the original author; drop_author
	// sends a plain copy.
	bh, err := api.MessagesGetHistory(ctx, &tg.MessagesGetHistoryRequest{Peer: inputPeer(bob), Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	mm, _ := bh.AsModified()
	copyID := mm.GetMessages()[0].(*tg.Message).ID
	res, err = api.MessagesForwardMessages(ctx, &tg.MessagesForwardMessagesRequest{FromPeer: inputPeer(bob), ToPeer: &tg.InputPeerSelf{}, ID: []int{copyID}, RandomID: []int64{12}})
	if err != nil {
		t.Fatal(err)
	}
	m = res.(*tg.Updates).Updates[1].(*tg.UpdateNewMessage).Message.(*tg.Message)
	if fwd, ok := m.GetFwdFrom(); !ok || fwd.FromID.(*tg.PeerUser).UserID != AliceID {
		t.Fatalf("forward of a forward: %+v", m)
	}
	plain := &tg.MessagesForwardMessagesRequest{FromPeer: alice, ToPeer: &tg.InputPeerSelf{}, ID: []int{first.ID}, RandomID: []int64{13}}
	plain.SetDropAuthor(true)
	res, err = api.MessagesForwardMessages(ctx, plain)
	if err != nil {
		t.Fatal(err)
	}
	if m := res.(*tg.Updates).Updates[1].(*tg.UpdateNewMessage).Message.(*tg.Message); m.Message != "first" {
		t.Fatalf("drop_author copy: %+v", m)
	} else if _, ok := m.GetFwdFrom(); ok {
		t.Fatal("drop_author kept the forward header")
	}

	// Errors.
	for _, tc := range []struct {
		req  *tg.MessagesForwardMessagesRequest
		want string
	}{
		{&tg.MessagesForwardMessagesRequest{FromPeer: alice, ToPeer: inputPeer(bob)}, "MESSAGE_IDS_EMPTY"},
		{&tg.MessagesForwardMessagesRequest{FromPeer: alice, ToPeer: inputPeer(bob), ID: []int{first.ID}}, "RANDOM_ID_INVALID"},
		{&tg.MessagesForwardMessagesRequest{FromPeer: alice, ToPeer: inputPeer(bob), ID: []int{9999}, RandomID: []int64{20}}, "MESSAGE_ID_INVALID"},
		{&tg.MessagesForwardMessagesRequest{FromPeer: inputPeer(bob), ToPeer: alice, ID: []int{first.ID}, RandomID: []int64{21}}, "MESSAGE_ID_INVALID"},
		{&tg.MessagesForwardMessagesRequest{FromPeer: alice, ToPeer: inputPeer(bob), ID: []int{first.ID, second.ID}, RandomID: []int64{22, 22}}, "RANDOM_ID_DUPLICATE"},
		{&tg.MessagesForwardMessagesRequest{FromPeer: alice, ToPeer: inputPeer(bob), ID: []int{first.ID}, RandomID: []int64{10}}, "RANDOM_ID_DUPLICATE"},
		{&tg.MessagesForwardMessagesRequest{FromPeer: alice, ToPeer: &tg.InputPeerChat{ChatID: 1}, ID: []int{first.ID}, RandomID: []int64{23}}, "PEER_ID_INVALID"},
	} {
		_, err := api.MessagesForwardMessages(ctx, tc.req)
		wantErr(t, err, 400, tc.want)
	}
}
