-- Stores a new session and enforces the user's device limit in one step, so that any number of
-- concurrent logins leave at most maxDevices live sessions. All keys share the user's hash slot.
-- KEYS[1] session hash, KEYS[2] the user's index (session id hashes scored by last activity ms);
-- ARGV[1] idle timeout ms, ARGV[2] absolute timeout ms, ARGV[3] maxDevices (0 = unlimited),
-- ARGV[4] the new id hash, ARGV[5] the user's session key prefix, ARGV[6..] field/value pairs.
-- Returns {now ms, evicted id hash...}; evicts the least recently active sessions first.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local idle = tonumber(ARGV[1])
local absolute = tonumber(ARGV[2])
local ttl = math.min(idle, absolute)
redis.call('HSET', KEYS[1], 'c', now, 'l', now, 'x', now + absolute, 'i', idle, unpack(ARGV, 6))
redis.call('PEXPIRE', KEYS[1], ttl)
-- Logins within one millisecond still rank by arrival: a tie would be broken by the ids'
-- random hashes, and the device limit could evict the newer session instead of the older.
local score = now
local newest = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
if newest[2] and tonumber(newest[2]) >= score then
  score = tonumber(newest[2]) + 0.001
end
redis.call('ZADD', KEYS[2], score, ARGV[4])
local live = {}
for _, m in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  if redis.call('EXISTS', ARGV[5] .. m) == 1 then
    live[#live + 1] = m
  else
    redis.call('ZREM', KEYS[2], m)
  end
end
local result = {now}
local max = tonumber(ARGV[3])
if max > 0 then
  local excess = #live - max
  for _, m in ipairs(live) do
    if excess <= 0 then
      break
    end
    if m ~= ARGV[4] then
      redis.call('DEL', ARGV[5] .. m)
      redis.call('ZREM', KEYS[2], m)
      result[#result + 1] = m
      excess = excess - 1
    end
  end
end
local indexTtl = redis.call('PTTL', KEYS[2])
if indexTtl < absolute then
  redis.call('PEXPIRE', KEYS[2], absolute)
end
return result
