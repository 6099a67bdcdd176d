-- Offline tour: no server, no account. Shows how tglua sees the API.
-- Run: go run . scripts/encode.lua
local n = 0
for _, ns in ipairs({'auth', 'messages', 'users', 'contacts', 'channels', 'account', 'help', 'updates'}) do
  assert(type(_G[ns]) == 'table', ns)
  n = n + 1
end
print(('namespaces checked: %d; tg.auth == auth: %s'):format(n, tostring(tg.auth == auth)))
print('auth.sendInvites is a ' .. type(auth.sendInvites))
local ok, err = pcall(auth.sendInvites, {phone_numbers = {'+15550001', {}}, message = 'Join me!'})
print('bad argument caught: ' .. tostring(err))
