-- Moves a session to a new id at once (against session fixation): the old id stops resolving in
-- the same step in which the new one starts; data, activity and expiry are kept.
-- KEYS[1] old session hash, KEYS[2] new session hash, KEYS[3] the user's index;
-- ARGV[1] old id hash, ARGV[2] new id hash. Returns {now ms, expiry ms, tenant id}, or {} if the old is gone.
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('ZREM', KEYS[3], ARGV[1])
  return {}
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = redis.call('PTTL', KEYS[1])
redis.call('RENAME', KEYS[1], KEYS[2])
local score = redis.call('ZSCORE', KEYS[3], ARGV[1]) or now
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZADD', KEYS[3], score, ARGV[2])
return {now, now + ttl, redis.call('HGET', KEYS[2], 't')}
