package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tglua/tglua/gateway"
	"github.com/tglua/tglua/internal/syncbuf"
	"github.com/tglua/tglua/runtime"
	"github.com/tglua/tglua/sandbox"
)

// env is a sandbox Telegram, a gateway on a sessions directory and a real
// HTTP server on 127.0.0.1 in front of it.
type env struct {
	t   testing.TB
	sb  *sandbox.Server
	dir string
	gw  *gateway.Gateway
	srv *httptest.Server
	log *syncbuf.Buffer
}

func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvWith(t, sandbox.Options{})
}

// newEnvWith is newEnv with a sandbox made from so.
func newEnvWith(t testing.TB, so sandbox.Options) *env {
	t.Helper()
	sb, err := sandbox.New(so)
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	e := &env{t: t, sb: sb, dir: t.TempDir(), log: &syncbuf.Buffer{}}
	e.start(gateway.Options{})
	t.Cleanup(e.stop)
	return e
}

func (e *env) start(o gateway.Options) {
	e.t.Helper()
	o.Sessions = e.dir
	o.Dial = runtime.Dial{AppID: 1, AppHash: "sandbox", Server: e.sb.Addr().String(), ServerKey: e.sb.PublicKeyPEM(), DC: e.sb.DC(), NewAuthKey: e.sb.NewAuthKey}
	o.Log = e.log
	gw, err := gateway.New(o)
	if err != nil {
		e.t.Fatal(err)
	}
	e.gw = gw
	e.srv = httptest.NewServer(gw.Handler())
}

func (e *env) stop() {
	if e.gw == nil {
		return
	}
	e.srv.Close()
	if err := e.gw.Close(); err != nil {
		e.t.Error(err)
	}
	e.gw = nil
}

// restart stops the gateway, writing every session, and starts a new one
// on the same directory.
func (e *env) restart() {
	e.t.Helper()
	e.stop()
	e.start(gateway.Options{})
}

// answer is a decoded response.
type answer struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (a answer) result() any { return a.body["result"] }

func (e *env) do(req *http.Request) answer {
	e.t.Helper()
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	a := answer{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&a.body); err != nil && !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		e.t.Fatalf("%s %s: not JSON: %v: %s", req.Method, req.URL.Path, err, raw)
	}
	return a
}

// post sends a url-encoded form.
func (e *env) post(path string, form url.Values) answer {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return e.do(req)
}

// postJSON sends a JSON object body.
func (e *env) postJSON(path string, body string) answer {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return e.do(req)
}

func (e *env) get(path string) answer {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.do(req)
}

func ok(t testing.TB, a answer) any {
	t.Helper()
	if a.status != 200 || a.body["ok"] != true {
		t.Fatalf("status %d: %s", a.status, a.raw)
	}
	return a.result()
}

func fails(t *testing.T, a answer, status int, description string) {
	t.Helper()
	if a.status != status || a.body["ok"] != false || a.body["error_code"] != json.Number(itoa(status)) {
		t.Fatalf("status %d, want %d: %s", a.status, status, a.raw)
	}
	if d, _ := a.body["description"].(string); !strings.Contains(d, description) {
		t.Fatalf("description %q, want it to contain %q", d, description)
	}
}

