package sandbox

import (
	"net"
	"sync"
)

// listener tracks accepted connections so Close can end them: tgtest only
// notices a closed connection when its blocking read fails. It also guards
// tgtest's session map (see sessionGuard).
type listener struct {
	net.Listener
	mu    sync.Mutex
	conns map[net.Conn]struct{}
	done  bool
	guard sync.RWMutex // sessionGuard
}

func newListener(l net.Listener) *listener {
	return &listener{Listener: l, conns: map[net.Conn]struct{}{}}
}

// Accept implements net.Listener.
func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done {
		_ = c.Close()
		return nil, net.ErrClosed
	}
	tc := &trackedConn{Conn: c, l: l, guard: &l.guard}
	l.conns[tc] = struct{}{}
	return tc, nil
}

func (l *listener) closeConns() {
	l.mu.Lock()
	l.done = true
	conns := l.conns
	l.conns = map[net.Conn]struct{}{}
	l.mu.Unlock()
	for c := range conns {
		_ = c.(*trackedConn).Conn.Close()
	}
}

type trackedConn struct {
	net.Conn
	l    *listener
	once sync.Once

	guard *sync.RWMutex
	mu    sync.Mutex // held
	held  int        // heldNone, heldRead or heldWrite
}

// Close implements net.Conn.
func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		delete(c.l.conns, c)
		c.l.mu.Unlock()
	})
	c.release()
	return c.Conn.Close()
}

// sessionGuard: tgtest's users.getSession reads its map of auth keys under
// the connections' mutex while addSession writes it under another one, so
// a key exchange finishing on one connection while another connection's
// message comes in is a concurrent map read and write, which ends the
// process (seen with 1,000 accounts logging in; the race detector shows it
// with 100). gotd's Listener is a struct, so the guard works on the bytes:
// a connection's read loop holds the guard's read lock from the moment a
// read returns data until it reads again (tgtest looks the key up after
// reading a message), and the write of dh_gen_ok, which tgtest follows by
// addSession before it reads again, takes the write lock until that next
// read. Upstream, getSession taking sessionsMux would make this moot.
const (
	heldNone = iota
	heldRead
	heldWrite
)

// Read implements net.Conn. Only the connection's read loop reads.
func (c *trackedConn) Read(b []byte) (int, error) {
	c.release()
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.guard.RLock()
		c.mu.Lock()
		c.held = heldRead
		c.mu.Unlock()
	}
	return n, err
}

// Write implements net.Conn.
func (c *trackedConn) Write(b []byte) (int, error) {
	if isDhGenOK(b) {
		// The end of a key exchange, written by the read loop: addSession
		// comes next.
		c.release()
		c.guard.Lock()
		c.mu.Lock()
		c.held = heldWrite
		c.mu.Unlock()
	}
	return c.Conn.Write(b)
}

func (c *trackedConn) release() {
	c.mu.Lock()
	held := c.held
	c.held = heldNone
	c.mu.Unlock()
	switch held {
	case heldRead:
		c.guard.RUnlock()
	case heldWrite:
		c.guard.Unlock()
	}
}

// dhGenOK is mt.DhGenOk's constructor ID, little-endian.
var dhGenOK = [4]byte{0x34, 0xf7, 0xcb, 0x3b}

// isDhGenOK reports whether b is (the start of) an unencrypted message
// carrying dh_gen_ok in one of the unobfuscated transports' framings:
// auth_key_id 0, message id, length, then the constructor, after a length
// prefix of 0, 1 or 4 bytes, or 8 (full: length and sequence number).
func isDhGenOK(b []byte) bool {
	for _, off := range [...]int{0, 1, 4, 8} {
		if len(b) < off+24 {
			continue
		}
		m := b[off:]
		if [8]byte(m[:8]) == ([8]byte{}) && [4]byte(m[20:24]) == dhGenOK {
			return true
		}
	}
	return false
}
