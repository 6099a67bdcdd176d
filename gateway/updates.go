package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/go-faster/errors"
	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/internal/session"
)

// Updates, with Telegram's bot API semantics: each update gets an
// update_id; getUpdates?offset=N confirms (drops) every update below N; an
// update stays queued until confirmed. The queue is written to
// <hash>.updates (0600, atomically) on every change, and the account's
// update state (pts, qts, seq) lives in its session file, so a restarted
// gateway neither loses nor repeats updates: it resumes the accounts that
// had a queue and fetches what happened meanwhile.
//
// An update is the TL update object as Lua sees it, with update_id added:
// {"update_id":7,"_":"updateNewMessage","message":{...},"pts":12,...}.

// maxQueued bounds an account's queue: past it the oldest are dropped (a
// client that never confirms must not fill the disk).
const maxQueued = 10000

// updateQueue is an account's pending updates.
type updateQueue struct {
	path string

	mu      sync.Mutex
	Next    int64          `json:"next"`
	Items   []queuedUpdate `json:"updates"`
	Webhook string         `json:"webhook,omitempty"`
	// Secret is sent with every push as X-Telegram-Bot-Api-Secret-Token,
	// as Telegram's bot API does, so the receiver can tell pushes are ours.
	Secret string        `json:"secret,omitempty"`
	wake   chan struct{} // closed and replaced when an update arrives
}

type queuedUpdate struct {
	ID     int64           `json:"update_id"`
	Update json.RawMessage `json:"update"`
}

// loadQueue reads a queue file, or returns nil if there is none.
func loadQueue(path string) (*updateQueue, error) {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, errors.Wrap(err, "read updates")
	}
	q := &updateQueue{path: path, wake: make(chan struct{})}
	if err := json.Unmarshal(data, q); err != nil {
		return nil, errors.Wrapf(err, "read updates %s", path)
	}
	if q.Next == 0 {
		q.Next = 1
	}
	return q, nil
}

func newQueue(path string) *updateQueue {
	return &updateQueue{path: path, Next: 1, wake: make(chan struct{})}
}

// save writes the queue; call with mu held or when nothing else runs.
func (q *updateQueue) save() error {
	data, err := json.Marshal(q)
	if err != nil {
		return err
	}
	return session.WriteFile(q.path, data)
}

// add queues one update (JSON of the TL object).
func (q *updateQueue) add(update []byte) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.Items = append(q.Items, queuedUpdate{ID: q.Next, Update: append(json.RawMessage(nil), update...)})
	q.Next++
	if n := len(q.Items) - maxQueued; n > 0 {
		q.Items = append(q.Items[:0:0], q.Items[n:]...)
	}
	close(q.wake)
	q.wake = make(chan struct{})
	return q.save()
}

// confirm drops the updates below offset.
func (q *updateQueue) confirm(offset int64) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	i := 0
	for i < len(q.Items) && q.Items[i].ID < offset {
		i++
	}
	if i == 0 {
		return nil
	}
	q.Items = append(q.Items[:0:0], q.Items[i:]...)
	return q.save()
}

// take returns up to limit queued updates, waiting up to timeout for one.
func (q *updateQueue) take(ctx context.Context, limit int, timeout time.Duration) []queuedUpdate {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		q.mu.Lock()
		if n := len(q.Items); n > 0 || timeout <= 0 {
			out := append([]queuedUpdate(nil), q.Items[:min(n, limit)]...)
			q.mu.Unlock()
			return out
		}
		wake := q.wake
		q.mu.Unlock()
		select {
		case <-wake:
		case <-deadline.C:
			timeout = 0
		case <-ctx.Done():
			return nil
		}
	}
}

