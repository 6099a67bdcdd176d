package main

// End-to-end tests of long-message splitting: Lua -> MTProto -> tgtest.

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
	"github.com/gotd/td/tgtest"
)

func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

func TestE2ESplitSendInvites(t *testing.T) {
	e := newE2E(t)
	var got []sendInvitesRequest
	answers := []bool{true, false, true}
	e.handle(sendInvitesID, func(srv *tgtest.Server, req *tgtest.Request) error {
		var r sendInvitesRequest
		if err := r.Decode(req.Buf); err != nil {
			return err
		}
		got = append(got, r)
		return srv.SendBool(req, answers[len(got)-1])
	})
	out := e.do(`
		local words = {}
		for i = 1, 2000 do words[i] = 'word' end   -- 2000*5-1 = 9999 units
		local text = table.concat(words, ' ') .. '!'
		local r = auth.sendInvites{phone_numbers={'+15550001', '+15550002'}, message=text}
		return #text, type(r), #r, r[1], r[2], r[3]`)
	assertValues(t, out, []any{int64(10000), "table", int64(3), true, false, true})
	if len(got) != 3 {
		t.Fatalf("server saw %d requests, want 3", len(got))
	}
	var joined []string
	for i, r := range got {
		if n := utf16Len(r.Message); n > 4096 || n == 0 {
			t.Errorf("chunk %d has %d units", i+1, n)
		}
		if strings.Join(r.PhoneNumbers, ",") != "+15550001,+15550002" {
			t.Errorf("chunk %d phone numbers %v", i+1, r.PhoneNumbers)
		}
		joined = append(joined, r.Message)
	}
	if strings.Join(joined, " ") != strings.TrimSuffix(strings.Repeat("word ", 2000), " ")+"!" {
		t.Errorf("chunks do not reassemble the text")
	}
}

func TestE2ESplitEmoji(t *testing.T) {
	e := newE2E(t)
	var msgs []string
	e.handle(sendInvitesID, func(srv *tgtest.Server, req *tgtest.Request) error {
		var r sendInvitesRequest
		if err := r.Decode(req.Buf); err != nil {
			return err
		}
		msgs = append(msgs, r.Message)
		return srv.SendBool(req, true)
	})
	out := e.do(`
		local text = string.rep('😀', 4000) .. string.rep('🇺🇦', 500)  -- 8000 + 2000 units
		local r = auth.sendInvites{phone_numbers={'+1'}, message=text}
		return #r`)
	if out[0] != int64(len(msgs)) || len(msgs) < 3 {
		t.Fatalf("Lua saw %v results, server %d requests", out[0], len(msgs))
	}
	total := 0
	for i, m := range msgs {
		if !utf8.ValidString(m) || utf16Len(m) > 4096 {
			t.Errorf("chunk %d: valid=%v units=%d", i+1, utf8.ValidString(m), utf16Len(m))
		}
		if strings.Count(m, "🇺🇦")*8 != strings.Count(m, "\U0001F1FA")*8 || strings.Count(m, "\U0001F1FA") != strings.Count(m, "\U0001F1E6") {
			t.Errorf("chunk %d splits a flag", i+1)
		}
		total += utf16Len(m)
	}
	if total != 10000 {
		t.Errorf("chunks hold %d units, want 10000", total)
	}
}

func TestE2ESplitSendMessageEntities(t *testing.T) {
	e := newE2E(t)
	var got []tg.MessagesSendMessageRequest
	e.handle(tg.MessagesSendMessageRequestTypeID, func(srv *tgtest.Server, req *tgtest.Request) error {
		var r tg.MessagesSendMessageRequest
		if err := r.Decode(req.Buf); err != nil {
			return err
		}
		got = append(got, r)
		return srv.SendResult(req, &tg.UpdateShortSentMessage{ID: len(got), Pts: len(got), PtsCount: 1, Date: 1})
	})
	out := e.do(`
		local para = string.rep('a', 3000)
		local text = para .. '\n\n' .. para .. '\n\n' .. para   -- cuts at the blank lines
		local r = messages.sendMessage{
			peer='inputPeerSelf', message=text, silent=true,
			reply_to={_='inputReplyToMessage', reply_to_msg_id=7},
			entities={
				{_='messageEntityBold', offset=0, length=10},
				{_='messageEntityTextUrl', offset=2990, length=20, url='https://x.test'},  -- crosses the first cut
				{_='messageEntityItalic', offset=6004, length=5},
			},
		}
		return #r, r[1]._, r[3].id`)
	assertValues(t, out, []any{int64(3), "updateShortSentMessage", int64(3)})
	if len(got) != 3 {
		t.Fatalf("server saw %d requests", len(got))
	}
	seen := map[int64]bool{}
	for i, r := range got {
		if seen[r.RandomID] || r.RandomID == 0 {
			t.Errorf("chunk %d random_id %d repeated or zero", i+1, r.RandomID)
		}
		seen[r.RandomID] = true
		if !r.Silent {
			t.Errorf("chunk %d lost silent", i+1)
		}
		if (r.ReplyTo != nil) != (i == 0) {
			t.Errorf("chunk %d reply_to = %v (only the first replies)", i+1, r.ReplyTo)
		}
	}
	ents := func(r tg.MessagesSendMessageRequest) string {
		var s []string
		for _, e := range r.Entities {
			switch e := e.(type) {
			case *tg.MessageEntityBold:
				s = append(s, "bold", strconv.Itoa(e.Offset), strconv.Itoa(e.Length))
			case *tg.MessageEntityTextURL:
				s = append(s, "url", strconv.Itoa(e.Offset), strconv.Itoa(e.Length), e.URL)
			case *tg.MessageEntityItalic:
				s = append(s, "italic", strconv.Itoa(e.Offset), strconv.Itoa(e.Length))
			}
		}
		return strings.Join(s, " ")
	}
	for i, want := range []string{
		"bold 0 10 url 2990 10 https://x.test",
		"url 0 8 https://x.test",
		"italic 0 5",
	} {
		if g := ents(got[i]); g != want {
			t.Errorf("chunk %d entities %q, want %q", i+1, g, want)
		}
	}
}