func itoa(n int) string {
	return json.Number(strings.TrimSpace(string(must(json.Marshal(n))))).String()
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// login logs phone in, in two requests, and returns the token.
func (e *env) login(phone string) string {
	e.t.Helper()
	res := ok(e.t, e.post("/phone_login", url.Values{"phone": {phone}})).(map[string]any)
	token, _ := res["token"].(string)
	if len(token) < 22 { // 128 bits in base64
		e.t.Fatalf("token %q too short: %v", token, res)
	}
	if sc, _ := res["sent_code"].(map[string]any); sc == nil || sc["phone_code_hash"] != nil {
		e.t.Fatalf("sent_code = %v: want it without phone_code_hash", res["sent_code"])
	}
	user := ok(e.t, e.post("/user"+token+"/complete_phone_login", url.Values{"code": {sandbox.LoginCode}})).(map[string]any)
	if user["_"] != "user" || user["self"] != true {
		e.t.Fatalf("complete_phone_login = %v", user)
	}
	return token
}

func TestLoginAndSendInvites(t *testing.T) {
	e := newEnv(t)
	token := e.login("+15550000")
	u := "/user" + token

	// true, form values as JSON where the type is not a string.
	got := ok(t, e.post(u+"/auth.sendInvites", url.Values{"phone_numbers": {`["+15550001"]`}, "message": {"Join me!"}}))
	if got != true {
		t.Fatalf("auth.sendInvites = %v, want true", got)
	}
	// false (the sandbox: inviting only yourself), a JSON body.
	if got := ok(t, e.postJSON(u+"/auth.sendInvites", `{"phone_numbers":["+15550000"],"message":"hi"}`)); got != false {
		t.Fatalf("auth.sendInvites = %v, want false", got)
	}
	// GET with the query string; a string parameter as a JSON literal.
	q := url.Values{"phone_numbers": {`["+15550002"]`}, "message": {`"quoted \"text\""`}}
	if got := ok(t, e.get(u+"/auth.sendInvites?"+q.Encode())); got != true {
		t.Fatalf("GET auth.sendInvites = %v", got)
	}
	inv := e.sb.Invites()
	if len(inv) != 2 || inv[0].Message != "Join me!" || inv[1].Message != `quoted "text"` {
		t.Fatalf("invites = %+v", inv)
	}
	// MESSAGE_EMPTY: the RPC error's code is the status.
	a := e.post(u+"/auth.sendInvites", url.Values{"phone_numbers": {`["+15550001"]`}, "message": {""}})
	fails(t, a, 400, "MESSAGE_EMPTY: The provided message is empty")
	detail := a.body["error"].(map[string]any)
	if detail["type"] != "MESSAGE_EMPTY" || detail["method"] != "auth.sendInvites" {
		t.Fatalf("error = %v", detail)
	}
	// A bad argument: 400 with the Lua text.
	fails(t, e.post(u+"/auth.sendInvites", url.Values{"phone_numbers": {"7"}, "message": {"x"}}), 400,
		"auth.sendInvites: phone_numbers: Vector<string> expected (an array table), got number")
	fails(t, e.post(u+"/auth.sendInvites", url.Values{"message": {"x"}}), 400, "phone_numbers")
	// A 10,000-character message is split: one result per chunk.
	long := strings.Repeat("word ", 2000)
	res := ok(t, e.post(u+"/auth.sendInvites", url.Values{"phone_numbers": {`["+15550001"]`}, "message": {long}}))
	if arr, _ := res.([]any); len(arr) != 3 || arr[0] != true || arr[2] != true {
		t.Fatalf("split auth.sendInvites = %v, want [true true true]", res)
	}
	// Peers take Lua's shorthands: a phone number, me, a Bot API id.
	for _, peer := range []string{"+15550001", "me", "1000002", `"@bob"`} {
		ok(t, e.post(u+"/messages.sendMessage", url.Values{"peer": {peer}, "message": {"to " + peer}}))
	}
	msgs := ok(t, e.post(u+"/messages.sendMessage", url.Values{"peer": {"@alice"}, "message": {long}}))
	if arr, _ := msgs.([]any); len(arr) != 3 {
		t.Fatalf("split messages.sendMessage = %v", msgs)
	}
	// The token is never logged.
	if strings.Contains(e.log.String(), token) {
		t.Fatal("the token appears in the log")
	}
	if !strings.Contains(e.log.String(), "POST /user<token>/auth.sendInvites 400") {
		t.Fatalf("log:\n%s", e.log)
	}
	// The session file is 0600 and named after the hash, not the token.
	files, _ := filepath.Glob(filepath.Join(e.dir, "*.session"))
	if len(files) != 1 || strings.Contains(files[0], token) {
		t.Fatalf("session files %v", files)
	}
	if st, err := os.Stat(files[0]); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("session file mode: %v %v", st.Mode(), err)
	}
	// The token keeps working after a restart.
	e.restart()
	if got := ok(t, e.post(u+"/get_self", nil)).(map[string]any); got["username"] != "sandbox" {
		t.Fatalf("get_self after restart = %v", got)
	}
	// logout revokes the token and deletes the session.
	if ok(t, e.post(u+"/logout", nil)) != true {
		t.Fatal("logout")
	}
	fails(t, e.post(u+"/help.getConfig", nil), 401, "Unauthorized")
	if files, _ := filepath.Glob(filepath.Join(e.dir, "*.session")); len(files) != 0 {
		t.Fatalf("session files after logout: %v", files)
	}
}

