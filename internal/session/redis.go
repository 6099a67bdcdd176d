package session

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-faster/errors"
	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/logging"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// DefaultLeaseTTL is the lease TTL of a Redis session when Options.LeaseTTL
// is zero.
const DefaultLeaseTTL = 15 * time.Second

// minLeaseTTL is the shortest Options.LeaseTTL: renewals run every TTL/3.
const minLeaseTTL = 30 * time.Millisecond

// ErrLeaseLost means a Redis session lost its lease: another process holds
// it now, or it expired. Writes fail with a *FileError wrapping it.
var ErrLeaseLost = errors.New("lease lost")

const (
	// leaseSuffix names the lease key of a session key.
	leaseSuffix = ":lease"
	// redisDialTimeout bounds connecting, so that Open fails fast when
	// Redis is down.
	redisDialTimeout = 3 * time.Second
	// redisOpTimeout bounds one operation (lease, load, write, release),
	// retries included.
	redisOpTimeout = 5 * time.Second
	// redacted replaces a password in URLs shown in messages, as
	// url.URL.Redacted does.
	redacted = "xxxxx"
)

// The scripts. KEYS[1] is the session key, KEYS[2] (KEYS[1] for renew and
// release) its lease key; ARGV[1] is our owner string. A script that does
// not hold the lease returns the current holder, or 0 if there is none.
// Errors of GET on a lease key of another type are caught: such a key is
// not our lease. Each is made on first use (NewScript hashes its source),
// so a run without Redis does not pay for them at start-up.
var (
	// writeScript is the fenced write: it SETs ARGV[2] only while we hold
	// the lease, and never over a key of another type.
	writeScript = sync.OnceValue(func() *redis.Script {
		return redis.NewScript(`
local cur = redis.pcall('GET', KEYS[2])
if cur ~= ARGV[1] then
  if type(cur) == 'string' then return cur end
  return 0
end
local t = redis.call('TYPE', KEYS[1]).ok
if t ~= 'string' and t ~= 'none' then
  return redis.error_reply('WRONGTYPE the session key holds a ' .. t)
end
redis.call('SET', KEYS[1], ARGV[2])
return 1
`)
	})
	// renewScript extends the lease to ARGV[2] milliseconds.
	renewScript = sync.OnceValue(func() *redis.Script {
		return redis.NewScript(`
local cur = redis.pcall('GET', KEYS[1])
if cur == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if type(cur) == 'string' then return cur end
return 0
`)
	})
	// releaseScript deletes the lease.
	releaseScript = sync.OnceValue(func() *redis.Script {
		return redis.NewScript(`
if redis.pcall('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`)
	})
)

// isURL reports whether target starts as a URL does (a scheme, then
// "://"); anything else is a file path.
func isURL(target string) bool {
	scheme, _, ok := strings.Cut(target, "://")
	if !ok || scheme == "" {
		return false
	}
	for i, c := range scheme {
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '+' || c == '.' || c == '-')) {
			return false
		}
	}
	return true
}

// redisTarget is a parsed Redis URL.
type redisTarget struct {
	base      *url.URL // as given (password included), without key and prefix
	shown     string   // the whole URL as given, password redacted
	opts      *redis.Options
	key       string
	hasKey    bool
	prefix    string
	hasPrefix bool
}

