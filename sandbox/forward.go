package sandbox

import (
	"github.com/gotd/td/bin"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
)

func registerForward(h map[uint32]handlerFunc) {
	h[tg.MessagesForwardMessagesRequestTypeID] = handle(forwardMessages)
}

// maxForward is how many messages one messages.forwardMessages may carry.
const maxForward = 100

// forwardMessages copies messages of one of the caller's chats into
// another, in the order given, each with a forward header naming its
// original author and date (kept through forwards of forwards) unless
// drop_author; drop_media_captions drops the text of media messages. The
// answer is updates with updateMessageID and updateNewMessage per copy.
func forwardMessages(s *Server, c *call, req *tg.MessagesForwardMessagesRequest) (bin.Encoder, error) {
	me, from, err := s.selfPeer(c, req.FromPeer)
	if err != nil {
		return nil, err
	}
	to, err := s.resolvePeer(me.ID, req.ToPeer)
	if err != nil {
		return nil, err
	}
	switch {
	case len(req.ID) == 0:
		return nil, tgerr.New(400, "MESSAGE_IDS_EMPTY")
	case len(req.ID) > maxForward:
		return nil, tgerr.New(400, "MESSAGE_ID_INVALID")
	case len(req.RandomID) != len(req.ID):
		return nil, tgerr.New(400, "RANDOM_ID_INVALID")
	}
	b := s.st.Boxes[me.ID]
	seen := make(map[int64]bool, len(req.RandomID))
	for _, id := range req.RandomID {
		if seen[id] {
			return nil, tgerr.New(400, "RANDOM_ID_DUPLICATE")
		}
		seen[id] = true
		if err := b.freshRandomID(id); err != nil {
			return nil, err
		}
	}
	srcs := make([]*message, len(req.ID))
	for i, id := range req.ID {
		m := b.Messages[id]
		if m == nil || m.Peer != from || m.Action != "" {
			return nil, tgerr.New(400, "MESSAGE_ID_INVALID")
		}
		srcs[i] = m
	}
	res := &tg.Updates{Date: now()}
	var copies []*message
	for i, src := range srcs {
		d := draft{text: src.Text, ents: src.Entities, media: src.Media, silent: req.Silent}
		if !req.DropAuthor {
			d.fwdFrom, d.fwdDate = src.From, src.Date
			if src.FwdFrom != 0 {
				d.fwdFrom, d.fwdDate = src.FwdFrom, src.FwdDate
			}
		}
		if req.DropMediaCaptions && src.Media != nil {
			d.text, d.ents = "", nil
		}
		m, ev, err := s.postDraft(me, to, d, c.session.ID)
		if err != nil {
			return nil, err
		}
		if id := req.RandomID[i]; id != 0 {
			b.RandomIDs[id] = m.ID
		}
		res.Updates = append(res.Updates,
			&tg.UpdateMessageID{ID: m.ID, RandomID: req.RandomID[i]},
			&tg.UpdateNewMessage{Message: s.renderMessage(m), Pts: ev.Pts, PtsCount: ev.Count})
		copies = append(copies, m)
		if bot := s.st.Users[to.User]; bot != nil && bot.Echo && bot.ID != me.ID && d.text != "" {
			ref, text, ents := m.Ref, d.text, d.ents
			c.after = append(c.after, func() { s.echo(bot.ID, me.ID, ref, text, ents) })
		}
	}
	users, chats := mentions(copies...)
	res.Users = s.renderUsers(me.ID, users...)
	res.Chats = s.renderChats(me.ID, chats...)
	return res, nil
}
