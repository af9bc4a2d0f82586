-- Deletes every session of one user. KEYS[1] the user's index; ARGV[1] the user's session key
-- prefix. Returns the id hashes of the sessions that existed.
local deleted = {}
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if redis.call('DEL', ARGV[1] .. m) == 1 then
    deleted[#deleted + 1] = m
  end
end
redis.call('DEL', KEYS[1])
return deleted
