package sandbox

import (
	"sync"

	"go.uber.org/zap"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgtest"
)

// authKey is what the server knows about one MTProto auth key: the user it
// is logged in as and the sessions (connections) that used it.
type authKey struct {
	id       [8]byte
	user     int64       // logged-in user, 0 if none
	pending  int64       // user awaiting the 2FA password after auth.signIn
	srp      *srpSession // SRP parameters handed out by account.getPassword
	sessions map[int64]*outbox
}

// outbox serialises the updates pushed to one session, in pts order.
type outbox struct {
	sess    tgtest.Session
	mu      sync.Mutex
	queue   [][]byte
	running bool
	dead    bool
}

// noteSession records the session of c under its auth key. Requires s.mu.
func (s *Server) noteSession(c *call) {
	k := s.keys[c.key]
	if k == nil {
		k = &authKey{id: c.key, sessions: map[int64]*outbox{}}
		s.keys[c.key] = k
	}
	if _, ok := k.sessions[c.session.ID]; !ok {
		k.sessions[c.session.ID] = &outbox{sess: c.session}
	}
	c.auth = k
}

// self returns the user the call's auth key is logged in as. Requires s.mu.
// selfPeer is the calling user and a peer as that user names it.
func (s *Server) selfPeer(c *call, in tg.InputPeerClass) (*user, peerRef, error) {
	me, err := s.self(c)
	if err != nil {
		return nil, peerRef{}, err
	}
	peer, err := s.resolvePeer(me.ID, in)
	if err != nil {
		return nil, peerRef{}, err
	}
	return me, peer, nil
}

func (s *Server) self(c *call) (*user, error) {
	if c.auth == nil || c.auth.user == 0 {
		return nil, errUnauthorized
	}
	u := s.st.Users[c.auth.user]
	if u == nil {
		return nil, errUnauthorized
	}
	return u, nil
}

// bind logs the auth key in as uid. Requires s.mu.
func (s *Server) bind(k *authKey, uid int64) {
	s.unbind(k)
	k.user = uid
	m := s.userKeys[uid]
	if m == nil {
		m = map[[8]byte]*authKey{}
		s.userKeys[uid] = m
	}
	m[k.id] = k
}

// unbind logs the auth key out. Requires s.mu.
func (s *Server) unbind(k *authKey) {
	if k.user != 0 {
		delete(s.userKeys[k.user], k.id)
	}
	k.user, k.pending, k.srp = 0, 0, nil
}

// push queues the update built by u for every session logged in as uid
// except the session with id except; u is only called when there is such a
// session. Requires s.mu; the network write happens in the background.
func (s *Server) push(uid int64, except int64, u func() bin.Encoder) {
	keys := s.userKeys[uid]
	if len(keys) == 0 {
		return
	}
	var raw []byte
	for _, k := range keys {
		for id, o := range k.sessions {
			if id == except {
				continue
			}
			if raw == nil {
				var b bin.Buffer
				if err := u().Encode(&b); err != nil {
					s.log.Error("Encode pushed update", zap.Error(err))
					return
				}
				raw = b.Buf
			}
			s.enqueue(k, o, raw)
		}
	}
}

// enqueue adds raw to the outbox, starting its sender if idle.
func (s *Server) enqueue(k *authKey, o *outbox, raw []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.dead || s.ctx.Err() != nil {
		return
	}
	o.queue = append(o.queue, raw)
	if o.running {
		return
	}
	o.running = true
	s.wg.Add(1)
	go s.drain(k, o)
}

// drain sends the outbox's queue; a failed send forgets the session.
func (s *Server) drain(k *authKey, o *outbox) {
	defer s.wg.Done()
	for {
		o.mu.Lock()
		if len(o.queue) == 0 {
			o.running = false
			o.mu.Unlock()
			return
		}
		raw := o.queue[0]
		o.queue = o.queue[1:]
		o.mu.Unlock()

		if err := s.deliver(o.sess, raw); err != nil {
			s.log.Debug("Forget session after failed push", zap.Int64("session", o.sess.ID), zap.Error(err))
			o.mu.Lock()
			o.dead, o.queue, o.running = true, nil, false
			o.mu.Unlock()
			s.mu.Lock()
			if k.sessions[o.sess.ID] == o {
				delete(k.sessions, o.sess.ID)
			}
			s.mu.Unlock()
			return
		}
	}
}
