package session

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotd/td/telegram/peers"
	"github.com/gotd/td/telegram/updates"
)

func TestStaleTempFilesFromCrash(t *testing.T) {
	path := sessionPath(t)
	f := openT(t, path, Options{})
	if err := f.SetSelf(77, false); err != nil {
		t.Fatal(err)
	}
	mustClose(t, f)
	before, _ := os.ReadFile(path)

	// A write that crashed before its rename leaves a temporary file.
	dir := filepath.Dir(path)
	stale := filepath.Join(dir, tempPrefix(path)+"123456")
	if err := os.WriteFile(stale, []byte(`{"format":"tglua-session","vers`), 0o600); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, ".other.session.tmp-1") // another session's: kept
	if err := os.WriteFile(other, nil, 0o600); err != nil {
		t.Fatal(err)
	}

	f = openT(t, path, Options{})
	if id, _, ok := f.Self(); !ok || id != 77 {
		t.Fatal("session not loaded")
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("Open rewrote an unchanged session")
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale temp file not removed: %v", err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("another session's temp file removed: %v", err)
	}
}

func TestWriteFileAtomicFailure(t *testing.T) {
	dir := t.TempDir()
	// Renaming a file over a non-empty directory fails after the
	// temporary file was written.
	target := filepath.Join(dir, "x.session")
	if err := os.MkdirAll(filepath.Join(target, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := writeFileAtomic(target, []byte("new")); err == nil {
		t.Fatal("writeFileAtomic over a directory succeeded")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tempPrefix(target)) {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
	if fi, err := os.Stat(target); err != nil || !fi.IsDir() {
		t.Error("target changed")
	}
}

func TestWriteFileAtomic(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeFileAtomic(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "new" {
		t.Fatalf("content %q", got)
	}
	if m := mode(t, path); m != 0o600 {
		t.Fatalf("mode %v", m)
	}
}

// TestReadersSeeOldOrNew reads the file while it is rewritten: every read
// is a complete document, old or new, never a mix.
func TestReadersSeeOldOrNew(t *testing.T) {
	path := sessionPath(t)
	f := openT(t, path, Options{FlushDelay: -1})
	const writes = 150
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(done)
		for i := 1; i <= writes; i++ {
			// Growing and shrinking content.
			data := fmt.Sprintf(`{"Version":1,"n":%d,"pad":%q}`, i, strings.Repeat("x", (i%7)*1000))
			if err := f.StoreSession(ctx, []byte(data)); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	last := 0
	reads := 0
	for {
		select {
		case <-done:
			wg.Wait()
			if reads == 0 {
				t.Fatal("no reads")
			}
			return
		default:
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		d, err := decodeDocument(data)
		if err != nil {
			t.Fatalf("read %d: torn file: %v", reads, err)
		}
		n := 0
		if len(d.Session) > 0 {
			if _, err := fmt.Sscanf(string(d.Session), `{"Version":1,"n":%d`, &n); err != nil {
				t.Fatalf("session data %q", d.Session[:20])
			}
		}
		if n < last {
			t.Fatalf("went back from write %d to %d", last, n)
		}
		last = n
		reads++
	}
}

// TestConcurrentUse runs every kind of call at once; run with -race.
func TestConcurrentUse(t *testing.T) {
	path := sessionPath(t)
	f := openT(t, path, Options{FlushDelay: 1}) // tiny delay: timers fire during the test
	if err := f.SetState(ctx, 1, updates.State{Pts: 1}); err != nil {
		t.Fatal(err)
	}
	const workers, n = 8, 200
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range n {
				id := int64(w*n + i)
				k := peers.Key{Prefix: "users_", ID: id}
				must := func(err error) {
					if err != nil {
						t.Error(err)
					}
				}
				must(f.Save(ctx, k, peers.Value{AccessHash: -id}))
				must(f.SaveUsername(ctx, fmt.Sprintf("User%d", id), k))
				must(f.SavePhone(ctx, fmt.Sprint(id), k))
				must(f.SetChannelPts(ctx, 1, id, i))
				must(f.SetChannelAccessHash(ctx, 1, id, id))
				must(f.SetUserAccessHash(ctx, 1, id, id))
				must(f.SetPts(ctx, 1, i))
				if v, found, err := f.Find(ctx, k); err != nil || !found || v.AccessHash != -id {
					t.Errorf("Find(%d) = %v, %v, %v", id, v, found, err)
				}
				_, _, _, _ = f.FindUsername(ctx, fmt.Sprintf("user%d", id-1))
				_, _, _ = f.GetState(ctx, 1)
				_ = f.ForEachChannels(ctx, 1, func(ctx context.Context, ch int64, pts int) error {
					_, _, err := f.GetChannelAccessHash(ctx, 1, ch)
					return err
				})
				switch i % 50 {
				case 0:
					must(f.StoreSession(ctx, fmt.Appendf(nil, `{"Version":1,"w":%d}`, w)))
				case 10:
					must(f.Flush())
				case 20:
					must(f.SetSelf(int64(w+1), false))
				case 30:
					_, _ = f.LoadSession(ctx)
					_, _, _ = f.Self()
					_, _ = f.DC()
					_ = f.String()
				}
			}
		})
	}
	wg.Wait()
	mustClose(t, f)

	f = openT(t, path, Options{})
	for id := range int64(workers * n) {
		k := peers.Key{Prefix: "users_", ID: id}
		if v, found, _ := f.Find(ctx, k); !found || v.AccessHash != -id {
			t.Fatalf("peer %d lost: %v %v", id, v, found)
		}
		if got, _, found, _ := f.FindUsername(ctx, fmt.Sprintf("USER%d", id)); !found || got != k {
			t.Fatalf("username %d lost", id)
		}
		if _, found, _ := f.GetChannelPts(ctx, 1, id); !found {
			t.Fatalf("channel pts %d lost", id)
		}
	}
}

func BenchmarkSaveFlush(b *testing.B) {
	f := openT(b, sessionPath(b), Options{FlushDelay: time.Hour}) // flushed explicitly
	// A realistic cache size.
	for i := range int64(2000) {
		_ = f.Save(ctx, peers.Key{Prefix: "users_", ID: i}, peers.Value{AccessHash: i * 7919})
	}
	b.ResetTimer()
	for i := range int64(b.N) {
		if err := f.Save(ctx, peers.Key{Prefix: "channel_", ID: i}, peers.Value{AccessHash: i}); err != nil {
			b.Fatal(err)
		}
		if err := f.Flush(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSaveBatched(b *testing.B) {
	f := openT(b, sessionPath(b), Options{})
	b.ResetTimer()
	for i := range int64(b.N) {
		if err := f.Save(ctx, peers.Key{Prefix: "users_", ID: i}, peers.Value{AccessHash: i}); err != nil {
			b.Fatal(err)
		}
	}
}
