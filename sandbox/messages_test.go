package sandbox

import (
	"context"
	"strings"
	"testing"

	"github.com/gotd/td/tg"
)

func TestSendValidation(t *testing.T) {
	s := newTestServer(t, Options{})
	ctx := context.Background()
	sc, _, alice, _ := pair(t, s)
	api := sc.api()
	sendText := func(text string, randomID int64) error {
		_, err := api.MessagesSendMessage(ctx, &tg.MessagesSendMessageRequest{Peer: alice, Message: text, RandomID: randomID})
		return err
	}
	wantErr(t, sendText("", 1), 400, "MESSAGE_EMPTY")
	wantErr(t, sendText(" \n\t", 2), 400, "MESSAGE_EMPTY")
	wantErr(t, sendText(strings.Repeat("a", MaxMessageLength+1), 3), 400, "MESSAGE_TOO_LONG")
	// Length is counted in UTF-16 units: an emoji is two.
	wantErr(t, sendText(strings.Repeat("😀", MaxMessageLength/2)+"a", 4), 400, "MESSAGE_TOO_LONG")
	if err := sendText(strings.Repeat("😀", MaxMessageLength/2), 5); err != nil {
		t.Fatal(err)
	}
	if err := sendText(strings.Repeat("ж", MaxMessageLength), 6); err != nil {
		t.Fatal(err)
	}
	wantErr(t, sendText("again", 6), 400, "RANDOM_ID_DUPLICATE")
	_, err := api.MessagesSendMessage(ctx, &tg.MessagesSendMessageRequest{
		Peer: alice, Message: "reply", RandomID: 7, ReplyTo: &tg.InputReplyToMessage{ReplyToMsgID: 999},
	})
	wantErr(t, err, 400, "REPLY_MESSAGE_ID_INVALID")
}

