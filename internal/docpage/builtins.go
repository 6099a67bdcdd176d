package docpage

import (
	"slices"
	"strings"
)

// Builtin documents a function tglua adds to the Lua environment besides
// the API namespaces (on, reply, upload...).
type Builtin struct {
	Name      string
	Signature string
	Doc       string
	Example   string
}

// builtins are the pages of the functions the runtime and the CLI install.
var builtins = []Builtin{
	{"on", "on(event, fn [, {ordered=true}]) -> handle",
		"Calls fn for each update of the event: 'message' (new incoming and outgoing messages, with msg.peer, msg.text, msg.out and msg.from), the name of an update constructor ('updateUserTyping'), or 'update' (every update). Each call runs in a light thread of its own, so a handler waiting for a method call holds up no other handler; with ordered=true, the calls of this handler for one chat run one after another, in the order the updates came. Registering the first handler starts receiving updates, with gap recovery and the update state kept in the session. The script then keeps running until stop(), Ctrl-C or --timeout.",
		"on('message', function(msg)\n  if not msg.out then reply(msg, 'echo: ' .. msg.text) end\nend)"},
	{"off", "off(handle)", "Removes a handler registered with on(), or cancels a timer from after() or every().", "local h = on('message', print)\noff(h)"},
	{"reply", "reply(msg, text [, args]) -> result",
		"Sends text into msg's chat as a reply to msg (messages.sendMessage with reply_to). args adds fields of messages.sendMessage, such as parse_mode or silent. Long text is split.",
		"reply(msg, '<b>done</b>', {parse_mode = 'html'})"},
	{"pp", "pp(v, ...)", "Prints each value as the REPL shows it, one per line: tables with '_' first, nested objects indented, long ids exact, cycles marked. print(t) shows only table: 0x...", "pp(messages.getHistory{peer='@alice', limit=1})"},
	{"inspect", "inspect(v [, depth]) -> string", "The REPL's rendering of v as a string (pp without the printing); tables deeper than depth (default 8) show as {...}.", "print(inspect(msg, 2))"},
	{"iter", "iter(method, args) -> iterator", "Iterates over the items of a paginated method, fetching pages of up to 100 as the loop goes, with the method's own offset rule: messages.getHistory, messages.search and messages.getReplies (offset_id), messages.getDialogs (offset_date, offset_id, offset_peer), channels.getParticipants (offset). args.limit is the total (default: all). Flood waits are handled as for any call.", "for m in iter(messages.getHistory, {peer='@alice', limit=500}) do print(m.id, m.message) end"},
	{"wait_for", "wait_for([filter [, timeout]]) -> message | nil, 'timeout'", "Waits, in the calling light thread only, for the next message that filter(msg) accepts (any message when filter is nil); after timeout seconds (default 60) returns nil and 'timeout'.", "local m = wait_for(function(m) return m.text == 'yes' end, 30)"},
	{"ask", "ask(peer, text [, timeout]) -> message | nil, 'timeout'", "Sends text to peer and returns the next message from that chat that is not yours: a conversation step for dialog-style bots. The wait starts before the message is sent, so a quick answer is not missed.", "local answer = ask('@alice', 'What is your name?')"},
	{"sleep", "sleep(seconds) -> true", "Suspends the calling light thread; other threads, handlers and timers keep running meanwhile. Returns false at once when stop() has been called.", "sleep(1.5)"},
	{"after", "after(seconds, fn) -> handle", "Calls fn once, after the given time, in a light thread of its own.", "after(10, function() print('ten seconds later') end)"},
	{"every", "every(seconds, fn) -> handle", "Calls fn repeatedly, every given number of seconds, each time in a light thread of its own, until off(handle) or stop().", "local h = every(60, function() print(os.date()) end)"},
	{"stop", "stop()", "Ends the event loop: the handler or timer that called it runs to its end, other handlers, timers and threads still running are cancelled (without an error), sleep returns false from then on, and the script returns.", "on('message', function(msg) if msg.text == 'quit' then stop() end end)"},
	{"upload", "upload(path | {path=, name=} | {data=, name=}) -> InputFile",
		"Uploads a file in parts (gotd's uploader) and returns the inputFile or inputFileBig table that methods such as messages.sendMedia take. A local path needs the full library set; under the strict sandbox, pass the bytes as data.",
		"local f = upload('report.pdf')\nmessages.sendMedia{peer = 'me', message = '', media = {_ = 'inputMediaUploadedDocument', file = f, mime_type = 'application/pdf', attributes = {}}}"},
	{"download", "download(src [, path]) -> path | bytes",
		"Downloads the file of a message with media, a messageMediaPhoto or messageMediaDocument, a photo (its largest size), a document, or an input file location (gotd's downloader). With a path it writes the file and returns the path; without, it returns the contents.",
		"on('message', function(msg)\n  if msg.media then download(msg, 'incoming.bin') end\nend)"},
	{"send_file", "send_file(peer, file [, opts]) -> result",
		"Uploads file (a path, {data=, name=}, or an InputFile from upload) and sends it with messages.sendMedia: .jpg, .jpeg and .png as a photo unless opts.force_document, anything else as a document with its file name and MIME type (opts.mime_type, else from the extension). opts.caption is the text; opts.parse_mode, entities, reply_to (a message id), silent and schedule_date pass through.",
		"send_file('@ann', 'chart.png', {caption = 'weekly chart'})"},
	{"spawn", "spawn(fn, ...) -> thread",
		"Starts a light thread calling fn(...) and returns its handle once the thread first waits (a method call, sleep, wait, a flood wait) or ends. Light threads share the script's globals and take turns: while one waits, the others run, so calls from several threads are in flight at once. A thread can wait anywhere, also inside pcall, a metamethod or a coroutine. t:cancel() stops the thread at its next instruction or wait (true if it was still running); t:done() tells whether it has finished. The script ends when its main chunk and every thread it spawned have finished. A thread that raises an error nobody waits for is reported with the place it was spawned, and the exit status is 1.",
		"local t = spawn(function(name) return users.getUsers{id={name}}[1] end, '@ann')\n-- ... other work meanwhile ...\nlocal ann = wait(t)"},
	{"wait", "wait(t1, ...) -> results",
		"Waits for the threads and returns their results: all the return values of one thread, or the first value of each of several, in order. A thread that raised an error raises it again here: a message names where the thread was spawned, and an RPC error or a table raised with error() comes back as it was, for pcall to inspect. A wait that could never end (a thread waiting for itself, or threads waiting for each other) raises a deadlock error at once.",
		"local a, b = wait(spawn(get_self), spawn(help.getConfig))"},
	{"wait_any", "wait_any(t1, ...) -> thread, results",
		"Waits for the first of the threads to finish and returns its handle, then its results (or raises its error). The others keep running; cancel them with t:cancel() when they are no longer wanted.",
		"local t, v = wait_any(fast, slow)\nif t == fast then slow:cancel() end"},
	{"map", "map(fn, list [, {concurrency=N}]) -> results",
		"Calls fn(v, i) for every element of list, each in a light thread, with at most N calls in flight (default 8), and returns a table of the results in list order. The first error cancels the calls still running and is raised.",
		"local ok = map(function(phone) return auth.sendInvites{phone_numbers={phone}, message='Join me!'} end, phones, {concurrency=20})"},
	{"parallel", "parallel(fns [, {concurrency=N}]) -> results",
		"Calls every function of the list with no arguments, each in a light thread, at most N at a time (default 8), and returns a table of their results in list order. The first error cancels the rest and is raised.",
		"local r = parallel{get_self, function() return help.getConfig{} end}"},
	{"phone_login", "phone_login(number) -> sent code", "Sends a login code to the phone number (auth.sendCode). The code hash is kept in the session file, so complete_phone_login may run in a later invocation.", "phone_login('+15550001')"},
	{"complete_phone_login", "complete_phone_login(code) -> user | 'password_needed' | 'signup_needed'", "Signs in with the code phone_login sent. Returns the user, or 'password_needed' when the account has two-step verification: then call complete_2fa_login; or 'signup_needed' when the number has no account yet: then call complete_signup.", "local u = complete_phone_login('12345')"},
	{"complete_signup", "complete_signup(first_name [, last_name]) -> user", "Creates the account of a new number after complete_phone_login answered 'signup_needed' (auth.signUp with the pending login's code hash).", "local u = complete_signup('Ann', 'Lee')"},
	{"complete_2fa_login", "complete_2fa_login(password) -> user", "Finishes a login with the two-step verification password (SRP through gotd's telegram/auth). The password is never logged.", "complete_2fa_login(os.getenv('TG_PASSWORD'))"},
	{"bot_login", "bot_login(token) -> user", "Logs in as a bot with its Bot API token. Methods documented as user-only then fail before sending.", "bot_login(os.getenv('BOT_TOKEN'))"},
	{"get_self", "get_self() -> user", "Returns the logged-in user (users.getUsers with inputUserSelf).", "print(get_self().username)"},
	{"logout", "logout()", "Logs out (auth.logOut) and forgets the login in the session file.", "logout()"},
	{"doc", "doc(name | function) -> string", "Returns the page that help() prints, as a string: a method, constructor, type, namespace or built-in function.", "print(#doc('messages.sendMessage'))"},
	{"help", "help([name | function])", "Prints the page of a method, constructor, type, namespace or built-in function; with no argument, an overview. doc() returns the same page as a string.", "help('messages.sendMessage')\nhelp(send_file)"},
	{"split.text", "split.text(s [, limit]) -> {chunks}", "Splits text the way long messages are split before sending: at most limit UTF-16 units per chunk (default: split.limit, the server's message_length_max, or 4096), preferring paragraph, line and word boundaries.", "for i, part in ipairs(split.text(long_text)) do print(i, #part) end"},
}

// BuiltinNames are the names of the built-in function pages.
func BuiltinNames() []string {
	names := make([]string, len(builtins))
	for i, b := range builtins {
		names[i] = b.Name
	}
	return names
}

// builtinPage renders a built-in function's page.
func builtinPage(name string) (string, bool) {
	i := slices.IndexFunc(builtins, func(b Builtin) bool { return b.Name == name })
	if i < 0 {
		return "", false
	}
	bi := builtins[i]
	var b strings.Builder
	heading(&b, "Function: "+bi.Name)
	b.WriteString("    " + bi.Signature + "\n\n")
	for _, line := range wrap(bi.Doc, 100) {
		b.WriteString(line + "\n")
	}
	b.WriteString("\nExample:\n\n")
	for _, line := range strings.Split(bi.Example, "\n") {
		b.WriteString("    " + line + "\n")
	}
	return b.String(), true
}
