-- Lists a user's live sessions, most recently active first, and prunes index entries whose
-- session expired. KEYS[1] the user's index; ARGV[1] the user's session key prefix.
-- Returns {id hash, {field, value, ...}, ...}
local result = {}
for _, m in ipairs(redis.call('ZREVRANGE', KEYS[1], 0, -1)) do
  local fields = redis.call('HGETALL', ARGV[1] .. m)
  if #fields == 0 then
    redis.call('ZREM', KEYS[1], m)
  else
    result[#result + 1] = m
    result[#result + 1] = fields
  end
end
return result
