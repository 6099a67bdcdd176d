package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/tglua/tglua/fleet"
	"github.com/tglua/tglua/runtime"
)

// runAccounts is `tglua run --accounts DIR FILE.lua`: the script once per
// account, each in its own VM on its own connection, then a summary.
func runAccounts(ctx context.Context, cfg *config, opts runtime.Options, script string, std stdio) int {
	if script == "" || len(cfg.exec) > 0 || cfg.interactive {
		fmt.Fprintln(std.err, "tglua: --accounts runs a script file: tglua run --accounts DIR FILE.lua")
		return exitUsage
	}
	if cfg.sandbox || cfg.session != "" {
		fmt.Fprintln(std.err, "tglua: --accounts takes its sessions from DIR: drop --session and --sandbox (run 'tglua sandbox serve' and pass --server for a sandbox fleet)")
		return exitUsage
	}
	if cfg.maxRestarts < 0 {
		fmt.Fprintln(std.err, "tglua: --max-restarts must be 0 (no limit) or more")
		return exitUsage
	}
	if cfg.parallel < 1 {
		fmt.Fprintln(std.err, "tglua: --parallel must be at least 1")
		return exitUsage
	}
	runCtx, cancel := withTimeout(ctx, cfg.timeout)
	defer cancel()
	stop := watchInterrupts(std.interrupts, cancel)
	defer stop()
	res, err := fleet.Run(runCtx, fleet.Options{
		Accounts:    cfg.accounts,
		Runtime:     opts,
		Stdout:      std.out,
		Stderr:      std.err,
		Restart:     cfg.restart,
		MaxRestarts: cfg.maxRestarts,
		Parallel:    cfg.parallel,
	}, func(ctx context.Context, rt *runtime.Runtime) error {
		_, err := rt.DoFile(ctx, script)
		return err
	})
	if err != nil {
		fmt.Fprintln(std.err, "tglua:", err)
		return exitError
	}
	if !fleet.Summary(std.err, res) {
		return exitError
	}
	if errors.Is(runCtx.Err(), context.DeadlineExceeded) {
		return exitError
	}
	return exitOK
}
