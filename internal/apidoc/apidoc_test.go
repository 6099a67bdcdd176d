package apidoc

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tglua/tglua/internal/apidoc/internal/apidocgen"
)

// TestGeneratedUpToDate regenerates apidoc_gen.go in memory and compares it
// with the committed file.
func TestGeneratedUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("loads getdoc's documentation")
	}
	res, err := apidocgen.Generate(".")
	if err != nil {
		t.Fatal(err)
	}
	const hint = "; run: go generate ./internal/apidoc"
	got, err := inflate(docBlob)
	if err != nil {
		t.Fatal(err)
	}
	if got != res.Payload {
		t.Fatal("apidoc_gen.go documentation payload is stale" + hint)
	}
	if usabilityTable != res.Usability {
		t.Fatal("apidoc_gen.go usability table is stale" + hint)
	}
	committed, err := os.ReadFile("apidoc_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(committed, res.Source) {
		t.Fatal("apidoc_gen.go differs from the generator's output (header or compression)" + hint)
	}

	// Generation is deterministic.
	again, err := apidocgen.Generate(".")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Source, res.Source) {
		t.Fatal("two generator runs produced different output")
	}
	t.Logf("apidoc_gen.go: %d bytes; %+v", len(committed), res.Stats)
}

func hasError(errs []Error, typ string) (Error, bool) {
	for _, e := range errs {
		if e.Type == typ {
			return e, true
		}
	}
	return Error{}, false
}

func TestSendInvites(t *testing.T) {
	m, ok := LookupMethod("auth.sendInvites")
	if !ok {
		t.Fatal("auth.sendInvites not found")
	}
	if m.BotUsable != UsabilityUser || m.BotUsable.String() != "user" || m.BotUsable.BotsCanUse() != "NO" {
		t.Errorf("usability = %v (%s)", m.BotUsable, m.BotUsable.BotsCanUse())
	}
	if MethodUsability("auth.sendInvites") != UsabilityUser {
		t.Errorf("MethodUsability = %v", MethodUsability("auth.sendInvites"))
	}
	want := "Invite users to Telegram by phone number, sending them the given message (legacy method, layer < 81)."
	if m.Description != want {
		t.Errorf("description = %q", m.Description)
	}
	if m.Params["phone_numbers"] != "Phone numbers of the people to invite" || m.Params["message"] != "Invitation message" || len(m.Params) != 2 {
		t.Errorf("params = %q", m.Params)
	}
	want2 := []Error{{"MESSAGE_EMPTY", "The provided message is empty"}}
	if !slices.Equal(m.Errors, want2) {
		t.Errorf("errors = %q", m.Errors)
	}
}

func TestKnownMethods(t *testing.T) {
	m, ok := LookupMethod("messages.sendMessage")
	if !ok {
		t.Fatal("messages.sendMessage not found")
	}
	if m.Name != "messages.sendMessage" || m.Description != "Sends a message to a chat" {
		t.Errorf("name/description = %q / %q", m.Name, m.Description)
	}
	if m.BotUsable != UsabilityBoth || m.BotUsable.BotsCanUse() != "YES" {
		t.Errorf("usability = %v", m.BotUsable)
	}
	for _, typ := range []string{"MESSAGE_EMPTY", "PEER_ID_INVALID"} {
		e, ok := hasError(m.Errors, typ)
		if !ok || e.Description == "" {
			t.Errorf("error %s: %+v %v", typ, e, ok)
		}
	}
	// CSV-only error types are merged in (AUTH_KEY_DUPLICATED is not on
	// getdoc's method page).
	if _, ok := hasError(m.Errors, "AUTH_KEY_DUPLICATED"); !ok {
		t.Error("CSV error AUTH_KEY_DUPLICATED missing")
	}
	if !slices.IsSortedFunc(m.Errors, func(a, b Error) int { return strings.Compare(a.Type, b.Type) }) {
		t.Error("errors not sorted")
	}
	if m.Params["message"] != "The message" || m.Params["peer"] == "" {
		t.Errorf("params: message=%q peer=%q", m.Params["message"], m.Params["peer"])
	}
	// Links are stripped.
	if got := m.Params["entities"]; got != "Message entities for sending styled text" {
		t.Errorf("entities = %q", got)
	}

	c, ok := LookupMethod("account.checkUsername")
	if !ok || c.BotUsable != UsabilityUser || c.BotUsable.BotsCanUse() != "NO" {
		t.Errorf("account.checkUsername: %v %v", ok, c.BotUsable)
	}
	if e, ok := hasError(c.Errors, "USERNAME_INVALID"); !ok || e.Description != "The provided username is not valid." {
		t.Errorf("USERNAME_INVALID: %+v", e)
	}
	if MethodUsability("bots.answerWebhookJSONQuery") != UsabilityBot {
		t.Errorf("bots.answerWebhookJSONQuery = %v", MethodUsability("bots.answerWebhookJSONQuery"))
	}

	// A CSV method that getdoc's layer does not document still has usability.
	p, ok := LookupMethod("channels.deleteUserHistory")
	if !ok || p.BotUsable == UsabilityUnknown {
		t.Errorf("channels.deleteUserHistory: %v %v", ok, p.BotUsable)
	}
}

