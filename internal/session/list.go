package session

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/go-faster/errors"
	"github.com/redis/go-redis/v9"
)

// List returns the sessions at target, each as a target for Open, for
// running a fleet of accounts:
//
//   - a directory: the regular files (or links to them) named *.session in
//     it, as paths joined to target;
//   - a Redis URL with a prefix parameter, as in
//     redis://127.0.0.1:6379/0?prefix=acct: — the string keys starting
//     with the prefix that hold a tglua session (lease keys and other
//     values are skipped), as URLs with key=KEY (and the password, if the
//     URL has one).
//
// The result is sorted. It does not lock or open the sessions.
func List(target string) ([]string, error) {
	if isURL(target) {
		return listRedis(target)
	}
	entries, err := os.ReadDir(target)
	if err != nil {
		return nil, &FileError{Path: target, Err: wrap(err, "list sessions")}
	}
	var out []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".session") {
			continue
		}
		p := filepath.Join(target, e.Name())
		if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
			continue
		}
		out = append(out, p)
	}
	return out, nil
}

// sessionHead matches the start of an encoded document: the format marker
// always comes first (see document).
// It is compiled on first use: a package-level regexp costs every start of
// the program.
var sessionHead = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^\s*\{\s*"format"\s*:\s*"` + formatName + `"`)
})

// listHeadLen is how much of each candidate key List reads.
const listHeadLen = 128

func listRedis(target string) ([]string, error) {
	t, err := parseRedisURL(target)
	if err != nil {
		return nil, err
	}
	switch {
	case t.hasKey:
		return nil, &FileError{Path: t.shown, Err: errors.New("invalid Redis URL: list sessions with prefix=..., not key=...")}
	case !t.hasPrefix:
		return nil, &FileError{Path: t.shown, Err: errors.New("invalid Redis URL: the prefix parameter is required to list sessions, as in redis://127.0.0.1:6379/0?prefix=acct:")}
	}
	client := newRedisClient(t.opts)
	defer client.Close()
	fail := func(what string, err error) error {
		return &FileError{Path: t.shown, Err: wrap(redisErr(err), what)}
	}

	match := globEscape(t.prefix) + "*"
	seen := map[string]bool{}
	var keys []string
	var cursor uint64
	for {
		ctx, cancel := context.WithTimeout(context.Background(), redisOpTimeout)
		batch, next, err := client.ScanType(ctx, cursor, match, 1000, "string").Result()
		if err != nil {
			cancel()
			return nil, fail("scan", err)
		}
		var candidates []string
		for _, k := range batch {
			if !seen[k] && !strings.HasSuffix(k, leaseSuffix) {
				seen[k] = true
				candidates = append(candidates, k)
			}
		}
		if len(candidates) > 0 {
			pipe := client.Pipeline()
			heads := make([]*redis.StringCmd, len(candidates))
			for i, k := range candidates {
				heads[i] = pipe.GetRange(ctx, k, 0, listHeadLen-1)
			}
			if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
				// A key of another type (replaced since SCAN) fails
				// alone; anything else is Redis failing.
				var rerr redis.Error
				if !errors.As(err, &rerr) {
					cancel()
					return nil, fail("read", err)
				}
			}
			for i, k := range candidates {
				if head, err := heads[i].Bytes(); err == nil && sessionHead().Match(bytes.TrimSpace(head)) {
					keys = append(keys, k)
				}
			}
		}
		cancel()
		cursor = next
		if cursor == 0 {
			break
		}
	}
	slices.Sort(keys)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = t.sessionURL(k)
	}
	return out, nil
}

// globEscape quotes the pattern characters of SCAN MATCH.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\^`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
