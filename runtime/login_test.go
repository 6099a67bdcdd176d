package runtime_test

// Login functions end to end: Lua -> runtime -> gotd -> MTProto on
// 127.0.0.1 -> a test server that implements the login methods, including
// the server side of SRP, so complete_2fa_login is checked for real.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotd/log"
	gotdsession "github.com/gotd/td/session"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
	"github.com/gotd/td/tgtest"

	"github.com/tglua/tglua/internal/testserver"
	"github.com/tglua/tglua/luabind"
	"github.com/tglua/tglua/runtime"
	"github.com/tglua/tglua/sandbox/srp"
)

// authServer is the server side of the login methods.
type authServer struct {
	t                  *testing.T
	phone, code, hash  string
	password, botToken string

	mu       sync.Mutex
	pw       *srp.Password
	ch       *srp.Challenge // the last account.getPassword's
	calls    []string
	loggedIn bool
}

func randomBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func newAuthServer(t *testing.T, srv *testserver.Server, password string) *authServer {
	a := &authServer{t: t, phone: "+15550000", code: "24680", hash: "c0ffee-code-hash",
		password: password, botToken: "123456:bot-secret-token"}
	if password != "" {
		pw, err := srp.NewPassword(password)
		if err != nil {
			t.Fatal(err)
		}
		a.pw = pw
	}
	d := srv.Dispatcher
	d.HandleFunc(tg.AuthSendCodeRequestTypeID, a.sendCode)
	d.HandleFunc(tg.AuthSignInRequestTypeID, a.signIn)
	d.HandleFunc(tg.AccountGetPasswordRequestTypeID, a.getPassword)
	d.HandleFunc(tg.AuthCheckPasswordRequestTypeID, a.checkPassword)
	d.HandleFunc(tg.AuthImportBotAuthorizationRequestTypeID, a.importBot)
	d.HandleFunc(tg.UsersGetUsersRequestTypeID, a.getUsers)
	d.HandleFunc(tg.AuthLogOutRequestTypeID, a.logOut)
	return a
}

func (a *authServer) record(name string) {
	a.mu.Lock()
	a.calls = append(a.calls, name)
	a.mu.Unlock()
}

func (a *authServer) user() *tg.User {
	return &tg.User{ID: 777000111, AccessHash: -7546723456789012345, FirstName: "Sandbox", LastName: "User", Username: "sandbox", Phone: "15550000", Self: true}
}

func (a *authServer) sendCode(s *tgtest.Server, req *tgtest.Request) error {
	a.record("auth.sendCode")
	var r tg.AuthSendCodeRequest
	if err := r.Decode(req.Buf); err != nil {
		return err
	}
	if r.APIID != 1 || r.APIHash != "hash" {
		return tgerr.New(400, "API_ID_INVALID")
	}
	if r.PhoneNumber != a.phone {
		return tgerr.New(400, "PHONE_NUMBER_INVALID")
	}
	return s.SendResult(req, &tg.AuthSentCode{Type: &tg.AuthSentCodeTypeApp{Length: len(a.code)}, PhoneCodeHash: a.hash})
}

func (a *authServer) signIn(s *tgtest.Server, req *tgtest.Request) error {
	a.record("auth.signIn")
	var r tg.AuthSignInRequest
	if err := r.Decode(req.Buf); err != nil {
		return err
	}
	if r.PhoneNumber != a.phone || r.PhoneCodeHash != a.hash {
		return tgerr.New(400, "PHONE_CODE_HASH_EMPTY")
	}
	if r.PhoneCode != a.code {
		return tgerr.New(400, "PHONE_CODE_INVALID")
	}
	if a.password != "" {
		return tgerr.New(401, "SESSION_PASSWORD_NEEDED")
	}
	a.mu.Lock()
	a.loggedIn = true
	a.mu.Unlock()
	return s.SendResult(req, &tg.AuthAuthorization{User: a.user()})
}

