// Command empty is a start-up baseline: a Go program that does nothing. See
// package startbase.
package main

func main() {}
