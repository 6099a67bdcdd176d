package session

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotd/td/telegram/peers"
)

func b64(key []byte) string { return base64.StdEncoding.EncodeToString(key) }

// forms are the ways the key could leak: hex, base64 and the raw bytes,
// in full and as a 16-byte chunk from the middle.
func forms(key []byte) []string {
	chunk := key[100:116]
	return []string{
		hex.EncodeToString(key), strings.ToUpper(hex.EncodeToString(key)),
		hex.EncodeToString(chunk),
		b64(key), b64(chunk)[:20],
		base64.RawURLEncoding.EncodeToString(key),
		string(key), string(chunk),
		fmt.Sprint(key), fmt.Sprint(chunk)[1:40],
	}
}

func TestSecretsNeverFormatted(t *testing.T) {
	key := testKey()
	dir := t.TempDir()
	path := filepath.Join(dir, "x.session")
	f := openT(t, path, Options{FlushDelay: -1})
	if err := f.StoreSession(ctx, gotdData(t, 2, key)); err != nil {
		t.Fatal(err)
	}
	// Sanity: the key is in the file (base64, as gotd marshals []byte).
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), b64(key)) {
		t.Fatal("test setup: key not found in the file")
	}

	var texts []string
	add := func(v any) {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T"} {
			texts = append(texts, fmt.Sprintf(verb, v))
		}
	}
	add(f)
	add([]*File{f})
	add(struct{ F *File }{f})
	add(f.doc)
	add(*f.doc)
	add(f.doc.Session)
	texts = append(texts, f.String(), f.GoString())

	// Errors: another Open of the locked file.
	_, err = Open(path, Options{})
	if err == nil {
		t.Fatal("second Open succeeded")
	}
	add(err)

	// Errors: damaged copies of the file.
	for _, n := range []int{len(raw) / 3, len(raw) / 2, len(raw) - 2} {
		p := filepath.Join(dir, fmt.Sprintf("damaged%d.session", n))
		if err := os.WriteFile(p, raw[:n], 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Open(p, Options{})
		if err == nil {
			t.Fatalf("Open of truncated copy (%d bytes) succeeded", n)
		}
		add(err)
	}
	p := filepath.Join(dir, "typed.session")
	if err := os.WriteFile(p, []byte(strings.Replace(string(raw), `"dc": 2`, `"dc": "`+b64(key)+`"`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(p, Options{}); err == nil {
		t.Fatal("Open of a file with a bad dc succeeded")
	} else {
		add(err)
	}

	// Errors: a failing write.
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	add(f.Save(ctx, peers.Key{Prefix: "users_", ID: 1}, peers.Value{AccessHash: 2}))
	add(f.SetSelf(1, false))
	add(f.StoreSession(ctx, gotdData(t, 3, key)))
	add(f.StoreSession(ctx, append([]byte("garbage "), key...)))
	add(f.Close())
	add(f.Flush())
	_, err = f.LoadSession(ctx)
	add(err)

	if len(texts) < 100 {
		t.Fatalf("only %d texts", len(texts))
	}
	for _, text := range texts {
		for _, form := range forms(key) {
			if strings.Contains(text, form) {
				t.Errorf("secret leaked in %q", text)
			}
		}
	}
}
