package main

// CLI tests: testscript scripts in testdata/script run the real tglua
// command (this test binary re-executed as "tglua", so every invocation is a
// separate process) against an MTProto test server on 127.0.0.1 that
// implements the login methods, including the server side of SRP.

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gotdsession "github.com/gotd/td/session"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
	"github.com/gotd/td/tgtest"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/tglua/tglua/internal/session"
	"github.com/tglua/tglua/internal/testserver"
	"github.com/tglua/tglua/sandbox/srp"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"tglua": main})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			tb, ok := env.T().(testing.TB)
			if !ok {
				return fmt.Errorf("testscript.T is %T, not a testing.TB", env.T())
			}
			srv := testserver.Start(tb)
			newLoginServer(tb, srv)
			if err := os.WriteFile(filepath.Join(env.WorkDir, "server.pem"), srv.PEM(), 0o600); err != nil {
				return err
			}
			env.Setenv("SERVER", srv.Addr.String())
			env.Setenv("HOME", env.WorkDir)
			wd, err := os.Getwd()
			if err != nil {
				return err
			}
			env.Setenv("SCRIPTS", filepath.Join(wd, "scripts"))
			port, err := freePort()
			if err != nil {
				return err
			}
			env.Setenv("SANDBOX_PORT", port)
			if port, err = freePort(); err != nil {
				return err
			}
			env.Setenv("HTTP_PORT", port)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode":  cmdExitCode,
			"filemode":  cmdFileMode,
			"waitfile":  cmdWaitFile,
			"nosecrets": cmdNoSecrets,
			"waithttp":  cmdWaitHTTP,
			"setjson":   cmdSetJSON,
		},
	})
}

// freePort finds a free TCP port on 127.0.0.1 for a server a script starts.
func freePort() (string, error) {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port), nil
}

// exitcode N PROG ARGS... runs PROG like exec and checks its exit code.
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("run %s: %v", args[1], err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
	}
}

// filemode MODE FILE checks a file's permission bits (octal).
func cmdFileMode(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: filemode MODE FILE")
	}
	want, err := strconv.ParseUint(args[0], 8, 32)
	ts.Check(err)
	fi, err := os.Stat(ts.MkAbs(args[1]))
	ts.Check(err)
	got := fi.Mode().Perm()
	if (got == os.FileMode(want)) == neg {
		ts.Fatalf("%s has mode %#o, want %s%#o", args[1], got, map[bool]string{true: "not ", false: ""}[neg], want)
	}
}

// waitfile FILE waits (up to a minute) until FILE exists.
func cmdWaitFile(ts *testscript.TestScript, _ bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: waitfile FILE")
	}
	deadline := time.Now().Add(time.Minute)
	for {
		if _, err := os.Stat(ts.MkAbs(args[0])); err == nil {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("%s did not appear", args[0])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waithttp URL waits until a GET of URL answers (any status).
func cmdWaitHTTP(ts *testscript.TestScript, _ bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: waithttp URL")
	}
	deadline := time.Now().Add(time.Minute)
	for {
		resp, err := http.Get(args[0])
		if err == nil {
			_ = resp.Body.Close()
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("%s did not answer: %v", args[0], err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// setjson VAR FILE PATH sets VAR to the string at the dotted PATH of the
// JSON in FILE (a curl answer), e.g. setjson TOKEN login.json result.token.
func cmdSetJSON(ts *testscript.TestScript, _ bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: setjson VAR FILE PATH")
	}
	var v any
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[1])), &v))
	for _, k := range strings.Split(args[2], ".") {
		m, ok := v.(map[string]any)
		if !ok {
			ts.Fatalf("%s: no %s in %s", args[1], args[2], ts.ReadFile(args[1]))
		}
		v = m[k]
	}
	s, ok := v.(string)
	if !ok {
		ts.Fatalf("%s: %s is %v, not a string", args[1], args[2], v)
	}
	ts.Setenv(args[0], s)
}

