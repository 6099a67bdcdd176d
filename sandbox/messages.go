package sandbox

import (
	"bytes"
	"sort"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
)

func registerMessages(h map[uint32]handlerFunc) {
	h[tg.MessagesSendMessageRequestTypeID] = handle(sendMessage, func(req *tg.MessagesSendMessageRequest) error {
		return checkText(req.Message)
	})
	h[tg.MessagesEditMessageRequestTypeID] = handle(editMessage)
	h[tg.MessagesDeleteMessagesRequestTypeID] = handle(deleteMessages)
	h[tg.MessagesGetHistoryRequestTypeID] = handle(getHistory)
	h[tg.MessagesGetDialogsRequestTypeID] = handle(getDialogs)
	h[tg.MessagesReadHistoryRequestTypeID] = handle(readHistory)
	h[tg.MessagesSetTypingRequestTypeID] = handle(setTyping)
}

func editMessage(s *Server, c *call, req *tg.MessagesEditMessageRequest) (bin.Encoder, error) {
	me, peer, err := s.selfPeer(c, req.Peer)
	if err != nil {
		return nil, err
	}
	m := s.st.Boxes[me.ID].Messages[req.ID]
	if m == nil || m.Peer != peer || m.Action != "" {
		return nil, tgerr.New(400, "MESSAGE_ID_INVALID")
	}
	if !m.Out {
		return nil, tgerr.New(403, "MESSAGE_AUTHOR_REQUIRED")
	}
	if req.Media != nil {
		return nil, tgerr.New(400, "MEDIA_INVALID")
	}
	text, ok := req.GetMessage()
	if !ok {
		return nil, tgerr.New(400, "MESSAGE_NOT_MODIFIED")
	}
	if err := checkText(text); err != nil {
		return nil, err
	}
	ents := s.entities(me.ID, text, req.Entities)
	if text == m.Text && bytes.Equal(ents, m.Entities) {
		return nil, tgerr.New(400, "MESSAGE_NOT_MODIFIED")
	}
	date := now()
	var ev event
	for _, owner := range s.st.owners(me.ID, m) {
		id, ok := s.st.copyID(m.Ref, owner)
		cm := s.st.Boxes[owner].Messages[id]
		if !ok || cm == nil {
			continue
		}
		cm.Text, cm.Entities, cm.EditDate = text, ents, date
		e := s.st.Boxes[owner].log(event{Kind: evEdit, Count: 1, ID: id, Peer: cm.Peer})
		skip := int64(0)
		if owner == me.ID {
			ev, skip = e, c.session.ID
		}
		s.push(owner, skip, func() bin.Encoder {
			return s.containerMsg(owner, &tg.UpdateEditMessage{Message: s.renderMessage(cm), Pts: e.Pts, PtsCount: e.Count}, cm)
		})
	}
	return s.containerMsg(me.ID, &tg.UpdateEditMessage{Message: s.renderMessage(m), Pts: ev.Pts, PtsCount: ev.Count}, m), nil
}

func deleteMessages(s *Server, c *call, req *tg.MessagesDeleteMessagesRequest) (bin.Encoder, error) {
	me, err := s.self(c)
	if err != nil {
		return nil, err
	}
	mine := s.st.Boxes[me.ID]
	del := map[int64][]int{}
	seen := map[int]bool{}
	for _, id := range req.ID {
		m := mine.Messages[id]
		if m == nil || seen[id] {
			continue
		}
		seen[id] = true
		del[me.ID] = append(del[me.ID], id)
		if req.Revoke && (m.Peer.User != 0 || m.From == me.ID) {
			for _, owner := range s.st.owners(me.ID, m) {
				if cid, ok := s.st.copyID(m.Ref, owner); ok && owner != me.ID {
					del[owner] = append(del[owner], cid)
				}
			}
		}
	}
	res := &tg.MessagesAffectedMessages{Pts: mine.Pts}
	for owner, ids := range del {
		b := s.st.Boxes[owner]
		for _, id := range ids {
			m := b.Messages[id]
			if m == nil {
				continue
			}
			delete(b.Messages, id)
			if d := b.Dialogs[m.Peer]; d != nil {
				d.remove(id)
			}
			s.st.unlink(m.Ref, owner)
		}
		sort.Ints(ids)
		e := b.log(event{Kind: evDelete, Count: len(ids)})
		b.Deleted[e.Pts] = ids
		skip := int64(0)
		if owner == me.ID {
			res.Pts, res.PtsCount, skip = e.Pts, e.Count, c.session.ID
		}
		s.push(owner, skip, func() bin.Encoder {
			return s.container(owner, &tg.UpdateDeleteMessages{Messages: ids, Pts: e.Pts, PtsCount: e.Count}, nil, nil)
		})
	}
	return res, nil
}

func setTyping(s *Server, c *call, req *tg.MessagesSetTypingRequest) (bin.Encoder, error) {
	me, err := s.self(c)
	if err != nil {
		return nil, err
	}
	if _, err := s.resolvePeer(me.ID, req.Peer); err != nil {
		return nil, err
	}
	return &tg.BoolTrue{}, nil
}
