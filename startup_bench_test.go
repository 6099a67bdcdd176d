package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// BenchmarkColdStart times `tglua -e 'return 1'` from exec to exit, against
// baselines started in the same rounds: a Go program that links gotd's
// client and gopher-lua and does nothing (internal/startbase/linked), one
// linking only gotd's mtproto and tg packages and gopher-lua
// (internal/startbase/mtproto), an empty Go program, and, when installed, `lua5.4 -e 'return 1'` and
// `python3 -c 'import telethon'`, and `tglua --sandbox scripts/hello.lua`
// (reported as its ratio to `tglua -e`), and `tglua -h` (reported as its
// ratio to the linked baseline: the part of tglua's start that comes before
// its main function does any work). Each round runs every program once, in
// rotating order; the metrics are medians over b.N rounds (use
// -benchtime 20x or more). The binaries are built first, with the go
// command on PATH.
//
//	go test -run '^$' -bench ColdStart -benchtime 40x .
func BenchmarkColdStart(b *testing.B) {
	dir := b.TempDir()
	build := func(name, pkg string) string {
		out := filepath.Join(dir, name)
		cmd := exec.Command("go", "build", "-o", out, pkg)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			b.Fatalf("build %s: %v", pkg, err)
		}
		return out
	}
	type program struct {
		name string
		argv []string
		runs []time.Duration
	}
	progs := []*program{
		{name: "tglua", argv: []string{build("tglua", "."), "-e", "return 1"}},
		{name: "linked", argv: []string{build("linked", "./internal/startbase/linked")}},
		{name: "empty", argv: []string{build("empty", "./internal/startbase/empty")}},
		{name: "mtproto", argv: []string{build("mtproto", "./internal/startbase/mtproto")}},
	}
	// The README's first command: an in-process sandbox, a login and a few
	// calls over real MTProto.
	sandboxHello := &program{name: "sandbox-hello", argv: []string{progs[0].argv[0], "--sandbox", "scripts/hello.lua"}}
	// `tglua -h` prints the usage and exits before making a VM: what tglua
	// costs before its main function does any work, which is what its
	// linked code costs to load and initialise.
	help := &program{name: "tglua-h", argv: []string{progs[0].argv[0], "-h"}}
	progs = append(progs, sandboxHello, help)
	if p, err := exec.LookPath("lua5.4"); err == nil {
		progs = append(progs, &program{name: "lua5.4", argv: []string{p, "-e", "return 1"}})
	}
	// Debian's python3-telethon lives in the system interpreter.
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		if p, err := exec.LookPath(py); err == nil && exec.Command(p, "-c", "import telethon").Run() == nil {
			progs = append(progs, &program{name: "telethon", argv: []string{p, "-c", "import telethon"}})
			break
		}
	}
	for _, p := range progs { // warm the page cache
		if out, err := exec.Command(p.argv[0], p.argv[1:]...).CombinedOutput(); err != nil {
			b.Fatalf("%s: %v\n%s", p.name, err, out)
		}
	}
	b.ResetTimer()
	for round := range b.N {
		for i := range progs {
			p := progs[(i+round)%len(progs)]
			cmd := exec.Command(p.argv[0], p.argv[1:]...)
			start := time.Now()
			if err := cmd.Run(); err != nil {
				b.Fatalf("%s: %v", p.name, err)
			}
			p.runs = append(p.runs, time.Since(start))
		}
	}
	b.StopTimer()
	median := func(p *program) float64 {
		s := slices.Clone(p.runs)
		slices.Sort(s)
		return float64(s[len(s)/2]) / float64(time.Millisecond)
	}
	var parts []string
	for _, p := range progs {
		m := median(p)
		b.ReportMetric(m, p.name+"-ms")
		parts = append(parts, fmt.Sprintf("%s %.1f ms", p.name, m))
	}
	for _, p := range progs[:2] {
		if fi, err := os.Stat(p.argv[0]); err == nil {
			b.ReportMetric(float64(fi.Size())/1e6, p.name+"-binary-MB")
		}
	}
	tg, linked, empty := median(progs[0]), median(progs[1]), median(progs[2])
	b.ReportMetric(tg-linked, "tglua-minus-linked-ms")
	b.ReportMetric(median(sandboxHello)/tg, "sandbox-hello/tglua-e")
	b.ReportMetric(median(help)/linked, "tglua-h/linked")
	b.Logf("medians over %d rounds: %s; tglua adds %.1f ms to the linked baseline (%.2fx), the linked libraries add %.1f ms to an empty Go program",
		b.N, strings.Join(parts, ", "), tg-linked, tg/linked, linked-empty)
}
