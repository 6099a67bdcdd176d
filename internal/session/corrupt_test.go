package session

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	gotdsession "github.com/gotd/td/session"
)

func TestCorruptAndForeignFiles(t *testing.T) {
	// A real session file to damage.
	good := func(t *testing.T) []byte {
		path := sessionPath(t)
		f := openT(t, path, Options{})
		if err := f.StoreSession(ctx, gotdData(t, 2, testKey())); err != nil {
			t.Fatal(err)
		}
		mustClose(t, f)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}(t)

	gotdFile := func(t *testing.T) []byte {
		path := sessionPath(t)
		s := &gotdsession.FileStorage{Path: path}
		if err := s.StoreSession(context.Background(), gotdData(t, 2, testKey())); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}(t)

	random := make([]byte, 4096)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(r.Uint32())
	}
	random[0] = 0x8f // not '{'

	tests := []struct {
		name     string
		data     []byte
		sentinel error
		text     string
	}{
		{"truncated", good[:len(good)/2], ErrCorrupted, "corrupted: unexpected end of JSON input"},
		{"truncated after marker", []byte(`{"format":"tglua-session","version":1,`), ErrCorrupted, "corrupted: unexpected end of JSON input"},
		{"bad JSON", []byte(`{"format":"tglua-session","version":1,,}`), ErrCorrupted, "corrupted: invalid character ','"},
		{"wrong field type", []byte(`{"format":"tglua-session","version":1,"dc":"two"}`), ErrCorrupted, "corrupted: json: cannot unmarshal string"},
		{"missing version", []byte(`{"format":"tglua-session"}`), ErrCorrupted, "corrupted: missing or invalid version"},
		{"future version", []byte(`{"format":"tglua-session","version":2,"new":true}`), ErrUnsupportedVersion, "unsupported version 2 (this tglua reads version 1; upgrade tglua)"},
		{"random bytes", random, ErrForeign, "not a tglua session file"},
		{"text", []byte("hello, world\n"), ErrForeign, "not a tglua session file"},
		{"other JSON object", []byte(`{"name":"x","version":1}`), ErrForeign, "not a tglua session file"},
		{"other format", []byte(`{"format":"something-else","version":1}`), ErrForeign, "not a tglua session file"},
		{"JSON array", []byte(`[1,2,3]`), ErrForeign, "not a tglua session file"},
		{"JSON null", []byte(`null`), ErrForeign, "not a tglua session file"},
		{"whitespace", []byte("\n\n"), ErrForeign, "not a tglua session file"},
		{"gotd FileStorage", gotdFile, ErrForeign, "not a tglua session file (it looks like a gotd session file)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := sessionPath(t)
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			for range 2 { // the failed Open leaves no lock behind
				f, err := Open(path, Options{})
				if err == nil {
					_ = f.Close()
					t.Fatal("Open succeeded")
				}
				if !errors.Is(err, tt.sentinel) {
					t.Errorf("error %q is not %v", err, tt.sentinel)
				}
				var fe *FileError
				if !errors.As(err, &fe) || fe.Path != path {
					t.Errorf("error %q is not a *FileError for the file", err)
				}
				if want := "session " + path + ": " + tt.text; !strings.HasPrefix(err.Error(), want) {
					t.Errorf("error = %q\nwant prefix %q", err, want)
				}
			}
			// Never modified.
			after, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(after, tt.data) {
				t.Error("file modified")
			}
			if m := mode(t, path); m != 0o644 {
				t.Errorf("mode changed to %v", m)
			}
		})
	}
}

func TestFormatMarkerFirst(t *testing.T) {
	d := newDocument()
	d.DC = 2
	d.Session = sessionData(`{"Version":1}`)
	buf, err := d.encode()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf, []byte("{\n  \"format\": \"tglua-session\",\n  \"version\": 1,\n")) {
		t.Fatalf("encoding does not start with the marker:\n%s", buf)
	}
	back, err := decodeDocument(buf)
	if err != nil {
		t.Fatal(err)
	}
	if back.DC != 2 || string(back.Session) != `{"Version":1}` {
		t.Fatalf("decoded %+v", back)
	}
}