func TestE2ESplitErrorStopsLaterChunks(t *testing.T) {
	e := newE2E(t)
	calls := 0
	e.handle(sendInvitesID, func(srv *tgtest.Server, req *tgtest.Request) error {
		calls++
		if calls == 2 {
			return tgerr.New(400, "PHONE_NUMBER_INVALID")
		}
		return srv.SendBool(req, true)
	})
	out := e.do(`
		local ok, e = pcall(auth.sendInvites, {phone_numbers={'+1'}, message=string.rep('x ', 5000)})
		return ok, e.type, e.chunk, #e.results, e.results[1], tostring(e)`)
	assertValues(t, out, []any{false, "PHONE_NUMBER_INVALID", int64(2), int64(1), true, "auth.sendInvites: rpc error 400: PHONE_NUMBER_INVALID"})
	if calls != 2 {
		t.Fatalf("server saw %d calls; the third chunk must not be sent", calls)
	}
}

func TestE2ESplitLimitSources(t *testing.T) {
	e := newE2E(t)
	// help.getConfig from the script tells the limit; split.limit overrides it.
	e.handle(tg.HelpGetConfigRequestTypeID, func(srv *tgtest.Server, req *tgtest.Request) error {
		return srv.SendResult(req, &tg.Config{ThisDC: 2, MessageLengthMax: 1000})
	})
	var sizes []int
	e.handle(sendInvitesID, func(srv *tgtest.Server, req *tgtest.Request) error {
		var r sendInvitesRequest
		if err := r.Decode(req.Buf); err != nil {
			return err
		}
		sizes = append(sizes, utf16Len(r.Message))
		return srv.SendBool(req, true)
	})
	out := e.do(`
		local text = string.rep('y', 2500)
		local one = auth.sendInvites{phone_numbers={'+1'}, message=string.rep('z', 4096)}   -- 1 call: plain result
		local cfg = help.getConfig()
		local a = auth.sendInvites{phone_numbers={'+1'}, message=text}   -- limit 1000: 3 calls
		split.limit = 2000
		local b = auth.sendInvites{phone_numbers={'+1'}, message=text}   -- 2 calls
		local parts = split.text('hello world', 5)
		local empty = split.text('')
		return one, cfg.message_length_max, #a, #b, #parts, parts[1], parts[2], #empty`)
	assertValues(t, out, []any{true, int64(1000), int64(3), int64(2), int64(2), "hello", "world", int64(1)})
	want := []int{4096, 1000, 1000, 500, 2000, 500}
	if len(sizes) != len(want) {
		t.Fatalf("sizes %v, want %v", sizes, want)
	}
	for i := range want {
		if sizes[i] != want[i] {
			t.Fatalf("sizes %v, want %v", sizes, want)
		}
	}
}

func TestE2ESplitEmptyMessageIsOneCall(t *testing.T) {
	e := newE2E(t)
	calls := 0
	e.handle(sendInvitesID, func(srv *tgtest.Server, req *tgtest.Request) error {
		calls++
		return tgerr.New(400, "MESSAGE_EMPTY")
	})
	out := e.do(`local ok, e = pcall(auth.sendInvites, {phone_numbers={'+1'}, message=''}) return ok, e.type, e.chunk`)
	assertValues(t, out, []any{false, "MESSAGE_EMPTY", nil})
	if calls != 1 {
		t.Fatalf("%d calls", calls)
	}
}
