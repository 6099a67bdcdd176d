// Package runtime hosts tglua scripts: one gopher-lua VM bound to the
// Telegram API, with its connection, its options and its lifecycle.
//
// A host brings its own connection (Options.Invoker, e.g. a gotd
// telegram.Client) or lets the runtime dial one from Options.Dial. The
// connection is made lazily, on the first method call, so a script that
// never calls Telegram never connects, and nothing (no users.getUsers, no
// updates.getState) is sent on a script's behalf at start-up.
//
// One goroutine at a time may use a Runtime: the one calling DoString,
// DoFile or Call. Every entry point takes a context; cancelling it stops a
// busy Lua loop and an in-flight RPC alike, and the call returns the
// context's error.
//
// Besides the API namespaces, scripts get on, off, reply, sleep, after,
// every and stop (updates.go, loop.go) and upload, download and send_file
// (files.go), as globals and in `tg`, and the globals phone_login,
// complete_phone_login, complete_2fa_login, complete_signup, bot_login, get_self and logout
// (login.go). os.exit
// writes the session before it ends the process (Options.Exit).
//
// Values cross back to Go with the same exact-integer rule as TL longs:
// integral numbers become int64, strings stay strings (a long beyond 2^53
// arrives as a decimal string), tables become map[string]any or []any.
package runtime
