package gateway

import (
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestPanicIsOneRequest: a panic while serving answers 500 to that
// request only; the process and the next request are fine.
func TestPanicIsOneRequest(t *testing.T) {
	var log strings.Builder
	var mu sync.Mutex
	g, err := New(Options{Sessions: t.TempDir(), Log: writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return log.Write(p)
	})})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = g.Close() }()
	a, token, err := g.create()
	if err != nil {
		t.Fatal(err)
	}
	_ = a
	accountEndpoints["test_panic"] = func(*Gateway, *account, http.ResponseWriter, *http.Request) { panic("boom") }
	defer delete(accountEndpoints, "test_panic")

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := g.Server()
	go func() { _ = srv.Serve(ln) }()
	defer func() { _ = srv.Close() }()
	base := "http://" + ln.Addr().String()
	resp, err := http.Get(base + "/user" + token + "/test_panic")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != 500 || !strings.Contains(string(body), `"ok":false`) || !strings.Contains(string(body), "internal error") {
		t.Fatalf("panic answer %d %s", resp.StatusCode, body)
	}
	resp, err = http.Get(base + "/")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("after the panic: %v %v", resp, err)
	}
	_ = resp.Body.Close()
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(log.String(), "panic serving GET /user<token>/test_panic: boom") || strings.Contains(log.String(), token) {
		t.Fatalf("log:\n%s", log.String())
	}
}

// TestSlowClientTimesOut: a client that never finishes its headers is
// disconnected after ReadHeaderTimeout.
func TestSlowClientTimesOut(t *testing.T) {
	g, err := New(Options{Sessions: t.TempDir(), ReadHeaderTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = g.Close() }()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := g.Server()
	go func() { _ = srv.Serve(ln) }()
	defer func() { _ = srv.Close() }()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	if _, err := c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n")); err != nil { // never ends
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
	b, err := io.ReadAll(c) // the server closes the connection
	if err != nil {
		t.Fatalf("connection not closed by the server: %v (read %q)", err, b)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
