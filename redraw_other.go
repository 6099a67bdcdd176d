//go:build !unix

package main

// redrawPrompt is nil where liner cannot be asked to redraw: the guard then
// draws the prompt itself.
var redrawPrompt func()