// parseRedisURL parses redis://[user:password@]host[:port][/db]?key=K or
// ?prefix=P (also rediss://). Other query parameters are go-redis options
// (dial_timeout, protocol...). Its errors never show the password.
func parseRedisURL(target string) (*redisTarget, error) {
	u, err := url.Parse(target)
	if err != nil {
		msg := "cannot parse it"
		var ue *url.Error
		// The parser's message may quote a piece of a mangled password.
		if errors.As(err, &ue) && !strings.Contains(target, "@") {
			msg = ue.Err.Error()
		} else if strings.Contains(target, "@") {
			msg += " (percent-encode special characters in the user name and password)"
		}
		return nil, &FileError{Path: redactRaw(target), Err: errors.New("invalid Redis URL: " + msg)}
	}
	t := &redisTarget{shown: u.Redacted()}
	bad := func(format string, args ...any) error {
		return &FileError{Path: t.shown, Err: fmt.Errorf("invalid Redis URL: "+format, args...)}
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "redis" && scheme != "rediss" {
		return nil, &FileError{Path: t.shown, Err: fmt.Errorf("unsupported URL scheme %q: a session is a file path or a redis:// or rediss:// URL", u.Scheme)}
	}
	if u.Fragment != "" {
		return nil, bad("unexpected fragment (#...)")
	}
	db := 0
	if p := strings.TrimPrefix(u.Path, "/"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || strings.ContainsAny(p, "+-") {
			return nil, bad("the path must be a database number, as in redis://host:6379/0")
		}
		db = n
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, bad("query: %v", err)
	}
	for _, name := range []string{"key", "prefix"} {
		if len(q[name]) > 1 {
			return nil, bad("%s is given more than once", name)
		}
	}
	t.key, t.hasKey = q.Get("key"), q.Has("key")
	t.prefix, t.hasPrefix = q.Get("prefix"), q.Has("prefix")
	q.Del("key")
	q.Del("prefix")

	base := *u
	base.Scheme = scheme
	base.Path = "/" + strconv.Itoa(db)
	base.RawQuery = q.Encode()
	base.Fragment = ""
	opts, err := redis.ParseURL(base.String())
	if err != nil {
		return nil, bad("%s", strings.TrimPrefix(err.Error(), "redis: "))
	}
	// Fail fast when Redis is down, unless the URL says otherwise.
	defaults := []struct {
		param string
		set   func()
	}{
		{"dial_timeout", func() { opts.DialTimeout = redisDialTimeout }},
		{"read_timeout", func() { opts.ReadTimeout = redisDialTimeout }},
		{"write_timeout", func() { opts.WriteTimeout = redisDialTimeout }},
		{"max_retries", func() { opts.MaxRetries = 1 }},
		{"pool_size", func() { opts.PoolSize = 4 }},
		{"pipeline_pool_size", func() { opts.PipelinePoolSize = -1 }},
	}
	for _, d := range defaults {
		if !q.Has(d.param) {
			d.set()
		}
	}
	opts.DialerRetries = 1 // MaxRetries retries
	opts.ContextTimeoutEnabled = true
	opts.DisableIdentity = true
	opts.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	t.opts = opts
	t.base = &base
	return t, nil
}

// redactRaw hides the password of a URL that url.Parse refused: everything
// after the first ":" of the part before the last "@". It may hide more
// than the password, never less.
func redactRaw(s string) string {
	i := strings.Index(s, "://")
	if i < 0 {
		return s
	}
	rest := s[i+3:]
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return s
	}
	c := strings.Index(rest[:at], ":")
	if c < 0 {
		return s
	}
	return s[:i+3] + rest[:c] + ":" + redacted + rest[at:]
}

// sessionURL is the URL of the session at key under the base URL of t,
// password included.
func (t *redisTarget) sessionURL(key string) string {
	u := *t.base
	v := "key=" + escapeQueryValue(key)
	if u.RawQuery == "" {
		u.RawQuery = v
	} else {
		u.RawQuery += "&" + v
	}
	return u.String()
}

// escapeQueryValue is url.QueryEscape, keeping the ":" and "/" that key
// names often hold readable.
func escapeQueryValue(s string) string {
	return strings.NewReplacer("%3A", ":", "%2F", "/").Replace(url.QueryEscape(s))
}

// quietRedis silences go-redis's own logger (a process-wide setting): it
// would print every failed dial to stderr while Redis is down, and every
// failure already reaches the caller as an error (or Options.OnError).
var quietRedis sync.Once

// newRedisClient is redis.NewClient with go-redis logging silenced.
func newRedisClient(opts *redis.Options) *redis.Client {
	quietRedis.Do(func() { redis.SetLogger(&logging.VoidLogger{}) })
	return redis.NewClient(opts)
}

// leaseOwner is the value of a lease key.
type leaseOwner struct {
	Host  string `json:"host"`
	PID   int    `json:"pid"`
	Token string `json:"token"`
}

func newOwner() (string, error) {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	token := make([]byte, 16)
	if _, err := rand.Read(token); err != nil {
		return "", err
	}
	buf, err := json.Marshal(leaseOwner{Host: host, PID: os.Getpid(), Token: hex.EncodeToString(token)})
	return string(buf), err
}

// parseOwner reads a lease value; a foreign value gives an unknown holder.
func parseOwner(s string) leaseOwner {
	var o leaseOwner
	if json.Unmarshal([]byte(s), &o) != nil || o.Host == "" {
		return leaseOwner{Host: "unknown"}
	}
	return o
}