func (a *authServer) getPassword(s *tgtest.Server, req *tgtest.Request) error {
	a.record("account.getPassword")
	if a.password == "" {
		return s.SendResult(req, &tg.AccountPassword{NewAlgo: &tg.PasswordKdfAlgoUnknown{}, NewSecureAlgo: &tg.SecurePasswordKdfAlgoUnknown{}, SecureRandom: randomBytes(a.t, 32)})
	}
	ch, err := srp.NewChallenge(a.pw)
	if err != nil {
		return err
	}
	a.mu.Lock()
	a.ch = ch
	a.mu.Unlock()
	return s.SendResult(req, &tg.AccountPassword{
		HasPassword: true, CurrentAlgo: a.pw.Algo(), SRPB: ch.B[:], SRPID: ch.ID,
		NewAlgo: a.pw.Algo(), NewSecureAlgo: &tg.SecurePasswordKdfAlgoUnknown{}, SecureRandom: randomBytes(a.t, 256),
	})
}

// checkPassword verifies the SRP proof M1 for real.
func (a *authServer) checkPassword(s *tgtest.Server, req *tgtest.Request) error {
	a.record("auth.checkPassword")
	var r tg.AuthCheckPasswordRequest
	if err := r.Decode(req.Buf); err != nil {
		return err
	}
	in, ok := r.Password.(*tg.InputCheckPasswordSRP)
	if !ok {
		return tgerr.New(400, "PASSWORD_HASH_INVALID")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ch == nil || in.SRPID != a.ch.ID {
		return tgerr.New(400, "SRP_ID_INVALID")
	}
	ok = a.ch.Verify(a.pw, in.A, in.M1)
	a.ch = nil // one proof per account.getPassword
	if !ok {
		return tgerr.New(400, "PASSWORD_HASH_INVALID")
	}
	a.loggedIn = true
	return s.SendResult(req, &tg.AuthAuthorization{User: a.user()})
}

func (a *authServer) importBot(s *tgtest.Server, req *tgtest.Request) error {
	a.record("auth.importBotAuthorization")
	var r tg.AuthImportBotAuthorizationRequest
	if err := r.Decode(req.Buf); err != nil {
		return err
	}
	if r.BotAuthToken != a.botToken || r.APIID != 1 {
		return tgerr.New(400, "ACCESS_TOKEN_INVALID")
	}
	return s.SendResult(req, &tg.AuthAuthorization{User: &tg.User{ID: 123456, AccessHash: 99, FirstName: "Echo", Username: "echo_bot", Bot: true, Self: true}})
}

func (a *authServer) getUsers(s *tgtest.Server, req *tgtest.Request) error {
	a.record("users.getUsers")
	var r tg.UsersGetUsersRequest
	if err := r.Decode(req.Buf); err != nil {
		return err
	}
	if len(r.ID) != 1 {
		return tgerr.New(400, "USER_ID_INVALID")
	}
	if _, ok := r.ID[0].(*tg.InputUserSelf); !ok {
		return tgerr.New(400, "USER_ID_INVALID")
	}
	a.mu.Lock()
	in := a.loggedIn
	a.mu.Unlock()
	if !in {
		return tgerr.New(401, "AUTH_KEY_UNREGISTERED")
	}
	return s.SendVector(req, a.user())
}

func (a *authServer) logOut(s *tgtest.Server, req *tgtest.Request) error {
	a.record("auth.logOut")
	a.mu.Lock()
	a.loggedIn = false
	a.mu.Unlock()
	return s.SendResult(req, &tg.AuthLoggedOut{})
}

// loginRuntime is a runtime connected to srv.
func loginRuntime(t *testing.T, srv *testserver.Server, sessionPath string, logger log.Logger) *runtime.Runtime {
	t.Helper()
	rt, err := runtime.New(runtime.Options{
		Dial:        runtime.Dial{AppID: 1, AppHash: "hash", Server: srv.Addr.String(), ServerKey: srv.PEM(), DC: srv.DC},
		SessionPath: sessionPath,
		Logger:      logger,
		Stdout:      &bytes.Buffer{},
		Stderr:      &bytes.Buffer{},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rt.Close() })
	return rt
}

func do(t *testing.T, rt *runtime.Runtime, src string) []any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := rt.DoString(ctx, src)
	if err != nil {
		t.Fatalf("script failed: %v", err)
	}
	return out
}

func fail(t *testing.T, rt *runtime.Runtime, src string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := rt.DoString(ctx, src)
	if err == nil {
		t.Fatalf("script succeeded, want an error")
	}
	return err
}

