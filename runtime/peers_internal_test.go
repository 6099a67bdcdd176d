package runtime

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/tg"
)

// peerRecorder answers messages.sendMessage with an empty updates and records
// the peer; any other request is an error.
type peerRecorder struct {
	mu    sync.Mutex
	peers []tg.InputPeerClass
	other []uint32
}

func (r *peerRecorder) Invoke(_ context.Context, in bin.Encoder, out bin.Decoder) error {
	var b bin.Buffer
	if err := in.Encode(&b); err != nil {
		return err
	}
	id, _ := b.PeekID()
	if id != tg.MessagesSendMessageRequestTypeID {
		r.mu.Lock()
		r.other = append(r.other, id)
		r.mu.Unlock()
		return fmt.Errorf("unexpected request #%x", id)
	}
	var req tg.MessagesSendMessageRequest
	if err := req.Decode(&b); err != nil {
		return err
	}
	r.mu.Lock()
	r.peers = append(r.peers, req.Peer)
	r.mu.Unlock()
	b.Reset()
	if err := (&tg.Updates{Date: 1}).Encode(&b); err != nil {
		return err
	}
	return out.Decode(&b)
}

// TestRememberPeers: users and chats that arrive with updates feed the
// cache, usernames included; min entities do not.
func TestRememberPeers(t *testing.T) {
	rec := &peerRecorder{}
	r, err := New(Options{Invoker: rec, Stdout: io.Discard, Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close() }()
	r.rememberPeers(context.Background(),
		[]tg.UserClass{
			&tg.User{ID: 5, AccessHash: 9, Username: "zed"},
			&tg.User{ID: 6, AccessHash: 11, Min: true, Username: "minnie"},
		},
		[]tg.ChatClass{
			&tg.Channel{ID: 7, AccessHash: 13, Usernames: []tg.Username{{Username: "chan", Active: true}}, Photo: &tg.ChatPhotoEmpty{}},
		})
	if _, err := r.DoString(context.Background(), `
		messages.sendMessage{peer='@zed', message='a'}
		messages.sendMessage{peer=5, message='b'}
		messages.sendMessage{peer='@chan', message='c'}
		messages.sendMessage{peer=-1000000000007, message='d'}`); err != nil {
		t.Fatal(err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.other) != 0 {
		t.Fatalf("unexpected requests %x: the cache should have answered", rec.other)
	}
	want := []string{"user 5/9", "user 5/9", "channel 7/13", "channel 7/13"}
	for i, p := range rec.peers {
		var got string
		switch p := p.(type) {
		case *tg.InputPeerUser:
			got = fmt.Sprintf("user %d/%d", p.UserID, p.AccessHash)
		case *tg.InputPeerChannel:
			got = fmt.Sprintf("channel %d/%d", p.ChannelID, p.AccessHash)
		}
		if i >= len(want) || got != want[i] {
			t.Errorf("message %d: peer %#v", i+1, p)
		}
	}
	// The min user was not cached: its id is unknown.
	_, err = r.DoString(context.Background(), `messages.sendMessage{peer=6, message='x'}`)
	if err == nil || !strings.Contains(err.Error(), "peer 6: unknown user") {
		t.Fatalf("min user: err = %v", err)
	}
}
