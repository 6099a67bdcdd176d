package main

// End-to-end tests: Lua -> luabind -> gotd client -> MTProto over TCP on
// 127.0.0.1 -> gotd's tgtest server -> back into Lua. Each test asserts what
// the server decoded and what Lua got back.

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
	"github.com/gotd/td/tgtest"

	"github.com/tglua/tglua/internal/testserver"
	"github.com/tglua/tglua/runtime"
)

// e2e is a test server with a runtime connected to it.
type e2e struct {
	t   *testing.T
	srv *testserver.Server
	rt  *runtime.Runtime
}

func newE2E(t *testing.T) *e2e {
	t.Helper()
	srv := testserver.Start(t)
	rt, err := runtime.New(runtime.Options{
		Dial: runtime.Dial{
			AppID:     1,
			AppHash:   "hash",
			Server:    srv.Addr.String(),
			ServerKey: srv.PEM(),
			DC:        srv.DC,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rt.Close() })
	return &e2e{t: t, srv: srv, rt: rt}
}

// handle registers a handler for one method.
func (e *e2e) handle(id uint32, h func(srv *tgtest.Server, req *tgtest.Request) error) {
	e.srv.Dispatcher.HandleFunc(id, h)
}

// do runs a chunk and returns its results.
func (e *e2e) do(src string) []any {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := e.rt.DoString(ctx, src)
	if err != nil {
		e.t.Fatalf("script failed: %v", err)
	}
	return out
}

// fail runs a chunk that must fail and returns the error.
func (e *e2e) fail(src string) error {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := e.rt.DoString(ctx, src)
	if err == nil {
		e.t.Fatalf("script succeeded, want an error")
	}
	return err
}

// sendInvitesRequest decodes auth.sendInvites#771c1d97 by hand: gotd's tg
// package no longer has it.
type sendInvitesRequest struct {
	PhoneNumbers []string
	Message      string
}

func (r *sendInvitesRequest) Decode(b *bin.Buffer) error {
	if err := b.ConsumeID(0x771c1d97); err != nil {
		return err
	}
	n, err := b.VectorHeader()
	if err != nil {
		return err
	}
	for range n {
		s, err := b.String()
		if err != nil {
			return err
		}
		r.PhoneNumbers = append(r.PhoneNumbers, s)
	}
	r.Message, err = b.String()
	return err
}

const sendInvitesID = 0x771c1d97

func TestE2ESendInvites(t *testing.T) {
	e := newE2E(t)
	var got []sendInvitesRequest
	e.handle(sendInvitesID, func(srv *tgtest.Server, req *tgtest.Request) error {
		var r sendInvitesRequest
		if err := r.Decode(req.Buf); err != nil {
			return err
		}
		got = append(got, r)
		return srv.SendBool(req, r.Message != "no")
	})
	out := e.do(`
		local a = auth.sendInvites{phone_numbers={'+15550001', '+15550002'}, message='Join me!'}
		local b = tg.auth.sendInvites({phone_numbers={'+15550003'}, message='no'})
		return a, b, type(a)`)
	if out[0] != true || out[1] != false || out[2] != "boolean" {
		t.Fatalf("Lua got %v, want true, false, boolean", out)
	}
	if len(got) != 2 {
		t.Fatalf("server saw %d requests, want 2", len(got))
	}
	if strings.Join(got[0].PhoneNumbers, ",") != "+15550001,+15550002" || got[0].Message != "Join me!" {
		t.Fatalf("server decoded %+v", got[0])
	}
	if strings.Join(got[1].PhoneNumbers, ",") != "+15550003" || got[1].Message != "no" {
		t.Fatalf("server decoded %+v", got[1])
	}
}

func TestE2ERPCErrorCaughtByPcall(t *testing.T) {
	e := newE2E(t)
	e.handle(sendInvitesID, func(srv *tgtest.Server, req *tgtest.Request) error {
		return tgerr.New(400, "MESSAGE_EMPTY")
	})
	e.handle(tg.MessagesSendMessageRequestTypeID, func(srv *tgtest.Server, req *tgtest.Request) error {
		return tgerr.New(420, "FLOOD_WAIT_600") // above the wait threshold: raised at once
	})
	out := e.do(`
		local ok, e = pcall(auth.sendInvites, {phone_numbers={'+1'}, message=''})
		local ok2, f = pcall(messages.sendMessage, {peer='inputPeerSelf', message='x'})
		return ok, e.code, e.type, e.message, e.argument, e.method, tostring(e),
		       ok2, f.code, f.type, f.argument, tostring(f)`)
	want := []any{false, int64(400), "MESSAGE_EMPTY", "MESSAGE_EMPTY", nil, "auth.sendInvites",
		"auth.sendInvites: rpc error 400: MESSAGE_EMPTY",
		false, int64(420), "FLOOD_WAIT", int64(600), "messages.sendMessage: rpc error 420: FLOOD_WAIT_600"}
	assertValues(t, out, want)

	// Uncaught, it reaches Go as a structured error with a traceback.
	err := e.fail(`auth.sendInvites{phone_numbers={'+1'}, message=''}`)
	var se *runtime.Error
	if !errors.As(err, &se) || se.Value == nil || se.Value.Type != "MESSAGE_EMPTY" || se.Value.Code != 400 {
		t.Fatalf("uncaught error = %#v", err)
	}
	if !strings.Contains(se.Traceback, "stack traceback") {
		t.Fatalf("no traceback in %q", se.Traceback)
	}
}

func TestE2ELongAccessHashBothWays(t *testing.T) {
	e := newE2E(t)
	const hash = -7546723456789012345 // far beyond 2^53
	var seen []int64
	e.handle(tg.UsersGetUsersRequestTypeID, func(srv *tgtest.Server, req *tgtest.Request) error {
		var r tg.UsersGetUsersRequest
		if err := r.Decode(req.Buf); err != nil {
			return err
		}
		var users []bin.Encoder
		for _, in := range r.ID {
			u := in.(*tg.InputUser)
			seen = append(seen, u.AccessHash)
			users = append(users, &tg.User{ID: u.UserID, AccessHash: u.AccessHash, FirstName: "Ann", Username: "ann"})
		}
		return srv.SendVector(req, users...)
	})
	out := e.do(`
		local us = users.getUsers{id={{_='inputUser', user_id=1234567890123, access_hash='-7546723456789012345'}}}
		local u = us[1]
		-- pass the decoded value straight back
		local again = users.getUsers{id={{_='inputUser', user_id=u.id, access_hash=u.access_hash}}}
		return u._, u.id, u.access_hash, type(u.access_hash), u.first_name, again[1].access_hash, #us`)
	assertValues(t, out, []any{"user", int64(1234567890123), "-7546723456789012345", "string", "Ann", "-7546723456789012345", int64(1)})
	if len(seen) != 2 || seen[0] != hash || seen[1] != hash {
		t.Fatalf("server saw access hashes %v, want %d twice", seen, int64(hash))
	}
}

func TestE2ESendMessageFlagsAndUpdates(t *testing.T) {
	e := newE2E(t)
	var got tg.MessagesSendMessageRequest
	e.handle(tg.MessagesSendMessageRequestTypeID, func(srv *tgtest.Server, req *tgtest.Request) error {
		if err := got.Decode(req.Buf); err != nil {
			return err
		}
		return srv.SendResult(req, &tg.Updates{
			Updates: []tg.UpdateClass{
				&tg.UpdateMessageID{ID: 77, RandomID: got.RandomID},
				&tg.UpdateNewMessage{Message: &tg.Message{ID: 77, Out: true, Message: got.Message, PeerID: &tg.PeerUser{UserID: 42}}, Pts: 10, PtsCount: 1},
			},
			Users: []tg.UserClass{&tg.User{ID: 42, AccessHash: 1 << 60}},
			Date:  1700000000,
			Seq:   3,
		})
	})
	out := e.do(`
		local r = messages.sendMessage{
			peer = {_='inputPeerUser', user_id=42, access_hash='1152921504606846976'},
			message = 'hello',
			silent = true, no_webpage = true, noforwards = false,
			schedule_date = 0,
			entities = {{_='messageEntityBold', offset=0, length=5}},
		}
		return r._, r.updates[1]._, r.updates[1].id, r.updates[2].message.message,
		       r.updates[2].message.out, r.updates[2].message.peer_id.user_id, r.users[1].access_hash, r.seq`)
	assertValues(t, out, []any{"updates", "updateMessageID", int64(77), "hello", true, int64(42), "1152921504606846976", int64(3)})

	if !got.Silent || !got.NoWebpage || got.Noforwards {
		t.Errorf("true flags: silent=%v no_webpage=%v noforwards=%v", got.Silent, got.NoWebpage, got.Noforwards)
	}
	if !got.Flags.Has(10) || got.ScheduleDate != 0 {
		t.Errorf("schedule_date=0 must set flag 10: flags=%b date=%d", got.Flags, got.ScheduleDate)
	}
	peer, ok := got.Peer.(*tg.InputPeerUser)
	if !ok || peer.UserID != 42 || peer.AccessHash != 1<<60 {
		t.Errorf("peer = %#v", got.Peer)
	}
	if got.RandomID == 0 {
		t.Errorf("random_id was not filled")
	}
	if len(got.Entities) != 1 {
		t.Errorf("entities = %#v", got.Entities)
	}
}

func TestE2EVectorResults(t *testing.T) {
	e := newE2E(t)
	e.handle(tg.PhotosDeletePhotosRequestTypeID, func(srv *tgtest.Server, req *tgtest.Request) error {
		var r tg.PhotosDeletePhotosRequest
		if err := r.Decode(req.Buf); err != nil {
			return err
		}
		var ids []int64
		for _, p := range r.ID {
			ids = append(ids, p.(*tg.InputPhoto).ID)
		}
		return srv.SendResult(req, &tg.LongVector{Elems: ids})
	})
	e.handle(tg.ContactsGetContactIDsRequestTypeID, func(srv *tgtest.Server, req *tgtest.Request) error {
		return srv.SendResult(req, &tg.IntVector{Elems: []int{1, -2, 2147483647}})
	})
	out := e.do(`
		local longs = photos.deletePhotos{id={
			{_='inputPhoto', id=5, access_hash=0, file_reference=''},
			{_='inputPhoto', id='9223372036854775807', access_hash=0, file_reference=''},
		}}
		local ints = contacts.getContactIDs{hash=0}
		return #longs, longs[1], longs[2], #ints, ints[1], ints[2], ints[3]`)
	assertValues(t, out, []any{int64(2), int64(5), "9223372036854775807", int64(3), int64(1), int64(-2), int64(2147483647)})
}

func TestE2EBadArguments(t *testing.T) {
	e := newE2E(t)
	var sent atomic.Int32
	e.srv.Dispatcher.Fallback(tgtest.HandlerFunc(func(srv *tgtest.Server, req *tgtest.Request) error {
		sent.Add(1)
		return tgerr.New(400, "UNEXPECTED")
	}))
	for _, tc := range []struct{ src, want string }{
		{`auth.sendInvites{phone_numbers={'+1', {}}, message='x'}`, "auth.sendInvites: phone_numbers[2]: string expected, got table"},
		{`messages.sendMessage{peer='inputPeerFoo', message='x'}`, "messages.sendMessage: peer: unknown constructor 'inputPeerFoo' (want InputPeer)"},
		{`auth.sendInvites{phone_numbers={'+1'}}`, "auth.sendInvites: message: string expected, got nil"},
		{`auth.sendInvites{phone_numbers={'+1'}, message='x', bogus=1}`, "auth.sendInvites: bogus: unknown field (want one of: phone_numbers, message)"},
		{`auth.sendInvites('x')`, "auth.sendInvites: argument table expected, got string"},
		{`auth.sendInvites{phone_numbers={[1]='a', [3]='c'}, message='x'}`, "auth.sendInvites: phone_numbers: Vector<string> expected (an array table without holes), got a table with holes or non-integer keys"},
		{`messages.sendMessage{peer='inputPeerSelf', message='x', reply_to={_='inputReplyToMessage', reply_to_msg_id=1.5}}`, "messages.sendMessage: reply_to.reply_to_msg_id: int expected, got non-integral number 1.5"},
		{`messages.sendMessage{peer='inputPeerSelf', message='x', schedule_date=2^40}`, "messages.sendMessage: schedule_date: int expected, got 1099511627776 (out of int32 range)"},
		{`messages.sendMessage{peer={_='inputPeerUser', user_id=1, access_hash=2^60}, message='x'}`, "messages.sendMessage: peer.access_hash: long expected, got 1152921504606846976 (beyond 2^53, pass it as a decimal string)"},
		{`messages.sendMessage{peer={_='inputPeerUser', user_id=1, access_hash='12ab'}, message='x'}`, "messages.sendMessage: peer.access_hash: long expected, got string '12ab' (not a decimal integer)"},
		{`messages.sendMessage{peer={_='inputUser', user_id=1, access_hash=1}, message='x'}`, "messages.sendMessage: peer: unknown constructor 'inputUser' (want InputPeer)"},
		{`messages.sendMessage{peer={user_id=1}, message='x'}`, "messages.sendMessage: peer: InputPeer expected: name its constructor in '_'"},
		{`messages.sendMessage{peer='inputPeerSelf', message='x', silent='yes'}`, "messages.sendMessage: silent: boolean expected, got string"},
		{`messages.sendMessage{peer='inputPeerUser', message='x'}`, "messages.sendMessage: peer: constructor 'inputPeerUser' has fields; pass a table"},
		{`messages.sendMesage{}`, "messages.sendMesage: no such method (did you mean messages.sendMessage?)"},
	} {
		err := e.fail(tc.src)
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s\n got: %v\nwant: %s", tc.src, err, tc.want)
		}
	}
	// pcall catches them too.
	out := e.do(`local ok, msg = pcall(auth.sendInvites, {phone_numbers={1}, message='x'}) return ok, msg`)
	if out[0] != false || !strings.Contains(out[1].(string), "auth.sendInvites: phone_numbers[1]: string expected, got number") {
		t.Errorf("pcall got %v", out)
	}
	if n := sent.Load(); n != 0 {
		t.Fatalf("%d requests reached the server; bad arguments must send nothing", n)
	}
}

func assertValues(t *testing.T, got, want []any) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d values %v, want %d %v", len(got), got, len(want), want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("value %d: got %#v, want %#v", i+1, got[i], want[i])
		}
	}
}
