-- Pages and conversations: iter() walks a chat's history page by page,
-- ask() sends a message and waits for the answer, pp() shows a result.
-- Run it: tglua --sandbox scripts/history.lua

for i = 1, 5 do
  messages.sendMessage{peer = '@alice', message = 'note ' .. i}
end

-- Newest first, 100 per request, as many requests as it takes (here 1).
local n = 0
for msg in iter(messages.getHistory, {peer = '@alice', limit = 3}) do
  n = n + 1
  print(('%d. %s'):format(n, msg.message))
end

-- The echo bot answers every private message.
local answer = ask('@echo_bot', 'ping')
print('echo_bot said: ' .. answer.text)

-- pp prints a result readably (print would show table: 0x...).
pp(help.getNearestDc())
