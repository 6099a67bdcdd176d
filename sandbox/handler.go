package sandbox

import (
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/mt"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
	"github.com/gotd/td/tgtest"
)

// ErrUnsupported is the error type of methods the sandbox does not serve.
// The error message carries the constructor id as a numeric suffix, see the
// package documentation and MethodName.
const ErrUnsupported = "METHOD_NOT_SUPPORTED_IN_SANDBOX"

// Common errors.
var (
	errInternal       = tgerr.New(500, "INTERNAL")
	errUnauthorized   = tgerr.New(401, "AUTH_KEY_UNREGISTERED")
	errInputFetch     = tgerr.New(400, "INPUT_FETCH_ERROR")
	errPeerInvalid    = tgerr.New(400, "PEER_ID_INVALID")
	errUserInvalid    = tgerr.New(400, "USER_ID_INVALID")
	errMessageEmpty   = tgerr.New(400, "MESSAGE_EMPTY")
	errMessageTooLong = tgerr.New(400, "MESSAGE_TOO_LONG")
)

// call is one RPC request being served.
type call struct {
	key     [8]byte
	session tgtest.Session
	id      uint32
	method  string
	buf     *bin.Buffer
	auth    *authKey // set by dispatch
	// after runs once the answer is sent (e.g. the echo bot's reply).
	after []func()
}

// handlerFunc serves a call. It must lock Server.mu (see Server.locked)
// for the state work, and keep decoding and validation outside the lock.
type handlerFunc func(s *Server, c *call) (bin.Encoder, error)

// handle adapts a typed handler that runs with Server.mu held: the request
// is decoded and passed to the optional pre-check before locking.
func handle[R any, PR interface {
	*R
	bin.Decoder
}](f func(s *Server, c *call, req PR) (bin.Encoder, error), pre ...func(req PR) error) handlerFunc {
	return func(s *Server, c *call) (bin.Encoder, error) {
		req := PR(new(R))
		if err := req.Decode(c.buf); err != nil {
			return nil, errInputFetch
		}
		for _, check := range pre {
			if err := check(req); err != nil {
				return nil, err
			}
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		s.noteSession(c)
		return f(s, c, req)
	}
}

var handlers = sync.OnceValue(func() map[uint32]handlerFunc {
	h := map[uint32]handlerFunc{}
	registerConfig(h)
	registerAuth(h)
	registerPassword(h)
	registerUsers(h)
	registerAccount(h)
	registerMessages(h)
	registerSearch(h)
	registerForward(h)
	registerGroups(h)
	registerUpdates(h)
	registerInvites(h)
	registerMedia(h)
	return h
})

var mtTypes = sync.OnceValue(mt.TypesMap)

var typeNames = sync.OnceValue(func() map[uint32]string {
	names := map[uint32]string{}
	for id, name := range tg.TypesMap() {
		names[id] = name
	}
	for id, name := range mt.TypesMap() {
		names[id] = name
	}
	names[sendInvitesTypeID] = "auth.sendInvites#771c1d97"
	return names
})

// MethodName returns the TL name of a constructor id, e.g.
// "messages.sendMessage", or "0x" and the id in hex when unknown. Use it on
// the Argument of a METHOD_NOT_SUPPORTED_IN_SANDBOX error.
func MethodName(id uint32) string {
	if name, ok := typeNames()[id]; ok {
		if i := strings.IndexByte(name, '#'); i >= 0 {
			return name[:i]
		}
		return name
	}
	return fmt.Sprintf("0x%08x", id)
}

// unsupported builds the error for a method the sandbox does not serve.
func unsupported(id uint32) *tgerr.Error {
	return tgerr.New(400, ErrUnsupported+"_"+strconv.FormatUint(uint64(id), 10))
}

// handler is the tgtest handler of the server: wrappers are unwrapped by
// tgtest.UnpackInvoke, whose decoding errors are answered rather than
// closing the connection, and panics are answered with INTERNAL.
func (s *Server) handler() tgtest.Handler {
	inner := tgtest.UnpackInvoke(tgtest.HandlerFunc(s.onMessage))
	return tgtest.HandlerFunc(func(srv *tgtest.Server, req *tgtest.Request) (err error) {
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("Panic serving request", zap.Any("panic", r), zap.ByteString("stack", debug.Stack()))
				err = srv.SendErr(req, errInternal)
			}
		}()
		if err := inner.OnMessage(srv, req); err != nil {
			return srv.SendErr(req, errInputFetch)
		}
		return nil
	})
}