// appendUpdates writes updates as a JSON array, update_id first in each.
func appendUpdates(b *bytes.Buffer, list []queuedUpdate) {
	b.WriteByte('[')
	for i, u := range list {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"update_id":`)
		b.WriteString(strconv.FormatInt(u.ID, 10))
		if len(u.Update) > 2 {
			b.WriteByte(',')
			b.Write(u.Update[1:])
		} else {
			b.WriteByte('}')
		}
	}
	b.WriteByte(']')
}

// listen makes sure the account's runtime feeds its queue: it registers
// an on('update') handler, which starts the updates manager from the state
// in the session.
func (a *account) listen(ctx context.Context) error {
	rt, gen, err := a.runtime()
	if err != nil {
		return err
	}
	a.mu.Lock()
	if a.updates == nil {
		a.updates = newQueue(a.g.path(a.hash, updatesExt))
		if err := a.updates.save(); err != nil {
			a.mu.Unlock()
			return err
		}
	}
	if a.listening == gen {
		a.mu.Unlock()
		return nil
	}
	a.listening = gen
	q := a.updates
	a.mu.Unlock()
	err = rt.Go(ctx, func(L *lua.LState) error {
		h := L.NewFunction(func(L *lua.LState) int {
			var b bytes.Buffer
			if err := appendJSON(&b, L.Get(1)); err != nil {
				a.g.logf("account %s: update: %v", a.id(), err)
				return 0
			}
			if err := q.add(b.Bytes()); err != nil {
				a.g.logf("account %s: save updates: %v", a.id(), err)
			}
			return 0
		})
		_, err := callLua(L, L.GetGlobal("on"), lua.LString("update"), h)
		return err
	})
	if err != nil {
		a.mu.Lock()
		if a.listening == gen {
			a.listening = 0
		}
		a.mu.Unlock()
	}
	return err
}

// resumeUpdates starts, in the background, an account that had a queue
// when the gateway stopped, and its webhook pusher.
func (a *account) resumeUpdates() {
	a.g.wg.Add(1)
	go func() {
		defer a.g.wg.Done()
		if err := a.listen(a.g.ctx); err != nil && a.g.ctx.Err() == nil {
			a.g.logf("account %s: resume updates: %v", a.id(), err)
		}
	}()
	a.updates.mu.Lock()
	hook := a.updates.Webhook
	a.updates.mu.Unlock()
	if hook != "" {
		a.startWebhook()
	}
}

// getUpdates is GET /user<TOKEN>/getUpdates?offset=N&limit=L&timeout=S.
func getUpdates(g *Gateway, a *account, w http.ResponseWriter, r *http.Request) {
	p, perr := readParams(w, r, &g.opts)
	if perr != nil {
		writeError(w, perr)
		return
	}
	offset, err1 := intParam(p, "offset", 0)
	limit, err2 := intParam(p, "limit", 100)
	timeout, err3 := intParam(p, "timeout", 0)
	if err := errors.Join(err1, err2, err3); err != nil {
		writeError(w, newError(http.StatusBadRequest, "getUpdates: "+err.Error()))
		return
	}
	limit = min(max(limit, 1), 100)
	wait := min(time.Duration(timeout)*time.Second, g.opts.MaxPollTimeout)
	if err := a.listen(r.Context()); err != nil {
		writeError(w, asAPIError(err))
		return
	}
	q := a.updates
	q.mu.Lock()
	hook := q.Webhook
	q.mu.Unlock()
	if hook != "" {
		writeError(w, newError(http.StatusConflict, "Conflict: can't use getUpdates while a webhook is active; use deleteWebhook to delete it first"))
		return
	}
	if offset > 0 {
		if err := q.confirm(offset); err != nil {
			writeError(w, newError(http.StatusInternalServerError, "save updates: "+err.Error()))
			return
		}
	}
	list := q.take(r.Context(), int(limit), wait)
	var b bytes.Buffer
	appendUpdates(&b, list)
	writeResult(w, b.Bytes())
}

func intParam(p *params, name string, def int64) (int64, error) {
	s, ok := p.get(name)
	if !ok || s == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, errors.Errorf("%s: integer expected, got %q", name, s)
	}
	return n, nil
}
