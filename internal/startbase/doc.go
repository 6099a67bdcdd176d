// Package startbase holds the start-up baselines of BenchmarkColdStart (in
// the root package): linked, a Go program that links what tglua's core
// links (gotd's telegram client and gopher-lua) and returns at once;
// mtproto, the same with only gotd's mtproto and tg packages; and empty, a
// Go program that does nothing. Timing tglua against them in one
// run separates what the Go runtime and the linked libraries cost at start
// from what tglua itself adds.
package startbase
