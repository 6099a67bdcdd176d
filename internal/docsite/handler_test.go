package docsite

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestMethodPageSendInvites(t *testing.T) {
	srv := newServer(t)
	const path = "/docs/auth.sendInvites"
	r := page(t, srv, path)
	wantHTML(t, path, r,
		`<h1><span class="kind">Method</span> auth.sendInvites</h1>`,
		`<h2 id="parameters">Parameters</h2>`,
		`<td><code>phone_numbers</code></td><td><code>Vector&lt;<a href="/docs/string">string</a>&gt;</code> <span class="array">Array of <a href="/docs/string">string</a></span></td><td>Yes</td>`,
		`<td><code>message</code></td><td><code><a href="/docs/string">string</a></code></td><td>Yes</td><td>Invitation message</td>`,
		`<h2 id="return">Return type</h2>`+"\n"+`<p><code><a href="/docs/Bool">Bool</a></code></p>`,
		`<h2 id="bots">Can bots use this method?</h2>`,
		`<strong class="usable usable-NO">NO</strong>`,
		`<h2 id="errors">Errors</h2>`,
		`<tr><td><code>MESSAGE_EMPTY</code></td><td>The provided message is empty</td></tr>`,
	)
	wantText(t, path, r,
		"Invite users to Telegram by phone number",
		"not in the current API layer",
		"the method is called once per chunk and an array of the results is returned",
		"local Bool = auth.sendInvites{phone_numbers={'+15550001'}, message='Hello'}",
		"curl -X POST http://127.0.0.1:8080/userTOKEN/auth.sendInvites \\\n"+
			"  --data-urlencode 'phone_numbers=[\"+15550001\"]' \\\n"+
			"  --data-urlencode 'message=Hello'\n"+
			`# {"ok":true,"result":true}`,
		`out, err := rt.Call(ctx, "auth.sendInvites", map[string]any{`+"\n"+
			"\t\"phone_numbers\": []string{\"+15550001\"},\n"+
			"\t\"message\":       \"Hello\",\n})",
		"fmt.Println(out[0]) // Bool: a bool",
	)
}

func TestMethodPageSendMessage(t *testing.T) {
	srv := newServer(t)
	const path = "/docs/messages.sendMessage"
	r := page(t, srv, path)
	wantHTML(t, path, r,
		`<tr class="optional"><td><code>silent</code></td><td><code><a href="/docs/Bool">Bool</a></code></td><td>Optional</td>`,
		`<td><code>peer</code></td><td><code><a href="/docs/InputPeer">InputPeer</a></code></td><td>Yes</td>`,
		`<code>Vector&lt;<a href="/docs/MessageEntity">MessageEntity</a>&gt;</code> <span class="array">Array of <a href="/docs/MessageEntity">MessageEntity</a></span></td><td>Optional</td>`,
		`<strong class="usable usable-YES">YES</strong>`,
		`<code>SLOWMODE_WAIT_%d</code>`,
	)
	wantText(t, path, r,
		"tglua sends a random one when absent",
		"Also takes a peer shorthand",
		"local Updates = messages.sendMessage{peer='@username', message='Hello'}",
		`--data-urlencode 'peer="@username"'`,
		"called once per chunk",
	)
	if strings.Contains(r.body, "<code>flags</code>") {
		t.Error("the flags word is listed as a parameter")
	}
	r = page(t, srv, "/docs/help.getConfig")
	wantText(t, "help.getConfig", r, "None.", "local Config = help.getConfig()", `rt.Call(ctx, "help.getConfig")`,
		`{"ok":true,"result":{"_":"config",...}}`)
	if strings.Contains(r.text, "once per chunk") {
		t.Error("help.getConfig has the split note")
	}
}