func TestPhoneLoginTwoRunsWithSessionFile(t *testing.T) {
	srv := testserver.Start(t)
	a := newAuthServer(t, srv, "")
	path := filepath.Join(t.TempDir(), "s.session")

	// First run: send the code; the hash goes to the session, not to Lua.
	rt := loginRuntime(t, srv, path, nil)
	out := do(t, rt, `local r = phone_login('+15550000'); return r._, r.phone_code_hash, r.type._`)
	if out[0] != "auth.sentCode" || out[1] != nil || out[2] != "auth.sentCodeTypeApp" {
		t.Fatalf("phone_login returned %v", out)
	}
	if err := rt.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(a.hash)) {
		t.Fatal("the pending login is not in the session file")
	}

	// Second run, a new runtime and connection: a wrong code, then the right one.
	rt = loginRuntime(t, srv, path, nil)
	err = fail(t, rt, `complete_phone_login('11111')`)
	var le *luabind.Error
	if !errors.As(err, &le) || le.Type != "PHONE_CODE_INVALID" || le.Method != "auth.signIn" {
		t.Fatalf("wrong code: %v", err)
	}
	if strings.Contains(err.Error(), "11111") || strings.Contains(err.Error(), a.hash) {
		t.Fatalf("error leaks a secret: %v", err)
	}
	out = do(t, rt, `local u = complete_phone_login('24680'); local s = get_self()
		return u._, u.id, u.first_name, s.id, s.username`)
	want := []any{"user", int64(777000111), "Sandbox", int64(777000111), "sandbox"}
	for i := range want {
		if out[i] != want[i] {
			t.Fatalf("got %v, want %v", out, want)
		}
	}
	if id, bot, ok := rt.Session().Self(); !ok || bot || id != 777000111 {
		t.Fatalf("session self = %d %v %v", id, bot, ok)
	}
	if _, _, ok := rt.Session().PendingLogin(); ok {
		t.Fatal("pending login kept after sign-in")
	}
	err = fail(t, rt, `complete_phone_login('24680')`)
	if !strings.Contains(err.Error(), "no pending login") {
		t.Fatalf("second completion: %v", err)
	}

	// logout resets the session file.
	out = do(t, rt, `local r = logout(); return r._`)
	if out[0] != "auth.loggedOut" {
		t.Fatalf("logout returned %v", out)
	}
	if _, _, ok := rt.Session().Self(); ok {
		t.Fatal("self kept after logout")
	}
	if _, err := rt.Session().LoadSession(context.Background()); err == nil {
		t.Fatal("auth key kept after logout")
	}
}

func TestTwoFactorLogin(t *testing.T) {
	srv := testserver.Start(t)
	a := newAuthServer(t, srv, "correct horse")
	rt := loginRuntime(t, srv, "", nil) // pending state in memory
	out := do(t, rt, `phone_login('+15550000'); return complete_phone_login('24680')`)
	if out[0] != runtime.PasswordNeeded {
		t.Fatalf("complete_phone_login = %v, want %q", out, runtime.PasswordNeeded)
	}
	err := fail(t, rt, `complete_2fa_login('wrong horse')`)
	var le *luabind.Error
	if !errors.As(err, &le) || le.Type != "PASSWORD_HASH_INVALID" {
		t.Fatalf("wrong password: %v", err)
	}
	if strings.Contains(err.Error(), "wrong horse") {
		t.Fatalf("error leaks the password: %v", err)
	}
	out = do(t, rt, `local u = complete_2fa_login('correct horse'); return u.id, u.username`)
	if out[0] != int64(777000111) || out[1] != "sandbox" {
		t.Fatalf("complete_2fa_login = %v", out)
	}
	a.mu.Lock()
	calls := strings.Join(a.calls, ",")
	a.mu.Unlock()
	if calls != "auth.sendCode,auth.signIn,account.getPassword,auth.checkPassword,account.getPassword,auth.checkPassword" {
		t.Fatalf("server saw %s", calls)
	}
}

