// Package docsite serves tglua's offline Telegram API reference as HTML,
// for the HTTP gateway: a page per method, constructor, type, namespace
// and built-in function, modelled on MadelineProto's documentation, with a
// search page and an index.
//
// Mount Handler at the root of a mux for "/docs" and "/docs/":
//
//	mux.Handle("/docs", docsite.Handler())
//	mux.Handle("/docs/", docsite.Handler())
//
// Pages are rendered on demand from luabind/schema (parameters, types,
// results), internal/apidoc (descriptions, errors, bot usability) and
// internal/docpage (built-in functions, suggestions, example values) by
// plain Go functions that write the HTML and escape every value as
// html/template would. Not html/template itself: its reflection keeps the
// linker from dropping unused methods, which more than doubled tglua's
// binary. Nothing is built when the package is initialised, and the name
// index used by search and case-insensitive lookups is built on first use.
// A method page shows the same example call in Lua (docpage's), curl
// against the gateway and Go through package runtime, written as gofmt
// writes it: the curl and Go examples render docpage's example values
// (docpage.ExampleArgs).
//
// Every page is self-contained (one inline stylesheet, one small inline
// script on the index, no external resources) and carries an ETag and a
// Cache-Control header: it changes only with the build.
package docsite