func TestConstructorAndTypePages(t *testing.T) {
	srv := newServer(t)
	r := page(t, srv, "/docs/inputPeerUser")
	wantHTML(t, "inputPeerUser", r,
		`<h1><span class="kind">Constructor</span> inputPeerUser</h1>`,
		`Belongs to type <code><a href="/docs/InputPeer">InputPeer</a></code>`,
		`<td><code>user_id</code></td><td><code><a href="/docs/long">long</a></code></td><td>Yes</td><td>User identifier</td>`,
		`<td><code>access_hash</code></td>`,
	)
	wantText(t, "inputPeerUser", r, "{_='inputPeerUser', user_id=1234567890, access_hash=0}",
		`{"_":"inputPeerUser","user_id":1234567890,"access_hash":0}`)

	r = page(t, srv, "/docs/InputPeer")
	wantHTML(t, "InputPeer", r, `<h1><span class="kind">Type</span> InputPeer</h1>`,
		`<a href="/docs/inputPeerSelf"><code>inputPeerSelf</code></a>`,
		`<a href="/docs/inputPeerChannelFromMessage"><code>inputPeerChannelFromMessage</code></a>`)
	wantText(t, "InputPeer", r, "peer shorthand: '@username'")

	r = page(t, srv, "/docs/auth.SentCode")
	wantHTML(t, "auth.SentCode", r, `<a href="/docs/auth.sentCode">`, `<h2 id="returning">Methods that return it</h2>`, `<li><a href="/docs/auth.sendCode">auth.sendCode</a></li>`)

	r = page(t, srv, "/docs/Bool")
	wantHTML(t, "Bool", r, `<a href="/docs/boolTrue">`, `<li><a href="/docs/auth.sendInvites">auth.sendInvites</a></li>`)

	// Exact case wins where both exist.
	wantHTML(t, "user", page(t, srv, "/docs/user"), `<span class="kind">Constructor</span> user</h1>`)
	wantHTML(t, "User", page(t, srv, "/docs/User"), `<span class="kind">Type</span> User</h1>`)
}

func TestNamespaceBuiltinAndBasicPages(t *testing.T) {
	srv := newServer(t)
	r := page(t, srv, "/docs/messages")
	wantHTML(t, "messages", r, `<span class="kind">Namespace</span> messages</h1>`,
		`<a href="/docs/messages.sendMessage"><code>messages.sendMessage</code></a></td><td class="usable-YES">YES</td>`)
	r = page(t, srv, "/docs/on")
	wantHTML(t, "on", r, `<span class="kind">Function</span> on</h1>`, `<h2>Example</h2>`)
	wantText(t, "on", r, "on(event, fn [, {ordered=true}]) -> handle", "on('message', function(msg)\n  if not msg.out")
	r = page(t, srv, "/docs/help")
	wantHTML(t, "help", r, `<span class="kind">Function</span> help</h1>`, `<span class="kind">Namespace</span> help</h1>`, `href="/docs/help.getConfig"`)
	r = page(t, srv, "/docs/long")
	wantHTML(t, "long", r, `<span class="kind">Basic type</span> long</h1>`)
	wantText(t, "long", r, "decimal string")
	r = page(t, srv, "/docs/split.text")
	wantText(t, "split.text", r, "split.text(s [, limit]) -> {chunks}")
}

func TestIndexPage(t *testing.T) {
	srv := newServer(t)
	r := fetch(t, srv, http.MethodGet, "/docs")
	if r.status != http.StatusMovedPermanently || r.header.Get("Location") != "/docs/" {
		t.Fatalf("GET /docs: %d to %q", r.status, r.header.Get("Location"))
	}
	r = page(t, srv, "/docs/")
	wantHTML(t, "/docs/", r,
		`<form class="big-search" action="/docs/search" method="get" role="search">`,
		`<input id="filter" name="q" type="search"`,
		`<li><a href="/docs/messages">messages</a>`,
		`<li><a href="/docs/auth">auth</a>`,
		`<li><a href="/docs/auth.sendInvites">auth.sendInvites</a></li>`,
		`<li><a href="/docs/send_file"><code>send_file</code></a></li>`,
		"<script>",
	)
}

