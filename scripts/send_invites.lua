-- send_invites.lua: the legacy auth.sendInvites#771c1d97, with a message so
-- long that tglua splits it into chunks of at most 4096 UTF-16 units and
-- calls the method once per chunk.
-- Run it against the offline sandbox:  go run . --sandbox scripts/send_invites.lua
local ok = auth.sendInvites{phone_numbers = {'+15550001'}, message = 'Join me!'}
print('short message: ' .. tostring(ok))

local words = {}
for i = 1, 2000 do words[i] = 'invite' end
local long = table.concat(words, ' ')   -- 13,999 units: 4 chunks
local results = auth.sendInvites{phone_numbers = {'+15550001', '+15550002'}, message = long}
local shown = {}
for i, r in ipairs(results) do shown[i] = tostring(r) end
print(('long message: %d chunks: {%s}'):format(#results, table.concat(shown, ', ')))

-- Errors are values: pcall catches them.
local okEmpty, err = pcall(auth.sendInvites, {phone_numbers = {'+15550001'}, message = ''})
print('empty message: ' .. tostring(err))
