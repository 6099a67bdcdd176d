package sandbox

import (
	"context"
	"testing"

	"github.com/gotd/td/telegram/uploader"
	"github.com/gotd/td/tg"
)

// textsOf returns a function giving the texts of a search or getMessages
// answer, and its count (the number of messages when it is not a slice).
func textsOf(t *testing.T) func(tg.MessagesMessagesClass, error) ([]string, int) {
	return func(res tg.MessagesMessagesClass, err error) ([]string, int) {
		t.Helper()
		return texts(t, res, err)
	}
}

func texts(t *testing.T, res tg.MessagesMessagesClass, err error) ([]string, int) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	var ms []tg.MessageClass
	count := -1
	switch res := res.(type) {
	case *tg.MessagesMessages:
		ms = res.Messages
		count = len(ms)
	case *tg.MessagesMessagesSlice:
		ms, count = res.Messages, res.Count
	default:
		t.Fatalf("answer %T", res)
	}
	var out []string
	for _, m := range ms {
		switch m := m.(type) {
		case *tg.Message:
			out = append(out, m.Message)
		case *tg.MessageEmpty:
			out = append(out, "<empty>")
		}
	}
	return out, count
}

func TestSearchAndGetMessages(t *testing.T) {
	s := newTestServer(t, Options{})
	ctx := context.Background()
	sc, ac, alice, sandbox := pair(t, s)
	api := sc.api()
	texts := textsOf(t)
	send := func(peer tg.InputPeerClass, text string, id int64) int {
		res, err := api.MessagesSendMessage(ctx, &tg.MessagesSendMessageRequest{Peer: peer, Message: text, RandomID: id})
		if err != nil {
			t.Fatal(err)
		}
		return res.(*tg.UpdateShortSentMessage).ID
	}
	first := send(alice, "The Report is ready", 1)
	send(alice, "another note", 2)
	if _, err := ac.api().MessagesSendMessage(ctx, &tg.MessagesSendMessageRequest{Peer: sandbox, Message: "thanks for the report", RandomID: 3}); err != nil {
		t.Fatal(err)
	}
	bob, err := resolve(ctx, api, "bob")
	if err != nil {
		t.Fatal(err)
	}
	send(inputPeer(bob), "report for bob", 4)
	empty := &tg.InputMessagesFilterEmpty{}

	// One chat, newest first, case ignored.
	got, _ := texts(api.MessagesSearch(ctx, &tg.MessagesSearchRequest{Peer: alice, Q: "REPORT", Filter: empty}))
	if len(got) != 2 || got[0] != "thanks for the report" || got[1] != "The Report is ready" {
		t.Fatalf("search in alice's chat: %q", got)
	}
	// Every chat; from one sender; a page of one with the total.
	got, _ = texts(api.MessagesSearch(ctx, &tg.MessagesSearchRequest{Peer: &tg.InputPeerEmpty{}, Q: "report", Filter: empty}))
	if len(got) != 3 || got[0] != "report for bob" {
		t.Fatalf("search everywhere: %q", got)
	}
	req := &tg.MessagesSearchRequest{Peer: &tg.InputPeerEmpty{}, Q: "report", Filter: empty, Limit: 1}
	req.SetFromID(&tg.InputPeerSelf{})
	got, count := texts(api.MessagesSearch(ctx, req))
	if len(got) != 1 || count != 2 || got[0] != "report for bob" {
		t.Fatalf("page of my messages: %q of %d", got, count)
	}
	// offset_id pages on from there.
	req.OffsetID = 1 << 30
	req.AddOffset = 1
	got, _ = texts(api.MessagesSearch(ctx, req))
	if len(got) != 1 || got[0] != "The Report is ready" {
		t.Fatalf("second page: %q", got)
	}
	// Alice sees her own box.
	got, _ = texts(ac.api().MessagesSearch(ctx, &tg.MessagesSearchRequest{Peer: sandbox, Q: "note", Filter: empty}))
	if len(got) != 1 || got[0] != "another note" {
		t.Fatalf("alice's search: %q", got)
	}

	// Media filters.
	f, err := uploader.NewUploader(api).FromBytes(ctx, "p.jpg", make([]byte, 100))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.MessagesSendMedia(ctx, &tg.MessagesSendMediaRequest{Peer: alice, RandomID: 5, Message: "a photo", Media: &tg.InputMediaUploadedPhoto{File: f}}); err != nil {
		t.Fatal(err)
	}
	got, _ = texts(api.MessagesSearch(ctx, &tg.MessagesSearchRequest{Peer: alice, Filter: &tg.InputMessagesFilterPhotos{}}))
	if len(got) != 1 || got[0] != "a photo" {
		t.Fatalf("photos: %q", got)
	}
	got, _ = texts(api.MessagesSearch(ctx, &tg.MessagesSearchRequest{Peer: alice, Filter: &tg.InputMessagesFilterDocument{}}))
	if len(got) != 0 {
		t.Fatalf("documents: %q", got)
	}

	// Errors.
	_, err = api.MessagesSearch(ctx, &tg.MessagesSearchRequest{Peer: alice, Filter: empty})
	wantErr(t, err, 400, "SEARCH_QUERY_EMPTY")
	_, err = api.MessagesSearch(ctx, &tg.MessagesSearchRequest{Peer: alice, Q: "x", Filter: &tg.InputMessagesFilterVoice{}})
	if e := wantErr(t, err, 400, ErrUnsupported); MethodName(uint32(e.Argument)) != "inputMessagesFilterVoice" {
		t.Fatalf("unsupported filter named %q", MethodName(uint32(e.Argument)))
	}
	bad := &tg.MessagesSearchRequest{Peer: alice, Q: "x", Filter: empty}
	bad.SetFromID(&tg.InputPeerUser{UserID: AliceID, AccessHash: 1})
	_, err = api.MessagesSearch(ctx, bad)
	wantErr(t, err, 400, "FROM_PEER_INVALID")

	// getMessages: in the order asked, messageEmpty for unknown ids, and
	// the message a reply answers.
	reply, err := api.MessagesSendMessage(ctx, &tg.MessagesSendMessageRequest{Peer: alice, Message: "re", RandomID: 6,
		ReplyTo: &tg.InputReplyToMessage{ReplyToMsgID: first}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ = texts(api.MessagesGetMessages(ctx, []tg.InputMessageClass{
		&tg.InputMessageID{ID: 99999},
		&tg.InputMessageID{ID: first},
		&tg.InputMessageReplyTo{ID: reply.(*tg.UpdateShortSentMessage).ID},
	}))
	if len(got) != 3 || got[0] != "<empty>" || got[1] != "The Report is ready" || got[2] != "The Report is ready" {
		t.Fatalf("getMessages: %q", got)
	}
}

func TestSearchContacts(t *testing.T) {
	s := newTestServer(t, Options{})
	ctx := context.Background()
	sc := newConn(s)
	loginConn(t, sc, "+15550000")
	api := sc.api()
	found := func(q string) (mine, others []int64) {
		t.Helper()
		res, err := api.ContactsSearch(ctx, &tg.ContactsSearchRequest{Q: q})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range res.MyResults {
			mine = append(mine, p.(*tg.PeerUser).UserID)
		}
		for _, p := range res.Results {
			others = append(others, p.(*tg.PeerUser).UserID)
		}
		if len(res.Users) != len(mine)+len(others) {
			t.Fatalf("%q: %d users for %d peers", q, len(res.Users), len(mine)+len(others))
		}
		return mine, others
	}
	// Strangers by username only, never the caller.
	if mine, others := found("@ALI"); len(mine) != 0 || len(others) != 1 || others[0] != AliceID {
		t.Fatalf("@ALI: %v %v", mine, others)
	}
	if _, others := found("Sandbox"); len(others) != 0 {
		t.Fatalf("the caller found itself: %v", others)
	}
	if _, others := found("Alice Smith"); len(others) != 0 {
		t.Fatalf("a stranger found by name: %v", others)
	}
	// Contacts also by name.
	if _, err := api.ContactsImportContacts(ctx, []tg.InputPhoneContact{{ClientID: 1, Phone: "+15550002", FirstName: "B"}}); err != nil {
		t.Fatal(err)
	}
	if mine, others := found("bo"); len(mine) != 1 || mine[0] != BobID || len(others) != 1 || others[0] != EchoBotID {
		t.Fatalf("bo: %v %v", mine, others)
	}
	_, err := api.ContactsSearch(ctx, &tg.ContactsSearchRequest{Q: " @ "})
	wantErr(t, err, 400, "SEARCH_QUERY_EMPTY")
}
