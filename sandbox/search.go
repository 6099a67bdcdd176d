package sandbox

import (
	"sort"
	"strings"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
)

// Finding messages: by text and filters (messages.search) and by id
// (messages.getMessages), in the caller's own box; and finding accounts
// (contacts.search).

func registerSearch(h map[uint32]handlerFunc) {
	h[tg.MessagesSearchRequestTypeID] = handle(search)
	h[tg.MessagesGetMessagesRequestTypeID] = handle(getMessages)
	h[tg.ContactsSearchRequestTypeID] = handle(searchContacts)
}

// search finds the caller's messages in one chat, or in all its chats for
// inputPeerEmpty, newest first: those whose text contains q (ignoring
// case), from from_id, of the filter's kind, within the dates and ids
// given, paged like messages.getHistory (offset_id, add_offset, limit).
func search(s *Server, c *call, req *tg.MessagesSearchRequest) (bin.Encoder, error) {
	me, err := s.self(c)
	if err != nil {
		return nil, err
	}
	b := s.st.Boxes[me.ID]
	var ids []int // ascending
	if _, all := req.Peer.(*tg.InputPeerEmpty); all {
		for id, m := range b.Messages {
			if b.Dialogs[m.Peer] != nil {
				ids = append(ids, id)
			}
		}
		sort.Ints(ids)
	} else {
		peer, err := s.resolvePeer(me.ID, req.Peer)
		if err != nil {
			return nil, err
		}
		if d := b.Dialogs[peer]; d != nil {
			ids = d.IDs
		}
	}
	kind, err := filterKind(req.Filter)
	if err != nil {
		return nil, err
	}
	var from int64
	if in, ok := req.GetFromID(); ok {
		p, err := s.resolvePeer(me.ID, in)
		if err != nil || p.User == 0 {
			return nil, tgerr.New(400, "FROM_PEER_INVALID")
		}
		from = p.User
	}
	q := strings.ToLower(req.Q)
	if q == "" && kind == mediaAny && from == 0 {
		return nil, tgerr.New(400, "SEARCH_QUERY_EMPTY")
	}
	var found []*message // newest first
	for i := len(ids) - 1; i >= 0; i-- {
		m := b.Messages[ids[i]]
		switch {
		case m == nil || m.Action != "",
			req.MaxID > 0 && m.ID >= req.MaxID, req.MinID > 0 && m.ID <= req.MinID,
			req.MinDate > 0 && m.Date < req.MinDate, req.MaxDate > 0 && m.Date > req.MaxDate,
			from != 0 && m.From != from,
			q != "" && !strings.Contains(strings.ToLower(m.Text), q),
			!kind.matches(m):
			continue
		}
		found = append(found, m)
	}
	pos := 0
	if req.OffsetID > 0 {
		pos = sort.Search(len(found), func(i int) bool { return found[i].ID < req.OffsetID })
	}
	pos = max(pos+req.AddOffset, 0)
	end := min(pos+historyLimit(req.Limit), len(found))
	var page []*message
	if pos < end {
		page = found[pos:end]
	}
	return s.page(me.ID, page, len(found)), nil
}

// page answers one page of n messages: messages.messages when it holds
// them all, else messages.messagesSlice with the count.
func (s *Server) page(viewer int64, page []*message, n int, also ...peerRef) tg.MessagesMessagesClass {
	res := s.renderMessages(viewer, page, also...)
	if len(page) == n {
		return res
	}
	return &tg.MessagesMessagesSlice{
		Count:    n,
		Messages: res.Messages,
		Topics:   res.Topics,
		Chats:    res.Chats,
		Users:    res.Users,
	}
}

// getMessages answers the caller's messages by id, in the order asked:
// messageEmpty for an id the box does not hold.
func getMessages(s *Server, c *call, req *tg.MessagesGetMessagesRequest) (bin.Encoder, error) {
	me, err := s.self(c)
	if err != nil {
		return nil, err
	}
	b := s.st.Boxes[me.ID]
	out := make([]tg.MessageClass, 0, len(req.ID))
	var shown []*message
	for _, in := range req.ID {
		var id int
		switch in := in.(type) {
		case *tg.InputMessageID:
			id = in.ID
		case *tg.InputMessageReplyTo:
			if m := b.Messages[in.ID]; m != nil {
				id = m.ReplyTo
			}
		}
		m := b.Messages[id]
		if id <= 0 || m == nil {
			out = append(out, &tg.MessageEmpty{ID: id})
			continue
		}
		out = append(out, s.renderMessage(m))
		shown = append(shown, m)
	}
	res := s.renderMessages(me.ID, shown)
	res.Messages = out
	return res, nil
}

