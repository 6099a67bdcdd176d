-- A basic group: create it, rename it, post, find the post, forward it,
-- list the members, leave. Every change is a service message in the group.
-- Run it: tglua --sandbox scripts/groups.lua

local created = messages.createChat{users = {'@alice', '@bob'}, title = 'Project X'}
local group = created.updates.chats[1]
print(('created "%s" with %d members'):format(group.title, group.participants_count))
local peer = {_ = 'inputPeerChat', chat_id = group.id}

messages.editChatTitle{chat_id = group.id, title = 'Project Y'}
messages.sendMessage{peer = peer, message = 'The report is due on Friday.'}

-- Search the group (q ignores case); forward what was found to yourself.
local found = messages.search{peer = peer, q = 'REPORT', filter = 'inputMessagesFilterEmpty'}
print('found: ' .. found.messages[1].message)
local fwd = messages.forwardMessages{from_peer = peer, to_peer = 'me', id = {found.messages[1].id}}
print('forwarded to me: ' .. fwd.updates[2].message.message)

local full = messages.getFullChat{chat_id = group.id}
local names = {}
for _, u in ipairs(full.users) do names[#names + 1] = u.first_name end
table.sort(names)
print(('"%s": %s'):format(full.chats[1].title, table.concat(names, ', ')))

-- The history, newest first: the post and a service message per change.
for msg in iter(messages.getHistory, {peer = peer}) do
  print('  ' .. (msg.action and msg.action._ or msg.message))
end

messages.deleteChatUser{chat_id = group.id, user_id = 'me'}
print('left; the group is now ' .. messages.getChats{id = {group.id}}.chats[1]._)
