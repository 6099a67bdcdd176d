package sandbox

import (
	"sort"
	"strconv"
	"strings"

	"github.com/go-faster/errors"
)

// stateVersion is the version of the persisted JSON layout.
const stateVersion = 1

// peerRef names a dialog from the point of view of a box owner: either a
// private chat with a user or a basic group.
type peerRef struct {
	User int64
	Chat int64
}

// MarshalText implements encoding.TextMarshaler ("u123" or "c123"), so a
// peerRef can key a JSON object.
func (p peerRef) MarshalText() ([]byte, error) {
	if p.Chat != 0 {
		return []byte("c" + strconv.FormatInt(p.Chat, 10)), nil
	}
	return []byte("u" + strconv.FormatInt(p.User, 10)), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *peerRef) UnmarshalText(b []byte) error {
	s := string(b)
	if len(s) < 2 {
		return errors.Errorf("parse peer %q", s)
	}
	id, err := strconv.ParseInt(s[1:], 10, 64)
	if err != nil {
		return errors.Wrapf(err, "parse peer %q", s)
	}
	switch s[0] {
	case 'u':
		*p = peerRef{User: id}
	case 'c':
		*p = peerRef{Chat: id}
	default:
		return errors.Errorf("parse peer %q", s)
	}
	return nil
}

// password is the SRP verifier of an account with two-step verification.
type password struct {
	Salt1 []byte `json:"salt1"`
	Salt2 []byte `json:"salt2"`
	V     []byte `json:"v"`
	Hint  string `json:"hint,omitempty"`
}

// user is an account.
type user struct {
	ID        int64          `json:"id"`
	Phone     string         `json:"phone,omitempty"` // digits only
	FirstName string         `json:"first_name"`
	LastName  string         `json:"last_name,omitempty"`
	Username  string         `json:"username,omitempty"`
	About     string         `json:"about,omitempty"` // the bio, users.getFullUser's about
	Bot       bool           `json:"bot,omitempty"`
	BotToken  string         `json:"bot_token,omitempty"`
	Echo      bool           `json:"echo,omitempty"`
	Password  *password      `json:"password,omitempty"`
	Contacts  map[int64]bool `json:"contacts,omitempty"`
	// SignUp marks an account auth.signIn does not log in yet: it answers
	// auth.authorizationSignUpRequired until auth.signUp names the user.
	SignUp bool `json:"sign_up,omitempty"`
}

// chat is a basic group.
type chat struct {
	ID      int64   `json:"id"`
	Title   string  `json:"title"`
	Creator int64   `json:"creator"`
	Members []int64 `json:"members"`
	Date    int     `json:"date"`
}

func (c *chat) member(id int64) bool {
	for _, m := range c.Members {
		if m == id {
			return true
		}
	}
	return false
}

// message is one copy of a message in one user's box.
type message struct {
	ID       int     `json:"id"`
	Ref      int64   `json:"ref"` // shared by all copies of the message
	From     int64   `json:"from"`
	Peer     peerRef `json:"peer"`
	Out      bool    `json:"out,omitempty"`
	Silent   bool    `json:"silent,omitempty"`
	Date     int     `json:"date"`
	EditDate int     `json:"edit_date,omitempty"`
	Text     string  `json:"text,omitempty"`
	Entities []byte  `json:"entities,omitempty"` // TL-encoded Vector<MessageEntity>
	Media    []byte  `json:"media,omitempty"`    // TL-encoded MessageMedia
	ReplyTo  int     `json:"reply_to,omitempty"`
	FwdFrom  int64   `json:"fwd_from,omitempty"` // the original author of a forwarded message
	FwdDate  int     `json:"fwd_date,omitempty"` // and its original date
	Action   string  `json:"action,omitempty"`   // for service messages: actionChatCreate...
	// ActionUsers and ActionTitle are the users and the title a service
	// message names (for a chat_create saved without them: the chat's).
	ActionUsers []int64 `json:"action_users,omitempty"`
	ActionTitle string  `json:"action_title,omitempty"`
}

// The service messages of basic groups.
const (
	actionChatCreate     = "chat_create"
	actionChatAddUser    = "chat_add_user"
	actionChatDeleteUser = "chat_delete_user"
	actionChatEditTitle  = "chat_edit_title"
)

// dialog is a chat as seen from one box.
type dialog struct {
	IDs     []int `json:"ids"` // ascending message ids
	ReadIn  int   `json:"read_in,omitempty"`
	ReadOut int   `json:"read_out,omitempty"`
}

func (d *dialog) top() int {
	if len(d.IDs) == 0 {
		return 0
	}
	return d.IDs[len(d.IDs)-1]
}

func (d *dialog) remove(id int) {
	i := sort.SearchInts(d.IDs, id)
	if i < len(d.IDs) && d.IDs[i] == id {
		d.IDs = append(d.IDs[:i], d.IDs[i+1:]...)
	}
}

// box is the message box of one user: its own message ids and pts.
type box struct {
	Pts       int                 `json:"pts"`
	LastID    int                 `json:"last_id"`
	Messages  map[int]*message    `json:"messages"`
	Dialogs   map[peerRef]*dialog `json:"dialogs"`
	Log       eventLog            `json:"log"`
	Deleted   map[int][]int       `json:"deleted,omitempty"` // pts of a delete event -> message ids
	RandomIDs map[int64]int       `json:"random_ids,omitempty"`
}

func newBox() *box {
	return &box{
		Messages:  map[int]*message{},
		Dialogs:   map[peerRef]*dialog{},
		Deleted:   map[int][]int{},
		RandomIDs: map[int64]int{},
	}
}

