-- Extends the load lease of a loader that is still running, and keeps the fence alive as long.
-- KEYS[1] lease, KEYS[2] fence; ARGV[1] lease token, ARGV[2] lease TTL ms. Returns 1 if renewed.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local ttl = redis.call('PTTL', KEYS[2])
if ttl >= 0 and ttl < tonumber(ARGV[2]) then
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
end
return 1