func TestEntitiesAndReplies(t *testing.T) {
	s := newTestServer(t, Options{})
	ctx := context.Background()
	sc, ac, alice, sandbox := pair(t, s)
	first := send(t, sc, alice, "hello", 1).(*tg.UpdateShortSentMessage)

	_, err := ac.api().MessagesSendMessage(ctx, &tg.MessagesSendMessageRequest{
		Peer:     sandbox,
		Message:  "hi there",
		RandomID: 1, // random ids are per sender
		ReplyTo:  &tg.InputReplyToMessage{ReplyToMsgID: 2},
		Silent:   true,
		Entities: []tg.MessageEntityClass{
			&tg.MessageEntityBold{Offset: 0, Length: 2},
			&tg.MessageEntityItalic{Offset: 5, Length: 50}, // out of range: dropped
			&tg.InputMessageEntityMentionName{Offset: 3, Length: 5, UserID: &tg.InputUser{UserID: SandboxUserID, AccessHash: sandbox.AccessHash}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	hist, err := sc.api().MessagesGetHistory(ctx, &tg.MessagesGetHistoryRequest{Peer: alice, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	slice := hist.(*tg.MessagesMessagesSlice)
	m := slice.Messages[0].(*tg.Message)
	if slice.Count != 2 || m.Out || !m.Silent || m.Message != "hi there" {
		t.Fatalf("history %+v", m)
	}
	reply, ok := m.ReplyTo.(*tg.MessageReplyHeader)
	if !ok || reply.ReplyToMsgID != first.ID {
		t.Fatalf("reply header %+v, want reply to %d", m.ReplyTo, first.ID)
	}
	if len(m.Entities) != 2 {
		t.Fatalf("entities %v", m.Entities)
	}
	if mn, ok := m.Entities[1].(*tg.MessageEntityMentionName); !ok || mn.UserID != SandboxUserID {
		t.Fatalf("mention %#v", m.Entities[1])
	}
}

func TestEditDeleteHistoryDialogs(t *testing.T) {
	s := newTestServer(t, Options{})
	ctx := context.Background()
	r := record(s)
	sc, ac, alice, _ := pair(t, s)
	for i := 1; i <= 5; i++ {
		send(t, sc, alice, "m"+string(rune('0'+i)), int64(i))
	}
	api := sc.api()

	// History pages, newest first.
	page := func(req *tg.MessagesGetHistoryRequest) []int {
		t.Helper()
		req.Peer = alice
		res, err := api.MessagesGetHistory(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int
		for _, m := range res.(interface{ GetMessages() []tg.MessageClass }).GetMessages() {
			ids = append(ids, m.GetID())
		}
		return ids
	}
	// Ids 2..6: id 1 is the seeded group's creation message.
	if got := page(&tg.MessagesGetHistoryRequest{Limit: 2}); !equalInts(got, []int{6, 5}) {
		t.Fatalf("first page %v", got)
	}
	if got := page(&tg.MessagesGetHistoryRequest{OffsetID: 5, Limit: 2}); !equalInts(got, []int{4, 3}) {
		t.Fatalf("second page %v", got)
	}
	if got := page(&tg.MessagesGetHistoryRequest{OffsetID: 4, AddOffset: -2, Limit: 3}); !equalInts(got, []int{5, 4, 3}) {
		t.Fatalf("page around %v", got)
	}
	if got := page(&tg.MessagesGetHistoryRequest{MinID: 3, MaxID: 6}); !equalInts(got, []int{5, 4}) {
		t.Fatalf("min/max page %v", got)
	}

	// Only the author edits.
	_, err := ac.api().MessagesEditMessage(ctx, &tg.MessagesEditMessageRequest{
		Peer: &tg.InputPeerUser{UserID: SandboxUserID, AccessHash: s.computeHash(AliceID, SandboxUserID)}, ID: 3, Message: "x",
	})
	wantErr(t, err, 403, "MESSAGE_AUTHOR_REQUIRED")
	edit := &tg.MessagesEditMessageRequest{Peer: alice, ID: 2}
	edit.SetMessage("edited")
	upd, err := api.MessagesEditMessage(ctx, edit)
	if err != nil {
		t.Fatal(err)
	}
	em := upd.(*tg.Updates).Updates[0].(*tg.UpdateEditMessage).Message.(*tg.Message)
	if em.Message != "edited" || em.EditDate == 0 {
		t.Fatalf("edited %+v", em)
	}
	_, err = api.MessagesEditMessage(ctx, edit)
	wantErr(t, err, 400, "MESSAGE_NOT_MODIFIED")
	// Alice's copy was edited and pushed.
	pushed := r.wait(ac.session, 6)
	aem := pushed[5].(*tg.Updates).Updates[0].(*tg.UpdateEditMessage).Message.(*tg.Message)
	if aem.ID != 2 || aem.Message != "edited" {
		t.Fatalf("alice's edit %+v", aem)
	}

	// Revoking deletes both copies.
	if _, err := api.MessagesDeleteMessages(ctx, &tg.MessagesDeleteMessagesRequest{Revoke: true, ID: []int{6}}); err != nil {
		t.Fatal(err)
	}
	for _, m := range s.Messages(AliceID) {
		if m.Text == "m5" {
			t.Fatal("revoked message still in Alice's box")
		}
	}

	// Dialogs: the private chat and the seeded group, newest first.
	res, err := ac.api().MessagesGetDialogs(ctx, &tg.MessagesGetDialogsRequest{OffsetPeer: &tg.InputPeerEmpty{}, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	dialogs := res.(*tg.MessagesDialogs)
	if len(dialogs.Dialogs) != 2 {
		t.Fatalf("dialogs %v", dialogs.Dialogs)
	}
	d := dialogs.Dialogs[0].(*tg.Dialog)
	if p, ok := d.Peer.(*tg.PeerUser); !ok || p.UserID != SandboxUserID || d.TopMessage != 5 || d.UnreadCount != 4 {
		t.Fatalf("first dialog %+v", d)
	}
	if p, ok := dialogs.Dialogs[1].(*tg.Dialog).Peer.(*tg.PeerChat); !ok || p.ChatID != SandboxGroupID {
		t.Fatalf("second dialog %+v", dialogs.Dialogs[1])
	}
	if len(dialogs.Chats) != 1 || len(dialogs.Users) == 0 {
		t.Fatalf("dialog chats %v users %v", dialogs.Chats, dialogs.Users)
	}
	paged, err := ac.api().MessagesGetDialogs(ctx, &tg.MessagesGetDialogsRequest{OffsetPeer: &tg.InputPeerEmpty{}, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if sl, ok := paged.(*tg.MessagesDialogsSlice); !ok || sl.Count != 2 || len(sl.Dialogs) != 1 {
		t.Fatalf("dialog page %#v", paged)
	}
}

func TestGroupMessages(t *testing.T) {
	s := newTestServer(t, Options{})
	ctx := context.Background()
	r := record(s)
	sc, ac, _, _ := pair(t, s)
	bc := newConn(s)
	loginConn(t, bc, "+15550002")

	res, err := ac.api().MessagesSendMessage(ctx, &tg.MessagesSendMessageRequest{
		Peer: &tg.InputPeerChat{ChatID: SandboxGroupID}, Message: "hi all", RandomID: 42,
	})
	if err != nil {
		t.Fatal(err)
	}
	u := res.(*tg.Updates)
	if id := u.Updates[0].(*tg.UpdateMessageID); id.RandomID != 42 || id.ID != 2 {
		t.Fatalf("message id update %+v", id)
	}
	if nm := u.Updates[1].(*tg.UpdateNewMessage); nm.Pts != 2 || nm.PtsCount != 1 {
		t.Fatalf("new message update %+v", nm)
	}
	for _, c := range []*conn{sc, bc} {
		p := r.wait(c.session, 1)[0].(*tg.Updates)
		m := p.Updates[0].(*tg.UpdateNewMessage).Message.(*tg.Message)
		if m.Out || m.Message != "hi all" || m.PeerID.(*tg.PeerChat).ChatID != SandboxGroupID {
			t.Fatalf("group push %+v", m)
		}
		if len(p.Chats) != 1 {
			t.Fatalf("group push without chat: %v", p.Chats)
		}
	}
	// A user outside the group cannot post.
	oc := newConn(s)
	loginConn(t, oc, "+15558888")
	_, err = oc.api().MessagesSendMessage(ctx, &tg.MessagesSendMessageRequest{
		Peer: &tg.InputPeerChat{ChatID: SandboxGroupID}, Message: "let me in", RandomID: 1,
	})
	wantErr(t, err, 400, "PEER_ID_INVALID")
	chats, err := sc.api().MessagesGetChats(ctx, []int64{SandboxGroupID})
	if err != nil {
		t.Fatal(err)
	}
	if c := chats.GetChats()[0].(*tg.Chat); c.Title != "Sandbox Group" || c.ParticipantsCount != 3 || !c.Creator {
		t.Fatalf("chat %+v", c)
	}
}

func TestEchoBotUnit(t *testing.T) {
	s := newTestServer(t, Options{})
	ctx := context.Background()
	r := record(s)
	sc := newConn(s)
	loginConn(t, sc, "+15550000")
	bot, err := resolve(ctx, sc.api(), "echo_bot")
	if err != nil {
		t.Fatal(err)
	}
	sent := send(t, sc, inputPeer(bot), "ping", 1).(*tg.UpdateShortSentMessage)
	p := r.wait(sc.session, 1)[0].(*tg.Updates)
	nm := p.Updates[0].(*tg.UpdateNewMessage)
	m := nm.Message.(*tg.Message)
	if m.Message != "ping" || m.Out || m.FromID.(*tg.PeerUser).UserID != EchoBotID || nm.Pts != sent.Pts+1 {
		t.Fatalf("echo %+v pts %d", m, nm.Pts)
	}
	if reply, ok := m.ReplyTo.(*tg.MessageReplyHeader); !ok || reply.ReplyToMsgID != sent.ID {
		t.Fatalf("echo reply header %+v", m.ReplyTo)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
