package sandbox

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gotd/td/exchange"
	"github.com/gotd/td/mt"
	"github.com/gotd/td/session"
	"github.com/gotd/td/telegram"
	"github.com/gotd/td/telegram/dcs"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
	"github.com/gotd/td/tgtest"
	"github.com/gotd/td/tgtest/services/config"
	"github.com/gotd/td/transport"
)

// benchClients is the largest number of concurrent clients benchmarked.
const benchClients = 8

// benchTarget is one client with the peer it sends to.
type benchTarget struct {
	api  *tg.Client
	peer tg.InputPeerClass
}

// runClients starts n gotd clients with opts; configure may log them in.
func runClients(b *testing.B, n int, opts func() telegram.Options, setup func(ctx context.Context, c *telegram.Client) (tg.InputPeerClass, error)) []benchTarget {
	b.Helper()
	targets := make([]benchTarget, n)
	for i := range targets {
		o := opts()
		o.SessionStorage = &session.StorageMemory{}
		client := telegram.NewClient(1, "bench", o)
		ctx, cancel := context.WithCancel(context.Background())
		ready := make(chan error, 1)
		done := make(chan struct{})
		go func() {
			defer close(done)
			err := client.Run(ctx, func(ctx context.Context) error {
				peer, err := setup(ctx, client)
				targets[i] = benchTarget{api: client.API(), peer: peer}
				ready <- err
				<-ctx.Done()
				return nil
			})
			if err != nil {
				select {
				case ready <- err:
				default:
				}
			}
		}()
		b.Cleanup(func() { cancel(); <-done })
		if err := <-ready; err != nil {
			b.Fatal(err)
		}
	}
	return targets
}

// startBare runs a tgtest server whose messages.sendMessage handler just
// returns a fixed updateShortSentMessage.
func startBare(b *testing.B) telegram.Options {
	b.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := l.Addr().(*net.TCPAddr)
	cfg := tg.Config{ThisDC: 2, DCOptions: []tg.DCOption{{ID: 2, IPAddress: addr.IP.String(), Port: addr.Port}}}
	d := tgtest.NewDispatcher()
	config.NewService(&cfg, &tg.CDNConfig{}).Register(d)
	d.Result(tg.MessagesSendMessageRequestTypeID, &tg.UpdateShortSentMessage{Out: true, ID: 1, Pts: 1, PtsCount: 1, Date: 1})
	d.HandleFunc(mt.MsgsAckTypeID, func(*tgtest.Server, *tgtest.Request) error { return nil })
	d.Fallback(tgtest.HandlerFunc(func(*tgtest.Server, *tgtest.Request) error {
		return tgerr.New(400, "NOT_IMPLEMENTED")
	}))
	srv := tgtest.NewServer(tgtest.NewPrivateKey(testKey()), tgtest.UnpackInvoke(d), tgtest.ServerOptions{DC: 2})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ctx, transport.ListenCodec(nil, l))
	}()
	b.Cleanup(func() { cancel(); _ = l.Close(); <-done })
	return telegram.Options{
		DC:         2,
		DCList:     dcs.List{Options: cfg.DCOptions},
		Resolver:   dcs.Plain(dcs.PlainOptions{Protocol: transport.Intermediate}),
		PublicKeys: []exchange.PublicKey{{RSA: &testKey().PublicKey}},
		NoUpdates:  true,
	}
}

// runOps sends k messages spread over targets and returns the time taken.
func runOps(targets []benchTarget, k int, randomID *atomic.Int64) (time.Duration, error) {
	var (
		next   atomic.Int64
		wg     sync.WaitGroup
		failed atomic.Value
	)
	start := time.Now()
	for _, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			for next.Add(1) <= int64(k) {
				if _, err := t.api.MessagesSendMessage(ctx, &tg.MessagesSendMessageRequest{
					Peer: t.peer, Message: "benchmark", RandomID: randomID.Add(1),
				}); err != nil {
					failed.Store(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err, ok := failed.Load().(error); ok {
		return elapsed, err
	}
	return elapsed, nil
}

var benchRandomID atomic.Int64

// loop sends b.N messages spread over targets.
func loop(b *testing.B, targets []benchTarget) {
	b.ResetTimer()
	if _, err := runOps(targets, b.N, &benchRandomID); err != nil {
		b.Fatal(err)
	}
}

// interleave sends b.N messages to each server, alternating phases of a
// few hundred messages so that load from other processes hits both alike,
// and reports both costs and the sandbox's relative throughput.
func interleave(b *testing.B, bare, sandbox []benchTarget) {
	const phase = 256
	var bareT, sandboxT time.Duration
	b.ResetTimer()
	for done := 0; done < b.N; {
		k := min(phase, b.N-done)
		d, err := runOps(bare, k, &benchRandomID)
		if err != nil {
			b.Fatal(err)
		}
		bareT += d
		if d, err = runOps(sandbox, k, &benchRandomID); err != nil {
			b.Fatal(err)
		}
		sandboxT += d
		done += k
	}
	b.ReportMetric(float64(bareT.Nanoseconds())/float64(b.N), "bare-ns/msg")
	b.ReportMetric(float64(sandboxT.Nanoseconds())/float64(b.N), "sandbox-ns/msg")
	b.ReportMetric(float64(bareT)/float64(sandboxT), "vs-bare")
}

// BenchmarkSendMessage measures messages.sendMessage round trips with 1 and
// 8 clients against the sandbox and, in the same run, against a bare tgtest
// handler returning a fixed answer. The interleaved sub-benchmarks alternate
// between the two servers and report "vs-bare", the sandbox's throughput as
// a fraction of the bare server's.
func BenchmarkSendMessage(b *testing.B) {
	bareOpts := startBare(b)
	bare := runClients(b, benchClients, func() telegram.Options { return bareOpts }, func(context.Context, *telegram.Client) (tg.InputPeerClass, error) {
		return &tg.InputPeerUser{UserID: BobID, AccessHash: 1}, nil
	})

	s := startTestServer(b, Options{})
	var phone atomic.Int64
	sandbox := runClients(b, benchClients, func() telegram.Options {
		o := s.TelegramOptions()
		o.NoUpdates = true
		return o
	}, func(ctx context.Context, c *telegram.Client) (tg.InputPeerClass, error) {
		if _, err := login(ctx, c, "+1555100"+strconv.FormatInt(phone.Add(1), 10), ""); err != nil {
			return nil, err
		}
		bob, err := resolve(ctx, c.API(), "bob") // offline: no pushes
		if err != nil {
			return nil, err
		}
		return inputPeer(bob), nil
	})

	for _, n := range []int{1, benchClients} {
		b.Run(fmt.Sprintf("clients=%d/bare", n), func(b *testing.B) { loop(b, bare[:n]) })
		b.Run(fmt.Sprintf("clients=%d/sandbox", n), func(b *testing.B) { loop(b, sandbox[:n]) })
		b.Run(fmt.Sprintf("clients=%d/interleaved", n), func(b *testing.B) { interleave(b, bare[:n], sandbox[:n]) })
	}
}
