package sandbox

import (
	"github.com/go-faster/errors"
)

// Ids and credentials of the seeded accounts (see Options.NoSeed).
const (
	// SandboxUserID is the sandbox user, phone +15550000, username @sandbox.
	SandboxUserID int64 = 1000001
	// AliceID is @alice, phone +15550001.
	AliceID int64 = 1000002
	// BobID is @bob, phone +15550002.
	BobID int64 = 1000003
	// EchoBotID is @echo_bot, which echoes private messages back.
	EchoBotID int64 = 1000004
	// EchoBotToken logs a client in as @echo_bot.
	EchoBotToken = "1000004:sandbox-echo-token"
	// SandboxGroupID is the basic group "Sandbox Group" of the sandbox user,
	// Alice and Bob.
	SandboxGroupID int64 = 2000001

	// firstFreeUserID and firstFreeChatID are where ids of accounts and
	// groups created later start, seeded or not.
	firstFreeUserID int64 = 1000101
	firstFreeChatID int64 = 2000101
)

// seedDate is the fixed creation date of seeded objects (2024-01-01 UTC),
// keeping seeding deterministic.
const seedDate = 1704067200

// seed creates the default accounts and group in an empty state.
func seed(st *state) error {
	users := []*user{
		{ID: SandboxUserID, Phone: "15550000", FirstName: "Sandbox", LastName: "User", Username: "sandbox"},
		{ID: AliceID, Phone: "15550001", FirstName: "Alice", Username: "alice"},
		{ID: BobID, Phone: "15550002", FirstName: "Bob", Username: "bob"},
		{ID: EchoBotID, FirstName: "Echo Bot", Username: "echo_bot", Bot: true, BotToken: EchoBotToken, Echo: true},
	}
	for _, u := range users {
		if err := st.addUser(u); err != nil {
			return errors.Wrap(err, "add user")
		}
	}
	g := &chat{
		ID:      SandboxGroupID,
		Title:   "Sandbox Group",
		Creator: SandboxUserID,
		Members: []int64{SandboxUserID, AliceID, BobID},
		Date:    seedDate,
	}
	st.Chats[g.ID] = g
	ref := st.NextRef
	st.NextRef++
	for _, owner := range g.Members {
		m := &message{
			Ref: ref, From: g.Creator, Peer: peerRef{Chat: g.ID}, Out: owner == g.Creator,
			Date: seedDate, Action: actionChatCreate,
		}
		b := st.Boxes[owner]
		b.add(m)
		st.link(ref, owner, m.ID)
		b.log(event{Kind: evNew, Count: 1, ID: m.ID, Peer: m.Peer})
	}
	return nil
}
