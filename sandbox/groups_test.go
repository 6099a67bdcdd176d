package sandbox

import (
	"context"
	"testing"

	"github.com/gotd/td/tg"
)

func TestGroups(t *testing.T) {
	s := newTestServer(t, Options{})
	r := record(s)
	ctx := context.Background()
	sc, ac, _, _ := pair(t, s)
	api := sc.api()
	if _, err := ac.api().UpdatesGetState(ctx); err != nil { // Alice's session gets pushes
		t.Fatal(err)
	}
	user := func(name string) tg.InputUserClass {
		u, err := resolve(ctx, api, name)
		if err != nil {
			t.Fatal(err)
		}
		return &tg.InputUser{UserID: u.ID, AccessHash: u.AccessHash}
	}
	alice, bob, bot := user("alice"), user("bob"), user("echo_bot")

	_, err := api.MessagesCreateChat(ctx, &tg.MessagesCreateChatRequest{Users: []tg.InputUserClass{alice}, Title: "  "})
	wantErr(t, err, 400, "CHAT_TITLE_EMPTY")
	_, err = api.MessagesCreateChat(ctx, &tg.MessagesCreateChatRequest{Users: []tg.InputUserClass{&tg.InputUserSelf{}}, Title: "alone"})
	wantErr(t, err, 400, "USERS_TOO_FEW")

	inv, err := api.MessagesCreateChat(ctx, &tg.MessagesCreateChatRequest{Users: []tg.InputUserClass{alice, bob}, Title: " Project X "})
	if err != nil {
		t.Fatal(err)
	}
	ups := inv.Updates.(*tg.Updates)
	ch := ups.Chats[0].(*tg.Chat)
	create := ups.Updates[0].(*tg.UpdateNewMessage).Message.(*tg.MessageService).Action.(*tg.MessageActionChatCreate)
	if ch.Title != "Project X" || !ch.Creator || ch.ParticipantsCount != 3 || create.Title != "Project X" || len(create.Users) != 3 {
		t.Fatalf("created %+v with %+v", ch, create)
	}
	// Alice is told, and the group is in her dialogs' box.
	pushed := r.wait(ac.session, 1)[0].(*tg.Updates)
	if m := pushed.Updates[0].(*tg.UpdateNewMessage).Message.(*tg.MessageService); m.PeerID.(*tg.PeerChat).ChatID != ch.ID || m.Out {
		t.Fatalf("alice got %+v", m)
	}

	_, err = api.MessagesAddChatUser(ctx, &tg.MessagesAddChatUserRequest{ChatID: ch.ID, UserID: alice})
	wantErr(t, err, 400, "USER_ALREADY_PARTICIPANT")
	inv, err = api.MessagesAddChatUser(ctx, &tg.MessagesAddChatUserRequest{ChatID: ch.ID, UserID: bot})
	if err != nil {
		t.Fatal(err)
	}
	add := inv.Updates.(*tg.Updates).Updates[0].(*tg.UpdateNewMessage).Message.(*tg.MessageService).Action.(*tg.MessageActionChatAddUser)
	if len(add.Users) != 1 || add.Users[0] != EchoBotID {
		t.Fatalf("add: %+v", add)
	}

	_, err = api.MessagesEditChatTitle(ctx, &tg.MessagesEditChatTitleRequest{ChatID: ch.ID, Title: "Project X"})
	wantErr(t, err, 400, "CHAT_NOT_MODIFIED")
	if _, err := ac.api().MessagesEditChatTitle(ctx, &tg.MessagesEditChatTitleRequest{ChatID: ch.ID, Title: "Project Y"}); err != nil {
		t.Fatal(err)
	}
	full, err := api.MessagesGetFullChat(ctx, ch.ID)
	if err != nil {
		t.Fatal(err)
	}
	parts := full.FullChat.(*tg.ChatFull).Participants.(*tg.ChatParticipants).Participants
	if len(parts) != 4 || full.Chats[0].(*tg.Chat).Title != "Project Y" {
		t.Fatalf("full chat: %d participants, %+v", len(parts), full.Chats[0])
	}
	if _, ok := parts[0].(*tg.ChatParticipantCreator); !ok {
		t.Fatalf("first participant %T, want the creator", parts[0])
	}

	// Only the creator removes others; anyone may leave.
	_, err = ac.api().MessagesDeleteChatUser(ctx, &tg.MessagesDeleteChatUserRequest{ChatID: ch.ID, UserID: &tg.InputUser{UserID: BobID, AccessHash: s.accessHash(AliceID, BobID)}})
	wantErr(t, err, 400, "CHAT_ADMIN_REQUIRED")
	if _, err := ac.api().MessagesDeleteChatUser(ctx, &tg.MessagesDeleteChatUserRequest{ChatID: ch.ID, UserID: &tg.InputUserSelf{}}); err != nil {
		t.Fatal(err)
	}
	_, err = api.MessagesDeleteChatUser(ctx, &tg.MessagesDeleteChatUserRequest{ChatID: ch.ID, UserID: alice})
	wantErr(t, err, 400, "USER_NOT_PARTICIPANT")
	// Alice is out: the group is forbidden to her and she cannot post.
	chats, err := ac.api().MessagesGetChats(ctx, []int64{ch.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := chats.(*tg.MessagesChats).Chats[0].(*tg.ChatForbidden); !ok {
		t.Fatalf("alice sees %T", chats.(*tg.MessagesChats).Chats[0])
	}
	_, err = ac.api().MessagesSendMessage(ctx, &tg.MessagesSendMessageRequest{Peer: &tg.InputPeerChat{ChatID: ch.ID}, Message: "hi", RandomID: 1})
	wantErr(t, err, 400, "PEER_ID_INVALID")
	_, err = ac.api().MessagesGetFullChat(ctx, ch.ID)
	wantErr(t, err, 400, "CHAT_ID_INVALID")

	// The history shows every change as a service message.
	hist, err := api.MessagesGetHistory(ctx, &tg.MessagesGetHistoryRequest{Peer: &tg.InputPeerChat{ChatID: ch.ID}})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, m := range hist.(*tg.MessagesMessages).Messages {
		actions = append(actions, m.(*tg.MessageService).Action.TypeName())
	}
	want := []string{"messageActionChatDeleteUser", "messageActionChatEditTitle", "messageActionChatAddUser", "messageActionChatCreate"}
	if len(actions) != len(want) {
		t.Fatalf("history actions %v, want %v", actions, want)
	}
	for i := range want {
		if actions[i] != want[i] {
			t.Fatalf("history actions %v, want %v", actions, want)
		}
	}
}