// nosecrets SESSION checks that the last command's stdout and stderr hold
// none of the login secrets and not the session's auth key.
func cmdNoSecrets(ts *testscript.TestScript, _ bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: nosecrets SESSION")
	}
	f, err := session.Open(ts.MkAbs(args[0]), session.Options{})
	ts.Check(err)
	data, err := (&gotdsession.Loader{Storage: f}).Load(context.Background())
	ts.Check(f.Close())
	ts.Check(err)
	if len(data.AuthKey) != 256 {
		ts.Fatalf("no auth key in %s", args[0])
	}
	secrets := map[string]string{
		"login code":      loginCode,
		"phone_code_hash": codeHash,
		"2FA password":    password,
		"bot token":       botToken,
		"auth key (hex)":  hex.EncodeToString(data.AuthKey),
		"auth key (b64)":  base64.StdEncoding.EncodeToString(data.AuthKey),
		"auth key (raw)":  string(data.AuthKey),
	}
	for _, stream := range []string{"stdout", "stderr"} {
		out := ts.ReadFile(stream)
		for what, s := range secrets {
			if strings.Contains(out, s) {
				ts.Fatalf("%s shows the %s", stream, what)
			}
		}
	}
}

// The test server's accounts and secrets.
const (
	phoneNo2FA = "+15550000"
	phone2FA   = "+15550001"
	loginCode  = "24680"
	codeHash   = "c0ffee-code-hash"
	password   = "correct horse"
	botToken   = "123456:bot-secret-token"
)

// loginServer implements auth.sendCode, auth.signIn, account.getPassword,
// auth.checkPassword (verifying the SRP proof), auth.importBotAuthorization,
// users.getUsers(self) and auth.logOut. +15550000 has no password;
// +15550001 has the 2FA password "correct horse". Its state outlives
// connections, so a login may span processes.
type loginServer struct {
	tb testing.TB

	pw *srp.Password

	mu      sync.Mutex
	pending map[string]bool    // phone -> code sent
	ch      *srp.Challenge     // the last account.getPassword's
	authed  map[int64]*tg.User // auth key ID -> logged-in user
	waiting map[int64]bool     // auth key ID -> signed in, password needed
	flooded map[int64]bool     // auth key ID -> help.getInviteText was flooded
}

var (
	userNo2FA = &tg.User{ID: 777000111, AccessHash: 42, FirstName: "Sandbox", LastName: "User", Username: "sandbox", Self: true}
	user2FA   = &tg.User{ID: 777000222, AccessHash: 43, FirstName: "Secure", LastName: "User", Username: "secure", Self: true}
	botUser   = &tg.User{ID: 123456, AccessHash: 44, FirstName: "Echo", Username: "echo_bot", Bot: true, Self: true}
)

func random(tb testing.TB, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return b
}

func newLoginServer(tb testing.TB, srv *testserver.Server) *loginServer {
	pw, err := srp.NewPassword(password)
	if err != nil {
		tb.Fatal(err)
	}
	s := &loginServer{tb: tb, pw: pw, pending: map[string]bool{},
		authed: map[int64]*tg.User{}, waiting: map[int64]bool{}}
	d := srv.Dispatcher
	d.HandleFunc(tg.AuthSendCodeRequestTypeID, s.sendCode)
	d.HandleFunc(tg.AuthSignInRequestTypeID, s.signIn)
	d.HandleFunc(tg.AccountGetPasswordRequestTypeID, s.getPassword)
	d.HandleFunc(tg.AuthCheckPasswordRequestTypeID, s.checkPassword)
	d.HandleFunc(tg.AuthImportBotAuthorizationRequestTypeID, s.importBot)
	d.HandleFunc(tg.UsersGetUsersRequestTypeID, s.getUsers)
	d.HandleFunc(tg.AuthLogOutRequestTypeID, s.logOut)
	d.HandleFunc(tg.HelpGetInviteTextRequestTypeID, s.inviteText)
	return s
}

// inviteText answers FLOOD_WAIT_1 to the first call of each auth key, for
// the --flood-wait-max tests.
func (s *loginServer) inviteText(srv *tgtest.Server, req *tgtest.Request) error {
	s.mu.Lock()
	if s.flooded == nil {
		s.flooded = map[int64]bool{}
	}
	first := !s.flooded[keyID(req)]
	s.flooded[keyID(req)] = true
	s.mu.Unlock()
	if first {
		return tgerr.New(420, "FLOOD_WAIT_1")
	}
	return srv.SendResult(req, &tg.HelpInviteText{Message: "invite text"})
}

func keyID(req *tgtest.Request) int64 {
	id := req.Session.AuthKey.ID
	return int64(binary.LittleEndian.Uint64(id[:]))
}

