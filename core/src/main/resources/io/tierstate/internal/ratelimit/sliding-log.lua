-- Sliding log: at most ARGV[1] units admitted in any window (now - ARGV[2] µs, now]. One sorted-set
-- member per admitted unit, scored by its admission time; older members are trimmed first, and
-- denied requests add nothing, so the set never holds more than ARGV[1] members.
-- KEYS[1] sorted set; ARGV[1] limit, ARGV[2] window µs, ARGV[3] cost
-- Returns {1 allowed | 0 denied, remaining, reset at µs, retry after µs, now µs}
redis.replicate_commands() -- needed on Redis < 5 only, where TIME is non-deterministic
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now - window))
local used = redis.call('ZCARD', KEYS[1])
if used + cost <= limit then
  -- Members must be unique: within one microsecond the trim is the same, so the count only grows
  -- and "now-(used + i)" has not been used yet.
  local args = {}
  for i = 1, cost do
    args[#args + 1] = string.format('%d', now)
    args[#args + 1] = string.format('%d-%d', now, used + i)
    if #args >= 200 or i == cost then
      redis.call('ZADD', KEYS[1], unpack(args))
      args = {}
    end
  end
  used = used + cost
  redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil(window / 1000)))
  return {1, limit - used, now + window, 0, now}
end
-- the (used + cost - limit)-th oldest unit must leave the window first
local needed = redis.call('ZRANGE', KEYS[1], used + cost - limit - 1, used + cost - limit - 1, 'WITHSCORES')
local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
local retry = tonumber(needed[2]) + window - now
return {0, limit - used, tonumber(newest[2]) + window, math.max(1, retry), now}