func TestErrors(t *testing.T) {
	e := newEnv(t)
	fails(t, e.get("/userNOPE/help.getConfig"), 401, "Unauthorized")
	fails(t, e.post("/phone_login", nil), 400, "missing parameter phone")
	fails(t, e.post("/phone_login", url.Values{"phone": {"not a number"}}), 400, "PHONE_NUMBER_INVALID")
	token := e.login("+15550000")
	u := "/user" + token
	a := e.get(u + "/messages.sendMesage")
	fails(t, a, 404, `did you mean "messages.sendMessage"`)
	fails(t, e.get(u+"/inputPeerUser"), 404, "no method")
	fails(t, e.get(u+"/"), 404, "no method")
	// A flood wait beyond the threshold: 429 with retry_after.
	e.sb.SetFault("help.getNearestDc", sandbox.Fault{FloodWait: 120})
	a = e.get(u + "/help.getNearestDc")
	fails(t, a, 429, "FLOOD_WAIT")
	if a.header.Get("Retry-After") != "120" || a.body["parameters"].(map[string]any)["retry_after"] != json.Number("120") {
		t.Fatalf("429 answer: %v %s", a.header, a.raw)
	}
	e.sb.ClearFaults()
	// Bodies: too large, bad JSON, unsupported type.
	big := `{"message":"` + strings.Repeat("x", 2<<20) + `"}`
	fails(t, e.postJSON(u+"/help.getConfig", big), 413, "too large")
	fails(t, e.postJSON(u+"/help.getConfig", `{"a":`), 400, "invalid JSON")
	fails(t, e.postJSON(u+"/help.getConfig", `[1]`), 400, "object")
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+u+"/help.getConfig", strings.NewReader("x"))
	req.Header.Set("Content-Type", "text/xml")
	fails(t, e.do(req), 415, "Content-Type")
	req, _ = http.NewRequest(http.MethodDelete, e.srv.URL+u+"/help.getConfig", nil)
	fails(t, e.do(req), 405, "GET or POST")
	// A cyclic-looking deep JSON value is refused, not a crash.
	deep := strings.Repeat("[", 500) + strings.Repeat("]", 500)
	fails(t, e.postJSON(u+"/auth.sendInvites", `{"phone_numbers":`+deep+`,"message":"x"}`), 400, "deeper")
	// complete_phone_login without a pending login.
	fails(t, e.post(u+"/complete_phone_login", url.Values{"code": {"1"}}), 400, "no pending login")
}

func TestLongsExact(t *testing.T) {
	e := newEnv(t)
	u := "/user" + e.login("+15550000")
	// A user's access_hash is a long beyond 2^53: a string; it goes back
	// as a string or as a JSON number, exactly.
	res := ok(t, e.postJSON(u+"/contacts.resolveUsername", `{"username":"alice"}`)).(map[string]any)
	users := res["users"].([]any)
	alice := users[0].(map[string]any)
	hash, isString := alice["access_hash"].(string)
	if !isString || len(hash) < 16 {
		t.Fatalf("access_hash = %#v, want a decimal string beyond 2^53", alice["access_hash"])
	}
	id := alice["id"].(json.Number)
	for _, body := range []string{
		`{"id":[{"_":"inputUser","user_id":` + id.String() + `,"access_hash":"` + hash + `"}]}`,
		`{"id":[{"_":"inputUser","user_id":` + id.String() + `,"access_hash":` + hash + `}]}`,
	} {
		got := ok(t, e.postJSON(u+"/users.getUsers", body)).([]any)
		if h := got[0].(map[string]any)["access_hash"]; h != hash {
			t.Fatalf("round trip: access_hash %v, want %s (body %s)", h, hash, body)
		}
	}
	// Beyond int64: refused, never rounded.
	fails(t, e.postJSON(u+"/users.getUsers", `{"id":[{"_":"inputUser","user_id":1,"access_hash":99999999999999999999}]}`), 400, "out of range")
}

