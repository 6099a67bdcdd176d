//go:build unix

package session

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisServer is a real redis-server on a free 127.0.0.1 port, in a
// temporary directory, stopped at the end of the test.
type redisServer struct {
	t      testing.TB
	bin    string
	dir    string
	port   int
	extra  []string // more arguments
	cmd    *exec.Cmd
	exited chan struct{}
	cl     *redis.Client
}

// redisServerBin finds redis-server on PATH. Without it the test is
// skipped, except on CI (CI=true), where it fails.
func redisServerBin(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		msg := "redis-server not found on PATH; install the redis-server package (apt-get install redis-server) to run the Redis tests"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " (CI=true: the Redis tests are required)")
		}
		t.Skip(msg)
	}
	return bin
}

// startRedis starts a redis-server for the test. extra are more
// arguments, as in "--requirepass", "pw".
func startRedis(t testing.TB, extra ...string) *redisServer {
	t.Helper()
	s := &redisServer{t: t, bin: redisServerBin(t), dir: t.TempDir(), extra: extra}
	t.Cleanup(func() {
		if s.cl != nil {
			_ = s.cl.Close()
		}
		s.stop()
	})
	var err error
	for range 5 { // the free port may be taken before redis binds it
		s.port = freePort(t)
		if err = s.start(); err == nil {
			return s
		}
	}
	t.Fatalf("start redis-server: %v", err)
	return nil
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// start (re)starts the server on s.port with the data in s.dir: a dump
// written by save is loaded again.
func (s *redisServer) start() error {
	s.t.Helper()
	args := append([]string{
		"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no",
		"--dir", s.dir, "--dbfilename", "dump.rdb",
		"--daemonize", "no", "--logfile", "",
	}, s.extra...)
	logf, err := os.OpenFile(filepath.Join(s.dir, "redis.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(s.bin, args...)
	cmd.Dir = s.dir
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	s.cmd, s.exited = cmd, exited

	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			s.cmd = nil
			log, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
			return fmt.Errorf("redis-server exited:\n%s", lastLines(log, 5))
		default:
		}
		if s.ping() {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.stop()
	return fmt.Errorf("redis-server on port %d not ready after 10s", s.port)
}

// ping reports whether the server answers PING (with PONG, or with an
// authentication error when it has a password).
func (s *redisServer) ping() bool {
	c, err := net.DialTimeout("tcp", s.addr(), time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && (strings.HasPrefix(line, "+PONG") || strings.HasPrefix(line, "-NOAUTH"))
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// stop kills the server (SIGKILL: nothing is saved on the way out).
func (s *redisServer) stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}

// saveAndStop writes a dump, so that start loads the data (keys and their
// TTLs) again, and stops the server.
func (s *redisServer) saveAndStop() {
	s.t.Helper()
	if err := s.client().Save(context.Background()).Err(); err != nil {
		s.t.Fatalf("SAVE: %v", err)
	}
	s.stop()
}

func (s *redisServer) addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

// url returns the URL of DB 0 with the query, as in "key=acct:a".
func (s *redisServer) url(query string) string {
	return "redis://" + s.addr() + "/0?" + query
}

// client is a client of DB 0 for inspecting and changing keys.
func (s *redisServer) client() *redis.Client {
	if s.cl == nil {
		opts := &redis.Options{Addr: s.addr(), DisableIdentity: true, MaxRetries: -1}
		for i, a := range s.extra {
			if a == "--requirepass" && i+1 < len(s.extra) {
				opts.Password = s.extra[i+1]
			}
		}
		s.cl = redis.NewClient(opts)
	}
	return s.cl
}

// get returns the value of a string key; nil if missing.
func (s *redisServer) get(key string) []byte {
	s.t.Helper()
	v, err := s.client().Get(context.Background(), key).Bytes()
	if err == redis.Nil {
		return nil
	}
	if err != nil {
		s.t.Fatalf("GET %s: %v", key, err)
	}
	return v
}

func (s *redisServer) set(key string, value any) {
	s.t.Helper()
	if err := s.client().Set(context.Background(), key, value, 0).Err(); err != nil {
		s.t.Fatalf("SET %s: %v", key, err)
	}
}

func (s *redisServer) del(keys ...string) {
	s.t.Helper()
	if err := s.client().Del(context.Background(), keys...).Err(); err != nil {
		s.t.Fatalf("DEL: %v", err)
	}
}

// doc decodes the session stored under key.
func (s *redisServer) doc(key string) *document {
	s.t.Helper()
	data := s.get(key)
	if data == nil {
		s.t.Fatalf("key %s is missing", key)
	}
	d, err := decodeDocument(data)
	if err != nil {
		s.t.Fatalf("decode session at %s: %v", key, err)
	}
	return d
}

func TestRedisServerHelper(t *testing.T) {
	s := startRedis(t)
	s.set("k", "v")
	if got := s.get("k"); !bytes.Equal(got, []byte("v")) {
		t.Fatalf("GET = %q", got)
	}
	s.saveAndStop()
	if err := s.start(); err != nil {
		t.Fatal(err)
	}
	if got := s.get("k"); !bytes.Equal(got, []byte("v")) {
		t.Fatalf("after restart GET = %q", got)
	}
}
