-- Writes a loaded value only if this caller still holds the lease and no write or invalidation
-- bumped the fence since the lease was taken: a slow load can never overwrite newer state.
-- KEYS[1] value, KEYS[2] fence, KEYS[3] lease; ARGV[1] lease token, ARGV[2] fence seen at acquire,
-- ARGV[3] envelope bytes, ARGV[4] value TTL ms.
-- Returns 1 written, 0 fenced off (a newer write happened), -1 lease lost (expired or taken over).
if redis.call('GET', KEYS[3]) ~= ARGV[1] then
  return -1
end
redis.call('DEL', KEYS[3])
if (redis.call('GET', KEYS[2]) or '') ~= ARGV[2] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
return 1
