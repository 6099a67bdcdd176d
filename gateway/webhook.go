package gateway

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Webhooks: setWebhook?url=...[&secret_token=...] pushes each update, in
// order, as a JSON POST of the same object getUpdates returns, with the
// secret in X-Telegram-Bot-Api-Secret-Token; a 2xx answer confirms it,
// anything else is retried with backoff (1 s doubling to 1 min), so an
// update is never dropped while its webhook is set.

// secretHeader carries setWebhook's secret_token, as in Telegram's bot API.
const secretHeader = "X-Telegram-Bot-Api-Secret-Token"

func setWebhook(g *Gateway, a *account, w http.ResponseWriter, r *http.Request) {
	p, perr := readParams(w, r, &g.opts)
	if perr != nil {
		writeError(w, perr)
		return
	}
	raw, _ := p.get("url")
	if raw == "" {
		deleteWebhook(g, a, w, r)
		return
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		writeError(w, newError(http.StatusBadRequest, "setWebhook: url: an http or https URL expected"))
		return
	}
	secret, _ := p.get("secret_token")
	if len(secret) > 256 || strings.Trim(secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") != "" {
		writeError(w, newError(http.StatusBadRequest, "setWebhook: secret_token: 1-256 characters A-Z, a-z, 0-9, _ and - expected"))
		return
	}
	if err := a.listen(r.Context()); err != nil {
		writeError(w, asAPIError(err))
		return
	}
	q := a.updates
	q.mu.Lock()
	was := q.Webhook
	q.Webhook, q.Secret = u.String(), secret
	err = q.save()
	q.mu.Unlock()
	if err != nil {
		writeError(w, newError(http.StatusInternalServerError, "save webhook: "+err.Error()))
		return
	}
	if was == "" {
		a.startWebhook()
	}
	writeResult(w, []byte("true"))
}

func deleteWebhook(g *Gateway, a *account, w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	q := a.updates
	a.mu.Unlock()
	if q != nil {
		q.mu.Lock()
		q.Webhook, q.Secret = "", ""
		err := q.save()
		close(q.wake) // wake the pusher so it sees the change
		q.wake = make(chan struct{})
		q.mu.Unlock()
		if err != nil {
			writeError(w, newError(http.StatusInternalServerError, "save webhook: "+err.Error()))
			return
		}
	}
	writeResult(w, []byte("true"))
}

func getWebhookInfo(g *Gateway, a *account, w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	q := a.updates
	a.mu.Unlock()
	info := map[string]any{"url": "", "pending_update_count": 0}
	if q != nil {
		q.mu.Lock()
		info["url"] = q.Webhook
		info["pending_update_count"] = len(q.Items)
		q.mu.Unlock()
	}
	writeGo(w, info)
}

// startWebhook starts the pusher, which ends when the webhook is deleted
// or the gateway closes.
func (a *account) startWebhook() {
	g := a.g
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		client := &http.Client{Timeout: 30 * time.Second}
		backoff := time.Second
		q := a.updates
		for g.ctx.Err() == nil {
			q.mu.Lock()
			hook, secret := q.Webhook, q.Secret
			var next *queuedUpdate
			if len(q.Items) > 0 {
				u := q.Items[0]
				next = &u
			}
			wake := q.wake
			q.mu.Unlock()
			if hook == "" {
				return
			}
			if next == nil {
				select {
				case <-wake:
				case <-g.ctx.Done():
				}
				continue
			}
			if err := push(g.ctx, client, hook, secret, next); err != nil {
				g.logf("account %s: webhook: %v (retry in %s)", a.id(), err, backoff)
				select {
				case <-time.After(backoff):
				case <-g.ctx.Done():
				}
				backoff = min(2*backoff, time.Minute)
				continue
			}
			backoff = time.Second
			if err := q.confirm(next.ID + 1); err != nil {
				g.logf("account %s: save updates: %v", a.id(), err)
			}
		}
	}()
}

func push(ctx context.Context, client *http.Client, hook, secret string, u *queuedUpdate) error {
	var b bytes.Buffer
	appendUpdates(&b, []queuedUpdate{*u})
	body := b.Bytes()
	body = body[1 : len(body)-1] // one object, not an array
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set(secretHeader, secret)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	_ = resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return &httpStatusError{resp.StatusCode}
	}
	return nil
}

type httpStatusError struct{ code int }

func (e *httpStatusError) Error() string { return "answered " + http.StatusText(e.code) }
