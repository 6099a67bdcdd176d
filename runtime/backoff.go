package runtime

import (
	"sync"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// flapWindow is how long a connection must stay up before the reconnect
// backoff starts again from its shortest interval.
const flapWindow = 10 * time.Second

// reconnectBackoff is gotd's reconnection backoff (exponential from 100 ms
// to 5 s), except that a connection which dies soon after it was made does
// not start it over. gotd resets the backoff whenever a connection is
// ready, so a server that accepts connections and drops them at once (or
// drops every connection carrying some request) would see a reconnect and
// a resend ten times a second; here the waits keep growing until a
// connection lasts flapWindow.
type reconnectBackoff struct {
	mu      sync.Mutex
	inner   *backoff.ExponentialBackOff
	resetAt time.Time // when gotd asked for a reset not yet applied; zero: none
	now     func() time.Time
}

func newReconnectBackoff() backoff.BackOff {
	b := backoff.NewExponentialBackOff()
	b.MaxElapsedTime = 0
	b.MaxInterval = 5 * time.Second
	b.InitialInterval = 100 * time.Millisecond
	return &reconnectBackoff{inner: b, now: time.Now}
}

// NextBackOff implements backoff.BackOff.
func (b *reconnectBackoff) NextBackOff() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.resetAt.IsZero() && b.now().Sub(b.resetAt) >= flapWindow {
		b.inner.Reset()
	}
	b.resetAt = time.Time{}
	return b.inner.NextBackOff()
}

// Reset implements backoff.BackOff: gotd calls it when a connection is
// ready; it takes effect if the connection then lasts flapWindow.
func (b *reconnectBackoff) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.resetAt = b.now()
}
