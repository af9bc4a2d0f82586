-- Slides a session's idle expiry: records the activity and resets the key's TTL to the idle
-- timeout, but never past the absolute expiry.
-- KEYS[1] session hash, KEYS[2] the user's index; ARGV[1] id hash.
-- Returns {now ms, new expiry ms, tenant id}, or {} if the session does not exist (or just reached its end).
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('ZREM', KEYS[2], ARGV[1])
  return {}
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local absoluteAt = tonumber(redis.call('HGET', KEYS[1], 'x'))
local idle = tonumber(redis.call('HGET', KEYS[1], 'i'))
local ttl = math.min(idle, absoluteAt - now)
if ttl <= 0 then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
  return {}
end
redis.call('HSET', KEYS[1], 'l', now)
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('ZADD', KEYS[2], 'XX', now, ARGV[1])
if redis.call('PTTL', KEYS[2]) < ttl then
  redis.call('PEXPIRE', KEYS[2], ttl)
end
return {now, now + ttl, redis.call('HGET', KEYS[1], 't')}
