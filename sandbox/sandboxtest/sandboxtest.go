// Package sandboxtest starts the offline Telegram for tests, the way
// net/http/httptest starts a server: on 127.0.0.1, closed when the test
// ends.
package sandboxtest

import (
	"context"
	"testing"

	"github.com/tglua/tglua/sandbox"
)

// Start starts a sandbox with default options on 127.0.0.1 and closes it
// when tb ends.
func Start(tb testing.TB) *sandbox.Server {
	tb.Helper()
	sb, err := sandbox.New(sandbox.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	if err := sb.Start(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = sb.Close() })
	return sb
}
