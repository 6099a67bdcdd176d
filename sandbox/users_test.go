package sandbox

import (
	"context"
	"testing"

	"github.com/gotd/td/tg"
)

func TestAccessHashes(t *testing.T) {
	s := newTestServer(t, Options{})
	ctx := context.Background()
	sc := newConn(s)
	loginConn(t, sc, "+15550000")
	api := sc.api()

	alice, err := resolve(ctx, api, "@Alice")
	if err != nil {
		t.Fatal(err)
	}
	if alice.ID != AliceID || alice.AccessHash == 0 || alice.Phone != "" {
		t.Fatalf("alice %+v", alice)
	}

	// The hash is stable per viewer and differs between viewers.
	again, err := resolve(ctx, api, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if again.AccessHash != alice.AccessHash {
		t.Fatal("access hash changed")
	}
	bc := newConn(s)
	loginConn(t, bc, "+15550002")
	bobsAlice, err := resolve(ctx, bc.api(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	if bobsAlice.AccessHash == alice.AccessHash {
		t.Fatal("access hash is the same for two viewers")
	}

	// Wrong hashes are refused.
	bad := &tg.InputPeerUser{UserID: AliceID, AccessHash: alice.AccessHash + 1}
	_, err = api.MessagesSendMessage(ctx, &tg.MessagesSendMessageRequest{Peer: bad, Message: "hi", RandomID: 1})
	wantErr(t, err, 400, "PEER_ID_INVALID")
	_, err = api.MessagesGetHistory(ctx, &tg.MessagesGetHistoryRequest{Peer: &tg.InputPeerUser{UserID: AliceID, AccessHash: bobsAlice.AccessHash}})
	wantErr(t, err, 400, "PEER_ID_INVALID")
	_, err = api.UsersGetFullUser(ctx, &tg.InputUser{UserID: AliceID, AccessHash: 0})
	wantErr(t, err, 400, "USER_ID_INVALID")
	_, err = api.UsersGetUsers(ctx, []tg.InputUserClass{&tg.InputUser{UserID: 999, AccessHash: 1}})
	wantErr(t, err, 400, "USER_ID_INVALID")
	_, err = api.MessagesSendMessage(ctx, &tg.MessagesSendMessageRequest{Peer: &tg.InputPeerChat{ChatID: 12345}, Message: "hi", RandomID: 2})
	wantErr(t, err, 400, "PEER_ID_INVALID")

	// The right hash works.
	full, err := api.UsersGetFullUser(ctx, &tg.InputUser{UserID: AliceID, AccessHash: alice.AccessHash})
	if err != nil {
		t.Fatal(err)
	}
	if full.FullUser.ID != AliceID || full.FullUser.CommonChatsCount != 1 {
		t.Fatalf("full user %+v", full.FullUser)
	}
	users, err := api.UsersGetUsers(ctx, []tg.InputUserClass{&tg.InputUser{UserID: AliceID, AccessHash: alice.AccessHash}, &tg.InputUserSelf{}})
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 2 || users[0].GetID() != AliceID || users[1].GetID() != SandboxUserID {
		t.Fatalf("users %v", users)
	}

	_, err = resolve(ctx, api, "nobody_here")
	wantErr(t, err, 400, "USERNAME_NOT_OCCUPIED")
	_, err = resolve(ctx, api, "bad name")
	wantErr(t, err, 400, "USERNAME_INVALID")
}

func TestContacts(t *testing.T) {
	s := newTestServer(t, Options{})
	ctx := context.Background()
	sc := newConn(s)
	loginConn(t, sc, "+15550000")
	api := sc.api()

	imported, err := api.ContactsImportContacts(ctx, []tg.InputPhoneContact{
		{ClientID: 7, Phone: "+15550002", FirstName: "Bobby"},
		{ClientID: 8, Phone: "+19999999999"}, // nobody
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(imported.Imported) != 1 || imported.Imported[0].UserID != BobID || imported.Imported[0].ClientID != 7 {
		t.Fatalf("imported %+v", imported.Imported)
	}
	bob := imported.Users[0].(*tg.User)
	if !bob.Contact || bob.Phone != "15550002" {
		t.Fatalf("bob %+v", bob)
	}
	res, err := api.ContactsGetContacts(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	contacts := res.(*tg.ContactsContacts)
	if len(contacts.Contacts) != 1 || contacts.Contacts[0].UserID != BobID || contacts.Contacts[0].Mutual {
		t.Fatalf("contacts %+v", contacts.Contacts)
	}
	// The access hash from importContacts works.
	if _, err := api.MessagesSendMessage(ctx, &tg.MessagesSendMessageRequest{Peer: inputPeer(bob), Message: "hi", RandomID: 1}); err != nil {
		t.Fatal(err)
	}
}
