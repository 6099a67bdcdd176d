package sandbox

import (
	"context"
	"testing"

	"github.com/gotd/td/telegram/auth"
	"github.com/gotd/td/tg"
)

func TestLoginTransitions(t *testing.T) {
	s := newTestServer(t, Options{})
	ctx := context.Background()
	c := newConn(s)
	api := c.api()

	_, err := api.UsersGetUsers(ctx, []tg.InputUserClass{&tg.InputUserSelf{}})
	wantErr(t, err, 401, "AUTH_KEY_UNREGISTERED")

	_, err = api.AuthSendCode(ctx, &tg.AuthSendCodeRequest{PhoneNumber: "+1abc"})
	wantErr(t, err, 400, "PHONE_NUMBER_INVALID")

	sent, err := api.AuthSendCode(ctx, &tg.AuthSendCodeRequest{PhoneNumber: "+1 555-0000"})
	if err != nil {
		t.Fatal(err)
	}
	code := sent.(*tg.AuthSentCode)
	if _, ok := code.Type.(*tg.AuthSentCodeTypeApp); !ok || code.PhoneCodeHash == "" {
		t.Fatalf("sent code %+v", code)
	}

	signIn := func(hash, code string) error {
		_, err := api.AuthSignIn(ctx, &tg.AuthSignInRequest{PhoneNumber: "+15550000", PhoneCodeHash: hash, PhoneCode: code})
		return err
	}
	wantErr(t, signIn("bogus", LoginCode), 400, "PHONE_CODE_EXPIRED")
	wantErr(t, signIn(code.PhoneCodeHash, "54321"), 400, "PHONE_CODE_INVALID")
	wantErr(t, signIn(code.PhoneCodeHash, ""), 400, "PHONE_CODE_EMPTY")
	if err := signIn(code.PhoneCodeHash, LoginCode); err != nil {
		t.Fatal(err)
	}
	// The hash is used up.
	wantErr(t, signIn(code.PhoneCodeHash, LoginCode), 400, "PHONE_CODE_EXPIRED")

	users, err := api.UsersGetUsers(ctx, []tg.InputUserClass{&tg.InputUserSelf{}})
	if err != nil {
		t.Fatal(err)
	}
	me := users[0].(*tg.User)
	if me.ID != SandboxUserID || !me.Self || me.Username != "sandbox" || me.Phone != "15550000" {
		t.Fatalf("self %+v", me)
	}

	// Another auth key is still logged out.
	_, err = newConn(s).api().UpdatesGetState(ctx)
	wantErr(t, err, 401, "AUTH_KEY_UNREGISTERED")

	if _, err := api.AuthLogOut(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = api.UpdatesGetState(ctx)
	wantErr(t, err, 401, "AUTH_KEY_UNREGISTERED")
}

func TestLoginCreatesAccount(t *testing.T) {
	s := newTestServer(t, Options{NoSeed: true})
	me := loginConn(t, newConn(s), "+4930123456")
	if me.ID != firstFreeUserID || me.FirstName != "User 4930123456" {
		t.Fatalf("new account %+v", me)
	}
	// The same phone logs into the same account.
	if again := loginConn(t, newConn(s), "4930123456"); again.ID != me.ID {
		t.Fatalf("got %d, want %d", again.ID, me.ID)
	}
}

func TestPasswordTransitions(t *testing.T) {
	s := newTestServer(t, Options{})
	id, err := s.AddUser(UserSpec{Phone: "+15557777", FirstName: "Carol", Password: "hunter2", PasswordHint: "h2"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c := newConn(s)
	api := c.api()

	// Without a pending login there is nothing to ask for.
	_, err = api.AccountGetPassword(ctx)
	wantErr(t, err, 401, "AUTH_KEY_UNREGISTERED")

	sent, err := api.AuthSendCode(ctx, &tg.AuthSendCodeRequest{PhoneNumber: "+15557777"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = api.AuthSignIn(ctx, &tg.AuthSignInRequest{
		PhoneNumber: "+15557777", PhoneCodeHash: sent.(*tg.AuthSentCode).PhoneCodeHash, PhoneCode: LoginCode,
	})
	wantErr(t, err, 401, "SESSION_PASSWORD_NEEDED")
	_, err = api.UpdatesGetState(ctx)
	wantErr(t, err, 401, "AUTH_KEY_UNREGISTERED")

	check := func(pass string, mutate func(*tg.InputCheckPasswordSRP)) error {
		p, err := api.AccountGetPassword(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !p.HasPassword || p.Hint != "h2" {
			t.Fatalf("password %+v", p)
		}
		in, err := auth.PasswordHash([]byte(pass), p.SRPID, p.SRPB, p.SecureRandom, p.CurrentAlgo)
		if err != nil {
			t.Fatal(err)
		}
		if mutate != nil {
			mutate(in)
		}
		_, err = api.AuthCheckPassword(ctx, in)
		return err
	}
	wantErr(t, check("wrong", nil), 400, "PASSWORD_HASH_INVALID")
	wantErr(t, check("hunter2", func(in *tg.InputCheckPasswordSRP) { in.SRPID++ }), 400, "SRP_ID_INVALID")
	if err := check("hunter2", nil); err != nil {
		t.Fatal(err)
	}
	users, err := api.UsersGetUsers(ctx, []tg.InputUserClass{&tg.InputUserSelf{}})
	if err != nil {
		t.Fatal(err)
	}
	if got := users[0].(*tg.User).ID; got != id {
		t.Fatalf("logged in as %d, want %d", got, id)
	}
}

func TestBotLogin(t *testing.T) {
	s := newTestServer(t, Options{})
	ctx := context.Background()
	api := newConn(s).api()
	_, err := api.AuthImportBotAuthorization(ctx, &tg.AuthImportBotAuthorizationRequest{BotAuthToken: "1000004:wrong"})
	wantErr(t, err, 400, "ACCESS_TOKEN_INVALID")
	a, err := api.AuthImportBotAuthorization(ctx, &tg.AuthImportBotAuthorizationRequest{BotAuthToken: EchoBotToken})
	if err != nil {
		t.Fatal(err)
	}
	bot := a.(*tg.AuthAuthorization).User.(*tg.User)
	if bot.ID != EchoBotID || !bot.Bot || bot.Username != "echo_bot" {
		t.Fatalf("bot %+v", bot)
	}

	id, err := s.AddUser(UserSpec{FirstName: "Mine", Username: "mine_bot", BotToken: "42:secret"})
	if err != nil {
		t.Fatal(err)
	}
	a, err = newConn(s).api().AuthImportBotAuthorization(ctx, &tg.AuthImportBotAuthorizationRequest{BotAuthToken: "42:secret"})
	if err != nil {
		t.Fatal(err)
	}
	if got := a.(*tg.AuthAuthorization).User.GetID(); got != id {
		t.Fatalf("bot id %d, want %d", got, id)
	}
}

func TestAddUserChecks(t *testing.T) {
	s := newTestServer(t, Options{})
	for _, spec := range []UserSpec{
		{Phone: "+15550001"},                     // taken by Alice
		{Phone: "12"},                            // too short
		{Phone: "+15559999", Username: "alice"},  // username taken
		{Phone: "+15559999", Username: "bad-na"}, // invalid username
		{BotToken: "nocolon"},                    // bad token
		{Phone: "+15559999", Echo: true},         // echo without bot
	} {
		if _, err := s.AddUser(spec); err == nil {
			t.Errorf("AddUser(%+v) succeeded", spec)
		}
	}
}
