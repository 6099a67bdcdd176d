-- hello.lua: who am I, say hello to @alice, print what Telegram answered.
-- Run it against the offline sandbox:  go run . --sandbox scripts/hello.lua
local me = get_self()
print(('Logged in as %s %s (@%s, id %s)'):format(me.first_name, me.last_name or '', me.username or '-', tostring(me.id)))

local sent = messages.sendMessage{peer = '@alice', message = 'Hello from tglua!'}
print(('Telegram answered %s: message id %d, pts %d'):format(sent._, sent.id, sent.pts))

-- Read the chat with @alice back, newest first (offsets and hash default to 0).
local history = messages.getHistory{peer = '@alice', limit = 5}
for _, m in ipairs(history.messages) do
  print(('  %s: %s'):format(m.out and 'me' or 'alice', m.message))
end