func TestUpload(t *testing.T) {
	e := newEnv(t)
	u := "/user" + e.login("+15550000")
	data := bytes.Repeat([]byte("tglua file\n"), 50000) // 550 KB: several parts
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("peer", "@alice")
	_ = mw.WriteField("caption", "the file")
	fw, _ := mw.CreateFormFile("file", "notes.txt")
	_, _ = fw.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+u+"/send_file", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	a := e.do(req)
	ok(t, a)
	if !strings.Contains(a.raw, `"messageMediaDocument"`) || !strings.Contains(a.raw, `"notes.txt"`) {
		t.Fatalf("send_file = %s", a.raw)
	}
	msgs := e.sb.Messages(sandbox.AliceID)
	if last := msgs[len(msgs)-1]; last.Text != "the file" {
		t.Fatalf("alice's last message = %+v", last)
	}
	// An InputFile parameter of a raw method by attach://.
	body.Reset()
	mw = multipart.NewWriter(&body)
	_ = mw.WriteField("peer", "@alice")
	_ = mw.WriteField("message", "")
	_ = mw.WriteField("media", `{"_":"inputMediaUploadedDocument","file":"attach://doc","mime_type":"text/plain","attributes":[{"_":"documentAttributeFilename","file_name":"a.txt"}]}`)
	fw, _ = mw.CreateFormFile("doc", "a.txt")
	_, _ = fw.Write([]byte("hello"))
	_ = mw.Close()
	req, _ = http.NewRequest(http.MethodPost, e.srv.URL+u+"/messages.sendMedia", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	ok(t, e.do(req))
}

func TestUpdatesSurviveRestart(t *testing.T) {
	e := newEnv(t)
	me := "/user" + e.login("+15550000")
	alice := "/user" + e.login("+15550001")
	// The first poll starts the account's updates.
	if got := ok(t, e.get(me+"/getUpdates")).([]any); len(got) != 0 {
		t.Fatalf("first getUpdates = %v", got)
	}
	send := func(text string) {
		ok(t, e.post(alice+"/messages.sendMessage", url.Values{"peer": {"@sandbox"}, "message": {text}}))
	}
	poll := func(offset, timeout string) []any {
		return ok(t, e.get(me+"/getUpdates?timeout="+timeout+"&offset="+offset)).([]any)
	}
	texts := func(list []any) (ids []string, texts []string) {
		for _, u := range list {
			m := u.(map[string]any)
			ids = append(ids, m["update_id"].(json.Number).String())
			if msg, ok := m["message"].(map[string]any); ok {
				texts = append(texts, msg["message"].(string))
			}
		}
		return ids, texts
	}
	send("one")
	ids, got := texts(poll("0", "10"))
	if len(got) != 1 || got[0] != "one" || ids[0] != "1" {
		t.Fatalf("updates %v %v, want [1] [one]", ids, got)
	}
	// Confirm 1; 2 arrives and is not confirmed before the restart.
	send("two")
	ids, got = texts(poll("2", "10"))
	if len(got) != 1 || got[0] != "two" || ids[0] != "2" {
		t.Fatalf("updates %v %v, want [2] [two]", ids, got)
	}
	e.restart()
	// Sent while no client polls: the restarted gateway receives it.
	send("three")
	time.Sleep(200 * time.Millisecond)
	all := poll("0", "10")
	ids, got = texts(all)
	if strings.Join(got, ",") != "two,three" || strings.Join(ids, ",") != "2,3" {
		t.Fatalf("after restart: updates %v %v, want [2 3] [two three]: %v", ids, got, all)
	}
	e.restart()
	ids, got = texts(poll("4", "1"))
	if len(ids) != 0 {
		t.Fatalf("confirmed updates came back: %v %v", ids, got)
	}
}

func TestSecondGatewayRefused(t *testing.T) {
	e := newEnv(t)
	_, err := gateway.New(gateway.Options{Sessions: e.dir})
	if err == nil || !strings.Contains(err.Error(), "pid") {
		t.Fatalf("second gateway on one directory: %v", err)
	}
}

func TestConcurrentRequests(t *testing.T) {
	e := newEnv(t)
	u := "/user" + e.login("+15550000")
	// Each answer is held back at the server: the server must see all 16
	// requests before the first answer, so they overlap on one account
	// instead of queueing behind each other.
	e.sb.SetFault("help.getNearestDc", sandbox.Fault{Latency: 2 * time.Second})
	var (
		wg       sync.WaitGroup
		answered atomic.Int32
		overlap  = make(chan bool, 1)
	)
	errs := make(chan string, 16)
	go func() {
		for answered.Load() == 0 {
			if e.sb.Calls("help.getNearestDc") == 16 {
				overlap <- true
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
		overlap <- false
	}()
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodGet, e.srv.URL+u+"/help.getNearestDc", nil)
			resp, err := e.srv.Client().Do(req)
			answered.Add(1)
			if err != nil {
				errs <- err.Error()
				return
			}
			b, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(string(b), `"nearestDc"`) {
				errs <- string(b)
			}
		}()
	}
	if !<-overlap {
		t.Error("an answer came before the server had seen all 16 requests: they did not overlap")
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if n := e.sb.Calls("help.getNearestDc"); n != 16 {
		t.Fatalf("server saw %d calls, want 16", n)
	}
}

func TestWebhook(t *testing.T) {
	e := newEnv(t)
	me := "/user" + e.login("+15550000")
	alice := "/user" + e.login("+15550001")
	got := make(chan map[string]any, 10)
	var fail atomic.Int32 // the first push fails: it is retried
	fail.Store(1)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var u map[string]any
		_ = json.NewDecoder(r.Body).Decode(&u)
		if r.Header.Get("X-Telegram-Bot-Api-Secret-Token") != "s3cret_-1" {
			http.Error(w, "no secret", http.StatusForbidden)
			return
		}
		if fail.Add(-1) >= 0 {
			http.Error(w, "try later", http.StatusServiceUnavailable)
			return
		}
		got <- u
	}))
	defer hook.Close()
	fails(t, e.post(me+"/setWebhook", url.Values{"url": {hook.URL}, "secret_token": {"no spaces"}}), 400, "secret_token")
	if ok(t, e.post(me+"/setWebhook", url.Values{"url": {hook.URL + "/hook"}, "secret_token": {"s3cret_-1"}})) != true {
		t.Fatal("setWebhook")
	}
	fails(t, e.get(me+"/getUpdates"), 409, "webhook is active")
	ok(t, e.post(alice+"/messages.sendMessage", url.Values{"peer": {"@sandbox"}, "message": {"pushed"}}))
	select {
	case u := <-got:
		if u["_"] != "updateNewMessage" || u["message"].(map[string]any)["message"] != "pushed" || u["update_id"] == nil {
			t.Fatalf("pushed %v", u)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no update pushed")
	}
	info := ok(t, e.get(me+"/getWebhookInfo")).(map[string]any)
	if info["url"] != hook.URL+"/hook" {
		t.Fatalf("getWebhookInfo = %v", info)
	}
	ok(t, e.post(me+"/deleteWebhook", nil))
	ok(t, e.get(me+"/getUpdates"))
}

func TestSignUp(t *testing.T) {
	e := newEnvWith(t, sandbox.Options{RequireSignUp: true})
	res := ok(t, e.post("/phone_login", url.Values{"phone": {"+15557777"}})).(map[string]any)
	u := "/user" + res["token"].(string)
	got := ok(t, e.post(u+"/complete_phone_login", url.Values{"code": {sandbox.LoginCode}})).(map[string]any)
	if got["signup_needed"] != true || got["next"] != "complete_signup" {
		t.Fatalf("complete_phone_login = %v, want signup_needed", got)
	}
	fails(t, e.post(u+"/complete_signup", nil), 400, "missing parameter first_name")
	user := ok(t, e.post(u+"/complete_signup", url.Values{"first_name": {"Ann"}, "last_name": {"Lee"}})).(map[string]any)
	if user["first_name"] != "Ann" || user["last_name"] != "Lee" || user["self"] != true {
		t.Fatalf("complete_signup = %v", user)
	}
	if me := ok(t, e.post(u+"/get_self", nil)).(map[string]any); me["first_name"] != "Ann" {
		t.Fatalf("get_self = %v", me)
	}
}
