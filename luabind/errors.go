package luabind

import (
	"context"
	"errors"
	"fmt"

	"github.com/gotd/td/tgerr"
	lua "github.com/yuin/gopher-lua"
)

// ErrorTypeName is the metatable name of error values raised by method calls.
const ErrorTypeName = "tglua.error"

// Kinds of non-RPC failures, in Error.Type.
const (
	TypeTransport = "TRANSPORT" // the connection failed
	TypeTimeout   = "TIMEOUT"   // the context deadline passed
	TypeCanceled  = "CANCELED"  // the context was cancelled
	TypeInternal  = "INTERNAL"  // a bug in tglua, reported instead of a panic
	TypeDecode    = "DECODE"    // the answer did not match the schema
)

// Error is a failed method call, raised into Lua as a table with the fields
// code, type, message, argument and method, which pcall can catch and whose
// tostring is one readable line.
type Error struct {
	Method   string
	Code     int    // the RPC error code (400, 420...); 0 for non-RPC failures
	Type     string // "MESSAGE_EMPTY", "FLOOD_WAIT", or one of the Type* kinds
	Message  string // the raw server text, or the Go error text
	Argument int    // the X of FLOOD_WAIT_X style errors
	HasArg   bool
	Err      error // the underlying Go error, if any
	// Set when a split call fails part-way: results of the chunks that went
	// out, and the 1-based index of the chunk that failed.
	Results []lua.LValue
	Chunk   int
}

func (e *Error) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("%s: rpc error %d: %s", e.Method, e.Code, e.Message)
	}
	return e.Method + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// AsError converts a Go error from an invocation into an *Error.
func AsError(method string, err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	if rpc, ok := tgerr.As(err); ok {
		return &Error{
			Method:   method,
			Code:     rpc.Code,
			Type:     rpc.Type,
			Message:  rpc.Message,
			Argument: rpc.Argument,
			HasArg:   rpc.Type != rpc.Message,
			Err:      err,
		}
	}
	typ := TypeTransport
	var de *decodeError
	switch {
	case errors.Is(err, context.Canceled):
		typ = TypeCanceled
	case errors.Is(err, context.DeadlineExceeded):
		typ = TypeTimeout
	case errors.As(err, &de):
		typ = TypeDecode
	}
	return &Error{Method: method, Type: typ, Message: err.Error(), Err: err}
}

// errorMeta returns the shared metatable of error values in L.
func errorMeta(L *lua.LState) *lua.LTable {
	if mt, ok := L.GetTypeMetatable(ErrorTypeName).(*lua.LTable); ok {
		return mt
	}
	mt := NewTypeMetatable(L, ErrorTypeName, 4)
	mt.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		e, _ := ErrorFromValue(L.Get(1))
		if e == nil {
			L.Push(lua.LString("error"))
			return 1
		}
		L.Push(lua.LString(e.Error()))
		return 1
	}))
	mt.RawSetString("__name", lua.LString(ErrorTypeName))
	return mt
}

// ErrorValue builds the Lua error value for e.
func ErrorValue(L *lua.LState, e *Error) *lua.LTable {
	t := L.CreateTable(0, 8)
	t.RawSetString("method", lua.LString(e.Method))
	if e.Code != 0 {
		t.RawSetString("code", lua.LNumber(e.Code))
	}
	t.RawSetString("type", lua.LString(e.Type))
	t.RawSetString("message", lua.LString(e.Message))
	if e.HasArg {
		t.RawSetString("argument", lua.LNumber(e.Argument))
	}
	if e.Chunk > 0 {
		t.RawSetString("chunk", lua.LNumber(e.Chunk))
		res := L.CreateTable(len(e.Results), 0)
		for i, v := range e.Results {
			res.RawSetInt(i+1, v)
		}
		t.RawSetString("results", res)
	}
	t.Metatable = errorMeta(L)
	return t
}

// ErrorFromValue recovers an *Error from a Lua error value raised by a
// method call. It reports false for any other value.
func ErrorFromValue(v lua.LValue) (*Error, bool) {
	t, ok := v.(*lua.LTable)
	if !ok {
		return nil, false
	}
	if mt, ok := t.Metatable.(*lua.LTable); !ok || mt.RawGetString("__name") != lua.LString(ErrorTypeName) {
		return nil, false
	}
	e := &Error{
		Method:  lua.LVAsString(t.RawGetString("method")),
		Type:    lua.LVAsString(t.RawGetString("type")),
		Message: lua.LVAsString(t.RawGetString("message")),
	}
	if n, ok := t.RawGetString("code").(lua.LNumber); ok {
		e.Code = int(n)
	}
	if n, ok := t.RawGetString("argument").(lua.LNumber); ok {
		e.Argument, e.HasArg = int(n), true
	}
	if n, ok := t.RawGetString("chunk").(lua.LNumber); ok {
		e.Chunk = int(n)
	}
	return e, true
}

// raise raises err in L: argument errors as strings with the caller's
// position, everything else as a structured error value.
func raise(L *lua.LState, method string, err error) {
	var ae *ArgError
	if errors.As(err, &ae) {
		if ae.Method == "" {
			ae.Method = method
		}
		L.RaiseError("%s", ae.Error())
		return
	}
	L.Error(ErrorValue(L, AsError(method, err)), 1)
}

func internalError(method string, r any) *Error {
	return &Error{Method: method, Type: TypeInternal, Message: "internal error: " + fmt.Sprint(r) + " (please report it)"}
}

// NewTypeMetatable is L.NewTypeMetatable with room for n fields: gopher-lua's
// reserves 32 slots in each part of the table, 3 KB in every VM.
func NewTypeMetatable(L *lua.LState, name string, n int) *lua.LTable {
	reg := L.Get(lua.RegistryIndex).(*lua.LTable)
	if mt, ok := reg.RawGetString(name).(*lua.LTable); ok {
		return mt
	}
	mt := L.CreateTable(0, n)
	reg.RawSetString(name, mt)
	return mt
}
