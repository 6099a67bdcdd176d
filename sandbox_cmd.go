package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"sync/atomic"

	"github.com/gotd/td/session"

	"github.com/tglua/tglua/runtime"
	"github.com/tglua/tglua/sandbox"
)

// The account --sandbox logs in as.
const (
	sandboxPhone = "+15550000"
	sandboxCode  = sandbox.LoginCode
)

// startSandbox starts an in-process sandbox and points opts at it.
func startSandbox(ctx context.Context, opts *runtime.Options) (*sandbox.Server, error) {
	// Only this process's client talks to it: the built-in key will do.
	sb, err := sandbox.New(sandbox.Options{Key: sandbox.BuiltinKey()})
	if err != nil {
		return nil, err
	}
	if err := sb.Start(ctx); err != nil {
		return nil, err
	}
	// A ready key spares the client gotd's 0.7 s key exchange. Its own
	// exchange (about 12 ms of CPU, most of it the server's side) starts
	// now, so that it overlaps making the VM and loading the script.
	opts.Dial.NewAuthKey = prefetch(ctx, sb.NewAuthKey)
	opts.Dial.Server = sb.Addr().String()
	opts.Dial.ServerKey = sb.PublicKeyPEM()
	opts.Dial.DC = sb.DC()
	if opts.Dial.AppID == 0 {
		opts.Dial.AppID, opts.Dial.AppHash = 1, "sandbox"
	}
	return sb, nil
}

// prefetch starts newKey at once and hands its result to the first caller;
// a later caller (a session that lost its key), or the first when the
// early exchange failed, runs newKey afresh. The early exchange ends with
// the sandbox: closing it fails the exchange.
func prefetch(ctx context.Context, newKey func(context.Context) (*session.Data, error)) func(context.Context) (*session.Data, error) {
	type result struct {
		data *session.Data
		err  error
	}
	early := make(chan result, 1)
	go func() {
		d, err := newKey(ctx)
		early <- result{d, err}
	}()
	var taken atomic.Bool
	return func(ctx context.Context) (*session.Data, error) {
		if taken.CompareAndSwap(false, true) {
			select {
			case r := <-early:
				if r.err == nil {
					return r.data, nil
				}
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		return newKey(ctx)
	}
}

// sandboxLogin logs the runtime in as the sandbox user, through the same
// Lua functions a script would use.
func sandboxLogin(ctx context.Context, rt *runtime.Runtime) error {
	_, err := rt.DoStringAsHost(ctx, fmt.Sprintf("phone_login(%q) complete_phone_login(%q)", sandboxPhone, sandboxCode))
	if err != nil {
		return fmt.Errorf("log in to the sandbox: %w", err)
	}
	return nil
}

const sandboxUsage = `usage: tglua sandbox serve [--listen 127.0.0.1:PORT] [--key-out key.pem] [--state FILE] [--listen-any]

Runs the offline sandbox Telegram as a standalone MTProto server. Other tglua
processes (or an MTProto client whose key exchange uses RSA_PAD) connect with
--server ADDR --server-key key.pem.
Accounts: +15550000 (@sandbox), @alice, @bob, the bot @echo_bot; login code 12345.

flags:
`

// sandboxCommand is `tglua sandbox serve`.
func sandboxCommand(ctx context.Context, args []string, std stdio) int {
	if len(args) == 0 || args[0] != "serve" {
		fmt.Fprint(std.err, sandboxUsage)
		return exitUsage
	}
	fs := flag.NewFlagSet("tglua sandbox serve", flag.ContinueOnError)
	fs.SetOutput(std.err)
	listen := fs.String("listen", "127.0.0.1:0", "listen on `ADDR`")
	keyOut := fs.String("key-out", "", "write the server's RSA public key (PEM) to `FILE`")
	state := fs.String("state", "", "load and save the sandbox state in `FILE` (JSON)")
	listenAny := fs.Bool("listen-any", false, "allow a non-loopback --listen address")
	dc := fs.Int("dc", 2, "datacenter `ID` the server claims to be")
	fs.Usage = func() {}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(std.out, sandboxUsage, fs)
			return exitOK
		}
		printUsage(std.err, sandboxUsage, fs)
		return exitUsage
	}
	sb, err := sandbox.New(sandbox.Options{Listen: *listen, ListenAny: *listenAny, StatePath: *state, DC: *dc})
	if err != nil {
		fmt.Fprintln(std.err, "tglua sandbox:", err)
		if !*listenAny {
			fmt.Fprintln(std.err, "tglua sandbox: to serve beyond this machine, pass --listen-any")
		}
		return exitUsage
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := watchInterrupts(std.interrupts, cancel)
	defer stop()
	if err := sb.Start(ctx); err != nil {
		fmt.Fprintln(std.err, "tglua sandbox:", err)
		return exitError
	}
	if *keyOut != "" {
		if err := os.WriteFile(*keyOut, sb.PublicKeyPEM(), 0o644); err != nil {
			_ = sb.Close()
			fmt.Fprintln(std.err, "tglua sandbox:", err)
			return exitError
		}
	}
	fmt.Fprintf(std.out, "sandbox listening on %s (dc %d)\n", sb.Addr(), sb.DC())
	if *keyOut != "" {
		fmt.Fprintf(std.out, "connect with: tglua --server %s --server-key %s --dc %d SCRIPT.lua\n", sb.Addr(), *keyOut, sb.DC())
	}
	<-ctx.Done()
	if err := sb.Close(); err != nil {
		fmt.Fprintln(std.err, "tglua sandbox:", err)
		return exitError
	}
	return exitOK
}
