package gateway

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/internal/suggest"
	"github.com/tglua/tglua/luabind/schema"
)

// serveHTTP routes a request, logs it and turns a panic into a 500.
func (g *Gateway) serveHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			g.logf("panic serving %s %s: %v\n%s", r.Method, redactPath(r.URL.Path), p, debug.Stack())
			if !rec.wrote {
				writeError(rec, newError(http.StatusInternalServerError, "internal error: this is a bug in tglua; the log has the details"))
			}
		}
		g.logf("%s %s %d %s", r.Method, redactPath(r.URL.Path), rec.status, time.Since(start).Round(time.Microsecond))
	}()
	g.route(rec, r)
}

func (g *Gateway) route(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if path == "/docs" || strings.HasPrefix(path, "/docs/") {
		g.docs.ServeHTTP(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		writeError(w, newError(http.StatusMethodNotAllowed, "use GET or POST"))
		return
	}
	switch path {
	case "/":
		writeGo(w, map[string]any{"name": "tglua", "layer": schema.Layer, "docs": "/docs/"})
		return
	case "/phone_login":
		g.phoneLogin(w, r)
		return
	case "/bot_login":
		g.botLogin(w, r)
		return
	}
	rest, ok := strings.CutPrefix(path, "/user")
	if !ok {
		writeError(w, newError(http.StatusNotFound, "not found: methods are at /user<TOKEN>/<namespace.method>, login at /phone_login and /bot_login, docs at /docs/"))
		return
	}
	token, name, _ := strings.Cut(rest, "/")
	a := g.lookup(token)
	if a == nil {
		writeError(w, newError(http.StatusUnauthorized, "Unauthorized: unknown or revoked token; log in with POST /phone_login or /bot_login"))
		return
	}
	if name == "" {
		writeError(w, newError(http.StatusNotFound, "no method: call /user<TOKEN>/<namespace.method>, e.g. /user<TOKEN>/help.getConfig"))
		return
	}
	if h, ok := accountEndpoints[name]; ok {
		h(g, a, w, r)
		return
	}
	g.callMethod(w, r, a, name)
}

// callMethod calls a TL method with the request's parameters.
func (g *Gateway) callMethod(w http.ResponseWriter, r *http.Request, a *account, name string) {
	m := schema.ByName(name)
	if m == nil || !m.Method {
		writeError(w, unknownMethod(name))
		return
	}
	p, perr := readParams(w, r, &g.opts)
	if perr != nil {
		writeError(w, perr)
		return
	}
	g.inThread(w, r, a, func(L *lua.LState, out *bytes.Buffer) error {
		args, err := p.table(L, m)
		if err != nil {
			return newError(http.StatusBadRequest, name+": "+err.Error())
		}
		if err := p.attachFiles(L, m, args); err != nil {
			return err
		}
		res, err := callLua(L, methodFunc(L, m), args)
		if err != nil {
			return err
		}
		return appendJSON(out, res)
	})
}

// inThread runs fn in a light thread of the account's runtime and answers
// with the JSON it writes, or its error.
func (g *Gateway) inThread(w http.ResponseWriter, r *http.Request, a *account, fn func(L *lua.LState, out *bytes.Buffer) error) {
	rt, _, err := a.runtime()
	if err != nil {
		writeError(w, accountError(err))
		return
	}
	var out bytes.Buffer
	err = rt.Go(r.Context(), func(L *lua.LState) error { return fn(L, &out) })
	if err != nil {
		writeError(w, asAPIError(err))
		return
	}
	writeResult(w, out.Bytes())
}

func accountError(err error) *apiError {
	if errors.Is(err, errGone) {
		return newError(http.StatusUnauthorized, "Unauthorized: the account was logged out")
	}
	return newError(http.StatusServiceUnavailable, err.Error())
}

func asAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	if errors.Is(err, errGone) {
		return accountError(err)
	}
	var le *lua.ApiError
	if errors.As(err, &le) {
		return luaFailure(le.Object)
	}
	if r := (interface{ Timeout() bool })(nil); errors.As(err, &r) && r.Timeout() {
		return newError(http.StatusGatewayTimeout, err.Error())
	}
	return newError(http.StatusServiceUnavailable, err.Error())
}

// methodFunc is the Lua function bound to m.
func methodFunc(L *lua.LState, m *schema.Constructor) lua.LValue {
	tg := L.GetGlobal("tg")
	if ns := m.Namespace(); ns != "" {
		tg = L.GetField(tg, ns)
	}
	return L.GetField(tg, m.Short())
}

// callLua calls fn with args in L and returns its first result; what it
// raises comes back as an *apiError.
func callLua(L *lua.LState, fn lua.LValue, args ...lua.LValue) (lua.LValue, error) {
	if fn == lua.LNil {
		return nil, newError(http.StatusInternalServerError, "internal error: function not found")
	}
	L.Push(fn)
	for _, a := range args {
		L.Push(a)
	}
	if err := L.PCall(len(args), 1, nil); err != nil {
		var le *lua.ApiError
		if errors.As(err, &le) {
			if le.Type == lua.ApiErrorRun || le.Type == lua.ApiErrorError {
				return nil, luaFailure(le.Object)
			}
		}
		return nil, err
	}
	v := L.Get(-1)
	L.Pop(1)
	return v, nil
}

// unknownMethod is a 404 with a did-you-mean.
func unknownMethod(name string) *apiError {
	msg := fmt.Sprintf("Not Found: no method %q", name)
	if s := suggest.Closest(name, methodNames()); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	msg += "; the methods are listed at /docs/"
	return newError(http.StatusNotFound, msg)
}

// methodNames lists the methods and the gateway's own endpoints, for
// suggestions.
var methodNames = sync.OnceValue(func() []string {
	names := append([]string(nil), endpointNames...)
	for i := range schema.All() {
		if c := &schema.All()[i]; c.Method {
			names = append(names, c.Name)
		}
	}
	return names
})

// redactPath hides the token in a /user<TOKEN>/... path.
func redactPath(p string) string {
	rest, ok := strings.CutPrefix(p, "/user")
	if !ok {
		return p
	}
	_, name, _ := strings.Cut(rest, "/")
	return "/user<token>/" + name
}

// statusRecorder remembers the status for the log.
type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