// redisBackend is a session stored under a Redis key, owned through a
// lease key renewed in the background.
type redisBackend struct {
	url      string // redacted
	client   *redis.Client
	key      string
	leaseKey string
	owner    string // our lease value
	ttl      time.Duration
	onLost   func(error)

	stop chan struct{} // closed by release
	done chan struct{} // closed when renewLoop returns

	mu      sync.Mutex
	renewed time.Time // when the last successful acquire or renewal was sent
	lost    error     // a *FileError wrapping ErrLeaseLost, once lost
}

var _ backend = (*redisBackend)(nil)

// openRedis connects to the Redis session at target and takes its lease.
// onLost is called once if the lease is lost later.
func openRedis(target string, opts Options, onLost func(error)) (*redisBackend, error) {
	t, err := parseRedisURL(target)
	if err != nil {
		return nil, err
	}
	switch {
	case t.hasPrefix:
		return nil, &FileError{Path: t.shown, Err: errors.New("invalid Redis URL: prefix is for listing sessions; open one with key=...")}
	case !t.hasKey:
		return nil, &FileError{Path: t.shown, Err: errors.New("invalid Redis URL: the key parameter is required, as in redis://127.0.0.1:6379/0?key=acct:alice")}
	case t.key == "":
		return nil, &FileError{Path: t.shown, Err: errors.New("invalid Redis URL: empty key")}
	case strings.HasSuffix(t.key, leaseSuffix):
		return nil, &FileError{Path: t.shown, Err: fmt.Errorf("invalid Redis URL: a session key cannot end in %q (the lease keys do)", leaseSuffix)}
	}
	ttl := opts.LeaseTTL
	if ttl == 0 {
		ttl = DefaultLeaseTTL
	}
	if ttl < minLeaseTTL {
		return nil, &FileError{Path: t.shown, Err: fmt.Errorf("lease TTL %v is shorter than %v", ttl, minLeaseTTL)}
	}
	owner, err := newOwner()
	if err != nil {
		return nil, &FileError{Path: t.shown, Err: wrap(err, "lease token")}
	}
	b := &redisBackend{
		url:      t.shown,
		client:   newRedisClient(t.opts),
		key:      t.key,
		leaseKey: t.key + leaseSuffix,
		owner:    owner,
		ttl:      ttl,
		onLost:   onLost,
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	if err := b.acquire(); err != nil {
		_ = b.client.Close()
		return nil, err
	}
	go b.renewLoop()
	return b, nil
}

// acquire takes the lease with SET NX PX, or fails with a *LockedError
// naming the holder.
func (b *redisBackend) acquire() error {
	ctx, cancel := context.WithTimeout(context.Background(), redisOpTimeout)
	defer cancel()
	for range 3 { // the lease may expire between SET and GET
		start := time.Now()
		err := b.client.Do(ctx, "SET", b.leaseKey, b.owner, "NX", "PX", b.ttl.Milliseconds()).Err()
		if err == nil {
			b.renewed = start
			return nil
		}
		if !errors.Is(err, redis.Nil) {
			return b.redisError("take lease", err)
		}
		cur, err := b.client.Get(ctx, b.leaseKey).Result()
		switch {
		case errors.Is(err, redis.Nil):
			continue
		case redis.HasErrorPrefix(err, "WRONGTYPE"):
			typ, _ := b.client.Type(ctx, b.leaseKey).Result()
			return &FileError{Path: b.url, Err: fmt.Errorf("the lease key %q holds a Redis %s, not a tglua lease", b.leaseKey, typ)}
		case err != nil:
			return b.redisError("read lease", err)
		}
		holder := parseOwner(cur)
		return &LockedError{Path: b.url, PID: holder.PID, Host: holder.Host}
	}
	return &LockedError{Path: b.url, Host: "unknown"}
}

// redisError describes a failed Redis command.
func (b *redisBackend) redisError(what string, err error) error {
	return &FileError{Path: b.url, Err: fmt.Errorf("%s: %w", what, redisErr(err))}
}

// redisErr tells a server's error reply from a failure to reach it.
func redisErr(err error) error {
	var rerr redis.Error
	return &redisFailure{reply: errors.As(err, &rerr), err: err}
}

// redisFailure is a failed Redis command: an error reply, or Redis could
// not be reached.
type redisFailure struct {
	reply bool
	err   error
}

func (e *redisFailure) Error() string {
	if e.reply {
		return "Redis error: " + e.err.Error()
	}
	return "Redis unreachable: " + e.err.Error()
}

func (e *redisFailure) Unwrap() error { return e.err }

func (b *redisBackend) load() ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), redisOpTimeout)
	defer cancel()
	data, err := b.client.Get(ctx, b.key).Bytes()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, nil
	case redis.HasErrorPrefix(err, "WRONGTYPE"):
		typ, _ := b.client.Type(ctx, b.key).Result()
		return nil, &FileError{Path: b.url, Err: fmt.Errorf("%w (the key holds a Redis %s)", ErrForeign, typ)}
	case err != nil:
		return nil, b.redisError("read", err)
	}
	return data, nil
}

