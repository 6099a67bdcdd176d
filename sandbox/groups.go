package sandbox

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
)

// Basic groups: creating one, adding and removing members, renaming, and
// its full info. Each change is a service message in the group, posted and
// pushed like any message.

func registerGroups(h map[uint32]handlerFunc) {
	h[tg.MessagesCreateChatRequestTypeID] = handle(createChat)
	h[tg.MessagesAddChatUserRequestTypeID] = handle(addChatUser)
	h[tg.MessagesDeleteChatUserRequestTypeID] = handle(deleteChatUser)
	h[tg.MessagesEditChatTitleRequestTypeID] = handle(editChatTitle)
	h[tg.MessagesGetFullChatRequestTypeID] = handle(getFullChat)
}

// maxChatTitle is Telegram's limit on a group title, in characters.
const maxChatTitle = 128

func chatTitle(title string) (string, error) {
	title = strings.TrimSpace(title)
	switch {
	case title == "":
		return "", tgerr.New(400, "CHAT_TITLE_EMPTY")
	case utf8.RuneCountInString(title) > maxChatTitle:
		return "", tgerr.New(400, "CHAT_TITLE_TOO_LONG")
	}
	return title, nil
}

// serviceUpdates posts a service message in ch from me and answers it as
// updates, with the users and chats it names.
func (s *Server) serviceUpdates(c *call, me *user, ch *chat, d draft) (*tg.Updates, error) {
	m, ev, err := s.postDraft(me, peerRef{Chat: ch.ID}, d, c.session.ID)
	if err != nil {
		return nil, err
	}
	return s.containerMsg(me.ID, &tg.UpdateNewMessage{Message: s.renderMessage(m), Pts: ev.Pts, PtsCount: ev.Count}, m), nil
}

// selfChat is the calling user and the group chatID, which that user must
// be in.
func (s *Server) selfChat(c *call, chatID int64) (*user, *chat, error) {
	me, err := s.self(c)
	if err != nil {
		return nil, nil, err
	}
	ch := s.st.Chats[chatID]
	if ch == nil || !ch.member(me.ID) {
		return nil, nil, tgerr.New(400, "CHAT_ID_INVALID")
	}
	return me, ch, nil
}

// invited is the answer of createChat and addChatUser: nobody is missing.
func invited(ups *tg.Updates, err error) (bin.Encoder, error) {
	if err != nil {
		return nil, err
	}
	return &tg.MessagesInvitedUsers{Updates: ups, MissingInvitees: []tg.MissingInvitee{}}, nil
}

func createChat(s *Server, c *call, req *tg.MessagesCreateChatRequest) (bin.Encoder, error) {
	me, err := s.self(c)
	if err != nil {
		return nil, err
	}
	title, err := chatTitle(req.Title)
	if err != nil {
		return nil, err
	}
	members := []int64{me.ID}
	for _, in := range req.Users {
		u, err := s.resolveUser(me.ID, in)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(members, u.ID) {
			members = append(members, u.ID)
		}
	}
	if len(members) < 2 {
		return nil, tgerr.New(400, "USERS_TOO_FEW")
	}
	ch := &chat{ID: s.st.NextChatID, Title: title, Creator: me.ID, Members: members, Date: now()}
	s.st.NextChatID++
	s.st.Chats[ch.ID] = ch
	return invited(s.serviceUpdates(c, me, ch, draft{action: actionChatCreate, actionUsers: members, actionTitle: title}))
}

func addChatUser(s *Server, c *call, req *tg.MessagesAddChatUserRequest) (bin.Encoder, error) {
	me, ch, err := s.selfChat(c, req.ChatID)
	if err != nil {
		return nil, err
	}
	u, err := s.resolveUser(me.ID, req.UserID)
	if err != nil {
		return nil, err
	}
	if ch.member(u.ID) {
		return nil, tgerr.New(400, "USER_ALREADY_PARTICIPANT")
	}
	ch.Members = append(ch.Members, u.ID)
	return invited(s.serviceUpdates(c, me, ch, draft{action: actionChatAddUser, actionUsers: []int64{u.ID}}))
}

// deleteChatUser removes a member: the creator may remove anyone, others
// only themselves (leaving). The removed user gets the service message,
// then sees the group as chatForbidden.
func deleteChatUser(s *Server, c *call, req *tg.MessagesDeleteChatUserRequest) (bin.Encoder, error) {
	me, ch, err := s.selfChat(c, req.ChatID)
	if err != nil {
		return nil, err
	}
	u, err := s.resolveUser(me.ID, req.UserID)
	if err != nil {
		return nil, err
	}
	switch {
	case !ch.member(u.ID):
		return nil, tgerr.New(400, "USER_NOT_PARTICIPANT")
	case u.ID != me.ID && ch.Creator != me.ID:
		return nil, tgerr.New(400, "CHAT_ADMIN_REQUIRED")
	}
	ups, err := s.serviceUpdates(c, me, ch, draft{action: actionChatDeleteUser, actionUsers: []int64{u.ID}})
	if err != nil {
		return nil, err
	}
	ch.Members = slices.DeleteFunc(ch.Members, func(id int64) bool { return id == u.ID })
	ups.Chats = s.renderChats(me.ID, ch.ID)
	return ups, nil
}

func editChatTitle(s *Server, c *call, req *tg.MessagesEditChatTitleRequest) (bin.Encoder, error) {
	me, ch, err := s.selfChat(c, req.ChatID)
	if err != nil {
		return nil, err
	}
	title, err := chatTitle(req.Title)
	if err != nil {
		return nil, err
	}
	if title == ch.Title {
		return nil, tgerr.New(400, "CHAT_NOT_MODIFIED")
	}
	ch.Title = title
	return s.serviceUpdates(c, me, ch, draft{action: actionChatEditTitle, actionTitle: title})
}

func getFullChat(s *Server, c *call, req *tg.MessagesGetFullChatRequest) (bin.Encoder, error) {
	me, ch, err := s.selfChat(c, req.ChatID)
	if err != nil {
		return nil, err
	}
	parts := make([]tg.ChatParticipantClass, 0, len(ch.Members))
	for _, id := range ch.Members {
		if id == ch.Creator {
			parts = append(parts, &tg.ChatParticipantCreator{UserID: id})
			continue
		}
		parts = append(parts, &tg.ChatParticipant{UserID: id, InviterID: ch.Creator, Date: ch.Date})
	}
	return &tg.MessagesChatFull{
		FullChat: &tg.ChatFull{
			ID:             ch.ID,
			Participants:   &tg.ChatParticipants{ChatID: ch.ID, Participants: parts, Version: 1},
			NotifySettings: tg.PeerNotifySettings{},
		},
		Chats: s.renderChats(me.ID, ch.ID),
		Users: s.renderUsers(me.ID, ch.Members...),
	}, nil
}
