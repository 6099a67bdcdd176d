package docpage

import (
	"errors"
	"slices"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/luabind/schema"
)

func render(t *testing.T, name string) string {
	t.Helper()
	p, err := Render(name)
	if err != nil {
		t.Fatalf("Render(%q): %v", name, err)
	}
	return p
}

func wantLines(t *testing.T, page string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(page, l) {
			t.Errorf("page lacks %q; page:\n%s", l, page)
		}
	}
}

func TestMethodPageSendInvites(t *testing.T) {
	p := render(t, "auth.sendInvites")
	wantLines(t, p,
		"Method: auth.sendInvites\n========================\n",
		"| Name          | Type                             | Required |\n",
		"| phone_numbers | Vector<string> (Array of string) | Yes      |\n",
		"| message       | string                           | Yes      |\n",
		"the method is called once per chunk and a table of\nthe results (each a Bool) is returned",
		"Return type: Bool\n",
		"Can bots use this method: NO\n",
		"| MESSAGE_EMPTY | The provided message is empty |\n",
		"Invite users to Telegram by phone number",
		"    local Bool = auth.sendInvites{phone_numbers={'+15550001'}, message='Hello'}\n",
	)
	if p2 := render(t, "tg.auth.sendInvites"); p2 != p {
		t.Error("tg. prefix gives another page")
	}
}

func TestMethodPageFlagsAndOptionals(t *testing.T) {
	p := render(t, "messages.sendMessage")
	wantLines(t, p,
		"| silent                   | Bool                                           | Optional |",
		"| peer                     | InputPeer                                      | Yes      |",
		"| random_id                | long                                           | Optional |",
		"| entities                 | Vector<MessageEntity> (Array of MessageEntity) | Optional |",
		"Return type: Updates\n",
		"Can bots use this method: YES\n",
		"local Updates = messages.sendMessage{peer='@username', message='Hello'}",
	)
	if strings.Contains(p, "| flags ") {
		t.Error("the flags word is listed as a parameter")
	}
	p = render(t, "help.getConfig")
	wantLines(t, p, "Parameters: none\n", "local Config = help.getConfig()\n", "Return type: Config\n")
}

func TestConstructorAndTypePages(t *testing.T) {
	p := render(t, "inputPeerUser")
	wantLines(t, p, "Constructor: inputPeerUser", "Type: InputPeer\n",
		"| user_id     | long | Yes      |", "{_='inputPeerUser', user_id=1234567890, access_hash=0}")
	p = render(t, "InputPeer")
	wantLines(t, p, "Type: InputPeer", "| inputPeerSelf ", "| inputPeerChannelFromMessage ", "'@username'")
	p = render(t, "auth.SentCode")
	wantLines(t, p, "| auth.sentCode ", "Methods that return it:", "  auth.sendCode\n")
	// Case-insensitive fallback, and exact case wins where both exist.
	wantLines(t, render(t, "inputpeeruser"), "Constructor: inputPeerUser")
	wantLines(t, render(t, "user"), "Constructor: user\n")
	wantLines(t, render(t, "User"), "Type: User\n")
	wantLines(t, render(t, "auth"), "Namespace: auth", "| auth.sendCode ")
}

func TestNotFoundSuggests(t *testing.T) {
	_, err := Render("messages.sendMesage")
	var nf *NotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("err = %v, want *NotFoundError", err)
	}
	if len(nf.Suggestions) == 0 || nf.Suggestions[0] != "messages.sendMessage" {
		t.Fatalf("suggestions = %v", nf.Suggestions)
	}
	if !strings.Contains(err.Error(), `"messages.sendMesage"; did you mean messages.sendMessage`) {
		t.Fatalf("message = %q", err)
	}
	if s := Suggest("inputPeerUsr", 3); !slices.Contains(s, "inputPeerUser") {
		t.Fatalf("Suggest(inputPeerUsr) = %v", s)
	}
	if s := Suggest("sendinvites", 3); !slices.Contains(s, "auth.sendInvites") {
		t.Fatalf("Suggest(sendinvites) = %v", s)
	}
	if s := Suggest("zzzzzzzzzzzzzzzzzz", 3); len(s) != 0 {
		t.Fatalf("Suggest(zzz) = %v", s)
	}
}

// Every method's example and every constructor's literal is valid Lua.
func TestEveryExampleCompiles(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	n := 0
	for i := range schema.All() {
		c := &schema.All()[i]
		var src string
		if c.Method {
			src = Example(c)
			p := MethodPage(c)
			if !strings.Contains(p, "Can bots use this method: ") || !strings.Contains(p, "Return type: ") {
				t.Fatalf("%s: incomplete page", c.Name)
			}
		} else {
			src = "return " + ExampleObject(c).Lua()
		}
		if _, err := L.LoadString(src); err != nil {
			t.Fatalf("%s: example does not compile: %v\n%s", c.Name, err, src)
		}
		n++
	}
	if n < 1000 {
		t.Fatalf("checked only %d definitions", n)
	}
}

func TestEveryTypePageRenders(t *testing.T) {
	for _, ty := range schema.Types() {
		p := TypePage(&ty)
		if !strings.HasPrefix(p, "Type: "+ty.Name+"\n") || !strings.Contains(p, "Constructors:") {
			t.Fatalf("bad page for %s:\n%s", ty.Name, p)
		}
	}
}

func TestWrap(t *testing.T) {
	got := wrap("aaa bbb ccc ddd", 7)
	if want := []string{"aaa bbb", "ccc ddd"}; !slices.Equal(got, want) {
		t.Fatalf("wrap = %q, want %q", got, want)
	}
}
