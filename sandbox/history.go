package sandbox

import (
	"sort"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/tg"
)

// historyLimit clamps a requested page size.
func historyLimit(n int) int {
	if n <= 0 || n > 100 {
		return 100
	}
	return n
}

func getHistory(s *Server, c *call, req *tg.MessagesGetHistoryRequest) (bin.Encoder, error) {
	me, peer, err := s.selfPeer(c, req.Peer)
	if err != nil {
		return nil, err
	}
	b := s.st.Boxes[me.ID]
	var ids []int
	if d := b.Dialogs[peer]; d != nil {
		ids = d.IDs
	}
	n := len(ids)
	// Position 0 is the newest message.
	pos := 0
	switch {
	case req.OffsetID > 0:
		pos = n - sort.SearchInts(ids, req.OffsetID)
	case req.OffsetDate > 0:
		for pos < n && b.Messages[ids[n-1-pos]].Date >= req.OffsetDate {
			pos++
		}
	}
	pos += req.AddOffset
	end := pos + historyLimit(req.Limit)
	pos = max(pos, 0)
	end = min(end, n)
	var page []*message
	for i := pos; i < end; i++ {
		id := ids[n-1-i]
		if (req.MaxID > 0 && id >= req.MaxID) || (req.MinID > 0 && id <= req.MinID) {
			continue
		}
		page = append(page, b.Messages[id])
	}
	return s.page(me.ID, page, n, peer), nil
}

func getDialogs(s *Server, c *call, req *tg.MessagesGetDialogsRequest) (bin.Encoder, error) {
	me, err := s.self(c)
	if err != nil {
		return nil, err
	}
	b := s.st.Boxes[me.ID]
	type entry struct {
		peer peerRef
		d    *dialog
	}
	var all []entry
	if req.FolderID == 0 {
		for p, d := range b.Dialogs {
			if d.top() > 0 {
				all = append(all, entry{p, d})
			}
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].d.top() > all[j].d.top() })
	start := 0
	switch {
	case req.OffsetID > 0:
		for start < len(all) && all[start].d.top() >= req.OffsetID {
			start++
		}
	case req.OffsetDate > 0:
		for start < len(all) && b.Messages[all[start].d.top()].Date >= req.OffsetDate {
			start++
		}
	}
	page := all[start:min(len(all), start+historyLimit(req.Limit))]
	res := &tg.MessagesDialogsSlice{Count: len(all)}
	var tops []*message
	for _, e := range page {
		top := b.Messages[e.d.top()]
		tops = append(tops, top)
		res.Dialogs = append(res.Dialogs, &tg.Dialog{
			Peer:            peerClass(e.peer),
			TopMessage:      top.ID,
			ReadInboxMaxID:  e.d.ReadIn,
			ReadOutboxMaxID: e.d.ReadOut,
			UnreadCount:     b.unread(e.d),
		})
		res.Messages = append(res.Messages, s.renderMessage(top))
	}
	users, chats := mentions(tops...)
	res.Users = s.renderUsers(me.ID, users...)
	res.Chats = s.renderChats(me.ID, chats...)
	if res.Dialogs == nil {
		res.Dialogs, res.Messages = []tg.DialogClass{}, []tg.MessageClass{}
	}
	if len(page) == len(all) {
		return &tg.MessagesDialogs{Dialogs: res.Dialogs, Messages: res.Messages, Chats: res.Chats, Users: res.Users}, nil
	}
	return res, nil
}

func readHistory(s *Server, c *call, req *tg.MessagesReadHistoryRequest) (bin.Encoder, error) {
	me, peer, err := s.selfPeer(c, req.Peer)
	if err != nil {
		return nil, err
	}
	b := s.st.Boxes[me.ID]
	d := b.Dialogs[peer]
	if d == nil {
		return &tg.MessagesAffectedMessages{Pts: b.Pts}, nil
	}
	maxID := req.MaxID
	if maxID <= 0 || maxID > d.top() {
		maxID = d.top()
	}
	if maxID <= d.ReadIn {
		return &tg.MessagesAffectedMessages{Pts: b.Pts}, nil
	}
	old := d.ReadIn
	d.ReadIn = maxID
	ev := b.log(event{Kind: evReadIn, Count: 1, Peer: peer, MaxID: maxID, Unread: b.unread(d)})
	s.push(me.ID, c.session.ID, func() bin.Encoder {
		return s.containerPeer(me.ID, s.eventUpdate(b, ev), peer)
	})

	// Tell the senders that their messages were read.
	read := map[int64]int{} // sender -> highest read id in the sender's box
	for _, id := range d.IDs[sort.SearchInts(d.IDs, old+1):] {
		if id > maxID {
			break
		}
		m := b.Messages[id]
		if m.Out || m.Action != "" {
			continue
		}
		if sid, ok := s.st.copyID(m.Ref, m.From); ok && sid > read[m.From] {
			read[m.From] = sid
		}
	}
	for sender, sid := range read {
		sp := peer
		if peer.User != 0 {
			sp = peerRef{User: me.ID}
		}
		sb := s.st.Boxes[sender]
		sd := sb.Dialogs[sp]
		if sd == nil || sid <= sd.ReadOut {
			continue
		}
		sd.ReadOut = sid
		e := sb.log(event{Kind: evReadOut, Count: 1, Peer: sp, MaxID: sid})
		s.push(sender, 0, func() bin.Encoder {
			return s.containerPeer(sender, s.eventUpdate(sb, e), sp)
		})
	}
	return &tg.MessagesAffectedMessages{Pts: ev.Pts, PtsCount: ev.Count}, nil
}
