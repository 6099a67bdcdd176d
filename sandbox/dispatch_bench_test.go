package sandbox

import (
	"context"
	"testing"

	"github.com/gotd/td/tg"
)

// BenchmarkDispatchSend measures serving messages.sendMessage without the
// network and MTProto layers: decode, state update, encode.
func BenchmarkDispatchSend(b *testing.B) {
	s := newTestServer(b, Options{})
	c := newConn(s)
	loginConn(b, c, "+15550000")
	bob, err := resolve(context.Background(), c.api(), "bob")
	if err != nil {
		b.Fatal(err)
	}
	req := &tg.MessagesSendMessageRequest{Peer: inputPeer(bob), Message: "benchmark"}
	var res tg.UpdatesBox
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req.RandomID = int64(i + 1)
		if err := c.invoke(req, &res); err != nil {
			b.Fatal(err)
		}
	}
}