func TestSearch(t *testing.T) {
	srv := newServer(t)
	r := page(t, srv, "/docs/search?q=SENDINV")
	wantHTML(t, "search sendinv", r, `<a href="/docs/auth.sendInvites"><code>auth.sendInvites</code></a></td><td>method</td>`)

	r = page(t, srv, "/docs/search?q=sendmessage")
	first := strings.Index(r.body, "<tbody>")
	if i := strings.Index(r.body[first:], `<a href="`); i < 0 || !strings.HasPrefix(r.body[first+i:], `<a href="/docs/messages.sendMessage"`) {
		t.Errorf("the first result for sendmessage is not messages.sendMessage:\n%s", r.body[first:min(len(r.body), first+400)])
	}

	for q, want := range map[string]string{"auth.sendInvites": "/docs/auth.sendInvites", "inputpeeruser": "/docs/inputPeerUser", "tg.messages.sendMessage": "/docs/messages.sendMessage"} {
		r = fetch(t, srv, http.MethodGet, "/docs/search?q="+url.QueryEscape(q))
		if r.status != http.StatusFound || r.header.Get("Location") != want {
			t.Errorf("search %q: %d to %q, want %s", q, r.status, r.header.Get("Location"), want)
		}
	}

	r = page(t, srv, "/docs/search?q=messages.sendMesage")
	wantText(t, "search typo", r, "Nothing contains “messages.sendMesage”")
	wantHTML(t, "search typo", r, `Did you mean <a href="/docs/messages.sendMessage">messages.sendMessage</a>`)

	r = page(t, srv, "/docs/search")
	wantText(t, "empty search", r, "Type part of a method")

	r = page(t, srv, "/docs/search?q=a")
	wantText(t, "search a", r, "the first 200 are listed")
}

func TestNotFoundAndRedirects(t *testing.T) {
	srv := newServer(t)
	r := fetch(t, srv, http.MethodGet, "/docs/messages.sendMesage")
	if r.status != http.StatusNotFound || r.header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("typo: %d %q", r.status, r.header.Get("Content-Type"))
	}
	wantHTML(t, "typo", r, `<h1>Not found</h1>`, `Did you mean <a href="/docs/messages.sendMessage">messages.sendMessage</a>`)

	for from, to := range map[string]string{
		"/docs/inputpeeruser":        "/docs/inputPeerUser",
		"/docs/tg.auth.sendInvites":  "/docs/auth.sendInvites",
		"/docs/MESSAGES.SENDMESSAGE": "/docs/messages.sendMessage",
	} {
		r := fetch(t, srv, http.MethodGet, from)
		if r.status != http.StatusMovedPermanently || r.header.Get("Location") != to {
			t.Errorf("%s: %d to %q, want %s", from, r.status, r.header.Get("Location"), to)
		}
	}
	if r := fetch(t, srv, http.MethodPost, "/docs/auth.sendInvites"); r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d, Allow %q", r.status, r.header.Get("Allow"))
	}
}

func TestEscaping(t *testing.T) {
	srv := newServer(t)
	const evil = `<script>alert(1)</script>"'&`
	r := fetch(t, srv, http.MethodGet, "/docs/"+url.PathEscape(evil))
	if r.status != http.StatusNotFound {
		t.Fatalf("status %d", r.status)
	}
	r2 := page(t, srv, "/docs/search?q="+url.QueryEscape(evil))
	for _, r := range []response{r, r2} {
		if strings.Contains(r.body, "<script>alert") || strings.Contains(r.body, `"'&`) {
			t.Fatalf("unescaped input in page:\n%s", r.body)
		}
		if !strings.Contains(r.body, "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&#39;&amp;") {
			t.Errorf("escaped input missing:\n%s", r.body)
		}
	}
}

func TestCaching(t *testing.T) {
	srv := newServer(t)
	r := page(t, srv, "/docs/auth.sendInvites")
	etag := r.header.Get("ETag")
	if etag == "" || r.header.Get("Cache-Control") == "" {
		t.Fatalf("ETag %q, Cache-Control %q", etag, r.header.Get("Cache-Control"))
	}
	if again := page(t, srv, "/docs/auth.sendInvites"); again.header.Get("ETag") != etag || again.body != r.body {
		t.Error("the page changed between two requests")
	}
	if r := fetch(t, srv, http.MethodGet, "/docs/auth.sendInvites", "If-None-Match", etag); r.status != http.StatusNotModified || r.body != "" {
		t.Errorf("If-None-Match: %d, %d bytes", r.status, len(r.body))
	}
	if r := fetch(t, srv, http.MethodHead, "/docs/auth.sendInvites"); r.status != http.StatusOK || r.body != "" {
		t.Errorf("HEAD: %d, %d bytes", r.status, len(r.body))
	}
	if p := page(t, srv, "/docs/auth.sendCode"); p.header.Get("ETag") == etag {
		t.Error("two pages share an ETag")
	}
	csp := r.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP %q", csp)
	}
}
