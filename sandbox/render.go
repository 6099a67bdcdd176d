package sandbox

import (
	"github.com/gotd/td/bin"
	"github.com/gotd/td/tg"
)

// decodeEntities decodes stored entities into fresh objects.
func decodeEntities(raw []byte) []tg.MessageEntityClass {
	if len(raw) == 0 {
		return nil
	}
	b := &bin.Buffer{Buf: raw}
	n, err := b.VectorHeader()
	if err != nil {
		return nil
	}
	out := make([]tg.MessageEntityClass, 0, n)
	for i := 0; i < n; i++ {
		e, err := tg.DecodeMessageEntity(b)
		if err != nil {
			return out
		}
		out = append(out, e)
	}
	return out
}

// renderMessage converts a stored message to its TL form.
func (s *Server) renderMessage(m *message) tg.MessageClass {
	if m.Action != "" {
		ms := &tg.MessageService{
			Out:    m.Out,
			ID:     m.ID,
			FromID: &tg.PeerUser{UserID: m.From},
			PeerID: peerClass(m.Peer),
			Date:   m.Date,
			Action: &tg.MessageActionEmpty{},
		}
		ms.Action = s.renderAction(m)
		return ms
	}
	tm := &tg.Message{
		Out:      m.Out,
		Silent:   m.Silent,
		ID:       m.ID,
		FromID:   &tg.PeerUser{UserID: m.From},
		PeerID:   peerClass(m.Peer),
		Date:     m.Date,
		Message:  m.Text,
		Entities: decodeEntities(m.Entities),
		Media:    decodeMedia(m.Media),
		EditDate: m.EditDate,
	}
	if m.ReplyTo != 0 {
		tm.ReplyTo = &tg.MessageReplyHeader{ReplyToMsgID: m.ReplyTo}
	}
	if m.FwdFrom != 0 {
		tm.SetFwdFrom(tg.MessageFwdHeader{FromID: &tg.PeerUser{UserID: m.FwdFrom}, Date: m.FwdDate})
	}
	return tm
}

// renderAction is the action of service message m.
func (s *Server) renderAction(m *message) tg.MessageActionClass {
	c := s.st.Chats[m.Peer.Chat]
	switch m.Action {
	case actionChatCreate:
		title, users := m.ActionTitle, m.ActionUsers
		if c != nil && title == "" {
			title, users = c.Title, c.Members
		}
		return &tg.MessageActionChatCreate{Title: title, Users: append([]int64{}, users...)}
	case actionChatAddUser:
		return &tg.MessageActionChatAddUser{Users: append([]int64{}, m.ActionUsers...)}
	case actionChatDeleteUser:
		if len(m.ActionUsers) == 1 {
			return &tg.MessageActionChatDeleteUser{UserID: m.ActionUsers[0]}
		}
	case actionChatEditTitle:
		return &tg.MessageActionChatEditTitle{Title: m.ActionTitle}
	}
	return &tg.MessageActionEmpty{}
}

// mentions lists the users and chats a message refers to.
func mentions(ms ...*message) (users, chats []int64) {
	for _, m := range ms {
		users = append(users, m.From)
		if m.FwdFrom != 0 {
			users = append(users, m.FwdFrom)
		}
		users = append(users, m.ActionUsers...)
		if m.Peer.User != 0 {
			users = append(users, m.Peer.User)
		}
		if m.Peer.Chat != 0 {
			chats = append(chats, m.Peer.Chat)
		}
	}
	return users, chats
}

// container wraps one update for owner with the given users and chats.
func (s *Server) container(owner int64, u tg.UpdateClass, users, chats []int64) *tg.Updates {
	return &tg.Updates{
		Updates: []tg.UpdateClass{u},
		Users:   s.renderUsers(owner, users...),
		Chats:   s.renderChats(owner, chats...),
		Date:    now(),
	}
}

// containerMsg wraps one update about m for owner.
func (s *Server) containerMsg(owner int64, u tg.UpdateClass, m *message) *tg.Updates {
	users, chats := mentions(m)
	return s.container(owner, u, users, chats)
}

// containerPeer wraps one update about dialog p for owner.
func (s *Server) containerPeer(owner int64, u tg.UpdateClass, p peerRef) *tg.Updates {
	var users, chats []int64
	if p.User != 0 {
		users = append(users, p.User)
	}
	if p.Chat != 0 {
		chats = append(chats, p.Chat)
	}
	return s.container(owner, u, users, chats)
}