func (s *loginServer) sendCode(srv *tgtest.Server, req *tgtest.Request) error {
	var r tg.AuthSendCodeRequest
	if err := r.Decode(req.Buf); err != nil {
		return err
	}
	if r.APIID != 1 || r.APIHash != "hash" {
		return tgerr.New(400, "API_ID_INVALID")
	}
	if r.PhoneNumber != phoneNo2FA && r.PhoneNumber != phone2FA {
		return tgerr.New(400, "PHONE_NUMBER_INVALID")
	}
	s.mu.Lock()
	s.pending[r.PhoneNumber] = true
	s.mu.Unlock()
	return srv.SendResult(req, &tg.AuthSentCode{Type: &tg.AuthSentCodeTypeApp{Length: len(loginCode)}, PhoneCodeHash: codeHash})
}

func (s *loginServer) signIn(srv *tgtest.Server, req *tgtest.Request) error {
	var r tg.AuthSignInRequest
	if err := r.Decode(req.Buf); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.pending[r.PhoneNumber] || r.PhoneCodeHash != codeHash {
		return tgerr.New(400, "PHONE_CODE_EXPIRED")
	}
	if r.PhoneCode != loginCode {
		return tgerr.New(400, "PHONE_CODE_INVALID")
	}
	delete(s.pending, r.PhoneNumber)
	if r.PhoneNumber == phone2FA {
		s.waiting[keyID(req)] = true
		return tgerr.New(401, "SESSION_PASSWORD_NEEDED")
	}
	s.authed[keyID(req)] = userNo2FA
	return srv.SendResult(req, &tg.AuthAuthorization{User: userNo2FA})
}

func (s *loginServer) getPassword(srv *tgtest.Server, req *tgtest.Request) error {
	ch, err := srp.NewChallenge(s.pw)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.ch = ch
	s.mu.Unlock()
	return srv.SendResult(req, &tg.AccountPassword{
		HasPassword: true, CurrentAlgo: s.pw.Algo(), SRPB: ch.B[:], SRPID: ch.ID,
		NewAlgo: s.pw.Algo(), NewSecureAlgo: &tg.SecurePasswordKdfAlgoUnknown{}, SecureRandom: random(s.tb, 256),
	})
}

// checkPassword verifies the SRP proof M1 for real.
func (s *loginServer) checkPassword(srv *tgtest.Server, req *tgtest.Request) error {
	var r tg.AuthCheckPasswordRequest
	if err := r.Decode(req.Buf); err != nil {
		return err
	}
	in, ok := r.Password.(*tg.InputCheckPasswordSRP)
	if !ok {
		return tgerr.New(400, "PASSWORD_HASH_INVALID")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch == nil || in.SRPID != s.ch.ID {
		return tgerr.New(400, "SRP_ID_INVALID")
	}
	if !s.waiting[keyID(req)] {
		return tgerr.New(400, "AUTH_RESTART")
	}
	ok = s.ch.Verify(s.pw, in.A, in.M1)
	s.ch = nil // one proof per account.getPassword
	if !ok {
		return tgerr.New(400, "PASSWORD_HASH_INVALID")
	}
	delete(s.waiting, keyID(req))
	s.authed[keyID(req)] = user2FA
	return srv.SendResult(req, &tg.AuthAuthorization{User: user2FA})
}

func (s *loginServer) importBot(srv *tgtest.Server, req *tgtest.Request) error {
	var r tg.AuthImportBotAuthorizationRequest
	if err := r.Decode(req.Buf); err != nil {
		return err
	}
	if r.BotAuthToken != botToken || r.APIID != 1 {
		return tgerr.New(400, "ACCESS_TOKEN_INVALID")
	}
	s.mu.Lock()
	s.authed[keyID(req)] = botUser
	s.mu.Unlock()
	return srv.SendResult(req, &tg.AuthAuthorization{User: botUser})
}

func (s *loginServer) getUsers(srv *tgtest.Server, req *tgtest.Request) error {
	var r tg.UsersGetUsersRequest
	if err := r.Decode(req.Buf); err != nil {
		return err
	}
	s.mu.Lock()
	u := s.authed[keyID(req)]
	s.mu.Unlock()
	if u == nil {
		return tgerr.New(401, "AUTH_KEY_UNREGISTERED")
	}
	if len(r.ID) != 1 {
		return tgerr.New(400, "USER_ID_INVALID")
	}
	if _, ok := r.ID[0].(*tg.InputUserSelf); !ok {
		return tgerr.New(400, "USER_ID_INVALID")
	}
	return srv.SendVector(req, u)
}

func (s *loginServer) logOut(srv *tgtest.Server, req *tgtest.Request) error {
	s.mu.Lock()
	delete(s.authed, keyID(req))
	s.mu.Unlock()
	return srv.SendResult(req, &tg.AuthLoggedOut{})
}
