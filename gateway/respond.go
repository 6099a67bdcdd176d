package gateway

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"

	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/internal/apidoc"
	"github.com/tglua/tglua/luabind"
)

// apiError is a failed request, answered as Telegram's bot API does.
type apiError struct {
	status      int
	description string
	detail      map[string]any // the "error" object
	retryAfter  int
}

func (e *apiError) Error() string { return e.description }

func newError(status int, description string) *apiError {
	return &apiError{status: status, description: description}
}

// writeResult answers {"ok":true,"result":<raw JSON>}.
func writeResult(w http.ResponseWriter, result []byte) {
	var b bytes.Buffer
	b.Grow(len(result) + 24)
	b.WriteString(`{"ok":true,"result":`)
	b.Write(result)
	b.WriteString("}\n")
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b.Bytes())
}

// writeGo answers with a Go value as the result.
func writeGo(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, newError(http.StatusInternalServerError, "encode result: "+err.Error()))
		return
	}
	writeResult(w, b)
}

// writeError answers {"ok":false,"error_code":N,"description":...}.
func writeError(w http.ResponseWriter, e *apiError) {
	body := struct {
		OK          bool           `json:"ok"`
		ErrorCode   int            `json:"error_code"`
		Description string         `json:"description"`
		Error       map[string]any `json:"error,omitempty"`
		Parameters  map[string]int `json:"parameters,omitempty"`
	}{ErrorCode: e.status, Description: e.description, Error: e.detail}
	if e.retryAfter > 0 {
		body.Parameters = map[string]int{"retry_after": e.retryAfter}
		w.Header().Set("Retry-After", strconv.Itoa(e.retryAfter))
	}
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.status)
	_, _ = w.Write(append(b, '\n'))
}

// luaFailure turns what a Lua call raised into an apiError: a method's
// structured error keeps its code as the HTTP status; a plain error (a bad
// argument) is 400 with the same text a script sees.
func luaFailure(v lua.LValue) *apiError {
	e, ok := luabind.ErrorFromValue(v)
	if !ok {
		return newError(http.StatusBadRequest, strings.TrimSpace(stripPosition(lua.LVAsString(v))))
	}
	detail := map[string]any{"type": e.Type, "method": e.Method, "message": e.Message}
	if e.Code != 0 {
		detail["code"] = e.Code
	}
	if e.HasArg {
		detail["argument"] = e.Argument
	}
	if e.Chunk > 0 {
		detail["chunk"] = e.Chunk
	}
	out := &apiError{detail: detail}
	switch {
	case e.Code == 420 || strings.HasPrefix(e.Type, "FLOOD_"):
		out.status = http.StatusTooManyRequests
		out.retryAfter = max(e.Argument, 1)
	case e.Code >= 400 && e.Code <= 599:
		out.status = e.Code
	case e.Type == luabind.TypeTimeout:
		out.status = http.StatusGatewayTimeout
	case e.Type == luabind.TypeTransport:
		out.status = http.StatusBadGateway
	case e.Type == luabind.TypeCanceled:
		out.status = http.StatusServiceUnavailable
	default:
		out.status = http.StatusInternalServerError
	}
	out.description = e.Type
	if d := describe(e); d != "" && d != e.Type {
		out.description += ": " + d
	}
	return out
}

// describe is the documented meaning of an RPC error for its method, or
// for any method, or the server's text.
func describe(e *luabind.Error) string {
	if e.Code == 0 {
		return e.Message
	}
	if m, ok := apidoc.LookupMethod(e.Method); ok {
		for _, d := range m.Errors {
			if d.Description != "" && (d.Type == e.Type || strings.TrimSuffix(d.Type, "_%d") == e.Type) {
				return d.Description
			}
		}
	}
	if d, ok := errorDescriptions()[e.Type]; ok {
		return d
	}
	return e.Message
}

// errorDescriptions maps each documented RPC error type to a description.
var errorDescriptions = sync.OnceValue(func() map[string]string {
	out := map[string]string{}
	for _, name := range apidoc.Names() {
		m, ok := apidoc.LookupMethod(name)
		if !ok {
			continue
		}
		for _, d := range m.Errors {
			t := strings.TrimSuffix(d.Type, "_%d")
			if _, seen := out[t]; !seen && d.Description != "" {
				out[t] = d.Description
			}
		}
	}
	return out
})

// stripPosition drops the "<string>:1: " a Lua error may start with: the
// client sent no Lua.
func stripPosition(s string) string {
	if strings.HasPrefix(s, "<") {
		if i := strings.Index(s, ">:"); i > 0 {
			rest := s[i+2:]
			if j := strings.Index(rest, ": "); j > 0 {
				if _, err := strconv.Atoi(rest[:j]); err == nil {
					return rest[j+2:]
				}
			}
		}
	}
	return s
}
