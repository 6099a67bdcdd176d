package gateway

import (
	"bytes"
	"net/http"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/runtime"
)

// Login in separate requests, as the seed page's HTTP API has it: each
// step is the Lua login function of the same name, so the pending login
// lives in the account's session file between requests (and across a
// restart of the gateway).

// phoneLogin is POST /phone_login phone=...: a new account slot whose
// token the answer carries; the code goes to complete_phone_login.
func (g *Gateway) phoneLogin(w http.ResponseWriter, r *http.Request) {
	g.newLogin(w, r, "phone", func(L *lua.LState, value string, out *bytes.Buffer) error {
		res, err := callLua(L, L.GetGlobal("phone_login"), lua.LString(value))
		if err != nil {
			return err
		}
		t, ok := res.(*lua.LTable)
		if !ok {
			return newError(http.StatusBadGateway, "phone_login: unexpected answer")
		}
		if lua.LVAsString(t.RawGetString("_")) == "user" {
			// Logged in at once (a future auth token).
			out.WriteString(`"user":`)
			return appendJSON(out, t)
		}
		// The code's hash is a secret kept in the session: never sent back.
		t.RawSetString("phone_code_hash", lua.LNil)
		out.WriteString(`"next":"complete_phone_login","sent_code":`)
		return appendJSON(out, t)
	})
}

// botLogin is POST /bot_login token=...: a gateway token for a bot.
func (g *Gateway) botLogin(w http.ResponseWriter, r *http.Request) {
	g.newLogin(w, r, "token", func(L *lua.LState, value string, out *bytes.Buffer) error {
		res, err := callLua(L, L.GetGlobal("bot_login"), lua.LString(value))
		if err != nil {
			return err
		}
		out.WriteString(`"user":`)
		return appendJSON(out, res)
	})
}

// newLogin makes an account, runs step with the parameter param and
// answers {"token":T, <what step writes>}. A failed step removes the
// account again.
func (g *Gateway) newLogin(w http.ResponseWriter, r *http.Request, param string, step func(L *lua.LState, value string, out *bytes.Buffer) error) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeError(w, newError(http.StatusMethodNotAllowed, "use POST"))
		return
	}
	p, perr := readParams(w, r, &g.opts)
	if perr != nil {
		writeError(w, perr)
		return
	}
	value, ok := p.get(param)
	if !ok || value == "" {
		writeError(w, newError(http.StatusBadRequest, "missing parameter "+param))
		return
	}
	a, token, err := g.create()
	if err != nil {
		writeError(w, accountError(err))
		return
	}
	rt, _, err := a.runtime()
	if err != nil {
		g.remove(a)
		writeError(w, accountError(err))
		return
	}
	var out bytes.Buffer
	out.WriteString(`{"token":"` + token + `",`)
	err = rt.Go(r.Context(), func(L *lua.LState) error { return step(L, value, &out) })
	if err != nil {
		g.remove(a)
		writeError(w, asAPIError(err))
		return
	}
	out.WriteString("}")
	g.logf("account %s: created", a.id())
	writeResult(w, out.Bytes())
}

// accountEndpoints are the gateway's own functions under /user<TOKEN>/.
var accountEndpoints map[string]func(g *Gateway, a *account, w http.ResponseWriter, r *http.Request)

// endpointNames are accountEndpoints' keys, for suggestions.
var endpointNames = []string{
	"complete_phone_login", "complete_2fa_login", "complete_signup", "logout",
	"get_self", "send_file", "getUpdates", "setWebhook", "deleteWebhook", "getWebhookInfo",
}

func init() {
	accountEndpoints = map[string]func(*Gateway, *account, http.ResponseWriter, *http.Request){
		"complete_phone_login": completePhoneLogin,
		"complete_2fa_login":   complete2FALogin,
		"complete_signup":      completeSignup,
		"logout":               logout,
		"get_self":             getSelf,
		"send_file":            sendFile,
		"getUpdates":           getUpdates,
		"setWebhook":           setWebhook,
		"deleteWebhook":        deleteWebhook,
		"getWebhookInfo":       getWebhookInfo,
	}
}

// callFunction calls the Lua global fn with the string parameters names
// (required unless they start with "?") and answers with its result.
func (g *Gateway) callFunction(w http.ResponseWriter, r *http.Request, a *account, fn string, names ...string) {
	p, perr := readParams(w, r, &g.opts)
	if perr != nil {
		writeError(w, perr)
		return
	}
	var args []lua.LValue
	for _, n := range names {
		n, optional := strings.CutPrefix(n, "?")
		v, ok := p.get(n)
		if !ok && optional {
			continue
		}
		if !ok {
			writeError(w, newError(http.StatusBadRequest, fn+": missing parameter "+n))
			return
		}
		args = append(args, lua.LString(v))
	}
	g.inThread(w, r, a, func(L *lua.LState, out *bytes.Buffer) error {
		res, err := callLua(L, L.GetGlobal(fn), args...)
		if err != nil {
			return err
		}
		switch res {
		case lua.LString(runtime.PasswordNeeded):
			out.WriteString(`{"password_needed":true,"next":"complete_2fa_login"}`)
			return nil
		case lua.LString(runtime.SignUpNeeded):
			out.WriteString(`{"signup_needed":true,"next":"complete_signup"}`)
			return nil
		}
		return appendJSON(out, res)
	})
}

func completePhoneLogin(g *Gateway, a *account, w http.ResponseWriter, r *http.Request) {
	g.callFunction(w, r, a, "complete_phone_login", "code")
}

func complete2FALogin(g *Gateway, a *account, w http.ResponseWriter, r *http.Request) {
	g.callFunction(w, r, a, "complete_2fa_login", "password")
}

func getSelf(g *Gateway, a *account, w http.ResponseWriter, r *http.Request) {
	g.callFunction(w, r, a, "get_self")
}

// completeSignup is POST /user<TOKEN>/complete_signup first_name=...
// [last_name=...]: creates the account of a new number after
// complete_phone_login answered signup_needed.
func completeSignup(g *Gateway, a *account, w http.ResponseWriter, r *http.Request) {
	g.callFunction(w, r, a, "complete_signup", "first_name", "?last_name")
}

// logout is POST /user<TOKEN>/logout: logs the account out of Telegram,
// then forgets it: its token stops working and its files are deleted.
func logout(g *Gateway, a *account, w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeError(w, newError(http.StatusMethodNotAllowed, "use POST"))
		return
	}
	rt, _, err := a.runtime()
	if err != nil {
		writeError(w, accountError(err))
		return
	}
	err = rt.Go(r.Context(), func(L *lua.LState) error {
		_, err := callLua(L, L.GetGlobal("logout"))
		return err
	})
	if err != nil {
		// An account that was never logged in has nothing to log out of:
		// forget it all the same.
		g.logf("account %s: logout: %v", a.id(), asAPIError(err).description)
	}
	g.remove(a)
	g.logf("account %s: logged out", a.id())
	writeResult(w, []byte("true"))
}
