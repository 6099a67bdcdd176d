package sandbox

import (
	"net"
	"sync"
)

// listener tracks accepted connections so Close can end them: tgtest only
// notices a closed connection when its blocking read fails.
type listener struct {
	net.Listener
	mu    sync.Mutex
	conns map[net.Conn]struct{}
	done  bool
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
	tc := &trackedConn{Conn: c, l: l}
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
}

// Close implements net.Conn.
func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		delete(c.l.conns, c)
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}
