// Package linewriter prefixes every line written through it, for hosts
// that run many accounts and tag each one's output with its name.
package linewriter

import (
	"bytes"
	"io"
	"sync"
)

// Writer writes each line to w with prefix in front. An unfinished line
// waits for its end (or Flush), so the lines of writers that share a mutex
// never interleave.
type Writer struct {
	mu     *sync.Mutex
	w      io.Writer
	prefix string
	buf    []byte
}

// New returns a Writer to w. Writers to the same w should share mu; nil
// gives the Writer a mutex of its own.
func New(w io.Writer, prefix string, mu *sync.Mutex) *Writer {
	if mu == nil {
		mu = &sync.Mutex{}
	}
	return &Writer{mu: mu, w: w, prefix: prefix}
}

// Write buffers b and writes every complete line. It reports len(b): an
// error of w drops the line rather than failing the writer's user.
func (p *Writer) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.buf = append(p.buf, b...)
	for {
		i := bytes.IndexByte(p.buf, '\n')
		if i < 0 {
			return len(b), nil
		}
		p.emit(p.buf[:i+1])
		p.buf = p.buf[i+1:]
	}
}

// Flush writes an unfinished line, ending it.
func (p *Writer) Flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.buf) > 0 {
		p.emit(append(p.buf, '\n'))
		p.buf = nil
	}
}

func (p *Writer) emit(line []byte) {
	out := make([]byte, 0, len(p.prefix)+len(line))
	out = append(append(out, p.prefix...), line...)
	_, _ = p.w.Write(out)
}
