package sandbox_test

import (
	"context"
	"fmt"

	"github.com/gotd/td/session"
	"github.com/gotd/td/telegram"
	"github.com/gotd/td/telegram/auth"
	"github.com/gotd/td/tg"

	"github.com/tglua/tglua/sandbox"
)

// A gotd client logs into the sandbox and sends a message to @echo_bot.
func Example() {
	ctx := context.Background()
	srv, err := sandbox.New(sandbox.Options{})
	if err != nil {
		panic(err)
	}
	defer func() { _ = srv.Close() }()
	if err := srv.Start(ctx); err != nil {
		panic(err)
	}

	opts := srv.TelegramOptions()
	opts.SessionStorage = &session.StorageMemory{}
	client := telegram.NewClient(1, "any-hash", opts)
	err = client.Run(ctx, func(ctx context.Context) error {
		code := auth.CodeAuthenticatorFunc(func(context.Context, *tg.AuthSentCode) (string, error) {
			return sandbox.LoginCode, nil
		})
		flow := auth.NewFlow(auth.Constant("+15550000", "", code), auth.SendCodeOptions{})
		if err := client.Auth().IfNecessary(ctx, flow); err != nil {
			return err
		}
		bot, err := client.API().ContactsResolveUsername(ctx, &tg.ContactsResolveUsernameRequest{Username: "echo_bot"})
		if err != nil {
			return err
		}
		u := bot.Users[0].(*tg.User)
		_, err = client.API().MessagesSendMessage(ctx, &tg.MessagesSendMessageRequest{
			Peer:     &tg.InputPeerUser{UserID: u.ID, AccessHash: u.AccessHash},
			Message:  "hello",
			RandomID: 1,
		})
		return err
	})
	fmt.Println(err)
	for _, m := range srv.Messages(sandbox.EchoBotID) {
		if !m.Out {
			fmt.Println(m.From == sandbox.SandboxUserID, m.Text)
		}
	}
	// Output:
	// <nil>
	// true hello
}
