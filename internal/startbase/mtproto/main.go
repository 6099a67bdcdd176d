// Command mtproto is a start-up baseline: it links only gotd's MTProto
// connection and generated API (no telegram client, no transports beyond
// what mtproto needs) and gopher-lua, and returns at once. See package
// startbase.
package main

import (
	"os"

	"github.com/gotd/td/mtproto"
	"github.com/gotd/td/tg"
	lua "github.com/yuin/gopher-lua"
)

func main() {
	// Never taken by the benchmark; it keeps the libraries linked in.
	if len(os.Args) > 1 && os.Args[1] == "use" {
		_ = tg.NewClient(nil)
		_ = mtproto.New(nil, mtproto.Options{})
		lua.NewState().Close()
	}
}
