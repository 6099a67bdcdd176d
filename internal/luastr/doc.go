// Package luastr gives a gopher-lua VM string builtins that an untrusted
// script cannot use to hang or exhaust the host.
//
// gopher-lua's own string library matches patterns with an exponential
// backtracking engine (package pm) that no context deadline or step budget
// reaches, because time spent inside a Go function is not interruptible, and
// string.rep, string.gsub, string.format and table.concat build strings of any
// size. Open replaces those functions with versions that
//
//   - match Lua 5.1 patterns with a port of lstrlib.c's matcher (match.go)
//     that counts its work and reports it to Limits.Spend at least every 1024
//     steps, so that the host can stop it with a Lua error;
//   - bound the recursion of a match as C Lua does (200 levels: "pattern too
//     complex") and the number of captures (32);
//   - refuse to build a string longer than Limits.MaxString, before
//     allocating it where the size is known in advance (string.rep,
//     table.concat) and as it grows otherwise (string.gsub, string.format).
//
// Protect gives strings a metatable of their own that scripts cannot read or
// change.
//
// Semantics follow Lua 5.1 where gopher-lua's differ (see the differential
// test in fuzz_test.go for the list), with three deliberate exceptions: a
// pattern may contain "\x00" (Lua 5.1 ends a pattern at the first NUL, an
// artefact of C strings; here it is an ordinary character, as in Lua 5.2),
// string.format keeps gopher-lua's formatting of valid directives (Go's fmt
// underneath), and string.upper and string.lower keep gopher-lua's Unicode
// case mapping.
package luastr
