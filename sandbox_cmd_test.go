package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gotd/td/session"
	"github.com/gotd/td/telegram"
	"github.com/gotd/td/telegram/auth"
	"github.com/gotd/td/telegram/dcs"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/transport"
)

// TestInteropPlainGotdClient proves `tglua sandbox serve` is a real MTProto
// server: a plain gotd client, using none of tglua's client code, logs in
// and sends a message.
func TestInteropPlainGotdClient(t *testing.T) {
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "key.pem")
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + port

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	serveCtx, stopServe := context.WithCancel(ctx)
	var out, errOut bytes.Buffer
	served := make(chan int, 1)
	go func() {
		served <- sandboxCommand(serveCtx, []string{"serve", "--listen", addr, "--key-out", keyPath}, stdio{out: &out, err: &errOut})
	}()
	defer func() {
		stopServe()
		if code := <-served; code != exitOK {
			t.Errorf("sandbox serve exited %d: %s", code, errOut.String())
		}
	}()
	var keyPEM []byte
	for keyPEM == nil {
		if data, err := os.ReadFile(keyPath); err == nil && len(data) > 0 {
			keyPEM = data
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("the key file never appeared")
		case <-time.After(20 * time.Millisecond):
		}
	}

	// From here on: gotd only.
	block, _ := pem.Decode(keyPEM)
	key, err := x509.ParsePKCS1PublicKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	host, p, _ := net.SplitHostPort(addr)
	portN, _ := strconv.Atoi(p)
	client := telegram.NewClient(1, "interop", telegram.Options{
		PublicKeys:     []telegram.PublicKey{{RSA: key}},
		DC:             2,
		DCList:         dcs.List{Options: []tg.DCOption{{ID: 2, IPAddress: host, Port: portN}}},
		Resolver:       dcs.Plain(dcs.PlainOptions{Protocol: transport.Intermediate}),
		SessionStorage: &session.StorageMemory{},
		NoUpdates:      true,
	})
	err = client.Run(ctx, func(ctx context.Context) error {
		sent, err := client.Auth().SendCode(ctx, "+15550001", auth.SendCodeOptions{})
		if err != nil {
			return err
		}
		code := sent.(*tg.AuthSentCode)
		if _, err := client.Auth().SignIn(ctx, "+15550001", "12345", code.PhoneCodeHash); err != nil {
			return err
		}
		resolved, err := client.API().ContactsResolveUsername(ctx, &tg.ContactsResolveUsernameRequest{Username: "bob"})
		if err != nil {
			return err
		}
		bob := resolved.Users[0].(*tg.User)
		res, err := client.API().MessagesSendMessage(ctx, &tg.MessagesSendMessageRequest{
			Peer:     &tg.InputPeerUser{UserID: bob.ID, AccessHash: bob.AccessHash},
			Message:  "hello from a plain gotd client",
			RandomID: 42,
		})
		if err != nil {
			return err
		}
		if _, ok := res.(*tg.UpdateShortSentMessage); !ok {
			t.Errorf("sendMessage answered %T", res)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// prefetch runs the key exchange once at start and hands its key to the
// first caller only; a failed early exchange, and every later caller, run
// it afresh.
func TestPrefetchKey(t *testing.T) {
	exchange := func(failFirst bool) (func(context.Context) (*session.Data, error), *atomic.Int32) {
		var calls atomic.Int32
		return func(context.Context) (*session.Data, error) {
			n := calls.Add(1)
			if failFirst && n == 1 {
				return nil, errors.New("exchange failed")
			}
			return &session.Data{DC: int(n)}, nil
		}, &calls
	}
	newKey, _ := exchange(false)
	get := prefetch(context.Background(), newKey)
	if d, err := get(context.Background()); err != nil || d.DC != 1 {
		t.Fatalf("first: %+v, %v; want the early key", d, err)
	}
	if d, err := get(context.Background()); err != nil || d.DC != 2 {
		t.Fatalf("second: %+v, %v; want a new exchange", d, err)
	}

	newKey, calls := exchange(true)
	get = prefetch(context.Background(), newKey)
	if d, err := get(context.Background()); err != nil || d.DC != 2 || calls.Load() != 2 {
		t.Fatalf("after a failed early exchange: %+v, %v (%d exchanges); want a second one", d, err, calls.Load())
	}
}