// renderMessages is messages.messages with ms and the users and chats they
// mention (and the peers also), as viewer sees them.
func (s *Server) renderMessages(viewer int64, ms []*message, also ...peerRef) *tg.MessagesMessages {
	msgs := make([]tg.MessageClass, len(ms))
	for i, m := range ms {
		msgs[i] = s.renderMessage(m)
	}
	users, chats := mentions(ms...)
	for _, p := range also {
		if p.User != 0 {
			users = append(users, p.User)
		}
		if p.Chat != 0 {
			chats = append(chats, p.Chat)
		}
	}
	return &tg.MessagesMessages{
		Messages: msgs,
		Topics:   []tg.ForumTopicClass{},
		Chats:    s.renderChats(viewer, chats...),
		Users:    s.renderUsers(viewer, users...),
	}
}

// mediaKind is what a search filter asks for.
type mediaKind int

const (
	mediaAny mediaKind = iota
	mediaPhoto
	mediaDocument
	mediaPhotoOrVideo
	mediaVideo
)

// filterKind maps a search filter to the media it selects; filters the
// sandbox cannot tell apart are answered as unsupported, with the
// filter's constructor named as a method is.
func filterKind(f tg.MessagesFilterClass) (mediaKind, error) {
	switch f.(type) {
	case nil, *tg.InputMessagesFilterEmpty:
		return mediaAny, nil
	case *tg.InputMessagesFilterPhotos:
		return mediaPhoto, nil
	case *tg.InputMessagesFilterDocument:
		return mediaDocument, nil
	case *tg.InputMessagesFilterPhotoVideo:
		return mediaPhotoOrVideo, nil
	case *tg.InputMessagesFilterVideo:
		return mediaVideo, nil
	}
	return 0, unsupported(f.TypeID())
}

// matches reports whether m has the media k asks for.
func (k mediaKind) matches(m *message) bool {
	if k == mediaAny {
		return true
	}
	if len(m.Media) == 0 {
		return false
	}
	media, err := tg.DecodeMessageMedia(&bin.Buffer{Buf: m.Media})
	if err != nil {
		return false
	}
	switch media := media.(type) {
	case *tg.MessageMediaPhoto:
		return k == mediaPhoto || k == mediaPhotoOrVideo
	case *tg.MessageMediaDocument:
		d, ok := media.Document.(*tg.Document)
		video := ok && strings.HasPrefix(d.MimeType, "video/")
		if video {
			return k == mediaVideo || k == mediaPhotoOrVideo
		}
		return k == mediaDocument
	}
	return false
}

// searchContacts finds accounts for contacts.search: the caller's contacts
// whose name or username contains q (my_results), and other accounts
// whose username does (results), ignoring case, by id, at most limit of
// each (default 50).
func searchContacts(s *Server, c *call, req *tg.ContactsSearchRequest) (bin.Encoder, error) {
	me, err := s.self(c)
	if err != nil {
		return nil, err
	}
	q := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(req.Q), "@"))
	if q == "" {
		return nil, tgerr.New(400, "SEARCH_QUERY_EMPTY")
	}
	limit := req.Limit
	if limit <= 0 || limit > 100 {
		limit = 50
	}
	ids := make([]int64, 0, len(s.st.Users))
	for id := range s.st.Users {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	res := &tg.ContactsFound{MyResults: []tg.PeerClass{}, Results: []tg.PeerClass{}, Chats: []tg.ChatClass{}}
	var shown []int64
	for _, id := range ids {
		u := s.st.Users[id]
		if id == me.ID || u.SignUp {
			continue
		}
		byName := strings.Contains(strings.ToLower(u.Username), q)
		if me.Contacts[id] {
			name := strings.ToLower(u.FirstName + " " + u.LastName)
			if (byName || strings.Contains(name, q)) && len(res.MyResults) < limit {
				res.MyResults = append(res.MyResults, &tg.PeerUser{UserID: id})
				shown = append(shown, id)
			}
			continue
		}
		if byName && u.Username != "" && len(res.Results) < limit {
			res.Results = append(res.Results, &tg.PeerUser{UserID: id})
			shown = append(shown, id)
		}
	}
	res.Users = s.renderUsers(me.ID, shown...)
	return res, nil
}