func TestUnknownUsability(t *testing.T) {
	// Documented by getdoc, absent from the CSV: never guessed.
	m, ok := LookupMethod("messages.deleteChat")
	if !ok {
		t.Fatal("messages.deleteChat not found")
	}
	if m.BotUsable != UsabilityUnknown || m.BotUsable.String() != "unknown" || m.BotUsable.BotsCanUse() != "unknown" {
		t.Errorf("usability = %v", m.BotUsable)
	}
	if m.Description == "" {
		t.Error("no description")
	}
	if MethodUsability("no.suchMethod") != UsabilityUnknown {
		t.Error("absent method has known usability")
	}
	if _, ok := LookupMethod("no.suchMethod"); ok {
		t.Error("absent method found")
	}
}

func TestUsabilityString(t *testing.T) {
	for u, want := range map[Usability][2]string{
		UsabilityUnknown: {"unknown", "unknown"},
		UsabilityUser:    {"user", "NO"},
		UsabilityBot:     {"bot", "YES"},
		UsabilityBoth:    {"both", "YES"},
		Usability(9):     {"Usability(9)", "unknown"},
	} {
		if u.String() != want[0] || u.BotsCanUse() != want[1] {
			t.Errorf("%d: %s %s", u, u.String(), u.BotsCanUse())
		}
	}
	// Every usability table line parses.
	if n := len(parseUsabilityTable(usabilityTable)); n != strings.Count(usabilityTable, "\n") || n < 365 {
		t.Errorf("usability table: %d entries", n)
	}
}

func TestConstructorAndType(t *testing.T) {
	c, ok := LookupConstructor("inputPeerUser")
	if !ok {
		t.Fatal("inputPeerUser not found")
	}
	if c.Description != "Defines a user for further interaction." {
		t.Errorf("description = %q", c.Description)
	}
	if c.Fields["user_id"] != "User identifier" || c.Fields["access_hash"] != "access_hash value from the user constructor" {
		t.Errorf("fields = %q", c.Fields)
	}
	ty, ok := LookupType("InputPeer")
	if !ok || ty.Name != "InputPeer" || ty.Description != "Peer" {
		t.Errorf("InputPeer: %v %+v", ok, ty)
	}
	if _, ok := LookupType("inputPeerUser"); ok {
		t.Error("constructor found as type")
	}
	if _, ok := LookupConstructor("InputPeer"); ok {
		t.Error("type found as constructor")
	}
	if _, ok := LookupMethod("inputPeerUser"); ok {
		t.Error("constructor found as method")
	}
}

func TestLookupReturnsCopies(t *testing.T) {
	m, _ := LookupMethod("messages.sendMessage")
	m.Params["message"] = "changed"
	m.Errors[0].Description = "changed"
	m2, _ := LookupMethod("messages.sendMessage")
	if m2.Params["message"] != "The message" || m2.Errors[0].Description == "changed" {
		t.Error("lookup results share state")
	}
	n := Names()
	n[0] = "changed"
	if Names()[0] == "changed" {
		t.Error("Names shares state")
	}
}

