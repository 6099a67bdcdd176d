-- Send a file to yourself and fetch it back: upload, send_file, download.
--
--   go run . --sandbox scripts/send_file.lua [FILE]
--
-- Without FILE it sends a small report it writes to a temporary file.
local path, temporary = arg[1], false
if not path then
  temporary = true
  path = os.tmpname() .. '.json'
  local f = assert(io.open(path, 'w'))
  f:write('{"report": "all systems nominal"}\n')
  f:close()
end

local sent = send_file('me', path, {caption = 'a file from tglua'})
local msg
for _, u in ipairs(sent.updates) do
  if u._ == 'updateNewMessage' then msg = u.message end
end
local doc = msg.media.document
print(string.format('sent %s (%s, %d bytes), caption %q',
  doc.attributes[1].file_name, doc.mime_type, doc.size, msg.message))

local data = download(msg)
local original = assert(io.open(path, 'rb')):read('*a')
print(string.format('downloaded %d bytes: %s', #data, data == original and 'identical' or 'DIFFERENT'))
if temporary then os.remove(path) end
