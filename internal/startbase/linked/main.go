// Command linked is a start-up baseline: it links gotd's telegram client and
// gopher-lua, as tglua does, and returns at once. See package startbase.
package main

import (
	"os"

	"github.com/gotd/td/telegram"
	lua "github.com/yuin/gopher-lua"
)

func main() {
	// Never taken by the benchmark; it keeps both libraries linked in.
	if len(os.Args) > 1 && os.Args[1] == "use" {
		_ = telegram.NewClient(1, "hash", telegram.Options{})
		lua.NewState().Close()
	}
}