func TestNamesAndText(t *testing.T) {
	names := Names()
	if !slices.IsSorted(names) || len(slices.Compact(slices.Clone(names))) != len(names) {
		t.Error("names not sorted/unique")
	}
	for _, want := range []string{"auth.sendInvites", "messages.sendMessage", "inputPeerUser", "InputPeer"} {
		if _, ok := slices.BinarySearch(names, want); !ok {
			t.Errorf("Names lacks %s", want)
		}
	}
	var methods, ctors, types, errs int
	check := func(where, s string) {
		if strings.ContainsAny(s, "⁰¹²³⁴⁵⁶⁷⁸⁹»\u00a0\t\x1e\x1f") || s != strings.TrimSpace(s) {
			t.Errorf("%s: unclean text %q", where, s)
		}
	}
	for _, n := range names {
		if m, ok := LookupMethod(n); ok {
			methods++
			errs += len(m.Errors)
			check(n, m.Description)
			for p, d := range m.Params {
				check(n+"."+p, d)
			}
			for _, e := range m.Errors {
				check(n+" "+e.Type, e.Description)
			}
		}
		if c, ok := LookupConstructor(n); ok {
			ctors++
			check(n, c.Description)
			for f, d := range c.Fields {
				check(n+"."+f, d)
			}
		}
		if ty, ok := LookupType(n); ok {
			types++
			check(n, ty.Description)
		}
	}
	if methods < 700 || ctors < 1500 || types < 500 || errs < 2000 {
		t.Errorf("too few entries: %d methods, %d constructors, %d types, %d errors", methods, ctors, types, errs)
	}
	t.Logf("%d names: %d methods, %d constructors, %d types, %d method errors", len(names), methods, ctors, types, errs)
}

// TestConcurrentFirstUse exercises the lazy decoding from many goroutines
// (run with -race).
func TestConcurrentFirstUse(t *testing.T) {
	docTable, usability = &lazyTable{}, &lazyUsability{}
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			switch i % 4 {
			case 0:
				if m, ok := LookupMethod("messages.sendMessage"); !ok || m.BotUsable != UsabilityBoth {
					t.Error("messages.sendMessage")
				}
			case 1:
				if MethodUsability("account.checkUsername") != UsabilityUser {
					t.Error("account.checkUsername")
				}
			case 2:
				if _, ok := LookupConstructor("inputPeerUser"); !ok {
					t.Error("inputPeerUser")
				}
			case 3:
				if len(Names()) == 0 {
					t.Error("no names")
				}
			}
		})
	}
	wg.Wait()
}

func TestDecodeErrors(t *testing.T) {
	for _, blob := range []string{"!!!", "AAAA"} {
		if _, err := decode(blob); err == nil {
			t.Errorf("decode(%q) succeeded", blob)
		}
	}
}

// BenchmarkFirstLookup measures the one-time decoding plus one lookup.
func BenchmarkFirstLookup(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		docTable = &lazyTable{}
		if _, ok := LookupMethod("messages.sendMessage"); !ok {
			b.Fatal("not found")
		}
	}
}

// BenchmarkLookupMethod measures a warm lookup.
func BenchmarkLookupMethod(b *testing.B) {
	LookupMethod("messages.sendMessage")
	b.ReportAllocs()
	for b.Loop() {
		LookupMethod("messages.sendMessage")
	}
}

// BenchmarkMethodUsability measures the per-call fast path.
func BenchmarkMethodUsability(b *testing.B) {
	MethodUsability("messages.sendMessage")
	b.ReportAllocs()
	for b.Loop() {
		if MethodUsability("messages.sendMessage") != UsabilityBoth {
			b.Fatal("wrong usability")
		}
	}
}

// BenchmarkFirstMethodUsability measures building the usability map.
func BenchmarkFirstMethodUsability(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		usability = &lazyUsability{}
		MethodUsability("messages.sendMessage")
	}
}
