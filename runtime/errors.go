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
func scriptError(err error) error {
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
	if ae.Object != nil {
		e.Message = ae.Object.String()
	} else {
		e.Message = err.Error()
	}
	return e
}