func (b *redisBackend) accepted() error { return nil }

// store is the fenced write: one script that SETs the document only while
// the lease holds our token.
func (b *redisBackend) store(data []byte) error {
	b.mu.Lock()
	lost := b.lost
	b.mu.Unlock()
	if lost != nil {
		return lost
	}
	ctx, cancel := context.WithTimeout(context.Background(), redisOpTimeout)
	defer cancel()
	res, err := writeScript().Run(ctx, b.client, []string{b.key, b.leaseKey}, b.owner, data).Result()
	switch {
	case redis.HasErrorPrefix(err, "WRONGTYPE"):
		typ, _ := b.client.Type(ctx, b.key).Result()
		return &FileError{Path: b.url, Err: fmt.Errorf("%w (the key now holds a Redis %s; not overwritten)", ErrForeign, typ)}
	case err != nil:
		return b.redisError("write", err)
	}
	if n, ok := res.(int64); ok && n == 1 {
		return nil
	}
	return b.lose(lostReason(res))
}

// lostReason describes the holder a script found instead of us.
func lostReason(res any) string {
	if s, ok := res.(string); ok {
		o := parseOwner(s)
		pid := "unknown"
		if o.PID > 0 {
			pid = strconv.Itoa(o.PID)
		}
		return "taken over by tglua pid " + pid + " on host " + o.Host
	}
	return "the lease expired"
}

// lose enters the lost state (once) and returns its error.
func (b *redisBackend) lose(reason string) error {
	err := &FileError{Path: b.url, Err: fmt.Errorf("%w: %s; the session is no longer written", ErrLeaseLost, reason)}
	b.mu.Lock()
	if b.lost != nil {
		err := b.lost
		b.mu.Unlock()
		return err
	}
	b.lost = err
	b.mu.Unlock()
	b.onLost(err)
	return err
}

// renewLoop extends the lease every ttl/3 until release or loss. While
// Redis is unreachable it keeps trying; once ttl passed since the last
// successful renewal was sent, the lease may have expired and been taken,
// so it is lost.
func (b *redisBackend) renewLoop() {
	defer close(b.done)
	interval := b.ttl / 3
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-tick.C:
		}
		b.mu.Lock()
		lost, renewed := b.lost, b.renewed
		b.mu.Unlock()
		if lost != nil {
			return
		}
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), interval)
		res, err := renewScript().Run(ctx, b.client, []string{b.leaseKey}, b.owner, b.ttl.Milliseconds()).Result()
		cancel()
		if err == nil {
			if n, ok := res.(int64); ok && n == 1 {
				b.mu.Lock()
				b.renewed = start
				b.mu.Unlock()
				continue
			}
			_ = b.lose(lostReason(res))
			return
		}
		if since := time.Since(renewed); since >= b.ttl {
			_ = b.lose(fmt.Sprintf("not renewed for %v, longer than the lease TTL %v (%v)",
				since.Round(time.Millisecond), b.ttl, redisErr(err)))
			return
		}
	}
}

// release stops renewing and deletes the lease if it is still ours.
func (b *redisBackend) release() error {
	close(b.stop)
	<-b.done
	b.mu.Lock()
	lost := b.lost
	b.mu.Unlock()
	var err error
	if lost == nil {
		ctx, cancel := context.WithTimeout(context.Background(), redisOpTimeout)
		if rerr := releaseScript().Run(ctx, b.client, []string{b.leaseKey}, b.owner).Err(); rerr != nil {
			err = b.redisError("release lease", rerr)
		}
		cancel()
	}
	if cerr := b.client.Close(); cerr != nil && err == nil {
		err = &FileError{Path: b.url, Err: wrap(cerr, "close Redis client")}
	}
	return err
}

func (b *redisBackend) describe() string { return b.url }
