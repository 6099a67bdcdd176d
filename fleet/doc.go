// Package fleet holds many accounts in one process, each with its own
// Runtime (VM, session, MTProto connection).
//
// Pool keeps long-lived accounts for servers and embedding hosts (the HTTP
// gateway's accounts live in one): started on first use, served on a
// goroutine of their own, restarted when their loop fails, stopped with
// their session written.
//
// Run runs one script for every session in a directory or under a Redis
// prefix. One account's error, panic or os.exit ends only that account;
// with Options.Restart it runs again after a backoff. The CLI's
// `tglua run --accounts DIR script.lua` is a thin layer over Run.
package fleet