// add stores m under the next id of the box.
func (b *box) add(m *message) {
	b.LastID++
	m.ID = b.LastID
	b.Messages[m.ID] = m
	d := b.Dialogs[m.Peer]
	if d == nil {
		d = &dialog{}
		b.Dialogs[m.Peer] = d
	}
	d.IDs = append(d.IDs, m.ID)
}

// log appends e to the pts log, assigning its pts, and returns it.
func (b *box) log(e event) event {
	b.Pts += e.Count
	e.Pts = b.Pts
	b.Log.append(e)
	return e
}

// unread counts incoming messages after the read mark of d.
func (b *box) unread(d *dialog) int {
	n := 0
	for i := len(d.IDs) - 1; i >= 0 && d.IDs[i] > d.ReadIn; i-- {
		if m := b.Messages[d.IDs[i]]; m != nil && !m.Out {
			n++
		}
	}
	return n
}

// state is everything that survives a restart.
type state struct {
	Version    int              `json:"version"`
	Secret     []byte           `json:"secret"`
	RSAKey     []byte           `json:"rsa_key,omitempty"` // PKCS#1 DER of a generated key
	NextUserID int64            `json:"next_user_id"`
	NextChatID int64            `json:"next_chat_id"`
	NextRef    int64            `json:"next_ref"`
	Users      map[int64]*user  `json:"users"`
	Chats      map[int64]*chat  `json:"chats"`
	Boxes      map[int64]*box   `json:"boxes"`
	Invites    []Invite         `json:"invites,omitempty"`
	phones     map[string]int64 // digits -> user
	usernames  map[string]int64 // lower-case username -> user
	tokens     map[string]int64 // bot token -> user
	refs       map[refKey]int   // copy of a message in a box -> its id there
}

// refKey names the copy of message Ref in Owner's box.
type refKey struct {
	Ref   int64
	Owner int64
}

func newState(secret []byte) *state {
	st := &state{
		Version:    stateVersion,
		Secret:     secret,
		NextUserID: firstFreeUserID,
		NextChatID: firstFreeChatID,
		NextRef:    1,
		Users:      map[int64]*user{},
		Chats:      map[int64]*chat{},
		Boxes:      map[int64]*box{},
	}
	st.reindex()
	return st
}

// reindex rebuilds the lookup indexes from the persisted maps.
func (st *state) reindex() {
	st.phones = map[string]int64{}
	st.usernames = map[string]int64{}
	st.tokens = map[string]int64{}
	st.refs = map[refKey]int{}
	for id, u := range st.Users {
		if u.Phone != "" {
			st.phones[u.Phone] = id
		}
		if u.Username != "" {
			st.usernames[strings.ToLower(u.Username)] = id
		}
		if u.BotToken != "" {
			st.tokens[u.BotToken] = id
		}
		if u.Contacts == nil {
			u.Contacts = map[int64]bool{}
		}
		if st.Boxes[id] == nil {
			st.Boxes[id] = newBox()
		}
	}
	for owner, b := range st.Boxes {
		if b.Messages == nil {
			b.Messages = map[int]*message{}
		}
		if b.Dialogs == nil {
			b.Dialogs = map[peerRef]*dialog{}
		}
		if b.Deleted == nil {
			b.Deleted = map[int][]int{}
		}
		if b.RandomIDs == nil {
			b.RandomIDs = map[int64]int{}
		}
		for id, m := range b.Messages {
			st.link(m.Ref, owner, id)
		}
	}
}

// link records that the copy of message ref in owner's box has id.
func (st *state) link(ref, owner int64, id int) {
	st.refs[refKey{ref, owner}] = id
}

// unlink forgets the copy of message ref in owner's box.
func (st *state) unlink(ref, owner int64) {
	delete(st.refs, refKey{ref, owner})
}

// copyID returns the id of the copy of message ref in owner's box.
func (st *state) copyID(ref, owner int64) (int, bool) {
	id, ok := st.refs[refKey{ref, owner}]
	return id, ok
}

// owners lists the boxes that may hold a copy of m, a message in owner's
// box.
func (st *state) owners(owner int64, m *message) []int64 {
	switch {
	case m.Peer.Chat != 0:
		if c := st.Chats[m.Peer.Chat]; c != nil {
			return c.Members
		}
		return []int64{owner}
	case m.Peer.User == owner:
		return []int64{owner}
	default:
		return []int64{owner, m.Peer.User}
	}
}

// addUser registers u, checking that its phone, username and token are free.
func (st *state) addUser(u *user) error {
	if u.ID == 0 {
		u.ID = st.NextUserID
		st.NextUserID++
	}
	if _, ok := st.Users[u.ID]; ok {
		return errors.Errorf("user id %d is taken", u.ID)
	}
	if u.Phone != "" {
		if _, ok := st.phones[u.Phone]; ok {
			return errors.Errorf("phone %s is taken", u.Phone)
		}
	}
	if u.Username != "" {
		if _, ok := st.usernames[strings.ToLower(u.Username)]; ok {
			return errors.Errorf("username %s is taken", u.Username)
		}
	}
	if u.BotToken != "" {
		if _, ok := st.tokens[u.BotToken]; ok {
			return errors.New("bot token is taken")
		}
	}
	if u.Contacts == nil {
		u.Contacts = map[int64]bool{}
	}
	st.Users[u.ID] = u
	st.Boxes[u.ID] = newBox()
	if u.Phone != "" {
		st.phones[u.Phone] = u.ID
	}
	if u.Username != "" {
		st.usernames[strings.ToLower(u.Username)] = u.ID
	}
	if u.BotToken != "" {
		st.tokens[u.BotToken] = u.ID
	}
	return nil
}
