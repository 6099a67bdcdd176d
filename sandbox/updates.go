package sandbox

import (
	"github.com/gotd/td/bin"
	"github.com/gotd/td/tg"
)

// diffSliceSize is the most pts events one updates.getDifference answer
// carries before it becomes updates.differenceSlice.
var diffSliceSize = 100

func registerUpdates(h map[uint32]handlerFunc) {
	h[tg.UpdatesGetStateRequestTypeID] = handle(getState)
	h[tg.UpdatesGetDifferenceRequestTypeID] = handle(getDifference)
}

// eventUpdate renders a logged event as an update, or nil when the message
// it refers to is gone.
func (s *Server) eventUpdate(b *box, e event) tg.UpdateClass {
	switch e.Kind {
	case evNew, evEdit:
		m := b.Messages[e.ID]
		if m == nil {
			return nil
		}
		if e.Kind == evNew {
			return &tg.UpdateNewMessage{Message: s.renderMessage(m), Pts: e.Pts, PtsCount: e.Count}
		}
		return &tg.UpdateEditMessage{Message: s.renderMessage(m), Pts: e.Pts, PtsCount: e.Count}
	case evDelete:
		return &tg.UpdateDeleteMessages{Messages: append([]int{}, b.Deleted[e.Pts]...), Pts: e.Pts, PtsCount: e.Count}
	case evReadIn:
		return &tg.UpdateReadHistoryInbox{
			Peer: peerClass(e.Peer), MaxID: e.MaxID, StillUnreadCount: e.Unread,
			Pts: e.Pts, PtsCount: e.Count,
		}
	case evReadOut:
		return &tg.UpdateReadHistoryOutbox{Peer: peerClass(e.Peer), MaxID: e.MaxID, Pts: e.Pts, PtsCount: e.Count}
	}
	return nil
}

// updatesState is the current update state of a box.
func (s *Server) updatesState(b *box) tg.UpdatesState {
	unread := 0
	for _, d := range b.Dialogs {
		unread += b.unread(d)
	}
	return tg.UpdatesState{Pts: b.Pts, Date: now(), UnreadCount: unread}
}

func getState(s *Server, c *call, _ *tg.UpdatesGetStateRequest) (bin.Encoder, error) {
	me, err := s.self(c)
	if err != nil {
		return nil, err
	}
	st := s.updatesState(s.st.Boxes[me.ID])
	return &st, nil
}

func getDifference(s *Server, c *call, req *tg.UpdatesGetDifferenceRequest) (bin.Encoder, error) {
	me, err := s.self(c)
	if err != nil {
		return nil, err
	}
	b := s.st.Boxes[me.ID]
	switch {
	case req.Pts < 0 || req.Pts > b.Pts:
		// The client is ahead, e.g. after a server reset.
		return &tg.UpdatesDifferenceTooLong{Pts: b.Pts}, nil
	case req.Pts == b.Pts:
		return &tg.UpdatesDifferenceEmpty{Date: now()}, nil
	case req.PtsTotalLimit > 0 && b.Pts-req.Pts > req.PtsTotalLimit:
		return &tg.UpdatesDifferenceTooLong{Pts: b.Pts}, nil
	}
	size := diffSliceSize
	if req.PtsLimit > 0 && req.PtsLimit < size {
		size = req.PtsLimit
	}
	evs, sliced := b.Log.since(req.Pts, size)

	var (
		msgs         = []tg.MessageClass{}
		other        = []tg.UpdateClass{}
		users, chats []int64
	)
	for _, e := range evs {
		u := s.eventUpdate(b, e)
		if u == nil {
			continue
		}
		if nm, ok := u.(*tg.UpdateNewMessage); ok {
			msgs = append(msgs, nm.Message)
			us, cs := mentions(b.Messages[e.ID])
			users, chats = append(users, us...), append(chats, cs...)
			continue
		}
		other = append(other, u)
		if e.Kind == evEdit {
			us, cs := mentions(b.Messages[e.ID])
			users, chats = append(users, us...), append(chats, cs...)
		}
		if e.Peer.User != 0 {
			users = append(users, e.Peer.User)
		}
		if e.Peer.Chat != 0 {
			chats = append(chats, e.Peer.Chat)
		}
	}
	state := s.updatesState(b)
	renderedUsers := s.renderUsers(me.ID, users...)
	renderedChats := s.renderChats(me.ID, chats...)
	if sliced {
		state.Pts = evs[len(evs)-1].Pts
		return &tg.UpdatesDifferenceSlice{
			NewMessages:          msgs,
			NewEncryptedMessages: []tg.EncryptedMessageClass{},
			OtherUpdates:         other,
			Chats:                renderedChats,
			Users:                renderedUsers,
			IntermediateState:    state,
		}, nil
	}
	return &tg.UpdatesDifference{
		NewMessages:          msgs,
		NewEncryptedMessages: []tg.EncryptedMessageClass{},
		OtherUpdates:         other,
		Chats:                renderedChats,
		Users:                renderedUsers,
		State:                state,
	}, nil
}
