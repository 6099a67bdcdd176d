package sandbox

import (
	"context"
	"testing"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
)

func TestUnsupportedError(t *testing.T) {
	err := unsupported(tg.MessagesSendReactionRequestTypeID)
	// Round-trip through the wire form, as a client sees it.
	parsed := tgerr.New(err.Code, err.Message)
	if parsed.Type != ErrUnsupported || parsed.Code != 400 {
		t.Fatalf("parsed %+v", parsed)
	}
	if got := MethodName(uint32(parsed.Argument)); got != "messages.sendReaction" {
		t.Fatalf("method name %q", got)
	}
	if got := MethodName(sendInvitesTypeID); got != "auth.sendInvites" {
		t.Fatalf("method name %q", got)
	}
	if got := MethodName(0xdeadbeef); got != "0xdeadbeef" {
		t.Fatalf("method name %q", got)
	}

	s := newTestServer(t, Options{})
	_, err2 := newConn(s).api().MessagesSendReaction(context.Background(), &tg.MessagesSendReactionRequest{
		Peer: &tg.InputPeerSelf{}, MsgID: 1,
	})
	wantErr(t, err2, 400, ErrUnsupported)
}

type brokenRequest struct{}

func (brokenRequest) Encode(b *bin.Buffer) error {
	b.PutID(tg.MessagesSendMessageRequestTypeID)
	b.PutInt(1 << 30) // flags announcing fields that are not there
	return nil
}

func TestMalformedAndPanics(t *testing.T) {
	s := newTestServer(t, Options{})
	c := newConn(s)
	loginConn(t, c, "+15550000")
	wantErr(t, c.invoke(brokenRequest{}, nil), 400, "INPUT_FETCH_ERROR")

	// A handler panicking with the state locked.
	const id = 0x0badf00d
	handlers()[id] = handle(func(*Server, *call, *tg.UpdatesGetStateRequest) (bin.Encoder, error) { panic("boom") })
	defer delete(handlers(), id)
	var b bin.Buffer
	if err := (&tg.UpdatesGetStateRequest{}).Encode(&b); err != nil {
		t.Fatal(err)
	}
	_, err := s.dispatch(&call{key: c.key, id: id, method: "test.panic", buf: &b})
	wantErr(t, err, 500, "INTERNAL")
	// The state lock was released.
	if _, err := c.api().UpdatesGetState(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestSkipInvokeAfter(t *testing.T) {
	var b bin.Buffer
	req := &tg.InvokeAfterMsgsRequest{MsgIDs: []int64{1, 2}, Query: &tg.UpdatesGetStateRequest{}}
	if err := req.Encode(&b); err != nil {
		t.Fatal(err)
	}
	if err := skipInvokeAfter(&b, tg.InvokeAfterMsgsRequestTypeID); err != nil {
		t.Fatal(err)
	}
	if id, _ := b.PeekID(); id != tg.UpdatesGetStateRequestTypeID {
		t.Fatalf("inner id %#x", id)
	}
}
