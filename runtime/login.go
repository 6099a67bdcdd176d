package runtime

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/go-faster/errors"
	"github.com/gotd/log"
	"github.com/gotd/td/telegram/auth"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/luabind"
	"github.com/tglua/tglua/luabind/schema"
)

// Login functions.
//
// They are globals, named as in MadelineProto's examples:
//
//	phone_login(number)            sends the code; the pending login is kept
//	                               in the session file, so the next call may
//	                               come from another run
//	complete_phone_login(code)     the user table, or 'password_needed', or
//	                               'signup_needed' for a new number
//	complete_signup(first [, last]) registers the new number: the user table
//	complete_2fa_login(password)   the user table (SRP, as gotd computes it)
//	bot_login(token)               the bot's user table
//	get_self()                     the logged-in user table
//	logout()                       logs out and resets the session
//
// Calls go through the bound methods (luabind), so the results are the
// tables scripts get from auth.signIn and friends, and the peer cache and
// guards see them. Codes, passwords, phone_code_hash and tokens never appear
// in errors; a logger that implements SecretRedactor is told them before
// they are sent.

// PasswordNeeded is what complete_phone_login returns when the account has
// a two-step verification password.
const PasswordNeeded = "password_needed"

// SignUpNeeded is what complete_phone_login returns when the number has no
// account yet: complete_signup(first_name, last_name) creates it.
const SignUpNeeded = "signup_needed"

// SecretRedactor is implemented by loggers (such as Redactor) that hide
// secrets: the login functions hand them codes, passwords, phone_code_hash
// values and bot tokens before sending them.
type SecretRedactor interface {
	AddSecret(secret string)
}

// loginState is the pending phone login when there is no session file.
type loginState struct {
	phone, hash string
}

// registerLogin adds the login functions to the Lua state.
func (r *Runtime) registerLogin() {
	st := &loginState{}
	fns := map[string]lua.LGFunction{
		"phone_login":          func(L *lua.LState) int { return r.phoneLogin(L, st) },
		"complete_phone_login": func(L *lua.LState) int { return r.completePhoneLogin(L, st) },
		"complete_2fa_login":   r.complete2FALogin,
		"complete_signup":      func(L *lua.LState) int { return r.completeSignup(L, st) },
		"bot_login":            r.botLogin,
		"get_self":             r.getSelf,
		"logout":               func(L *lua.LState) int { return r.logout(L, st) },
	}
	for name, fn := range fns {
		r.L.SetGlobal(name, r.L.NewFunction(guardPanics(name, fn)))
	}
}

// guardPanics turns a Go panic inside fn into a Lua error.
func guardPanics(name string, fn lua.LGFunction) lua.LGFunction {
	return func(L *lua.LState) (n int) {
		defer func() {
			if p := recover(); p != nil {
				if _, ok := p.(*lua.ApiError); ok {
					panic(p) // a Lua error raised on purpose
				}
				L.RaiseError("%s: internal error: %v (please report it)", name, p)
			}
		}()
		return fn(L)
	}
}

func (r *Runtime) redact(secret string) {
	if rd, ok := r.opts.Logger.(SecretRedactor); ok && secret != "" {
		rd.AddSecret(secret)
	}
}

// invoke calls a method through the binding with an argument table,
// applying parse_mode like a call from Lua (it is not split).
func (r *Runtime) invoke(L *lua.LState, method string, args *lua.LTable) (lua.LValue, error) {
	m := schema.ByName(method)
	if m == nil {
		return nil, errors.Errorf("%s: not in the schema", method)
	}
	ctx := L.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	if p := r.plan(m); p.Prepare != nil {
		prepared, err := p.Prepare(L, m, args) // parse_mode, as for calls from Lua
		if err != nil {
			return nil, err
		}
		args = prepared
	}
	return r.binding.Call(ctx, L, m, args)
}

// raiseCall raises the error of a failed method call as the structured
// error value scripts get from the method itself.
func raiseCall(L *lua.LState, method string, err error) {
	var ae *luabind.ArgError
	if errors.As(err, &ae) {
		L.RaiseError("%s", ae.Error())
		return
	}
	L.Error(luabind.ErrorValue(L, luabind.AsError(method, err)), 1)
}

