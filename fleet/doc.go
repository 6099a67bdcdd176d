// Package fleet holds many accounts in one process, each with its own
// Runtime (VM, session, MTProto connection).
//
// Pool owns the accounts: it opens each one's runtime from the options it
// is given for the name, and stops it with its session written. A served
// account (Pool.Runtime, Pool.Go) is opened on first use and runs its event
// loop on a goroutine of its own, started again when the loop fails; the
// HTTP gateway's accounts are served. A scripted account (Pool.Exec) is
// opened for one run of a function that drives it.
//
// Run runs one script for every session in a directory or under a Redis
// prefix, each through Pool.Exec. One account's error, panic or os.exit
// ends only that account; with Options.Restart it runs again after a
// backoff. The CLI's `tglua run --accounts DIR script.lua` is a thin layer
// over Run.
package fleet