// onMessage serves one request; it answers every request.
func (s *Server) onMessage(srv *tgtest.Server, req *tgtest.Request) error {
	id, err := req.Buf.PeekID()
	if err != nil {
		return srv.SendErr(req, errInputFetch)
	}
	// Unwrap what tgtest.UnpackInvoke leaves.
	for id == tg.InvokeAfterMsgRequestTypeID || id == tg.InvokeAfterMsgsRequestTypeID {
		if err := skipInvokeAfter(req.Buf, id); err != nil {
			return srv.SendErr(req, errInputFetch)
		}
		if id, err = req.Buf.PeekID(); err != nil {
			return srv.SendErr(req, errInputFetch)
		}
	}
	if _, ok := mtTypes()[id]; ok {
		// Service messages (msgs_ack, msgs_state_req, ...) need no answer.
		return nil
	}
	c := &call{
		key:     req.Session.AuthKey.ID,
		session: req.Session,
		id:      id,
		method:  MethodName(id),
		buf:     req.Buf,
	}
	f := s.faults.check(c.method)
	if f.latency > 0 {
		// Answer later without blocking the connection's read loop; the
		// request buffer is reused by tgtest, so copy it.
		delayed := *req
		delayed.Buf = &bin.Buffer{Buf: req.Buf.Copy()}
		c.buf = delayed.Buf
		if !f.drop {
			// Acknowledge, or the client resends after its retry interval.
			_ = srv.SendAck(req.RequestCtx, req.Session, req.MsgID)
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			select {
			case <-s.ctx.Done():
				return
			case <-time.After(f.latency):
			}
			s.finish(srv, &delayed, c, f)
		}()
		return nil
	}
	s.finish(srv, req, c, f)
	return nil
}

// finish applies a fault's outcome or serves the call.
func (s *Server) finish(srv *tgtest.Server, req *tgtest.Request, c *call, f firing) {
	if f.drop {
		s.log.Debug("Fault: dropping connection", zap.String("method", c.method))
		srv.ForceDisconnect(req.Session)
		return
	}
	s.answer(srv, req, c, f.err)
}

// answer serves c (or fails it with ferr) and sends the result.
func (s *Server) answer(srv *tgtest.Server, req *tgtest.Request, c *call, ferr *tgerr.Error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("Panic answering", zap.String("method", c.method),
				zap.Any("panic", r), zap.ByteString("stack", debug.Stack()))
			s.sent(srv, req, c, srv.SendErr(req, errInternal))
		}
	}()
	var (
		res bin.Encoder
		err error
	)
	if ferr != nil {
		err = ferr
	} else {
		res, err = s.dispatch(c)
	}
	var out bin.Buffer
	if err == nil {
		if err = res.Encode(&out); err != nil {
			s.log.Error("Encode answer", zap.String("method", c.method), zap.Error(err))
		}
	}
	if err != nil {
		rpcErr, ok := tgerr.As(err)
		if !ok {
			rpcErr = errInternal
		}
		s.sent(srv, req, c, srv.SendErr(req, rpcErr))
		return
	}
	s.sent(srv, req, c, srv.SendResult(req, rawObject(out.Buf)))
	s.runAfter(c)
}

// sent handles the outcome of sending an answer. tgtest keeps a session's
// first connection even after it closed, so a client that reuses its
// session id on a new connection would never hear back: forgetting the
// session on a failed send makes tgtest attach the new connection when the
// client resends.
func (s *Server) sent(srv *tgtest.Server, req *tgtest.Request, c *call, err error) {
	if err == nil {
		return
	}
	s.log.Debug("Send answer", zap.String("method", c.method), zap.Error(err))
	srv.ForceDisconnect(req.Session)
}

// runAfter runs the deferred work of a call.
func (s *Server) runAfter(c *call) {
	for _, f := range c.after {
		s.safely(c.method, f)
	}
}

// safely runs f, turning a panic into a log entry.
func (s *Server) safely(method string, f func()) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("Panic after answer", zap.String("method", method),
				zap.Any("panic", r), zap.ByteString("stack", debug.Stack()))
		}
	}()
	f()
}

// dispatch serves c and recovers from panics.
func (s *Server) dispatch(c *call) (res bin.Encoder, err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("Panic in handler", zap.String("method", c.method),
				zap.Any("panic", r), zap.ByteString("stack", debug.Stack()))
			res, err = nil, errInternal
		}
	}()
	h, ok := handlers()[c.id]
	if !ok {
		s.log.Info("Method not supported in sandbox", zap.String("method", c.method),
			zap.String("id", fmt.Sprintf("%#08x", c.id)))
		return nil, unsupported(c.id)
	}
	return h(s, c)
}

// skipInvokeAfter consumes the header of invokeAfterMsg(s), leaving the
// wrapped query in b.
func skipInvokeAfter(b *bin.Buffer, id uint32) error {
	if err := b.ConsumeID(id); err != nil {
		return err
	}
	if id == tg.InvokeAfterMsgRequestTypeID {
		_, err := b.Long()
		return err
	}
	n, err := b.VectorHeader()
	if err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		if _, err := b.Long(); err != nil {
			return err
		}
	}
	return nil
}

// rawObject encodes pre-encoded bytes.
type rawObject []byte

// Encode implements bin.Encoder.
func (r rawObject) Encode(b *bin.Buffer) error {
	b.Put(r)
	return nil
}

// vector encodes a TL Vector of objects.
type vector[T bin.Encoder] []T

// Encode implements bin.Encoder.
func (v vector[T]) Encode(b *bin.Buffer) error {
	b.PutVectorHeader(len(v))
	for _, e := range v {
		if err := e.Encode(b); err != nil {
			return err
		}
	}
	return nil
}