// pending returns the pending phone login.
func (r *Runtime) pending(st *loginState) (phone, hash string, ok bool) {
	if r.session != nil {
		return r.session.PendingLogin()
	}
	return st.phone, st.hash, st.hash != ""
}

func (r *Runtime) setPending(st *loginState, phone, hash string) error {
	if r.session != nil {
		return r.session.SetPendingLogin(phone, hash)
	}
	st.phone, st.hash = phone, hash
	return nil
}

func (r *Runtime) clearPending(st *loginState) error {
	if r.session != nil {
		return r.session.ClearPendingLogin()
	}
	st.phone, st.hash = "", ""
	return nil
}

// loggedIn records the user of an auth.authorization table and returns it.
func (r *Runtime) loggedIn(L *lua.LState, fn string, res lua.LValue, bot bool) *lua.LTable {
	t, _ := res.(*lua.LTable)
	if t == nil {
		L.RaiseError("%s: unexpected answer %s", fn, res.Type())
		return nil
	}
	switch name := lua.LVAsString(t.RawGetString("_")); name {
	case "auth.authorization":
	case "auth.authorizationSignUpRequired":
		L.RaiseError("%s: this phone number has no Telegram account yet: complete_signup(first_name, last_name) creates it", fn)
		return nil
	default:
		L.RaiseError("%s: unexpected answer %s", fn, name)
		return nil
	}
	user, ok := t.RawGetString("user").(*lua.LTable)
	if !ok {
		L.RaiseError("%s: the authorization has no user", fn)
		return nil
	}
	r.setBot(bot)
	if r.session != nil {
		id, ok := luabind.ToLong(user.RawGetString("id"))
		if !ok || id == 0 {
			L.RaiseError("%s: the authorized user has no id", fn)
			return nil
		}
		if err := r.session.SetSelf(id, bot); err != nil {
			L.RaiseError("%s: %s", fn, err.Error())
			return nil
		}
	}
	return user
}

// appIDHint says where the API id and hash come from.
func (r *Runtime) appIDHint() string {
	if h := r.opts.Dial.AppIDHint; h != "" {
		return h
	}
	return "get them at my.telegram.org and set Dial.AppID and Dial.AppHash"
}

// phone_login(number) sends a login code to number.
func (r *Runtime) phoneLogin(L *lua.LState, st *loginState) int {
	phone := strings.TrimSpace(L.CheckString(1))
	if phone == "" {
		L.ArgError(1, "phone number expected, got an empty string")
		return 0
	}
	if r.opts.Dial.AppID == 0 || r.opts.Dial.AppHash == "" {
		L.RaiseError("phone_login: no API id and hash: %s", r.appIDHint())
		return 0
	}
	args := L.CreateTable(0, 4)
	args.RawSetString("phone_number", lua.LString(phone))
	args.RawSetString("api_id", lua.LNumber(r.opts.Dial.AppID))
	args.RawSetString("api_hash", lua.LString(r.opts.Dial.AppHash))
	args.RawSetString("settings", lua.LString("codeSettings"))
	res, err := r.invoke(L, "auth.sendCode", args)
	if err != nil {
		raiseCall(L, "auth.sendCode", err)
		return 0
	}
	t, _ := res.(*lua.LTable)
	if t == nil {
		L.RaiseError("phone_login: unexpected answer %s", res.Type())
		return 0
	}
	switch name := lua.LVAsString(t.RawGetString("_")); name {
	case "auth.sentCode":
	case "auth.sentCodeSuccess":
		// Logged in without a code (future auth tokens).
		if err := r.clearPending(st); err != nil {
			L.RaiseError("phone_login: %s", err.Error())
			return 0
		}
		L.Push(r.loggedIn(L, "phone_login", t.RawGetString("authorization"), false))
		return 1
	default:
		L.RaiseError("phone_login: cannot log in this way: the server answered %s", name)
		return 0
	}
	hash := lua.LVAsString(t.RawGetString("phone_code_hash"))
	if hash == "" {
		L.RaiseError("phone_login: the server sent no phone_code_hash")
		return 0
	}
	r.redact(hash)
	if err := r.setPending(st, phone, hash); err != nil {
		L.RaiseError("phone_login: %s", err.Error())
		return 0
	}
	// The hash stays with the runtime: scripts and REPL output don't need it.
	t.RawSetString("phone_code_hash", lua.LNil)
	L.Push(t)
	return 1
}

