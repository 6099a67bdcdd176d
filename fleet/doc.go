// Package fleet runs one script for many accounts in one process: every
// session file in a directory is an account, with its own Runtime (VM,
// session, MTProto connection). One account's error, panic or os.exit ends
// only that account; with Options.Restart it runs again after a backoff.
// The CLI's `tglua run --accounts DIR script.lua` is a thin layer over Run.
package fleet
