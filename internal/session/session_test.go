package session

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	gotdsession "github.com/gotd/td/session"
	"github.com/gotd/td/telegram/peers"
	"github.com/gotd/td/telegram/updates"
)

var ctx = context.Background()

func TestOpenCreatesFile(t *testing.T) {
	path := sessionPath(t)
	f := openT(t, path, Options{})

	if f.Path() != path {
		t.Errorf("Path() = %q, want %q", f.Path(), path)
	}
	if m := mode(t, path); m != 0o600 {
		t.Errorf("session mode = %v, want 0600", m)
	}
	if m := mode(t, path+".lock"); m != 0o600 {
		t.Errorf("lock mode = %v, want 0600", m)
	}
	lock, err := os.ReadFile(path + ".lock")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.TrimSpace(string(lock)), strconv.Itoa(os.Getpid()); got != want {
		t.Errorf("lock file holds %q, want pid %s", got, want)
	}

	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(raw, []byte("{\n  \"format\": \"tglua-session\",\n  \"version\": 1")) {
		t.Errorf("new file does not start with the format marker:\n%s", raw)
	}

	if _, err := f.LoadSession(ctx); !errors.Is(err, gotdsession.ErrNotFound) {
		t.Errorf("LoadSession on a new file: %v, want session.ErrNotFound", err)
	}
	if _, _, ok := f.PendingLogin(); ok {
		t.Error("new file has a pending login")
	}
	if _, _, ok := f.Self(); ok {
		t.Error("new file has a self user")
	}
	if dc, server := f.DC(); dc != 0 || server != "" {
		t.Errorf("DC() = %d, %q on a new file", dc, server)
	}
}

func TestOpenMissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope", "x.session")
	_, err := Open(path, Options{})
	var fe *FileError
	if !errors.As(err, &fe) || fe.Path != path || !strings.HasPrefix(err.Error(), "session "+path+": ") {
		t.Fatalf("Open in a missing directory: %v, want a *FileError naming the file", err)
	}
}

func TestZeroLengthFileIsNew(t *testing.T) {
	path := sessionPath(t)
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	f := openT(t, path, Options{})
	if _, err := f.LoadSession(ctx); !errors.Is(err, gotdsession.ErrNotFound) {
		t.Fatalf("LoadSession: %v", err)
	}
	if d := onDisk(t, path); d.Format != formatName || d.Version != formatVersion {
		t.Fatalf("zero-length file not initialised: %+v", d)
	}
}