// complete_phone_login(code) signs in with the code phone_login sent.
func (r *Runtime) completePhoneLogin(L *lua.LState, st *loginState) int {
	code := strings.TrimSpace(L.CheckString(1))
	if code == "" {
		L.ArgError(1, "login code expected, got an empty string")
		return 0
	}
	phone, hash, ok := r.pending(st)
	if !ok {
		L.RaiseError("complete_phone_login: no pending login: call phone_login(number) first")
		return 0
	}
	r.redact(code)
	r.redact(hash)
	args := L.CreateTable(0, 3)
	args.RawSetString("phone_number", lua.LString(phone))
	args.RawSetString("phone_code_hash", lua.LString(hash))
	args.RawSetString("phone_code", lua.LString(code))
	res, err := r.invoke(L, "auth.signIn", args)
	if tgerr.Is(err, "SESSION_PASSWORD_NEEDED") {
		if err := r.clearPending(st); err != nil {
			L.RaiseError("complete_phone_login: %s", err.Error())
			return 0
		}
		L.Push(lua.LString(PasswordNeeded))
		return 1
	}
	if err != nil {
		if tgerr.Is(err, "PHONE_CODE_EXPIRED") {
			_ = r.clearPending(st) // a new phone_login is needed
		}
		raiseCall(L, "auth.signIn", err)
		return 0
	}
	if t, ok := res.(*lua.LTable); ok && lua.LVAsString(t.RawGetString("_")) == "auth.authorizationSignUpRequired" {
		// The pending login stays: complete_signup needs its hash.
		L.Push(lua.LString(SignUpNeeded))
		return 1
	}
	user := r.loggedIn(L, "complete_phone_login", res, false)
	if err := r.clearPending(st); err != nil {
		L.RaiseError("complete_phone_login: %s", err.Error())
		return 0
	}
	L.Push(user)
	return 1
}

// complete_signup(first_name [, last_name]) registers the number of a
// login that complete_phone_login answered with 'signup_needed'.
func (r *Runtime) completeSignup(L *lua.LState, st *loginState) int {
	first := strings.TrimSpace(L.CheckString(1))
	if first == "" {
		L.ArgError(1, "first name expected, got an empty string")
		return 0
	}
	last := strings.TrimSpace(L.OptString(2, ""))
	phone, hash, ok := r.pending(st)
	if !ok {
		L.RaiseError("complete_signup: no pending login: call phone_login(number) and complete_phone_login(code) first")
		return 0
	}
	r.redact(hash)
	args := L.CreateTable(0, 4)
	args.RawSetString("phone_number", lua.LString(phone))
	args.RawSetString("phone_code_hash", lua.LString(hash))
	args.RawSetString("first_name", lua.LString(first))
	args.RawSetString("last_name", lua.LString(last))
	res, err := r.invoke(L, "auth.signUp", args)
	if tgerr.Is(err, "SESSION_PASSWORD_NEEDED") {
		_ = r.clearPending(st)
		L.Push(lua.LString(PasswordNeeded))
		return 1
	}
	if err != nil {
		if tgerr.Is(err, "PHONE_CODE_EXPIRED") {
			_ = r.clearPending(st)
		}
		raiseCall(L, "auth.signUp", err)
		return 0
	}
	user := r.loggedIn(L, "complete_signup", res, false)
	if err := r.clearPending(st); err != nil {
		L.RaiseError("complete_signup: %s", err.Error())
		return 0
	}
	L.Push(user)
	return 1
}

