package sandbox

import (
	"sort"
	"strings"
	"time"

	"github.com/go-faster/errors"
)

// UserSpec describes an account for AddUser.
type UserSpec struct {
	// Phone is the login phone number, e.g. "+15551234"; needed to log in
	// with a code. Bots have none.
	Phone string
	// FirstName defaults to "User <digits>".
	FirstName string
	// LastName is optional.
	LastName string
	// Username is optional, without "@".
	Username string
	// Password, if set, enables two-step verification (SRP).
	Password string
	// PasswordHint is shown by account.getPassword.
	PasswordHint string
	// BotToken, if set, makes the account a bot that logs in with
	// auth.importBotAuthorization; the form is "ID:secret".
	BotToken string
	// Echo makes a bot echo private messages back, like @echo_bot.
	Echo bool
}

// AddUser creates an account and returns its id.
func (s *Server) AddUser(spec UserSpec) (int64, error) {
	u := &user{
		FirstName: strings.TrimSpace(spec.FirstName),
		LastName:  strings.TrimSpace(spec.LastName),
		Username:  strings.TrimPrefix(spec.Username, "@"),
		BotToken:  spec.BotToken,
		Bot:       spec.BotToken != "",
		Echo:      spec.Echo,
	}
	if spec.Phone != "" {
		phone, ok := normPhone(spec.Phone)
		if !ok {
			return 0, errors.Errorf("check phone %q: want 5 to 15 digits", spec.Phone)
		}
		u.Phone = phone
	}
	if u.Bot {
		if i := strings.IndexByte(spec.BotToken, ':'); i <= 0 || i == len(spec.BotToken)-1 {
			return 0, errors.New("check bot token: want ID:secret")
		}
		if u.Phone != "" {
			return 0, errors.New("check bot: bots have no phone")
		}
	} else if u.Echo {
		return 0, errors.New("check echo: only bots echo")
	}
	if u.Username != "" && !validUsername(u.Username) {
		return 0, errors.Errorf("check username %q", u.Username)
	}
	if spec.Password != "" {
		pw, err := newPassword(spec.Password, spec.PasswordHint)
		if err != nil {
			return 0, errors.Wrap(err, "derive password")
		}
		u.Password = pw
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.FirstName == "" {
		u.FirstName = "User " + u.Phone
		if u.Phone == "" {
			u.FirstName = "User"
		}
	}
	if err := s.st.addUser(u); err != nil {
		return 0, errors.Wrap(err, "add user")
	}
	return u.ID, nil
}

// Message is a snapshot of one message in a user's message box.
type Message struct {
	// ID is the message id in the owner's box.
	ID int
	// Owner is the user whose box holds this copy.
	Owner int64
	// From is the sender.
	From int64
	// PeerUser is the other user of a private chat (the owner for Saved
	// Messages), 0 in groups.
	PeerUser int64
	// Chat is the basic group id, 0 in private chats.
	Chat int64
	// Out reports whether the owner sent it.
	Out bool
	// Text is the message text; empty for service messages.
	Text string
	// Service is set for service messages ("chat_create").
	Service string
	// ReplyTo is the id (in the owner's box) of the message replied to.
	ReplyTo int
	// Date is when it was sent.
	Date time.Time
	// Edited is when it was last edited, zero if never.
	Edited time.Time
}

// Messages returns the messages in owner's box, oldest first.
func (s *Server) Messages(owner int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.st.Boxes[owner]
	if b == nil {
		return nil
	}
	out := make([]Message, 0, len(b.Messages))
	for _, m := range b.Messages {
		msg := Message{
			ID: m.ID, Owner: owner, From: m.From, PeerUser: m.Peer.User, Chat: m.Peer.Chat,
			Out: m.Out, Text: m.Text, Service: m.Action, ReplyTo: m.ReplyTo,
			Date: time.Unix(int64(m.Date), 0).UTC(),
		}
		if m.EditDate != 0 {
			msg.Edited = time.Unix(int64(m.EditDate), 0).UTC()
		}
		out = append(out, msg)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Pts returns the current pts of uid's message box.
func (s *Server) Pts(uid int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.st.Boxes[uid]; b != nil {
		return b.Pts
	}
	return 0
}

// Invites returns the recorded auth.sendInvites calls, oldest first.
func (s *Server) Invites() []Invite {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Invite, len(s.st.Invites))
	for i, inv := range s.st.Invites {
		inv.Numbers = append([]string(nil), inv.Numbers...)
		out[i] = inv
	}
	return out
}