func TestBotLogin(t *testing.T) {
	srv := testserver.Start(t)
	newAuthServer(t, srv, "")
	path := filepath.Join(t.TempDir(), "bot.session")
	rt := loginRuntime(t, srv, path, nil)
	err := fail(t, rt, `bot_login('123456:wrong')`)
	var le *luabind.Error
	if !errors.As(err, &le) || le.Type != "ACCESS_TOKEN_INVALID" {
		t.Fatalf("bad token: %v", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Fatalf("error leaks the token: %v", err)
	}
	out := do(t, rt, `local u = bot_login('123456:bot-secret-token'); return u.bot, u.username`)
	if out[0] != true || out[1] != "echo_bot" {
		t.Fatalf("bot_login = %v", out)
	}
	if id, bot, ok := rt.Session().Self(); !ok || !bot || id != 123456 {
		t.Fatalf("session self = %d %v %v", id, bot, ok)
	}
}

func TestLoginArgumentErrors(t *testing.T) {
	rt, err := runtime.New(runtime.Options{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	for src, want := range map[string]string{
		`phone_login()`:                    "bad argument #1 to phone_login (string expected, got nil)",
		`phone_login('')`:                  "bad argument #1 to phone_login (phone number expected",
		`complete_phone_login({})`:         "bad argument #1 to complete_phone_login (string expected, got table)",
		`complete_phone_login('1')`:        "no pending login",
		`complete_2fa_login('')`:           "bad argument #1 to complete_2fa_login (password expected",
		`bot_login('nocolon')`:             "bad argument #1 to bot_login (bot token expected",
		`phone_login('+15550000')`:         "no API id and hash",
		`bot_login('1:x')`:                 "no API id and hash",
		`local ok, e = pcall(phone_login)`: "",
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err := rt.DoString(ctx, src)
		cancel()
		if want == "" {
			if err != nil {
				t.Errorf("%s: %v", src, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", src, err, want)
		}
	}
}

// recordLogger keeps what it is asked to log, as text.
type recordLogger struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (l *recordLogger) Enabled(context.Context, log.Level) bool { return true }
func (l *recordLogger) Log(_ context.Context, _ log.Level, msg string, attrs ...log.Attr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.WriteString(msg)
	for _, a := range attrs {
		l.buf.WriteString(" " + a.Key + "=" + a.Value.String())
	}
	l.buf.WriteString("\n")
}

func TestRedactor(t *testing.T) {
	rec := &recordLogger{}
	r := runtime.NewRedactor(rec)
	r.AddSecret("s3cret")
	r.AddSecret("s3cret")
	r.AddSecret("")
	ctx := context.Background()
	r.Log(ctx, log.LevelDebug, "code s3cret sent",
		log.String("password", "hunter2"),
		log.String("phone_code_hash", "abc"),
		log.String("note", "has s3cret inside"),
		log.Any("obj", struct{ A string }{"s3cret"}),
		log.Error(errors.New("failed with s3cret")),
		log.Group("g", log.String("bot_token", "1:x"), log.Int("n", 5)),
		log.Int("count", 3),
	)
	got := rec.buf.String()
	for _, leak := range []string{"s3cret", "hunter2", "abc", "1:x"} {
		if strings.Contains(got, leak) {
			t.Fatalf("log leaks %q: %s", leak, got)
		}
	}
	for _, keep := range []string{"code [REDACTED] sent", "count=3", "password=[REDACTED]", "note=has [REDACTED] inside"} {
		if !strings.Contains(got, keep) {
			t.Fatalf("log lacks %q: %s", keep, got)
		}
	}
}

// A login through a Redactor logs protocol records but none of the secrets.
func TestLoginLogsNoSecrets(t *testing.T) {
	srv := testserver.Start(t)
	a := newAuthServer(t, srv, "correct horse")
	rec := &recordLogger{}
	path := filepath.Join(t.TempDir(), "s.session")
	rt := loginRuntime(t, srv, path, runtime.NewRedactor(rec))
	do(t, rt, `phone_login('+15550000'); assert(complete_phone_login('24680') == 'password_needed'); complete_2fa_login('correct horse')`)
	data, err := (&gotdsession.Loader{Storage: rt.Session()}).Load(context.Background())
	if err != nil || len(data.AuthKey) != 256 {
		t.Fatalf("no auth key in the session: %v", err)
	}
	got := rec.buf.String()
	if got == "" {
		t.Fatal("nothing was logged")
	}
	for _, leak := range []string{a.code, a.hash, "correct horse",
		hex.EncodeToString(data.AuthKey), base64.StdEncoding.EncodeToString(data.AuthKey)} {
		if strings.Contains(got, leak) {
			t.Fatalf("log leaks %q", leak)
		}
	}
}
