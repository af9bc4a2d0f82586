-- Changes a session's roles and attributes without touching its expiry.
-- KEYS[1] session hash; ARGV[1] '1' to replace the roles, ARGV[2] roles, ARGV[3] the maximum
-- number of attributes, ARGV[4..] attribute field/value pairs (fields start with 'a:').
-- Returns 1 updated, 0 no such session, -1 too many attributes (nothing changed).
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
local count = 0
for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
  if string.sub(f, 1, 2) == 'a:' then
    count = count + 1
  end
end
for i = 4, #ARGV, 2 do
  if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 0 then
    count = count + 1
  end
end
if count > tonumber(ARGV[3]) then
  return -1
end
if ARGV[1] == '1' then
  redis.call('HSET', KEYS[1], 'r', ARGV[2])
end
if #ARGV >= 5 then
  redis.call('HSET', KEYS[1], unpack(ARGV, 4))
end
return 1
