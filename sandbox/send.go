package sandbox

import (
	"strings"
	"time"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
)

// MaxMessageLength is the longest message text in UTF-16 code units, as
// announced by help.getConfig.
const MaxMessageLength = 4096

// now is the current Unix time, the unit of TL dates.
func now() int { return int(time.Now().Unix()) }

// utf16Len is the length of s in UTF-16 code units, the unit Telegram
// measures text and entity offsets in.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// checkText validates a message text.
func checkText(text string) error {
	if strings.TrimSpace(text) == "" {
		return errMessageEmpty
	}
	if utf16Len(text) > MaxMessageLength {
		return errMessageTooLong
	}
	return nil
}

// entities validates the entities of text for storage: entities outside the
// text are dropped and mention-by-input-user entities are resolved.
func (s *Server) entities(viewer int64, text string, in []tg.MessageEntityClass) []byte {
	if len(in) == 0 {
		return nil
	}
	size := utf16Len(text)
	out := make([]tg.MessageEntityClass, 0, len(in))
	for _, e := range in {
		off, n := e.GetOffset(), e.GetLength()
		if off < 0 || n <= 0 || off+n > size {
			continue
		}
		if m, ok := e.(*tg.InputMessageEntityMentionName); ok {
			u, err := s.resolveUser(viewer, m.UserID)
			if err != nil {
				continue
			}
			e = &tg.MessageEntityMentionName{Offset: off, Length: n, UserID: u.ID}
		}
		out = append(out, e)
	}
	if len(out) == 0 {
		return nil
	}
	var b bin.Buffer
	if err := vector[tg.MessageEntityClass](out).Encode(&b); err != nil {
		return nil
	}
	return b.Buf
}

// recipients lists the owners of the boxes a message from sender to peer
// lands in.
func (s *Server) recipients(sender int64, to peerRef) []int64 {
	if to.Chat != 0 {
		return s.st.Chats[to.Chat].Members
	}
	if to.User == sender {
		return []int64{sender}
	}
	return []int64{sender, to.User}
}

// post stores a message in every box of the chat, logs and pushes it, and
// returns the sender's copy and its event. except is the sender's session
// that gets the RPC answer instead of a push.
func (s *Server) post(from *user, to peerRef, text string, ents []byte, replyTo int, silent bool, except int64) (*message, event, error) {
	return s.postMedia(from, to, text, ents, nil, replyTo, silent, except)
}

// postMedia is post with media (TL-encoded MessageMedia, or nil).
func (s *Server) postMedia(from *user, to peerRef, text string, ents, media []byte, replyTo int, silent bool, except int64) (*message, event, error) {
	return s.postDraft(from, to, draft{text: text, ents: ents, media: media, replyTo: replyTo, silent: silent}, except)
}

// draft is what a new message is made of.
type draft struct {
	text        string
	ents, media []byte // TL-encoded, or nil
	replyTo     int    // in the sender's box
	silent      bool
	// fwdFrom and fwdDate are the original author and date of a
	// forwarded message.
	fwdFrom int64
	fwdDate int
	// action makes a service message (actionChatCreate...) naming
	// actionUsers and actionTitle.
	action      string
	actionUsers []int64
	actionTitle string
}

// postDraft is post for any draft.
func (s *Server) postDraft(from *user, to peerRef, d draft, except int64) (*message, event, error) {
	text, ents, media, replyTo, silent := d.text, d.ents, d.media, d.replyTo, d.silent
	var replyRef int64
	if replyTo != 0 {
		rm := s.st.Boxes[from.ID].Messages[replyTo]
		if rm == nil || rm.Peer != to {
			return nil, event{}, tgerr.New(400, "REPLY_MESSAGE_ID_INVALID")
		}
		replyRef = rm.Ref
	}
	ref := s.st.NextRef
	s.st.NextRef++
	date := now()
	var (
		mine *message
		ev   event
	)
	for _, owner := range s.recipients(from.ID, to) {
		peer := to
		if to.User != 0 && owner != from.ID {
			peer = peerRef{User: from.ID}
		}
		m := &message{
			Ref: ref, From: from.ID, Peer: peer, Out: owner == from.ID,
			Silent: silent, Date: date, Text: text, Entities: ents, Media: media,
			FwdFrom: d.fwdFrom, FwdDate: d.fwdDate,
			Action: d.action, ActionUsers: d.actionUsers, ActionTitle: d.actionTitle,
		}
		if replyRef != 0 {
			m.ReplyTo, _ = s.st.copyID(replyRef, owner)
		}
		b := s.st.Boxes[owner]
		b.add(m)
		s.st.link(ref, owner, m.ID)
		e := b.log(event{Kind: evNew, Count: 1, ID: m.ID, Peer: peer})
		skip := int64(0)
		if owner == from.ID {
			mine, ev, skip = m, e, except
		}
		s.push(owner, skip, func() bin.Encoder {
			return s.containerMsg(owner, &tg.UpdateNewMessage{Message: s.renderMessage(m), Pts: e.Pts, PtsCount: e.Count}, m)
		})
	}
	return mine, ev, nil
}

func sendMessage(s *Server, c *call, req *tg.MessagesSendMessageRequest) (bin.Encoder, error) {
	me, peer, err := s.selfPeer(c, req.Peer)
	if err != nil {
		return nil, err
	}
	b := s.st.Boxes[me.ID]
	if err := b.freshRandomID(req.RandomID); err != nil {
		return nil, err
	}
	replyTo := 0
	if r, ok := req.ReplyTo.(*tg.InputReplyToMessage); ok {
		replyTo = r.ReplyToMsgID
	}
	ents := s.entities(me.ID, req.Message, req.Entities)
	m, ev, err := s.post(me, peer, req.Message, ents, replyTo, req.Silent, c.session.ID)
	if err != nil {
		return nil, err
	}
	if req.RandomID != 0 {
		b.RandomIDs[req.RandomID] = m.ID
	}
	if bot := s.st.Users[peer.User]; bot != nil && bot.Echo && bot.ID != me.ID {
		ref, to, text := m.Ref, me.ID, req.Message
		c.after = append(c.after, func() { s.echo(bot.ID, to, ref, text, ents) })
	}
	if peer.Chat != 0 {
		res := s.containerMsg(me.ID, &tg.UpdateNewMessage{Message: s.renderMessage(m), Pts: ev.Pts, PtsCount: ev.Count}, m)
		res.Updates = append([]tg.UpdateClass{&tg.UpdateMessageID{ID: m.ID, RandomID: req.RandomID}}, res.Updates...)
		return res, nil
	}
	return &tg.UpdateShortSentMessage{
		Out:      true,
		ID:       m.ID,
		Pts:      ev.Pts,
		PtsCount: ev.Count,
		Date:     m.Date,
		Entities: decodeEntities(ents),
	}, nil
}

// echo makes an echo bot answer a private message, replying to it.
func (s *Server) echo(botID, to, ref int64, text string, ents []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	bot, u := s.st.Users[botID], s.st.Users[to]
	if bot == nil || u == nil {
		return
	}
	replyTo, _ := s.st.copyID(ref, botID)
	if _, _, err := s.post(bot, peerRef{User: to}, text, ents, replyTo, false, 0); err != nil {
		s.log.Debug("Echo failed")
	}
}

// freshRandomID refuses a random_id the sender has used already (0: none).
func (b *box) freshRandomID(id int64) error {
	if id == 0 {
		return nil
	}
	if _, dup := b.RandomIDs[id]; dup {
		return tgerr.New(400, "RANDOM_ID_DUPLICATE")
	}
	return nil
}