func TestSessionRoundTrip(t *testing.T) {
	path := sessionPath(t)
	f := openT(t, path, Options{FlushDelay: time.Hour})

	// Through gotd's own Loader, as the client uses it.
	want := &gotdsession.Data{
		DC:        4,
		Addr:      "149.154.167.91:443",
		AuthKey:   testKey(),
		AuthKeyID: testKey()[:8],
		Salt:      math.MinInt64 + 1,
	}
	loader := gotdsession.Loader{Storage: f}
	if err := loader.Save(ctx, want); err != nil {
		t.Fatal(err)
	}
	stored, err := f.LoadSession(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Written synchronously: on disk without Flush despite the long delay.
	if d := onDisk(t, path); !bytes.Equal(d.Session, stored) {
		t.Fatalf("session data not on disk after StoreSession")
	}
	if dc, _ := f.DC(); dc != 4 {
		t.Errorf("DC() = %d after storing DC 4 session data", dc)
	}
	mustClose(t, f)

	f = openT(t, path, Options{})
	again, err := f.LoadSession(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, stored) {
		t.Errorf("session data changed across Close/Open:\n%s\n%s", stored, again)
	}
	got, err := (&gotdsession.Loader{Storage: f}).Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.DC != want.DC || got.Addr != want.Addr || got.Salt != want.Salt ||
		!bytes.Equal(got.AuthKey, want.AuthKey) || !bytes.Equal(got.AuthKeyID, want.AuthKeyID) {
		t.Errorf("loaded %+v, want %+v", got, want)
	}
	if dc, _ := f.DC(); dc != 4 {
		t.Errorf("DC() = %d after reopen", dc)
	}

	// LoadSession returns a copy.
	again[0] = 'X'
	if third, _ := f.LoadSession(ctx); third[0] == 'X' {
		t.Error("LoadSession returned the internal buffer")
	}
}

func TestStoreSessionRejectsNonJSON(t *testing.T) {
	f := openT(t, sessionPath(t), Options{})
	if err := f.StoreSession(ctx, []byte("\x00\x01 not json")); err == nil {
		t.Fatal("StoreSession accepted non-JSON data")
	}
	if _, err := f.LoadSession(ctx); !errors.Is(err, gotdsession.ErrNotFound) {
		t.Fatalf("LoadSession after rejected store: %v", err)
	}
}

func TestLoginRoundTrip(t *testing.T) {
	path := sessionPath(t)
	f := openT(t, path, Options{FlushDelay: time.Hour})

	if err := f.SetPendingLogin("+15551234567", "abc123hash"); err != nil {
		t.Fatal(err)
	}
	if phone, hash, ok := f.PendingLogin(); !ok || phone != "+15551234567" || hash != "abc123hash" {
		t.Fatalf("PendingLogin() = %q, %q, %v", phone, hash, ok)
	}
	// Synchronous: on disk without Flush.
	if p := onDisk(t, path).Login.Pending; p == nil || p.Phone != "+15551234567" || p.CodeHash != "abc123hash" {
		t.Fatalf("pending login on disk = %+v", p)
	}
	if err := f.SetPendingLogin("", "x"); err == nil {
		t.Error("SetPendingLogin accepted an empty phone")
	}

	mustClose(t, f)
	f = openT(t, path, Options{FlushDelay: time.Hour})
	if phone, hash, ok := f.PendingLogin(); !ok || phone != "+15551234567" || hash != "abc123hash" {
		t.Fatalf("after reopen PendingLogin() = %q, %q, %v", phone, hash, ok)
	}

	if err := f.ClearPendingLogin(); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := f.PendingLogin(); ok {
		t.Fatal("pending login after ClearPendingLogin")
	}
	if onDisk(t, path).Login.Pending != nil {
		t.Fatal("pending login still on disk after ClearPendingLogin")
	}

	const selfID = math.MaxInt64 - 1
	if err := f.SetSelf(selfID, true); err != nil {
		t.Fatal(err)
	}
	if s := onDisk(t, path).Login.Self; s == nil || s.ID != selfID || !s.Bot {
		t.Fatalf("self on disk = %+v", s)
	}
	if err := f.SetSelf(0, false); err == nil {
		t.Error("SetSelf accepted id 0")
	}
	mustClose(t, f)

	f = openT(t, path, Options{})
	if id, bot, ok := f.Self(); !ok || id != selfID || !bot {
		t.Fatalf("after reopen Self() = %d, %v, %v", id, bot, ok)
	}
}

func TestDCAndReset(t *testing.T) {
	path := sessionPath(t)
	f := openT(t, path, Options{FlushDelay: time.Hour})

	if err := f.SetDC(2, "test:149.154.167.40:443"); err != nil {
		t.Fatal(err)
	}
	if d := onDisk(t, path); d.DC != 2 || d.Server != "test:149.154.167.40:443" {
		t.Fatalf("on disk dc=%d server=%q", d.DC, d.Server)
	}
	key := testKey()
	if err := f.StoreSession(ctx, gotdData(t, 2, key)); err != nil {
		t.Fatal(err)
	}
	if err := f.SetPendingLogin("+1555", "h"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetSelf(42, false); err != nil {
		t.Fatal(err)
	}
	if err := f.Save(ctx, peers.Key{Prefix: "users_", ID: 7}, peers.Value{AccessHash: 8}); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveUsername(ctx, "someone", peers.Key{Prefix: "users_", ID: 7}); err != nil {
		t.Fatal(err)
	}
	if err := f.SavePhone(ctx, "1555", peers.Key{Prefix: "users_", ID: 7}); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveContactsHash(ctx, 99); err != nil {
		t.Fatal(err)
	}
	if err := f.SetState(ctx, 42, updates.State{Pts: 1}); err != nil {
		t.Fatal(err)
	}
	if err := f.SetChannelAccessHash(ctx, 42, 1, 2); err != nil {
		t.Fatal(err)
	}
	if err := f.SetUserAccessHash(ctx, 42, 3, 4); err != nil {
		t.Fatal(err)
	}

	if err := f.Reset(); err != nil {
		t.Fatal(err)
	}
	// Reset is synchronous and leaves only the server tag.
	d := onDisk(t, path)
	want := newDocument()
	want.Server = "test:149.154.167.40:443"
	gotJSON, _ := d.encode()
	wantJSON, _ := want.encode()
	if !bytes.Equal(gotJSON, wantJSON) {
		t.Fatalf("after Reset on disk:\n%s\nwant:\n%s", gotJSON, wantJSON)
	}
	raw, _ := os.ReadFile(path)
	if bytes.Contains(raw, []byte(b64(key))) {
		t.Fatal("auth key still in the file after Reset")
	}
	if _, err := f.LoadSession(ctx); !errors.Is(err, gotdsession.ErrNotFound) {
		t.Errorf("LoadSession after Reset: %v", err)
	}
	if _, found, _ := f.Find(ctx, peers.Key{Prefix: "users_", ID: 7}); found {
		t.Error("peer survived Reset")
	}
	if _, found, _ := f.GetState(ctx, 42); found {
		t.Error("update state survived Reset")
	}
	if dc, server := f.DC(); dc != 0 || server != "test:149.154.167.40:443" {
		t.Errorf("DC() after Reset = %d, %q", dc, server)
	}
}

func TestPeersRoundTrip(t *testing.T) {
	path := sessionPath(t)
	f := openT(t, path, Options{})

	entries := map[peers.Key]peers.Value{
		{Prefix: "users_", ID: 1}:                    {AccessHash: math.MaxInt64},
		{Prefix: "users_", ID: math.MaxInt64}:        {AccessHash: math.MinInt64},
		{Prefix: "users_", ID: 1<<53 + 1}:            {AccessHash: 1<<53 + 1}, // not exact as float64
		{Prefix: "chats_", ID: 12345}:                {AccessHash: 0},         // chats have no hash
		{Prefix: "channel_", ID: 1000000000001}:      {AccessHash: -9007199254740993},
		{Prefix: "odd_prefix_9", ID: -5}:             {AccessHash: 6},
		{Prefix: "", ID: 0}:                          {AccessHash: 1},
		{Prefix: "channel_", ID: 2}:                  {AccessHash: 3},
		{Prefix: "users_", ID: 8070450532247928832}:  {AccessHash: -8070450532247928833},
		{Prefix: "chats_", ID: -8070450532247928832}: {AccessHash: 8070450532247928831},
	}
	for k, v := range entries {
		if err := f.Save(ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	durov := peers.Key{Prefix: "users_", ID: 1<<53 + 1}
	if err := f.SavePhone(ctx, "15551234567", durov); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveUsername(ctx, "@Durov", durov); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveUsername(ctx, "nohash", peers.Key{Prefix: "users_", ID: 555}); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveUsername(ctx, "@", durov); err == nil {
		t.Error("SaveUsername accepted an empty username")
	}
	if err := f.SaveContactsHash(ctx, math.MinInt64); err != nil {
		t.Fatal(err)
	}

	check := func(t *testing.T, f *File) {
		t.Helper()
		for k, want := range entries {
			got, found, err := f.Find(ctx, k)
			if err != nil || !found || got != want {
				t.Errorf("Find(%+v) = %+v, %v, %v; want %+v", k, got, found, err, want)
			}
		}
		if _, found, err := f.Find(ctx, peers.Key{Prefix: "users_", ID: 2}); found || err != nil {
			t.Errorf("Find(unknown) = %v, %v", found, err)
		}
		if k, v, found, err := f.FindPhone(ctx, "15551234567"); err != nil || !found || k != durov || v != entries[durov] {
			t.Errorf("FindPhone = %+v, %+v, %v, %v", k, v, found, err)
		}
		if _, _, found, _ := f.FindPhone(ctx, "000"); found {
			t.Error("FindPhone(unknown) found")
		}
		for _, name := range []string{"durov", "DUROV", "@durov", "DuRoV"} {
			if k, v, found, err := f.FindUsername(ctx, name); err != nil || !found || k != durov || v != entries[durov] {
				t.Errorf("FindUsername(%q) = %+v, %+v, %v, %v", name, k, v, found, err)
			}
		}
		if _, _, found, _ := f.FindUsername(ctx, "nobody"); found {
			t.Error("FindUsername(unknown) found")
		}
		if _, _, found, _ := f.FindUsername(ctx, "nohash"); found {
			t.Error("FindUsername found a peer without access hash")
		}
		if h, err := f.GetContactsHash(ctx); err != nil || h != math.MinInt64 {
			t.Errorf("GetContactsHash = %d, %v", h, err)
		}
	}
	check(t, f)
	mustClose(t, f)
	check(t, openT(t, path, Options{}))

	// The numbers are JSON integers, not floats.
	raw, _ := os.ReadFile(path)
	for _, s := range []string{"9007199254740993", "-9007199254740993", "9223372036854775807", "-9223372036854775808"} {
		if !bytes.Contains(raw, []byte(s)) {
			t.Errorf("file lacks the exact number %s", s)
		}
	}
	if bytes.Contains(raw, []byte("e+")) {
		t.Error("file contains a float exponent")
	}
}

func TestUpdatesRoundTrip(t *testing.T) {
	path := sessionPath(t)
	f := openT(t, path, Options{})
	const me, other = int64(100), int64(200)

	// Setters need an existing state, like gotd's in-memory storage.
	for name, err := range map[string]error{
		"SetPts":        f.SetPts(ctx, me, 1),
		"SetQts":        f.SetQts(ctx, me, 1),
		"SetDate":       f.SetDate(ctx, me, 1),
		"SetSeq":        f.SetSeq(ctx, me, 1),
		"SetDateSeq":    f.SetDateSeq(ctx, me, 1, 1),
		"SetChannelPts": f.SetChannelPts(ctx, me, 5, 1),
		"ForEachChannels": f.ForEachChannels(ctx, me, func(context.Context, int64, int) error {
			return nil
		}),
	} {
		if err == nil {
			t.Errorf("%s without state succeeded", name)
		}
	}
	if _, found, err := f.GetState(ctx, me); found || err != nil {
		t.Fatalf("GetState without state = %v, %v", found, err)
	}

	if err := f.SetState(ctx, me, updates.State{Pts: 1, Qts: 2, Date: 3, Seq: 4}); err != nil {
		t.Fatal(err)
	}
	if err := f.SetChannelPts(ctx, me, 77, 1); err != nil {
		t.Fatal(err)
	}
	// SetState forgets channel pts.
	if err := f.SetState(ctx, me, updates.State{Pts: 1, Qts: 2, Date: 3, Seq: 4}); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := f.GetChannelPts(ctx, me, 77); found {
		t.Error("channel pts survived SetState")
	}

	steps := []error{
		f.SetPts(ctx, me, 10),
		f.SetQts(ctx, me, 20),
		f.SetDate(ctx, me, 1700000000),
		f.SetSeq(ctx, me, 40),
		f.SetDateSeq(ctx, me, 1700000001, 41),
		f.SetChannelPts(ctx, me, 1000000000001, 500),
		f.SetChannelPts(ctx, me, 1000000000002, 600),
		f.SetChannelAccessHash(ctx, me, 1000000000001, math.MinInt64),
		f.SetChannelAccessHash(ctx, me, 1000000000002, 1<<53+1),
		f.SetUserAccessHash(ctx, me, 300, math.MaxInt64),
		f.SetState(ctx, other, updates.State{Pts: 9}),
		f.SetUserAccessHash(ctx, other, 300, 1),
	}
	for i, err := range steps {
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}

	check := func(t *testing.T, f *File) {
		t.Helper()
		want := updates.State{Pts: 10, Qts: 20, Date: 1700000001, Seq: 41}
		if st, found, err := f.GetState(ctx, me); err != nil || !found || st != want {
			t.Errorf("GetState = %+v, %v, %v; want %+v", st, found, err, want)
		}
		if st, found, _ := f.GetState(ctx, other); !found || st.Pts != 9 {
			t.Errorf("GetState(other) = %+v, %v", st, found)
		}
		if pts, found, err := f.GetChannelPts(ctx, me, 1000000000001); err != nil || !found || pts != 500 {
			t.Errorf("GetChannelPts = %d, %v, %v", pts, found, err)
		}
		if _, found, _ := f.GetChannelPts(ctx, other, 1000000000001); found {
			t.Error("channel pts leaked to another user")
		}
		// The callback may call back into the storage (gotd's manager does).
		got := map[int64][2]int64{}
		err := f.ForEachChannels(ctx, me, func(ctx context.Context, id int64, pts int) error {
			hash, found, err := f.GetChannelAccessHash(ctx, me, id)
			if err != nil || !found {
				t.Errorf("GetChannelAccessHash(%d) = %v, %v", id, found, err)
			}
			got[id] = [2]int64{int64(pts), hash}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		wantCh := map[int64][2]int64{
			1000000000001: {500, math.MinInt64},
			1000000000002: {600, 1<<53 + 1},
		}
		if len(got) != len(wantCh) || got[1000000000001] != wantCh[1000000000001] || got[1000000000002] != wantCh[1000000000002] {
			t.Errorf("ForEachChannels = %v, want %v", got, wantCh)
		}
		stop := errors.New("stop")
		if err := f.ForEachChannels(ctx, me, func(context.Context, int64, int) error { return stop }); !errors.Is(err, stop) {
			t.Errorf("ForEachChannels did not return the callback error: %v", err)
		}
		if h, found, _ := f.GetUserAccessHash(ctx, me, 300); !found || h != math.MaxInt64 {
			t.Errorf("GetUserAccessHash = %d, %v", h, found)
		}
		if h, found, _ := f.GetUserAccessHash(ctx, other, 300); !found || h != 1 {
			t.Errorf("GetUserAccessHash(other) = %d, %v", h, found)
		}
		if _, found, _ := f.GetUserAccessHash(ctx, me, 301); found {
			t.Error("GetUserAccessHash(unknown) found")
		}
		if _, found, _ := f.GetChannelAccessHash(ctx, other, 1000000000001); found {
			t.Error("GetChannelAccessHash(other user) found")
		}
	}
	check(t, f)
	mustClose(t, f)
	check(t, openT(t, path, Options{}))
}

func TestFlushDelayBatching(t *testing.T) {
	path := sessionPath(t)
	f, clock := openFake(t, path, Options{FlushDelay: 3 * time.Second})
	key := peers.Key{Prefix: "users_", ID: 1}

	// A batched change is not written at once; one timer is armed with the
	// configured delay.
	if err := f.Save(ctx, key, peers.Value{AccessHash: 11}); err != nil {
		t.Fatal(err)
	}
	if err := f.SavePhone(ctx, "1", key); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveContactsHash(ctx, 5); err != nil {
		t.Fatal(err)
	}
	if onDisk(t, path).Peers.AccessHashes != nil {
		t.Fatal("batched change written before the delay")
	}
	if armed := clock.armed(); len(armed) != 1 || armed[0] != 3*time.Second {
		t.Fatalf("armed timers = %v, want one of 3s", armed)
	}
	// The timer writes it.
	clock.fire()
	d := onDisk(t, path)
	if d.Peers.AccessHashes["users_"][1] != 11 || d.Peers.Phones["1"].ID != 1 || d.Peers.ContactsHash != 5 {
		t.Fatalf("timer did not write the batch: %+v", d.Peers)
	}

	// Saving an unchanged value schedules nothing.
	if err := f.Save(ctx, key, peers.Value{AccessHash: 11}); err != nil {
		t.Fatal(err)
	}
	if armed := clock.armed(); len(armed) != 0 {
		t.Fatalf("unchanged Save armed %v", armed)
	}

	// Flush writes a pending change and disarms the timer.
	if err := f.SetState(ctx, 1, updates.State{Pts: 5}); err != nil {
		t.Fatal(err)
	}
	if onDisk(t, path).Updates.States != nil {
		t.Fatal("update state written before the delay")
	}
	if err := f.Flush(); err != nil {
		t.Fatal(err)
	}
	if st := onDisk(t, path).Updates.States[1]; st == nil || st.Pts != 5 {
		t.Fatalf("Flush did not write the update state: %+v", st)
	}
	if armed := clock.armed(); len(armed) != 0 {
		t.Fatalf("timer still armed after Flush: %v", armed)
	}

	// A synchronous write carries pending batched changes along.
	if err := f.SetPts(ctx, 1, 6); err != nil {
		t.Fatal(err)
	}
	if err := f.SetSelf(1, false); err != nil {
		t.Fatal(err)
	}
	if st := onDisk(t, path).Updates.States[1]; st.Pts != 6 {
		t.Fatalf("pending pts not written with SetSelf: %+v", st)
	}

	// Close writes pending changes.
	if err := f.SetPts(ctx, 1, 7); err != nil {
		t.Fatal(err)
	}
	mustClose(t, f)
	if st := onDisk(t, path).Updates.States[1]; st.Pts != 7 {
		t.Fatalf("Close did not write pending pts: %+v", st)
	}
	// A timer that fires after Close writes nothing and does not panic.
	clock.fire()
}

func TestWriteThrough(t *testing.T) {
	path := sessionPath(t)
	f, clock := openFake(t, path, Options{FlushDelay: -1})
	if err := f.Save(ctx, peers.Key{Prefix: "users_", ID: 1}, peers.Value{AccessHash: 2}); err != nil {
		t.Fatal(err)
	}
	if onDisk(t, path).Peers.AccessHashes["users_"][1] != 2 {
		t.Fatal("write-through Save not on disk")
	}
	if err := f.SetState(ctx, 1, updates.State{Seq: 3}); err != nil {
		t.Fatal(err)
	}
	if st := onDisk(t, path).Updates.States[1]; st == nil || st.Seq != 3 {
		t.Fatal("write-through SetState not on disk")
	}
	if len(clock.timers) != 0 {
		t.Fatal("write-through armed a timer")
	}
}

func TestDefaultDelayWritesEventually(t *testing.T) {
	// Real timers: the change reaches the disk without Flush. No duration
	// is asserted; the deadline only bounds a broken implementation.
	path := sessionPath(t)
	f := openT(t, path, Options{})
	if err := f.Save(ctx, peers.Key{Prefix: "users_", ID: 1}, peers.Value{AccessHash: 2}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for onDisk(t, path).Peers.AccessHashes["users_"][1] != 2 {
		if time.Now().After(deadline) {
			t.Fatal("delayed write never happened")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestBackgroundWriteError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.session")
	var got []error
	f, clock := openFake(t, path, Options{OnError: func(err error) { got = append(got, err) }})
	if err := f.StoreSession(ctx, gotdData(t, 2, testKey())); err != nil {
		t.Fatal(err)
	}
	// Make writes fail: the directory is gone.
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := f.Save(ctx, peers.Key{Prefix: "users_", ID: 1}, peers.Value{AccessHash: 2}); err != nil {
		t.Fatal(err)
	}
	clock.fire()
	if len(got) != 1 || !strings.HasPrefix(got[0].Error(), "write session: ") {
		t.Fatalf("OnError got %v, want one write error", got)
	}
	// Still pending: Flush retries and reports.
	if err := f.Flush(); err == nil {
		t.Fatal("Flush succeeded with the directory gone")
	}
	// Recreate the directory: Flush succeeds and writes everything.
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := f.Flush(); err != nil {
		t.Fatal(err)
	}
	if d := onDisk(t, path); d.Peers.AccessHashes["users_"][1] != 2 || len(d.Session) == 0 {
		t.Fatal("retried write incomplete")
	}
}

func TestClosed(t *testing.T) {
	f := openT(t, sessionPath(t), Options{})
	mustClose(t, f)
	if err := f.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	k := peers.Key{Prefix: "users_", ID: 1}
	errs := map[string]error{
		"Flush":        f.Flush(),
		"StoreSession": f.StoreSession(ctx, []byte(`{}`)),
		"SetSelf":      f.SetSelf(1, false),
		"Reset":        f.Reset(),
		"Save":         f.Save(ctx, k, peers.Value{}),
		"SetState":     f.SetState(ctx, 1, updates.State{}),
	}
	_, errs["LoadSession"] = f.LoadSession(ctx)
	_, _, errs["Find"] = f.Find(ctx, k)
	_, _, errs["GetState"] = f.GetState(ctx, 1)
	for name, err := range errs {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close: %v, want ErrClosed", name, err)
		}
	}
}

func TestModeTightened(t *testing.T) {
	path := sessionPath(t)
	f := openT(t, path, Options{})
	mustClose(t, f)
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path+".lock", 0o666); err != nil {
		t.Fatal(err)
	}
	f = openT(t, path, Options{})
	if m := mode(t, path); m != 0o600 {
		t.Errorf("session mode after Open = %v, want 0600", m)
	}
	if m := mode(t, path+".lock"); m != 0o600 {
		t.Errorf("lock mode after Open = %v, want 0600", m)
	}
	// Every write creates the file anew with 0600.
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := f.SetSelf(1, false); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, path); m != 0o600 {
		t.Errorf("session mode after a write = %v, want 0600", m)
	}
}

func TestSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real.session")
	link := filepath.Join(dir, "link.session")
	if err := os.Symlink(target, link); err == nil {
		// A dangling link is refused rather than replaced.
		if _, err := Open(link, Options{}); err == nil || !strings.Contains(err.Error(), "dangling") {
			t.Fatalf("Open(dangling link) = %v", err)
		}
	} else {
		t.Skip("no symlinks:", err)
	}
	f := openT(t, target, Options{})
	mustClose(t, f)

	f = openT(t, link, Options{})
	if err := f.SetSelf(5, false); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("write replaced the symlink: %v", err)
	}
	if s := onDisk(t, target).Login.Self; s == nil || s.ID != 5 {
		t.Fatal("write did not reach the link target")
	}
	// Both names share one lock.
	var locked *LockedError
	if _, err := Open(target, Options{}); !errors.As(err, &locked) {
		t.Fatalf("Open(target) while the link is open: %v", err)
	}
}
