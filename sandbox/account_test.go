package sandbox

import (
	"context"
	"strings"
	"testing"

	"github.com/gotd/td/tg"
)

func TestCheckAndUpdateUsername(t *testing.T) {
	s := newTestServer(t, Options{})
	r := record(s)
	ctx := context.Background()
	sc := newConn(s)
	loginConn(t, sc, "+15550000")
	other := sc.sibling() // another session of the same login
	api := sc.api()
	if _, err := other.api().UpdatesGetState(ctx); err != nil { // the server learns of a session by its requests
		t.Fatal(err)
	}
	ac := newConn(s)
	loginConn(t, ac, "+15550001")
	// Alice has the sandbox user as a contact, so she hears of the change.
	if _, err := ac.api().ContactsImportContacts(ctx, []tg.InputPhoneContact{{ClientID: 1, Phone: "+15550000", FirstName: "S"}}); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name string
		want bool
	}{{"sandbox", true}, {"Alice", false}, {"new_name1", true}} {
		got, err := api.AccountCheckUsername(ctx, tc.name)
		if err != nil || got != tc.want {
			t.Fatalf("checkUsername(%q) = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
	for _, bad := range []string{"abc", "1abcde", "abcde_", "ab-cde", strings.Repeat("a", 33)} {
		_, err := api.AccountCheckUsername(ctx, bad)
		wantErr(t, err, 400, "USERNAME_INVALID")
		_, err = api.AccountUpdateUsername(ctx, bad)
		wantErr(t, err, 400, "USERNAME_INVALID")
	}
	_, err := api.AccountUpdateUsername(ctx, "ALICE")
	wantErr(t, err, 400, "USERNAME_OCCUPIED")
	_, err = api.AccountUpdateUsername(ctx, "sandbox")
	wantErr(t, err, 400, "USERNAME_NOT_MODIFIED")

	u, err := api.AccountUpdateUsername(ctx, "new_name1")
	if err != nil {
		t.Fatal(err)
	}
	if me := u.(*tg.User); me.Username != "new_name1" || !me.Self {
		t.Fatalf("updateUsername answered %+v", me)
	}
	if got, err := resolve(ctx, ac.api(), "@New_Name1"); err != nil || got.ID != SandboxUserID {
		t.Fatalf("resolve the new name: %v, %v", got, err)
	}
	_, err = resolve(ctx, ac.api(), "sandbox")
	wantErr(t, err, 400, "USERNAME_NOT_OCCUPIED")

	// The other session and the contact are told, each with the user as
	// they see it.
	for _, c := range []*conn{other, ac} {
		p := r.wait(c.session, 1)[0].(*tg.Updates)
		un, ok := p.Updates[0].(*tg.UpdateUserName)
		if !ok || un.UserID != SandboxUserID || len(un.Usernames) != 1 || un.Usernames[0].Username != "new_name1" {
			t.Fatalf("session %d got %+v", c.session, p.Updates)
		}
		if len(p.Users) != 1 || p.Users[0].(*tg.User).Username != "new_name1" {
			t.Fatalf("session %d got users %+v", c.session, p.Users)
		}
	}

	// "" removes the username; the old one is free again.
	if _, err := api.AccountUpdateUsername(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if ok, err := ac.api().AccountCheckUsername(ctx, "new_name1"); err != nil || !ok {
		t.Fatalf("the removed name is not free: %v, %v", ok, err)
	}
	_, err = api.AccountUpdateUsername(ctx, "")
	wantErr(t, err, 400, "USERNAME_NOT_MODIFIED")

	// Without a login, no account.
	_, err = newConn(s).api().AccountCheckUsername(ctx, "somebody")
	wantErr(t, err, 401, "AUTH_KEY_UNREGISTERED")
}

func TestUpdateProfile(t *testing.T) {
	s := newTestServer(t, Options{})
	ctx := context.Background()
	sc := newConn(s)
	me := loginConn(t, sc, "+15550000")
	api := sc.api()

	_, err := api.AccountUpdateProfile(ctx, &tg.AccountUpdateProfileRequest{FirstName: "  "})
	wantErr(t, err, 400, "FIRSTNAME_INVALID")
	_, err = api.AccountUpdateProfile(ctx, &tg.AccountUpdateProfileRequest{About: strings.Repeat("é", 71)})
	wantErr(t, err, 400, "ABOUT_TOO_LONG")
	_, err = api.AccountUpdateProfile(ctx, &tg.AccountUpdateProfileRequest{LastName: strings.Repeat("x", 65)})
	wantErr(t, err, 400, "LASTNAME_INVALID")

	// Only the fields given change.
	req := &tg.AccountUpdateProfileRequest{}
	req.SetFirstName(" Ann ")
	req.SetAbout(strings.Repeat("é", 70))
	u, err := api.AccountUpdateProfile(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if got := u.(*tg.User); got.FirstName != "Ann" || got.LastName != me.LastName {
		t.Fatalf("updateProfile answered %q %q, want Ann %q", got.FirstName, got.LastName, me.LastName)
	}
	full, err := api.UsersGetFullUser(ctx, &tg.InputUserSelf{})
	if err != nil {
		t.Fatal(err)
	}
	if full.FullUser.About != strings.Repeat("é", 70) {
		t.Fatalf("about = %q", full.FullUser.About)
	}
	// An empty last name clears it.
	unset := &tg.AccountUpdateProfileRequest{}
	unset.SetLastName("")
	if u, err = api.AccountUpdateProfile(ctx, unset); err != nil || u.(*tg.User).LastName != "" || u.(*tg.User).FirstName != "Ann" {
		t.Fatalf("clearing the last name: %+v, %v", u, err)
	}
}
