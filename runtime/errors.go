package runtime

import (
	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/luabind"
)

// Error is an uncaught error from a script: its message (for a method
// call's error value, the value's one-line tostring) and the Lua traceback.
type Error struct {
	Message   string
	Traceback string
	// Value is the structured error of a failed method call, if that is
	// what the script raised.
	Value *luabind.Error
	Err   error
}

func (e *Error) Error() string { return e.Message }

// Unwrap gives errors.As access to the method call error.
func (e *Error) Unwrap() error {
	if e.Value != nil {
		return e.Value
	}
	return e.Err
}

// scriptError turns what PCall returned into an *Error.
func scriptError(L *lua.LState, err error) error {
	ae, ok := err.(*lua.ApiError)
	if !ok {
		return &Error{Message: err.Error(), Err: err}
	}
	e := &Error{Traceback: ae.StackTrace, Err: err}
	if v, ok := luabind.ErrorFromValue(ae.Object); ok {
		e.Value = v
		e.Message = v.Error()
		return e
	}
	e.Message = errorObjectString(L, ae.Object, err)
	return e
}

// errorObjectString is how the lua interpreter shows an error object: a
// string or number as it is, a value with __tostring through it, anything
// else as "(error object is a table value)".
func errorObjectString(L *lua.LState, obj lua.LValue, err error) string {
	switch obj := obj.(type) {
	case nil:
		return err.Error()
	case lua.LString, lua.LNumber:
		return obj.String()
	}
	if L != nil && L.GetMetaField(obj, "__tostring") != lua.LNil {
		if s, ok := tostring(L, obj); ok {
			return s
		}
	}
	return "(error object is a " + obj.Type().String() + " value)"
}

// tostring calls __tostring, reporting false if it fails.
func tostring(L *lua.LState, v lua.LValue) (s string, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return L.ToStringMeta(v).String(), true
}
