-- Fixed window counter: at most ARGV[1] units per window of ARGV[2] µs, windows aligned to the
-- server clock. Denied requests change nothing.
-- KEYS[1] hash {w = window index, c = units used in it}; ARGV[1] limit, ARGV[2] window µs, ARGV[3] cost
-- Returns {1 allowed | 0 denied, remaining, reset at µs, retry after µs, now µs}
redis.replicate_commands() -- needed on Redis < 5 only, where TIME is non-deterministic
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local index = math.floor(now / window)
local reset = (index + 1) * window
local state = redis.call('HMGET', KEYS[1], 'w', 'c')
local used = 0
if tonumber(state[1]) == index then
  used = tonumber(state[2])
end
if used + cost <= limit then
  used = used + cost
  redis.call('HSET', KEYS[1], 'w', string.format('%d', index), 'c', used)
  redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil((reset - now) / 1000)))
  return {1, limit - used, reset, 0, now}
end
return {0, limit - used, reset, reset - now, now}
