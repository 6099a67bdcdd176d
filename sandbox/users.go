package sandbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"sort"
	"strings"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
)

func registerUsers(h map[uint32]handlerFunc) {
	h[tg.UsersGetUsersRequestTypeID] = handle(getUsers)
	h[tg.UsersGetFullUserRequestTypeID] = handle(getFullUser)
	h[tg.ContactsResolveUsernameRequestTypeID] = handle(resolveUsername)
	h[tg.ContactsResolvePhoneRequestTypeID] = handle(resolvePhone)
	h[tg.ContactsImportContactsRequestTypeID] = handle(importContacts)
	h[tg.ContactsGetContactsRequestTypeID] = handle(getContacts)
	h[tg.MessagesGetChatsRequestTypeID] = handle(getChats)
	h[tg.AccountUpdateStatusRequestTypeID] = handle(updateStatus)
}

// accessHash is the access hash of target as seen by viewer, cached.
// Requires s.mu.
func (s *Server) accessHash(viewer, target int64) int64 {
	k := [2]int64{viewer, target}
	h, ok := s.hashes[k]
	if !ok {
		h = s.computeHash(viewer, target)
		s.hashes[k] = h
	}
	return h
}

// computeHash derives the access hash of target as seen by viewer: stable,
// and unguessable without the state's secret (which never changes).
func (s *Server) computeHash(viewer, target int64) int64 {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], uint64(viewer))
	binary.LittleEndian.PutUint64(b[8:], uint64(target))
	m := hmac.New(sha256.New, s.st.Secret)
	m.Write(b[:])
	return int64(binary.LittleEndian.Uint64(m.Sum(nil)))
}

// renderUser returns u as seen by viewer.
func (s *Server) renderUser(viewer int64, u *user) *tg.User {
	t := &tg.User{
		ID:         u.ID,
		AccessHash: s.accessHash(viewer, u.ID),
		FirstName:  u.FirstName,
		LastName:   u.LastName,
		Username:   u.Username,
		Self:       viewer == u.ID,
	}
	if v := s.st.Users[viewer]; v != nil && v.Contacts[u.ID] {
		t.Contact = true
		t.MutualContact = u.Contacts[viewer]
	}
	if t.Self || t.Contact {
		t.Phone = u.Phone
	}
	if u.Bot {
		t.Bot = true
		t.BotInfoVersion = 1
	} else {
		t.Status = &tg.UserStatusRecently{}
	}
	return t
}

// renderUsers renders the given users for viewer, skipping unknown ids and
// duplicates.
func (s *Server) renderUsers(viewer int64, ids ...int64) []tg.UserClass {
	out := make([]tg.UserClass, 0, len(ids))
	seen := make(map[int64]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		if u := s.st.Users[id]; u != nil {
			out = append(out, s.renderUser(viewer, u))
		}
	}
	return out
}

// renderChat returns a basic group as seen by viewer.
func (s *Server) renderChat(viewer int64, c *chat) tg.ChatClass {
	if !c.member(viewer) {
		return &tg.ChatForbidden{ID: c.ID, Title: c.Title}
	}
	return &tg.Chat{
		ID:                c.ID,
		Title:             c.Title,
		Creator:           c.Creator == viewer,
		Photo:             &tg.ChatPhotoEmpty{},
		ParticipantsCount: len(c.Members),
		Date:              c.Date,
		Version:           1,
	}
}

// renderChats renders the given basic groups for viewer.
func (s *Server) renderChats(viewer int64, ids ...int64) []tg.ChatClass {
	out := make([]tg.ChatClass, 0, len(ids))
	seen := make(map[int64]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		if c := s.st.Chats[id]; c != nil {
			out = append(out, s.renderChat(viewer, c))
		}
	}
	return out
}

// fromMessage checks a *FromMessage input: uid must have sent message msgID
// in viewer's box.
func (s *Server) fromMessage(viewer int64, msgID int, uid int64) (*user, bool) {
	u := s.st.Users[uid]
	if u == nil {
		return nil, false
	}
	m := s.st.Boxes[viewer].Messages[msgID]
	return u, m != nil && m.From == uid
}

// resolveUser resolves an input user, checking its access hash.
func (s *Server) resolveUser(viewer int64, in tg.InputUserClass) (*user, error) {
	switch in := in.(type) {
	case *tg.InputUserSelf:
		if u := s.st.Users[viewer]; u != nil {
			return u, nil
		}
	case *tg.InputUser:
		if u := s.st.Users[in.UserID]; u != nil && in.AccessHash == s.accessHash(viewer, u.ID) {
			return u, nil
		}
	case *tg.InputUserFromMessage:
		if u, ok := s.fromMessage(viewer, in.MsgID, in.UserID); ok {
			return u, nil
		}
	}
	return nil, errUserInvalid
}

// resolvePeer resolves an input peer to a dialog of viewer, checking access
// hashes and group membership.
func (s *Server) resolvePeer(viewer int64, in tg.InputPeerClass) (peerRef, error) {
	switch in := in.(type) {
	case *tg.InputPeerSelf:
		return peerRef{User: viewer}, nil
	case *tg.InputPeerUser:
		if u := s.st.Users[in.UserID]; u != nil && in.AccessHash == s.accessHash(viewer, u.ID) {
			return peerRef{User: u.ID}, nil
		}
	case *tg.InputPeerUserFromMessage:
		if u, ok := s.fromMessage(viewer, in.MsgID, in.UserID); ok {
			return peerRef{User: u.ID}, nil
		}
	case *tg.InputPeerChat:
		if c := s.st.Chats[in.ChatID]; c != nil && c.member(viewer) {
			return peerRef{Chat: c.ID}, nil
		}
	}
	return peerRef{}, errPeerInvalid
}

