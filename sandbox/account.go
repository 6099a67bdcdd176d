package sandbox

import (
	"strings"
	"unicode/utf8"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
)

// The account's own profile: its username and names, as Telegram checks
// them.

func registerAccount(h map[uint32]handlerFunc) {
	h[tg.AccountCheckUsernameRequestTypeID] = handle(checkUsername)
	h[tg.AccountUpdateUsernameRequestTypeID] = handle(updateUsername)
	h[tg.AccountUpdateProfileRequestTypeID] = handle(updateProfile)
}

// Telegram's limits on what an account may set.
const (
	minUsername  = 5
	maxName      = 64
	maxAbout     = 70
	maxUsernames = 32
)

// settableUsername reports whether name may be set as a username: 5 to 32
// letters, digits and underscores, starting with a letter, not ending with
// an underscore.
func settableUsername(name string) bool {
	return len(name) >= minUsername && len(name) <= maxUsernames && validUsername(name) && !strings.HasSuffix(name, "_")
}

// checkUsername answers whether the caller could take name: true when it
// is free or already the caller's, false when another account has it.
func checkUsername(s *Server, c *call, req *tg.AccountCheckUsernameRequest) (bin.Encoder, error) {
	me, err := s.self(c)
	if err != nil {
		return nil, err
	}
	if !settableUsername(req.Username) {
		return nil, tgerr.New(400, "USERNAME_INVALID")
	}
	if id, ok := s.st.usernames[strings.ToLower(req.Username)]; ok && id != me.ID {
		return &tg.BoolFalse{}, nil
	}
	return &tg.BoolTrue{}, nil
}

// updateUsername sets the caller's username ("" removes it) and tells the
// caller's other sessions and the accounts that have it as a contact.
func updateUsername(s *Server, c *call, req *tg.AccountUpdateUsernameRequest) (bin.Encoder, error) {
	me, err := s.self(c)
	if err != nil {
		return nil, err
	}
	name := req.Username
	switch {
	case name != "" && !settableUsername(name):
		return nil, tgerr.New(400, "USERNAME_INVALID")
	case name == me.Username:
		return nil, tgerr.New(400, "USERNAME_NOT_MODIFIED")
	}
	if name != "" {
		if id, ok := s.st.usernames[strings.ToLower(name)]; ok && id != me.ID {
			return nil, tgerr.New(400, "USERNAME_OCCUPIED")
		}
	}
	if me.Username != "" {
		delete(s.st.usernames, strings.ToLower(me.Username))
	}
	me.Username = name
	if name != "" {
		s.st.usernames[strings.ToLower(name)] = me.ID
	}
	s.profileChanged(c, me, func() tg.UpdateClass {
		return &tg.UpdateUserName{UserID: me.ID, FirstName: me.FirstName, LastName: me.LastName, Usernames: usernames(me)}
	})
	return s.renderUser(me.ID, me), nil
}

// updateProfile changes the fields given of the caller's first name, last
// name and bio.
func updateProfile(s *Server, c *call, req *tg.AccountUpdateProfileRequest) (bin.Encoder, error) {
	me, err := s.self(c)
	if err != nil {
		return nil, err
	}
	first, firstSet := req.GetFirstName()
	last, lastSet := req.GetLastName()
	about, aboutSet := req.GetAbout()
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	switch {
	case firstSet && (first == "" || utf8.RuneCountInString(first) > maxName):
		return nil, tgerr.New(400, "FIRSTNAME_INVALID")
	case lastSet && utf8.RuneCountInString(last) > maxName:
		return nil, tgerr.New(400, "LASTNAME_INVALID")
	case aboutSet && utf8.RuneCountInString(about) > maxAbout:
		return nil, tgerr.New(400, "ABOUT_TOO_LONG")
	}
	named := (firstSet && first != me.FirstName) || (lastSet && last != me.LastName)
	if firstSet {
		me.FirstName = first
	}
	if lastSet {
		me.LastName = last
	}
	if aboutSet {
		me.About = about
	}
	if named {
		s.profileChanged(c, me, func() tg.UpdateClass {
			return &tg.UpdateUserName{UserID: me.ID, FirstName: me.FirstName, LastName: me.LastName, Usernames: usernames(me)}
		})
	}
	return s.renderUser(me.ID, me), nil
}

// usernames is u's username as updateUserName lists it.
func usernames(u *user) []tg.Username {
	if u.Username == "" {
		return []tg.Username{}
	}
	return []tg.Username{{Editable: true, Active: true, Username: u.Username}}
}

// profileChanged pushes the update built by upd, with the user as each
// receiver sees it, to me's other sessions and to every account that has
// me as a contact. Requires s.mu.
func (s *Server) profileChanged(c *call, me *user, upd func() tg.UpdateClass) {
	notify := func(viewer int64, except int64) {
		s.push(viewer, except, func() bin.Encoder {
			return &tg.Updates{
				Updates: []tg.UpdateClass{upd()},
				Users:   []tg.UserClass{s.renderUser(viewer, me)},
				Chats:   []tg.ChatClass{},
				Date:    now(),
			}
		})
	}
	notify(me.ID, c.session.ID)
	for id, u := range s.st.Users {
		if id != me.ID && u.Contacts[me.ID] {
			notify(id, 0)
		}
	}
}