// complete_2fa_login(password) finishes a login that needs the two-step
// verification password: account.getPassword, SRP, auth.checkPassword.
func (r *Runtime) complete2FALogin(L *lua.LState) int {
	password := L.CheckString(1)
	if password == "" {
		L.ArgError(1, "password expected, got an empty string")
		return 0
	}
	r.redact(password)
	res, err := r.invoke(L, "account.getPassword", L.CreateTable(0, 0))
	if err != nil {
		raiseCall(L, "account.getPassword", err)
		return 0
	}
	p, _ := res.(*lua.LTable)
	if p == nil || lua.LVAsString(p.RawGetString("_")) != "account.password" {
		L.RaiseError("complete_2fa_login: unexpected answer to account.getPassword")
		return 0
	}
	if !lua.LVAsBool(p.RawGetString("has_password")) {
		L.RaiseError("complete_2fa_login: the account has no two-step verification password")
		return 0
	}
	in, err := srpAnswer(p, password)
	if err != nil {
		L.RaiseError("complete_2fa_login: %s", err.Error())
		return 0
	}
	srp := L.CreateTable(0, 4)
	srp.RawSetString("_", lua.LString("inputCheckPasswordSRP"))
	srp.RawSetString("srp_id", luabind.LongValue(in.SRPID))
	srp.RawSetString("A", lua.LString(in.A))
	srp.RawSetString("M1", lua.LString(in.M1))
	args := L.CreateTable(0, 1)
	args.RawSetString("password", srp)
	res, err = r.invoke(L, "auth.checkPassword", args)
	if err != nil {
		raiseCall(L, "auth.checkPassword", err)
		return 0
	}
	L.Push(r.loggedIn(L, "complete_2fa_login", res, false))
	return 1
}

// srpAnswer computes the SRP proof of password for an account.password
// table, with gotd's implementation.
func srpAnswer(p *lua.LTable, password string) (*tg.InputCheckPasswordSRP, error) {
	algo, _ := p.RawGetString("current_algo").(*lua.LTable)
	const want = "passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow"
	if algo == nil || lua.LVAsString(algo.RawGetString("_")) != want {
		return nil, errors.New("unsupported password algorithm")
	}
	g, ok := luabind.ToLong(algo.RawGetString("g"))
	if !ok {
		return nil, errors.New("bad password algorithm parameters")
	}
	id, ok := luabind.ToLong(p.RawGetString("srp_id"))
	if !ok {
		return nil, errors.New("bad srp_id")
	}
	in, err := auth.PasswordHash([]byte(password), id,
		[]byte(lua.LVAsString(p.RawGetString("srp_B"))),
		[]byte(lua.LVAsString(p.RawGetString("secure_random"))),
		&tg.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow{
			Salt1: []byte(lua.LVAsString(algo.RawGetString("salt1"))),
			Salt2: []byte(lua.LVAsString(algo.RawGetString("salt2"))),
			G:     int(g),
			P:     []byte(lua.LVAsString(algo.RawGetString("p"))),
		})
	if err != nil {
		// gotd's errors name parameters, never the password.
		return nil, errors.Wrap(err, "compute password proof")
	}
	return in, nil
}

// bot_login(token) logs in as a bot.
func (r *Runtime) botLogin(L *lua.LState) int {
	token := strings.TrimSpace(L.CheckString(1))
	if token == "" || !strings.Contains(token, ":") {
		L.ArgError(1, "bot token expected (123456:ABC...)")
		return 0
	}
	if r.opts.Dial.AppID == 0 || r.opts.Dial.AppHash == "" {
		L.RaiseError("bot_login: no API id and hash: %s", r.appIDHint())
		return 0
	}
	r.redact(token)
	args := L.CreateTable(0, 4)
	args.RawSetString("flags", lua.LNumber(0))
	args.RawSetString("api_id", lua.LNumber(r.opts.Dial.AppID))
	args.RawSetString("api_hash", lua.LString(r.opts.Dial.AppHash))
	args.RawSetString("bot_auth_token", lua.LString(token))
	res, err := r.invoke(L, "auth.importBotAuthorization", args)
	if err != nil {
		raiseCall(L, "auth.importBotAuthorization", err)
		return 0
	}
	L.Push(r.loggedIn(L, "bot_login", res, true))
	return 1
}