// peerClass converts a dialog reference to a TL peer.
func peerClass(p peerRef) tg.PeerClass {
	if p.Chat != 0 {
		return &tg.PeerChat{ChatID: p.Chat}
	}
	return &tg.PeerUser{UserID: p.User}
}

func getUsers(s *Server, c *call, req *tg.UsersGetUsersRequest) (bin.Encoder, error) {
	me, err := s.self(c)
	if err != nil {
		return nil, err
	}
	out := make(vector[tg.UserClass], 0, len(req.ID))
	for _, in := range req.ID {
		if _, ok := in.(*tg.InputUserEmpty); ok {
			continue
		}
		u, err := s.resolveUser(me.ID, in)
		if err != nil {
			return nil, err
		}
		out = append(out, s.renderUser(me.ID, u))
	}
	return out, nil
}

func getFullUser(s *Server, c *call, req *tg.UsersGetFullUserRequest) (bin.Encoder, error) {
	me, err := s.self(c)
	if err != nil {
		return nil, err
	}
	u, err := s.resolveUser(me.ID, req.ID)
	if err != nil {
		return nil, err
	}
	full := tg.UserFull{ID: u.ID, About: u.About}
	for _, ch := range s.st.Chats {
		if ch.member(me.ID) && ch.member(u.ID) && u.ID != me.ID {
			full.CommonChatsCount++
		}
	}
	if u.Bot {
		full.BotInfo = tg.BotInfo{UserID: u.ID, Description: "Sandbox bot."}
		if u.Echo {
			full.About = "Echoes every private message back."
			full.BotInfo.Description = full.About
		}
	}
	return &tg.UsersUserFull{
		FullUser: full,
		Chats:    []tg.ChatClass{},
		Users:    s.renderUsers(me.ID, u.ID),
	}, nil
}

// validUsername reports whether name looks like a Telegram username.
func validUsername(name string) bool {
	if name == "" || len(name) > 32 {
		return false
	}
	for i, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || r == '_'):
		default:
			return false
		}
	}
	return true
}

func resolveUsername(s *Server, c *call, req *tg.ContactsResolveUsernameRequest) (bin.Encoder, error) {
	me, err := s.self(c)
	if err != nil {
		return nil, err
	}
	name := strings.TrimPrefix(req.Username, "@")
	if !validUsername(name) {
		return nil, tgerr.New(400, "USERNAME_INVALID")
	}
	id, ok := s.st.usernames[strings.ToLower(name)]
	if !ok {
		return nil, tgerr.New(400, "USERNAME_NOT_OCCUPIED")
	}
	return &tg.ContactsResolvedPeer{
		Peer:  &tg.PeerUser{UserID: id},
		Chats: []tg.ChatClass{},
		Users: s.renderUsers(me.ID, id),
	}, nil
}

// resolvePhone finds the account of a phone number; the sandbox has no
// phone privacy settings, so every account can be found.
func resolvePhone(s *Server, c *call, req *tg.ContactsResolvePhoneRequest) (bin.Encoder, error) {
	me, err := s.self(c)
	if err != nil {
		return nil, err
	}
	digits, ok := normPhone(req.Phone)
	if !ok {
		return nil, tgerr.New(400, "PHONE_NOT_OCCUPIED")
	}
	id, ok := s.st.phones[digits]
	if !ok {
		return nil, tgerr.New(400, "PHONE_NOT_OCCUPIED")
	}
	return &tg.ContactsResolvedPeer{
		Peer:  &tg.PeerUser{UserID: id},
		Chats: []tg.ChatClass{},
		Users: s.renderUsers(me.ID, id),
	}, nil
}

func importContacts(s *Server, c *call, req *tg.ContactsImportContactsRequest) (bin.Encoder, error) {
	me, err := s.self(c)
	if err != nil {
		return nil, err
	}
	res := &tg.ContactsImportedContacts{
		Imported:       []tg.ImportedContact{},
		PopularInvites: []tg.PopularContact{},
		RetryContacts:  []int64{},
	}
	var ids []int64
	for _, in := range req.Contacts {
		phone, ok := normPhone(in.Phone)
		if !ok {
			continue
		}
		id, ok := s.st.phones[phone]
		if !ok || id == me.ID {
			continue
		}
		me.Contacts[id] = true
		res.Imported = append(res.Imported, tg.ImportedContact{UserID: id, ClientID: in.ClientID})
		ids = append(ids, id)
	}
	res.Users = s.renderUsers(me.ID, ids...)
	return res, nil
}

func getContacts(s *Server, c *call, _ *tg.ContactsGetContactsRequest) (bin.Encoder, error) {
	me, err := s.self(c)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(me.Contacts))
	for id, ok := range me.Contacts {
		if ok && s.st.Users[id] != nil {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	res := &tg.ContactsContacts{Contacts: make([]tg.Contact, 0, len(ids))}
	for _, id := range ids {
		res.Contacts = append(res.Contacts, tg.Contact{UserID: id, Mutual: s.st.Users[id].Contacts[me.ID]})
	}
	res.Users = s.renderUsers(me.ID, ids...)
	return res, nil
}

func getChats(s *Server, c *call, req *tg.MessagesGetChatsRequest) (bin.Encoder, error) {
	me, err := s.self(c)
	if err != nil {
		return nil, err
	}
	for _, id := range req.ID {
		if s.st.Chats[id] == nil {
			return nil, tgerr.New(400, "CHAT_ID_INVALID")
		}
	}
	return &tg.MessagesChats{Chats: s.renderChats(me.ID, req.ID...)}, nil
}

func updateStatus(s *Server, c *call, _ *tg.AccountUpdateStatusRequest) (bin.Encoder, error) {
	if _, err := s.self(c); err != nil {
		return nil, err
	}
	return &tg.BoolTrue{}, nil
}
