-- Sliding window counter: the units of the current fixed window plus those of the previous one,
-- weighted by the share of the previous window still inside the sliding window, must stay within
-- ARGV[1]. Denied requests change nothing.
-- KEYS[1] hash {w = window index, c = units in it, p = units in the window before};
-- ARGV[1] limit, ARGV[2] window µs, ARGV[3] cost
-- Returns {1 allowed | 0 denied, remaining, reset at µs, retry after µs, now µs}
redis.replicate_commands() -- needed on Redis < 5 only, where TIME is non-deterministic
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local index = math.floor(now / window)
local start = index * window
local state = redis.call('HMGET', KEYS[1], 'w', 'c', 'p')
local stored = tonumber(state[1])
local current, previous = 0, 0
if stored == index then
  current = tonumber(state[2])
  previous = tonumber(state[3])
elseif stored == index - 1 then
  previous = tonumber(state[2])
end
local weighted = previous * (1 - (now - start) / window)
if current + weighted + cost <= limit then
  current = current + cost
  redis.call('HSET', KEYS[1], 'w', string.format('%d', index), 'c', current, 'p', previous)
  -- the counts matter until the end of the next window, where this one stops being "previous"
  redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil((start + 2 * window - now) / 1000)))
  return {1, math.max(0, math.floor(limit - current - weighted)), start + 2 * window, 0, now}
end
local reset = start + window
if current > 0 then
  reset = start + 2 * window
end
local retry
local room = limit - cost - current
if room >= 0 and previous > 0 then
  -- later in this window, when the previous window's weight has decayed enough
  retry = math.ceil(start + (1 - room / previous) * window) - now
else
  -- in the next window, where this window's units become the decaying ones
  local share = 0
  if current > 0 then
    share = math.max(0, 1 - (limit - cost) / current)
  end
  retry = math.ceil(start + window + share * window) - now
end
return {0, math.max(0, math.floor(limit - current - weighted)), reset, math.max(1, retry), now}