// get_self() returns the logged-in user.
func (r *Runtime) getSelf(L *lua.LState) int {
	self := L.CreateTable(0, 1)
	self.RawSetString("_", lua.LString("inputUserSelf"))
	ids := L.CreateTable(1, 0)
	ids.RawSetInt(1, self)
	args := L.CreateTable(0, 1)
	args.RawSetString("id", ids)
	res, err := r.invoke(L, "users.getUsers", args)
	if err != nil {
		raiseCall(L, "users.getUsers", err)
		return 0
	}
	list, _ := res.(*lua.LTable)
	if list == nil || list.Len() == 0 {
		L.RaiseError("get_self: the server returned no user")
		return 0
	}
	user := list.RawGetInt(1)
	if t, ok := user.(*lua.LTable); ok && lua.LVAsString(t.RawGetString("_")) == "userEmpty" {
		L.RaiseError("get_self: not logged in")
		return 0
	}
	L.Push(user)
	return 1
}

// logout() logs out (auth.logOut) and resets the session file.
func (r *Runtime) logout(L *lua.LState, st *loginState) int {
	res, err := r.invoke(L, "auth.logOut", L.CreateTable(0, 0))
	if err != nil && !tgerr.Is(err, "AUTH_KEY_UNREGISTERED") {
		raiseCall(L, "auth.logOut", err)
		return 0
	}
	st.phone, st.hash = "", ""
	r.setBot(false)
	if r.session != nil {
		if err := r.session.Reset(); err != nil {
			L.RaiseError("logout: %s", err.Error())
			return 0
		}
	}
	if res == nil {
		res = lua.LTrue
	}
	L.Push(res)
	return 1
}

// Redactor is a gotd logger that hides secrets before passing records on:
// attributes whose key names a secret (password, phone_code, code_hash,
// token, auth_key...) are replaced, and every secret handed to AddSecret is
// masked wherever it appears in a message or a value.
type Redactor struct {
	next log.Logger

	mu      sync.RWMutex
	secrets []string
}

// Redacted replaces what Redactor hides.
const Redacted = "[REDACTED]"

var (
	_ log.Logger     = (*Redactor)(nil)
	_ SecretRedactor = (*Redactor)(nil)
)

// NewRedactor wraps next.
func NewRedactor(next log.Logger) *Redactor { return &Redactor{next: log.OrNop(next)} }

// AddSecret makes r mask s from now on.
func (r *Redactor) AddSecret(s string) {
	if s == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, have := range r.secrets {
		if have == s {
			return
		}
	}
	r.secrets = append(r.secrets, s)
}

// Enabled implements log.Logger.
func (r *Redactor) Enabled(ctx context.Context, level log.Level) bool {
	return r.next.Enabled(ctx, level)
}

// Log implements log.Logger.
func (r *Redactor) Log(ctx context.Context, level log.Level, msg string, attrs ...log.Attr) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]log.Attr, len(attrs))
	for i, a := range attrs {
		out[i] = r.attr(a)
	}
	r.next.Log(ctx, level, r.mask(msg), out...)
}

// secretKeys are attribute key fragments whose values are always hidden.
var secretKeys = []string{"password", "passwd", "phone_code", "code_hash", "token", "auth_key", "authkey", "secret", "srp"}

func isSecretKey(k string) bool {
	k = strings.ToLower(k)
	for _, s := range secretKeys {
		if strings.Contains(k, s) {
			return true
		}
	}
	return k == "key" || k == "code"
}

func (r *Redactor) attr(a log.Attr) log.Attr {
	if isSecretKey(a.Key) {
		return log.String(a.Key, Redacted)
	}
	v := a.Value
	switch v.Kind() {
	case log.KindString:
		if s := r.mask(v.String()); s != v.String() {
			return log.String(a.Key, s)
		}
	case log.KindAny, log.KindError:
		var s string
		if v.Kind() == log.KindError {
			if err := v.Error(); err != nil {
				s = err.Error()
			}
		} else {
			s = fmt.Sprint(v.Any())
		}
		if m := r.mask(s); m != s {
			return log.String(a.Key, m)
		}
	case log.KindGroup:
		g := v.Group()
		out := make([]log.Attr, len(g))
		for i, c := range g {
			out[i] = r.attr(c)
		}
		return log.Group(a.Key, out...)
	}
	return a
}

func (r *Redactor) mask(s string) string {
	for _, secret := range r.secrets {
		if strings.Contains(s, secret) {
			s = strings.ReplaceAll(s, secret, Redacted)
		}
	}
	return s
}
