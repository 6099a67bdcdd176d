-- echo_bot.lua: answer every incoming private message with its own text.
-- Run it against the offline sandbox:  go run . --sandbox scripts/echo_bot.lua
-- (it stops by itself after `limit` replies, or after 30 seconds).
local limit = tonumber(arg[1]) or 3
local replies = 0

on('message', function(msg)
  if msg.out then return end
  reply(msg, 'echo: ' .. msg.text)
  replies = replies + 1
  print(('replied to %s'):format(msg.text))
  if replies >= limit then stop() end
end)

after(30, stop)

-- Give the handler something to answer: @echo_bot echoes us, we echo it.
messages.sendMessage{peer = '@echo_bot', message = 'ping'}
