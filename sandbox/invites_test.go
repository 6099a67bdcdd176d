package sandbox

import (
	"testing"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/tg"
)

// sendInvitesRequest hand-encodes the legacy auth.sendInvites.
type sendInvitesRequest struct {
	numbers []string
	message string
}

func (r sendInvitesRequest) Encode(b *bin.Buffer) error {
	b.PutID(sendInvitesTypeID)
	b.PutVectorHeader(len(r.numbers))
	for _, n := range r.numbers {
		b.PutString(n)
	}
	b.PutString(r.message)
	return nil
}

func TestSendInvitesUnit(t *testing.T) {
	s := newTestServer(t, Options{})
	c := newConn(s)
	var ok tg.BoolBox
	wantErr(t, c.invoke(sendInvitesRequest{[]string{"+15551234567"}, "join"}, &ok), 401, "AUTH_KEY_UNREGISTERED")
	loginConn(t, c, "+15550001")

	wantErr(t, c.invoke(sendInvitesRequest{[]string{"+15551234567"}, ""}, &ok), 400, "MESSAGE_EMPTY")
	for _, bad := range []string{"15551234567", "+123456", "+1234567890123456", "+1555x234567", ""} {
		wantErr(t, c.invoke(sendInvitesRequest{[]string{"+15551234567", bad}, "join"}, &ok), 400, "PHONE_NUMBER_INVALID")
	}
	wantErr(t, c.invoke(sendInvitesRequest{nil, "join"}, &ok), 400, "PHONE_NUMBER_INVALID")

	var b bin.Buffer
	b.PutID(sendInvitesTypeID)
	b.PutVectorHeader(1000)
	wantErr(t, c.invoke(rawObject(b.Buf), &ok), 400, "INPUT_FETCH_ERROR")

	if err := c.invoke(sendInvitesRequest{[]string{"+1234567", "+123456789012345"}, "join me"}, &ok); err != nil {
		t.Fatal(err)
	}
	if _, isTrue := ok.Bool.(*tg.BoolTrue); !isTrue {
		t.Fatalf("got %T", ok.Bool)
	}
	inv := s.Invites()
	if len(inv) != 1 || inv[0].From != AliceID || inv[0].Message != "join me" || len(inv[0].Numbers) != 2 || inv[0].Numbers[1] != "+123456789012345" {
		t.Fatalf("invites %+v", inv)
	}
}
