package sandbox

import (
	"strings"
	"time"

	"github.com/go-faster/errors"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
)

// sendInvitesTypeID is the constructor of the legacy method
// auth.sendInvites#771c1d97 phone_numbers:Vector<string> message:string = Bool;
// which gotd's tg package does not know.
const sendInvitesTypeID = 0x771c1d97

// Invite is one recorded auth.sendInvites call.
type Invite struct {
	From    int64     `json:"from"`
	Numbers []string  `json:"numbers"`
	Message string    `json:"message"`
	Date    time.Time `json:"date"`
}

func registerInvites(h map[uint32]handlerFunc) {
	h[sendInvitesTypeID] = sendInvites
}

// decodeSendInvites decodes auth.sendInvites by hand.
func decodeSendInvites(b *bin.Buffer) (numbers []string, msg string, err error) {
	if err := b.ConsumeID(sendInvitesTypeID); err != nil {
		return nil, "", err
	}
	n, err := b.VectorHeader()
	if err != nil {
		return nil, "", err
	}
	if n > len(b.Buf)/4 {
		return nil, "", errors.Errorf("decode vector: %d strings cannot fit", n)
	}
	numbers = make([]string, 0, n)
	for i := 0; i < n; i++ {
		s, err := b.String()
		if err != nil {
			return nil, "", err
		}
		numbers = append(numbers, s)
	}
	if msg, err = b.String(); err != nil {
		return nil, "", err
	}
	return numbers, msg, nil
}

// validInviteNumber accepts "+" followed by 7 to 15 digits.
func validInviteNumber(s string) bool {
	if len(s) < 8 || len(s) > 16 || s[0] != '+' {
		return false
	}
	for _, r := range s[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func sendInvites(s *Server, c *call) (bin.Encoder, error) {
	numbers, msg, err := decodeSendInvites(c.buf)
	if err != nil {
		return nil, errInputFetch
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noteSession(c)
	me, err := s.self(c)
	if err != nil {
		return nil, err
	}
	if msg == "" {
		return nil, errMessageEmpty
	}
	if len(numbers) == 0 {
		return nil, tgerr.New(400, "PHONE_NUMBER_INVALID")
	}
	for _, n := range numbers {
		if !validInviteNumber(n) {
			return nil, tgerr.New(400, "PHONE_NUMBER_INVALID")
		}
	}
	// Inviting only yourself invites nobody: Telegram answers false.
	self := 0
	for _, n := range numbers {
		if strings.TrimPrefix(n, "+") == me.Phone {
			self++
		}
	}
	if self == len(numbers) {
		return &tg.BoolFalse{}, nil
	}
	s.st.Invites = append(s.st.Invites, Invite{
		From:    me.ID,
		Numbers: numbers,
		Message: msg,
		Date:    time.Now().UTC().Truncate(time.Second),
	})
	return &tg.BoolTrue{}, nil
}
